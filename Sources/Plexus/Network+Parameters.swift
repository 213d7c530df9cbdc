// Reading and writing parameters and gradients, flat (W1, b1, W2, b2, …) or one layer at a time.
// W of layer l: [sizes[l]][sizes[l-1]] row-major; b: [sizes[l]].

extension Network {
    /// Copies every parameter, in the order W1, b1, W2, b2, …, into `out` (`parameterCount` floats).
    /// Throws `.busy` while another thread writes.
    package func copyParameters(to out: UnsafeMutablePointer<Float>) throws(PlexusError) {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        out.update(from: params.pointer, count: parameterCount)
    }

    /// Replaces every parameter from `values` (`parameterCount` floats, same order).
    /// Drops the kept forward pass. Throws `.argument`, changing nothing, for a non-finite value;
    /// `.busy` while another thread uses the network. An epoch callback may call it.
    package func setParameters(_ values: UnsafePointer<Float>) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        try checkAllFinite(values, count: parameterCount, name: "params")
        params.pointer.update(from: values, count: parameterCount)
        cachedBatch = 0
    }

    /// Copies every accumulated gradient (same order as the parameters) into `out`.
    package func copyGradients(to out: UnsafeMutablePointer<Float>) throws(PlexusError) {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        out.update(from: grads.pointer, count: parameterCount)
    }

    /// Replaces every gradient, for instance with one reduced across processes.
    /// Throws `.argument`, changing nothing, for a non-finite value; `.state` from an epoch
    /// callback; `.busy`.
    package func setGradients(_ values: UnsafePointer<Float>) throws(PlexusError) {
        let token = try access.beginWriting(.passes)
        defer { access.endWriting(token) }
        try checkNotTraining()
        try checkAllFinite(values, count: parameterCount, name: "grads")
        grads.pointer.update(from: values, count: parameterCount)
        gradsAreZero = false
    }

    /// Where layer `layer`'s weight and bias tensors live: a dense layer's W and b, or a layer
    /// norm's γ and β (both [width]).
    struct WeightSlot {
        let weightOffset: Int, weightCount: Int
        let biasOffset: Int?, biasCount: Int
    }

    /// Layer `layer`'s `WeightSlot`.
    /// - Throws: `.argument` for a layer outside 1…L, or one that holds no weights (a dropout
    ///   layer, a layer norm without affine parameters).
    func weightSlot(ofLayer layer: Int) throws(PlexusError) -> WeightSlot {
        try checkLayer(layer)
        if case let .norm(_, k) = places[layer - 1] {
            let norm = norms[k]
            guard let weight = norm.weightOffset else {
                throw .argument("layer \(layer) is a layer_norm layer made without affine parameters, so it has no weights")
            }
            return WeightSlot(weightOffset: weight, weightCount: norm.width, biasOffset: norm.biasOffset, biasCount: norm.width)
        }
        let dense = denseLayers[try denseIndex(ofLayer: layer) - 1]
        return WeightSlot(weightOffset: dense.weightOffset, weightCount: dense.inputs * dense.outputs,
                          biasOffset: dense.biasOffset, biasCount: dense.outputs)
    }

    /// Copies layer `layer`'s weights into `weights` ([sizes[l]][sizes[l-1]]) and, when `bias` is
    /// not nil, its biases into `bias` ([sizes[l]]; zeros for a network without biases).
    /// Throws `.argument` for a layer outside 1…L, writing nothing.
    package func copyWeights(layer: Int, weights: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?) throws(PlexusError) {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let slot = try weightSlot(ofLayer: layer)
        weights.update(from: params.pointer + slot.weightOffset, count: slot.weightCount)
        if let bias {
            if let offset = slot.biasOffset {
                bias.update(from: params.pointer + offset, count: slot.biasCount)
            } else {
                bias.update(repeating: 0, count: slot.biasCount)
            }
        }
    }

    /// Replaces layer `layer`'s weights and, when `bias` is not nil, its biases (nil keeps them).
    /// Drops the kept forward pass.
    /// - Throws: `.argument`, changing nothing, for a layer outside 1…L, a non-finite value, or
    ///   biases given to a network created without them.
    package func setWeights(layer: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let slot = try weightSlot(ofLayer: layer)
        try checkAllFinite(weights, count: slot.weightCount, name: "w")
        if let bias {
            guard slot.biasOffset != nil else {
                throw .argument(denseLayers.contains { $0.biasOffset != nil } ? "layer \(layer) has no biases; pass b = NULL"
                                                                              : "this network was created without biases; pass b = NULL")
            }
            try checkAllFinite(bias, count: slot.biasCount, name: "b")
        }
        (params.pointer + slot.weightOffset).update(from: weights, count: slot.weightCount)
        if let bias, let offset = slot.biasOffset {
            (params.pointer + offset).update(from: bias, count: slot.biasCount)
        }
        cachedBatch = 0
    }

    // MARK: Arrays and buffers, their lengths checked

    /// Every parameter, W1, b1, W2, b2, …. Throws `.busy` while another thread writes.
    public var parameters: [Float] {
        get throws(PlexusError) { try access.reading { [Float](UnsafeBufferPointer(start: params.pointer, count: parameterCount)) } }
    }

    /// Every accumulated gradient, in parameter order. Throws `.busy` while another thread writes.
    public var gradients: [Float] {
        get throws(PlexusError) { try access.reading { [Float](UnsafeBufferPointer(start: grads.pointer, count: parameterCount)) } }
    }

    /// Copies every parameter into `out`, which holds exactly `parameterCount` floats (`.shape`
    /// otherwise).
    public func copyParameters(into out: UnsafeMutableBufferPointer<Float>) throws(PlexusError) {
        try checkCount(out.count, parameterCount, name: "out")
        try copyParameters(to: out.baseAddress!)
    }

    /// Copies every gradient into `out`, which holds exactly `parameterCount` floats (`.shape`
    /// otherwise).
    public func copyGradients(into out: UnsafeMutableBufferPointer<Float>) throws(PlexusError) {
        try checkCount(out.count, parameterCount, name: "out")
        try copyGradients(to: out.baseAddress!)
    }

    /// Replaces every parameter. Throws `.shape` for a wrong count, `.argument` for a non-finite value.
    public func setParameters(_ values: [Float]) throws(PlexusError) {
        try values.withUnsafeBufferPointer { (v) throws(PlexusError) in try setParameters(v) }
    }

    /// `setParameters` from a buffer of exactly `parameterCount` floats.
    public func setParameters(_ values: UnsafeBufferPointer<Float>) throws(PlexusError) {
        try checkCount(values.count, parameterCount, name: "params")
        try setParameters(values.baseAddress!)
    }

    /// Replaces every gradient. Throws `.shape` for a wrong count, `.argument` for a non-finite value.
    public func setGradients(_ values: [Float]) throws(PlexusError) {
        try values.withUnsafeBufferPointer { (v) throws(PlexusError) in try setGradients(v) }
    }

    /// `setGradients` from a buffer of exactly `parameterCount` floats.
    public func setGradients(_ values: UnsafeBufferPointer<Float>) throws(PlexusError) {
        try checkCount(values.count, parameterCount, name: "grads")
        try setGradients(values.baseAddress!)
    }

    /// Layer `layer`'s weights, row-major [sizes[l]][sizes[l-1]], and biases (nil without biases).
    public func weights(layer: Int) throws(PlexusError) -> (weights: [Float], bias: [Float]?) {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let slot = try weightSlot(ofLayer: layer)
        let w = [Float](UnsafeBufferPointer(start: params.pointer + slot.weightOffset, count: slot.weightCount))
        let b = slot.biasOffset.map { [Float](UnsafeBufferPointer(start: params.pointer + $0, count: slot.biasCount)) }
        return (w, b)
    }

    /// Replaces layer `layer`'s weights and optionally biases, checking the counts (`.shape`).
    public func setWeights(layer: Int, weights: [Float], bias: [Float]? = nil) throws(PlexusError) {
        let slot = try weightSlot(ofLayer: layer)
        try checkCount(weights.count, slot.weightCount, name: "w")
        if let bias { try checkCount(bias.count, slot.biasCount, name: "b") }
        try weights.withUnsafeBufferPointer { (w) throws(PlexusError) in
            if let bias {
                try bias.withUnsafeBufferPointer { (b) throws(PlexusError) in
                    try setWeights(layer: layer, weights: w.baseAddress!, bias: b.baseAddress!)
                }
            } else {
                try setWeights(layer: layer, weights: w.baseAddress!, bias: nil)
            }
        }
    }

    private func checkAllFinite(_ values: UnsafePointer<Float>, count: Int, name: String) throws(PlexusError) {
        if allFinite(values, count: count) { return }
        for i in 0..<count where !values[i].isFinite {
            throw .argument("\(name)[\(i)] is \(values[i]); values must be finite")
        }
    }

    private func checkCount(_ count: Int, _ expected: Int, name: String) throws(PlexusError) {
        guard count == expected else { throw .shape("\(name) has \(count) floats; this network needs \(expected)") }
    }
}
