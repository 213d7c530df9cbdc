// Regularisation: weight decay (a setting of the optimizer, applied in Optimizer.swift), an L2
// penalty on weights only, gradient clipping by the global norm, and inverted dropout on hidden
// layers. They follow PyTorch (`weight_decay`, `clip_grad_norm_`, `nn.Dropout`) and, for the
// penalty, scikit-learn's and Keras's L2 regularisation, which spare the biases.

extension Network {
    /// Sets the current optimizer's weight decay λ (torch's `weight_decay`): coupled for SGD and
    /// Adam (g += λ·θ before the update), decoupled for AdamW (θ *= 1 − lr·λ). Biases included.
    /// - Throws: `.argument` for a λ that is negative or not finite (nothing changes).
    public func setWeightDecay(_ decay: Float) throws(PlexusError) {
        guard decay.isFinite && decay >= 0 else {
            throw .argument("weight decay is \(decay); pass a finite value >= 0, such as 1e-4, or 0 for none")
        }
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        activeOptimizer = activeOptimizer.with(weightDecay: decay)
    }

    /// Adds the L2 penalty (λ/2)·Σ‖W_l‖² on the weights, never the biases, to what training
    /// minimises: each step adds λ·W to the weights' gradients, after clipping and beside any
    /// coupled weight decay, whatever the optimizer (scikit-learn's `alpha`/batch size, Keras's
    /// `kernel_regularizer=l2(λ/2)`). The losses training reports stay the data's alone. 0 removes it.
    /// - Throws: `.argument` for a λ that is negative or not finite, `.memory` (nothing changes).
    public func setL2Penalty(_ lambda: Float) throws(PlexusError) {
        guard lambda.isFinite && lambda >= 0 else {
            throw .argument("the L2 penalty is \(lambda); pass a finite value >= 0, such as 1e-4, or 0 for none")
        }
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        try checkNotTraining()
        guard lambda > 0 else {
            weightPenalty = 0
            penaltyCoefficients = nil
            return
        }
        let coefficients: FloatBuffer
        if let kept = penaltyCoefficients {
            coefficients = kept
        } else {
            coefficients = try FloatBuffer(count: parameterCount, purpose: "the L2 penalty's coefficients")
        }
        for layer in layout.layers {
            (coefficients.pointer + layer.weightOffset).update(repeating: lambda, count: layer.inputs * layer.outputs)
        }
        weightPenalty = lambda
        penaltyCoefficients = coefficients
    }

    /// The L2 penalty on weights `setL2Penalty` set (0: none). Throws `.busy` while another
    /// thread writes.
    public var l2Penalty: Float {
        get throws(PlexusError) { try access.reading { weightPenalty } }
    }

    /// From now on `step` first scales the gradients by min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the
    /// L2 norm over every parameter's gradient (torch's `clip_grad_norm_`); 0 turns it off.
    /// - Throws: `.argument` for a negative or non-finite `maxNorm` (nothing changes).
    public func setGradClip(_ maxNorm: Float) throws(PlexusError) {
        guard maxNorm.isFinite && maxNorm >= 0 else {
            throw .argument("max_norm is \(maxNorm); pass a finite value > 0, such as 1.0, or 0 to turn clipping off")
        }
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        clipNorm = maxNorm
    }

    /// The gradient clipping bound `setGradClip` set (0: off). Throws `.busy` while another
    /// thread writes.
    public var gradClip: Float {
        get throws(PlexusError) { try access.reading { clipNorm } }
    }

    /// The dropout probability of each layer's output, 0…L (only hidden layers may be above 0).
    /// Throws `.busy` while another thread writes.
    public var dropoutRates: [Float] {
        get throws(PlexusError) { try access.reading { layerDropout } }
    }

