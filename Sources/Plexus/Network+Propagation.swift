// Forward and backward passes over a batch. Shapes: x: [batch][sizes[0]], y/target: [batch][sizes[L]].

extension Network {
    /// Runs the batch forward, keeps every layer's activations for `backward`, and writes the
    /// outputs to `output` when it is not nil. `output` is written only on success.
    ///
    /// - Throws: `.argument` for a zero or too-large batch or a non-finite input; `.memory` when
    ///   the batch's activations cannot be allocated. A failed call keeps the previous forward.
    public func forward(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>?) throws(PlexusError) {
        let inputCount = try checkBatch(batch, width: inputWidth, name: "x")
        try checkFinite(x, count: inputCount, width: inputWidth, name: "x", what: "inputs")
        let cache = try forwardCache(rows: batch)
        cache.activation(0).update(from: x, count: inputCount)
        propagateForward(cache, batch: batch)
        output?.update(from: cache.activation(views.count), count: batch * outputWidth)
    }

    /// The kept buffers, grown to hold `rows` rows when they are smaller (reused otherwise, so a
    /// steady batch size allocates nothing). Valid until the cache is next grown.
    @inline(__always)
    func forwardCache(rows: Int) throws(PlexusError) -> ForwardCache.View {
        if let cache, cache.capacity >= rows { return cache.view }
        return try growCache(rows: rows)
    }

    private func growCache(rows: Int) throws(PlexusError) -> ForwardCache.View {
        let grown = try ForwardCache(network: self, rows: rows)
        cache = grown
        return grown.view
    }

    /// The forward pass over the inputs already in `cache.activation(0)`, checked by the caller.
    func propagateForward(_ cache: ForwardCache.View, batch: Int) {
        cachedBatch = batch
        if batch <= rowPassLimit {
            forwardRows(cache, batch: batch)
            return
        }
        for l in 1...views.count {
            let layer = views[l - 1]
            let z = cache.activation(l)
            linearForward(x: cache.activation(l - 1), weights: layer.weights, bias: layer.bias,
                          z: z, rows: batch, inputs: layer.inputs, outputs: layer.outputs)
            if l == views.count {
                cache.outputPreActivation.update(from: z, count: batch * layer.outputs)
            }
            layer.activation.forward(z, rows: batch, cols: layer.outputs)
        }
    }

    /// Computes the loss of the batch kept by the last `forward` against `target` and *adds* its
    /// gradient to the gradient buffers (call `step` or `zeroGrads` to clear them). Returns the loss.
    ///
    /// - Throws: `.argument` for a zero batch or a non-finite target; `.state` when there is no
    ///   forward to use, it had a different batch size, or the parameters changed since.
    @discardableResult
    public func backward(_ target: UnsafePointer<Float>, batch: Int) throws(PlexusError) -> Float {
        let targetCount = try checkBatch(batch, width: outputWidth, name: "target")
        guard cachedBatch != 0, let cache = cache?.view else {
            throw .state("backward needs the activations of a forward pass: call forward with this batch first (parameters changed or no forward ran since the last step)")
        }
        guard batch == cachedBatch else {
            throw .state("backward got a batch of \(batch) rows but the last forward had \(cachedBatch); pass the targets of the batch that was run forward")
        }
        try checkFinite(target, count: targetCount, width: outputWidth, name: "target", what: "targets")
        return propagateBackward(cache, target: target, batch: batch)
    }

    /// The backward pass for the batch kept in `cache`, with targets checked by the caller.
    func propagateBackward(_ cache: ForwardCache.View, target: UnsafePointer<Float>, batch: Int) -> Float {
        var (delta, spare) = cache.deltas
        let last = views.count
        let lossValue = loss.evaluate(outputs: cache.activation(last), preActivations: cache.outputPreActivation,
                                      targets: target, activation: views[last - 1].activation,
                                      rows: batch, cols: outputWidth, gradZ: delta)
        if batch <= rowPassLimit {
            backwardRows(cache, gradZ: delta, batch: batch)
            return Float(lossValue)
        }
        for l in stride(from: last, through: 1, by: -1) {
            let layer = views[l - 1]
            let input = cache.activation(l - 1)
            linearBackwardParameters(delta: delta, x: input, weightGrad: layer.weightGrad, biasGrad: layer.biasGrad,
                                     rows: batch, inputs: layer.inputs, outputs: layer.outputs)
            if l > 1 {
                linearBackwardInput(delta: delta, weights: layer.weights,
                                    inputGrad: spare, rows: batch, inputs: layer.inputs, outputs: layer.outputs)
                views[l - 2].activation.backward(outputs: input, gradient: spare, rows: batch, cols: layer.inputs)
                swap(&delta, &spare)
            }
        }
        return Float(lossValue)
    }