    /// Inverted dropout on the output of hidden layer `layer` (1…L−1) during `forward` and
    /// training only, never in `predict`: each unit is kept with probability 1 − p and scaled by
    /// 1/(1 − p). Masks come from the network's generator, so the same seed gives the same run.
    /// - Throws: `.argument` for the output layer, a layer that does not exist, or p outside
    ///   [0, 1) (nothing changes).
    public func setDropout(layer: Int, probability p: Float) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        try checkNotTraining()
        let index = try dropoutIndex(ofLayer: layer)
        guard p >= 0 && p < 1 else {
            throw .argument("dropout probability is \(p); pass a value in [0, 1), such as 0.2, or 0 for none")
        }
        if layerDropout[index] == p { return }
        layerDropout[index] = p
        dropoutChanged()
        // The kept buffers depend on which layers drop; a kept forward no longer matches.
        cache = nil
        cachedBatch = 0
    }

    /// Where layer `layer`'s dropout rate lives in `layerDropout`: a dropout layer's own, or, on a
    /// hidden dense layer not followed by a dropout layer, the rate of dropout on its outputs
    /// (`init(sizes:…)`'s way).
    private func dropoutIndex(ofLayer layer: Int) throws(PlexusError) -> Int {
        try checkLayer(layer)
        let place = places[layer - 1]
        if case let .dropout(index) = place { return index }
        guard place.chainIndex < sizes.count - 1 else {
            throw .argument("layer \(layer) is the output layer; dropout applies to the hidden layers \(places.count == sizes.count - 1 ? "1…\(sizes.count - 2)" : "and the dropout layers")")
        }
        if layer < places.count, case .dropout = places[layer] {
            throw .argument("layer \(layer)'s outputs go to dropout layer \(layer + 1); set that layer's rate")
        }
        if layer < places.count, places[layer].denseIndex == nil {
            throw .argument("layer \(layer)'s outputs go to layer \(layer + 1) (\(builtLayers[layer].kind)); put a dropout layer where it should drop")
        }
        return place.chainIndex
    }

    /// The dropout probability of layer `layer` (1…L): a dropout layer's rate, or the rate of
    /// dropout on a dense layer's outputs (the output layer's is always 0).
    /// - Throws: `.argument` unless `layer` names a non-input layer.
    public func dropout(ofLayer layer: Int) throws(PlexusError) -> Float {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        try checkLayer(layer)
        // A layer norm drops nothing, nor does a dense layer whose outputs go to another layer.
        if case .norm = places[layer - 1] { return 0 }
        if case .dense = places[layer - 1], layer < places.count, places[layer].denseIndex == nil { return 0 }
        return layerDropout[places[layer - 1].chainIndex]
    }

    /// The factor clipping applies to the accumulated gradients (1 without clipping, or when the
    /// norm is within the bound or not finite: then the step's own check refuses).
    func clipFactor() -> Float {
        if clipNorm == 0 { return 1 }
        let norm = Float(globalGradientNorm())
        let factor = clipNorm / (norm + 1e-6)
        return factor < 1 ? factor : 1
    }

    /// ‖g‖₂ over every gradient, summed in double in a fixed order (the same bits whatever the
    /// thread count).
    func globalGradientNorm() -> Double {
        let g = grads.pointer
        var sums = (0.0, 0.0, 0.0, 0.0)
        var i = 0
        while i + 4 <= parameterCount {
            sums.0 += Double(g[i]) * Double(g[i])
            sums.1 += Double(g[i + 1]) * Double(g[i + 1])
            sums.2 += Double(g[i + 2]) * Double(g[i + 2])
            sums.3 += Double(g[i + 3]) * Double(g[i + 3])
            i += 4
        }
        while i < parameterCount { sums.0 += Double(g[i]) * Double(g[i]); i += 1 }
        return ((sums.0 + sums.1) + (sums.2 + sums.3)).squareRoot()
    }

    // MARK: - Dropout in the passes

    /// Draws layer `layer`'s mask for `count` values and applies it: the undropped outputs are
    /// kept in `undropped` (the activation's derivative reads them) and `a` becomes a ⊙ mask.
    /// Value i keeps when u ≥ p, u = (next() >> 40)·2⁻²⁴ drawn in order; the mask holds 1/(1 − p)
    /// or 0.
    func drop(_ a: UnsafeMutablePointer<Float>, layer: Int, count: Int, mask: UnsafeMutablePointer<Float>) {
        let p = layerDropout[layer]
        let scale = Float(1 / (1 - Double(p)))
        var generator = self.generator
        defer { self.generator = generator }
        for i in 0..<count {
            let keep = generator.nextUnitFloat() >= p
            mask[i] = keep ? scale : 0
            a[i] = keep ? a[i] * scale : 0
        }
    }
}

/// g ← g ⊙ mask over columns first ..< first+count of `rows` rows of [rows][stride] blocks: the
/// gradient through a dropout layer's mask, before its activation's derivative.
func applyDropoutMask(_ mask: UnsafePointer<Float>, to g: UnsafeMutablePointer<Float>, rows: Int, first: Int, count: Int, stride: Int) {
    for r in 0..<rows {
        let o = r * stride + first
        for k in 0..<count { g[o + k] *= mask[o + k] }
    }
}