    /// Computes the outputs for `x` into `output` without changing the network: safe from many
    /// threads at once while no other method runs. Gives bitwise the outputs `forward` gives.
    ///
    /// Rows run in blocks of `forwardBlockRows` (512), the blocks `forward`'s products use too, so
    /// the scratch memory is bounded whatever the batch and a block's activations stay in cache
    /// between layers. The scratch is kept by
    /// the network: after the first call, predict allocates nothing (a second thread predicting
    /// at the same moment uses scratch of its own).
    ///
    /// - Throws: `.argument` for a zero or too-large batch or a non-finite input; `.memory` when
    ///   scratch memory cannot be allocated. `output` is written only on success.
    public func predict(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>) throws(PlexusError) {
        let inputCount = try checkBatch(batch, width: inputWidth, name: "x")
        try checkFinite(x, count: inputCount, width: inputWidth, name: "x", what: "inputs")
        if batch <= rowPassLimit {
            predictRows(x, batch: batch, output: output)
            return
        }
        let blockRows = min(batch, forwardBlockRows)
        let half = blockRows * widest        // cannot overflow: widest ≤ Int32.max, rows ≤ 512
        let scratchCount = 2 * half
        if scratchCount <= stackScratchLimit {
            withStackScratch(count: scratchCount) { predictBlocks(x, batch: batch, output: output, scratch: $0, half: half) }
            return
        }
        if predictScratch.acquire() {
            defer { predictScratch.release() }
            let scratch = try predictScratch.buffer(count: scratchCount, purpose: "predict")
            predictBlocks(x, batch: batch, output: output, scratch: scratch, half: half)
            return
        }
        try withScratch(count: scratchCount, purpose: "predict") {
            predictBlocks(x, batch: batch, output: output, scratch: $0, half: half)
        }
    }

    /// The layers over `batch` rows, one block at a time, alternating between the two halves of
    /// `scratch` (each `half` floats: blockRows × widest).
    private func predictBlocks(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>,
                               scratch: UnsafeMutablePointer<Float>, half: Int) {
        let inputs = inputWidth, outputs = outputWidth
        var start = 0
        while start < batch {
            let rows = min(forwardBlockRows, batch - start)
            var input = x + start * inputs
            var target = scratch, other = scratch + half
            for layer in views {
                linearForward(x: input, weights: layer.weights, bias: layer.bias,
                              z: target, rows: rows, inputs: layer.inputs, outputs: layer.outputs)
                layer.activation.forward(target, rows: rows, cols: layer.outputs)
                input = UnsafePointer(target)
                swap(&target, &other)
            }
            (output + start * outputs).update(from: input, count: rows * outputs)
            start += rows
        }
    }

    // MARK: Array conveniences

    /// `forward` for a flat row-major array; the batch is `x.count / sizes[0]`. Returns the outputs.
    /// - Throws: `.shape` when `x.count` is not a positive multiple of the input width.
    @discardableResult
    public func forward(_ x: [Float]) throws(PlexusError) -> [Float] {
        let batch = try rows(of: x, width: sizes[0], name: "x")
        var output = [Float](repeating: 0, count: batch * sizes.last!)
        try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in
            try output.withUnsafeMutableBufferPointer { (ys) throws(PlexusError) in
                try forward(xs.baseAddress!, batch: batch, output: ys.baseAddress!)
            }
        }
        return output
    }

    /// `backward` for a flat row-major target array of the last forward's batch.
    @discardableResult
    public func backward(_ target: [Float]) throws(PlexusError) -> Float {
        let batch = try rows(of: target, width: sizes.last!, name: "target")
        return try target.withUnsafeBufferPointer { (ys) throws(PlexusError) in try backward(ys.baseAddress!, batch: batch) }
    }

    /// `predict` for a flat row-major array; the batch is `x.count / sizes[0]`.
    public func predict(_ x: [Float]) throws(PlexusError) -> [Float] {
        let batch = try rows(of: x, width: sizes[0], name: "x")
        var output = [Float](repeating: 0, count: batch * sizes.last!)
        try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in
            try output.withUnsafeMutableBufferPointer { (ys) throws(PlexusError) in
                try predict(xs.baseAddress!, batch: batch, output: ys.baseAddress!)
            }
        }
        return output
    }

    // MARK: Checks shared by the passes

    /// Returns batch·width after checking the batch is usable. The passing case is inlined: for a
    /// one-row call on a tiny network, a call per check is a measurable share of the time.
    @inline(__always)
    func checkBatch(_ batch: Int, width: Int, name: @autoclosure () -> String) throws(PlexusError) -> Int {
        if batch >= 1 && batch <= Network.maxBatch, let count = checkedProduct(batch, width) { return count }
        throw batchError(batch, width: width, name: name())
    }

    private func batchError(_ batch: Int, width: Int, name: String) -> PlexusError {
        if batch < 1 { return .argument("batch is \(batch); pass at least one row") }
        if batch > Network.maxBatch {
            return .argument("batch is \(batch) rows, more than the \(Network.maxBatch) one call accepts; split it")
        }
        return .argument("\(name) would hold \(batch) × \(width) floats, which overflows; split the batch")
    }

    @inline(__always)
    func checkFinite(_ values: UnsafePointer<Float>, count: Int, width: Int, name: @autoclosure () -> String,
                     what: @autoclosure () -> String) throws(PlexusError) {
        if allFinite(values, count: count) { return }
        throw nonFiniteError(values, count: count, width: width, name: name(), what: what())
    }

    private func nonFiniteError(_ values: UnsafePointer<Float>, count: Int, width: Int, name: String, what: String) -> PlexusError {
        let i = (0..<count).first { !values[$0].isFinite }!
        return .argument("\(name)[\(i / width)][\(i % width)] is \(values[i]); \(what) must be finite")
    }

    func rows(of array: [Float], width: Int, name: String) throws(PlexusError) -> Int {
        guard !array.isEmpty, array.count % width == 0 else {
            throw .shape("\(name) has \(array.count) floats, which is not a positive multiple of the \(width) per row")
        }
        return array.count / width
    }
}
