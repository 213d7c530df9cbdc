// Forward and backward passes over a batch. Shapes: x: [batch][sizes[0]], y/target: [batch][sizes[L]].

extension Network {
    /// Runs the batch forward, keeps every layer's activations for `backward`, and writes the
    /// outputs to `output` when it is not nil. `output` is written only on success.
    ///
    /// - Throws: `.argument` for a zero or too-large batch or a non-finite input; `.memory` when
    ///   the batch's activations cannot be allocated; `.state` from an epoch callback; `.busy`.
    ///   A failed call keeps the previous forward.
    package func forward(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>?) throws(PlexusError) {
        let token = try access.beginWriting(.passes)
        defer { access.endWriting(token) }
        try forwardHeld(x, batch: batch, output: output)
    }

    /// `forward` for a caller that holds the network for writing (the C layer).
    package func forwardHeld(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>?) throws(PlexusError) {
        try checkNotTraining()
        let inputCount = try checkBatch(batch, width: inputWidth, name: "x")
        try checkFinite(x, count: inputCount, width: inputWidth, name: "x", what: "inputs")
        try checkTransformedInputs(x, rows: batch, name: "x")
        let cache = try forwardCache(rows: batch)
        loadInputs(x, into: cache.activation(0), rows: batch)
        forwardBatch(cache, batch: batch)
        guard let output else { return }
        output.update(from: cache.activation(views.count), count: batch * outputWidth)
        outputMap?.mapOutputs(output, rows: batch)
    }

    /// Copies `rows` input rows where the layers read them, through the input transform when
    /// there is one.
    @inline(__always)
    func loadInputs(_ x: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, rows: Int) {
        if let inputMap {
            inputMap.mapInputs(x, to: destination, rows: rows)
        } else {
            destination.update(from: x, count: rows * inputWidth)
        }
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
    /// A batch of up to `forwardBlockRows` rows is one block, whose products are cut into column
    /// tiles spread over the threads; a longer one is cut into blocks of that many rows (the last
    /// one shorter) that run in parallel, each whole on one thread.
    func forwardBatch(_ cache: ForwardCache.View, batch: Int) {
        cachedBatch = batch
        if dropping {
            // One block, layer by layer, so that each mask is drawn in row order (the same masks
            // whatever the thread count).
            forwardBlock(cache.activation(0), rows: batch, threads: Threads.count, keep: { cache.preActivation($0) },
                         training: cache) { cache.activation($0) }
            return
        }
        if takesRowPasses(batch) {
            forwardRows(cache, batch: batch)
            return
        }
        let threads = Threads.count
        if batch <= forwardBlockRows {
            forwardBlock(cache.activation(0), rows: batch, threads: threads, keep: { cache.preActivation($0) },
                         training: hasOperations ? cache : nil) {
                cache.activation($0)
            }
            return
        }
        Threads.run(CachedForwardBlocks(network: self, cache: cache, batch: batch), tasks: blockCount(batch), slots: threads)
    }

    /// Blocks of `forwardBlockRows` rows in a batch.
    @inline(__always)
    func blockCount(_ batch: Int) -> Int { (batch + forwardBlockRows - 1) / forwardBlockRows }

    /// One block of rows through every layer: layer l's activations go to `destination(l)`
    /// ([rows][sizes[l]]), and its pre-activations z_l also to `keep(l)` when that is not nil. A block that is the whole
    /// batch (`threads` not nil) has its larger products cut into column tiles (`Tiling.forward`), run
    /// on up to `threads` threads, each tile followed by its activation; a block of a longer batch
    /// runs whole on this thread. Either way the cuts depend on the batch and the shapes only.
    /// The layers after each dense layer (`runOperations`: dropout, layer norms) run once its
    /// activations are complete: for training into `training`'s buffers (the block starting at
    /// row `start` of the batch), else as `predict` runs them (dropout left out). A layer norm on
    /// the inputs writes them to `destination(0)`.
    func forwardBlock(_ input: UnsafePointer<Float>, rows: Int, threads: Int?, keep: (Int) -> UnsafeMutablePointer<Float>?,
                      training: ForwardCache.View? = nil, start: Int = 0,
                      destination: (Int) -> UnsafeMutablePointer<Float>) {
        var x = input
        if hasOperations && !runOperations[0].isEmpty {
            let a = destination(0)
            operationsForward(at: 0, a, from: x, rows: rows, start: start, training: training, threads: threads)
            x = UnsafePointer(a)
        }
        for l in 1...views.count {
            let layer = views[l - 1], z = destination(l)
            let tiles = threads == nil ? 1 : Tiling.forward.count(rows: rows, inputs: layer.inputs, outputs: layer.outputs, columns: layer.outputs)
            Threads.run(ForwardTiles(layer: layer, x: x, z: z, keep: keep(l), rows: rows, tiles: tiles),
                        tasks: tiles, slots: threads ?? 1)
            if !layer.activation.isElementwise { layer.activation.forward(z, rows: rows, cols: layer.outputs) }
            if hasOperations && !runOperations[l].isEmpty {
                operationsForward(at: l, z, from: z, rows: rows, start: start, training: training, threads: threads)
            }
            x = UnsafePointer(z)
        }
    }

    /// Computes the loss of the batch kept by the last `forward` against `target` and *adds* its
    /// gradient to the gradient buffers (call `step` or `zeroGrads` to clear them). Returns the loss.
    ///
    /// - Throws: `.argument` for a zero batch or a non-finite target; `.state` when there is no
    ///   forward to use, it had a different batch size, or the parameters changed since, or from
    ///   an epoch callback; `.busy`.
    @discardableResult
    package func backward(_ target: UnsafePointer<Float>, batch: Int) throws(PlexusError) -> Float {
        let token = try access.beginWriting(.passes)
        defer { access.endWriting(token) }
        return try backwardHeld(target, batch: batch)
    }

    /// `backward` for a caller that holds the network for writing (the C layer).
    @discardableResult
    package func backwardHeld(_ target: UnsafePointer<Float>, batch: Int) throws(PlexusError) -> Float {
        try checkNotTraining()
        let targetCount = try checkBatch(batch, width: outputWidth, name: "target")
        guard cachedBatch != 0, let cache = cache?.view else {
            throw .state("backward needs the activations of a forward pass: call forward with this batch first (parameters changed or no forward ran since the last step)")
        }
        guard batch == cachedBatch else {
            throw .state("backward got a batch of \(batch) rows but the last forward had \(cachedBatch); pass the targets of the batch that was run forward")
        }
        try checkTargets(target, count: targetCount, width: outputWidth, name: "target")
        guard let outputMap else { return backwardBatch(cache, target: target, batch: batch) }
        try checkTransformedTargets(target, rows: batch, name: "target")
        return try withScratch(count: targetCount, purpose: "the transformed targets") { mapped in
            outputMap.mapTargets(target, to: mapped, rows: batch)
            return backwardBatch(cache, target: mapped, batch: batch)
        }
    }

    /// The backward pass for the batch kept in `cache`, with targets checked by the caller;
    /// `rowWeights` weigh the rows' shares of the loss (Loss.evaluate). `input`: where the row
    /// passes' forward read the inputs when not from the cache (`trainStep`).
    func backwardBatch(_ cache: ForwardCache.View, target: UnsafePointer<Float>, batch: Int,
                       rowWeights: UnsafePointer<Float>? = nil, input: UnsafePointer<Float>? = nil) -> Float {
        let (delta, spare) = cache.deltas
        let last = views.count
        gradsAreZero = false
        let lossValue = activeLoss.evaluate(outputs: cache.activation(last), preActivations: cache.outputPreActivation,
                                      targets: target, activation: views[last - 1].activation,
                                      rows: batch, cols: outputWidth, gradZ: delta, rowWeights: rowWeights)
        if !dropping && takesRowPasses(batch) {
            backwardRows(cache, input: input, gradZ: delta, batch: batch)
            return Float(lossValue)
        }
        backwardLayers(cache, delta: delta, spare: spare, batch: batch)
        return Float(lossValue)
    }

    /// The layered backward from the output layer's ∂L/∂z in `delta`, layer by layer. Out of
    /// line, so that `backwardBatch` stays small enough to inline into a tiny network's step.
    @inline(never)
    private func backwardLayers(_ cache: ForwardCache.View, delta first: UnsafeMutablePointer<Float>,
                                spare second: UnsafeMutablePointer<Float>, batch: Int) {
        var (delta, spare) = (first, second)
        let threads = Threads.count, last = views.count
        // A layer norm on the inputs needs ∂L/∂x of the first layer for its own gradients.
        let normsOnInputs = hasOperations && runOperations[0].contains { $0 != .dropout }
        for l in stride(from: last, through: 1, by: -1) {
            backwardLayer(l, input: cache.activation(l - 1), inputPreActivation: cache.preActivation(l - 1),
                          inputDropout: cache.dropout(l - 1), delta: delta,
                          inputGrad: l > 1 || normsOnInputs ? spare : nil, rows: batch, threads: threads, cache: cache)
            if l > 1 { swap(&delta, &spare) }
        }
    }

    /// Layer l's backward: dW += δᵀ·a_{l−1} and db += Σ δ; for l > 1 also `inputGrad` = the
    /// previous layer's ∂L/∂z (δ·W, through its dropout mask when it drops, then its f′ at the
    /// undropped outputs). Larger products are cut into tiles of
    /// input columns (`Tiling.backward`), which run on up to `threads` threads with the bias sum beside
    /// them; the cuts depend on the shapes only.
    private func backwardLayer(_ l: Int, input: UnsafePointer<Float>, inputPreActivation: UnsafePointer<Float>?,
                               inputDropout: ForwardCache.Dropout?,
                               delta: UnsafePointer<Float>, inputGrad: UnsafeMutablePointer<Float>?, rows: Int, threads: Int,
                               cache: ForwardCache.View) {
        // The activation's derivative reads the outputs before the layers after it.
        let previousOutputs = inputDropout.map { UnsafePointer($0.undropped) } ?? input
        let layer = views[l - 1], inputs = layer.inputs, outputs = layer.outputs
        let previous = l > 1 ? views[l - 2].activation : .identity
        // A dropout mask and an elementwise derivative go with each tile of ∂L/∂x; layer norms
        // need whole rows, so they and what lies below them run once the product is complete.
        let norms = hasOperations && runOperations[l - 1].contains { $0 != .dropout }
        let tiles = Tiling.backward.count(rows: rows, inputs: inputs, outputs: outputs, columns: inputs)
        if tiles == 1 {
            linearBackwardParameters(delta: delta, x: input, weightGrad: layer.weightGrad, biasGrad: layer.biasGrad,
                                     rows: rows, inputs: inputs, outputs: outputs)
            if let inputGrad {
                linearBackwardInput(delta: delta, weights: layer.weights, inputGrad: inputGrad,
                                    rows: rows, inputs: inputs, outputs: outputs)
                if norms {
                    operationsBackward(at: l - 1, inputGrad, rows: rows, cache: cache, threads: threads)
                } else if let mask = inputDropout?.mask {
                    applyDropoutMask(mask, to: inputGrad, rows: rows, first: 0, count: inputs, stride: inputs)
                }
                if l > 1 {
                    previous.backward(outputs: previousOutputs, preActivations: inputPreActivation, gradient: inputGrad, rows: rows, cols: inputs)
                }
            }
            return
        }
        let work = BackwardTiles(layer: layer, input: input, inputPreActivation: inputPreActivation,
                                 inputDropout: norms ? nil : inputDropout, delta: delta,
                                 inputGrad: inputGrad, previous: previous, fused: !norms && l > 1, rows: rows, tiles: tiles)
        Threads.run(work, tasks: work.taskCount, slots: threads)
        guard let inputGrad else { return }
        if norms { operationsBackward(at: l - 1, inputGrad, rows: rows, cache: cache, threads: threads) }
        if l > 1 && (norms || !previous.isElementwise) {
            previous.backward(outputs: previousOutputs, preActivations: inputPreActivation, gradient: inputGrad, rows: rows, cols: inputs)
        }
    }

    /// Computes the outputs for `x` into `output` without changing the network: safe from many
    /// threads at once while no other method runs. Gives bitwise the outputs `forward` gives.
    ///
    /// Rows run in the blocks `forward` uses (`forwardBatch`): blocks of 512 rows in
    /// parallel for a longer batch, each on one thread that keeps the block's activations in its
    /// caches from layer to layer; a shorter batch as one block with its products cut into tiles.
    /// The scratch memory is bounded whatever the batch (two blocks' widest layer per thread) and
    /// kept by the network: after the first call, predict allocates nothing (a second thread
    /// predicting at the same moment uses scratch of its own).
    ///
    /// - Throws: `.argument` for a zero or too-large batch or a non-finite input; `.memory` when
    ///   scratch memory cannot be allocated; `.busy` while another thread writes. `output` is
    ///   written only on success.
    package func predict(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>) throws(PlexusError) {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        try predictHeld(x, batch: batch, output: output)
    }

    /// `predict` for a caller that holds the network for reading (the C layer, whose one
    /// compare-and-swap checks the handle and takes the network).
    @inline(__always)
    package func predictHeld(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>) throws(PlexusError) {
        let inputCount = try checkBatch(batch, width: inputWidth, name: "x")
        try checkFinite(x, count: inputCount, width: inputWidth, name: "x", what: "inputs")
        if inputMap != nil || outputMap != nil {
            try predictTransformed(x, batch: batch, output: output)
            return
        }
        try predictLayers(x, batch: batch, output: output)
    }

    /// The layers over checked rows: the row passes for a small batch of a small network, the
    /// layered passes otherwise (the one place predict decides it).
    @inline(__always)
    private func predictLayers(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>) throws(PlexusError) {
        if takesRowPasses(batch) {
            predictRows(x, batch: batch, output: output)
        } else {
            try predictInBlocks(x, batch: batch, output: output)
        }
    }

    /// `predict` through the transforms: the inputs mapped into scratch of this call's own
    /// (so that many threads may predict at once), the layers, then the outputs mapped in place.
    @inline(never)
    private func predictTransformed(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>) throws(PlexusError) {
        if let inputMap {
            // checkBatch showed batch × inputs does not overflow. A few rows go to a constant-size
            // stack slot (a one-row call allocates nothing), more to scratch memory. The mapped
            // rows are checked once made; the message, rarely needed, comes from the raw rows.
            let count = batch * inputWidth
            let failure: PlexusError?
            if count <= stackScratchLimit {
                failure = withStackScratch(count: stackScratchLimit) { mapped in
                    predictMapped(x, into: mapped, map: inputMap, batch: batch, output: output)
                }
            } else {
                failure = try withScratch(count: count, purpose: "the transformed inputs") { mapped in
                    predictMapped(x, into: mapped, map: inputMap, batch: batch, output: output)
                }
            }
            if let failure { throw failure }
        } else {
            try predictLayers(x, batch: batch, output: output)
        }
        outputMap?.mapOutputs(output, rows: batch)
    }

    /// The layers over the rows of `x` once `map` has put them in `mapped`; the error, if any.
    private func predictMapped(_ x: UnsafePointer<Float>, into mapped: UnsafeMutablePointer<Float>, map: PackedTransform,
                               batch: Int, output: UnsafeMutablePointer<Float>) -> PlexusError? {
        map.mapInputs(x, to: mapped, rows: batch)
        do throws(PlexusError) {
            if !allFinite(mapped, count: batch * inputWidth) { try checkTransformedInputs(x, rows: batch, name: "x") }
            try predictLayers(mapped, batch: batch, output: output)
            return nil
        } catch {
            return error
        }
    }

    /// `predict` through the layered passes. Out of line: its scratch handling made the frame of
    /// `predict` itself larger, which a tiny network's one-row call paid for.
    @inline(never)
    private func predictInBlocks(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>) throws(PlexusError) {
        let threads = Threads.count
        let blocks = blockCount(batch)
        let slots = blocks == 1 ? 1 : min(threads, blocks)
        // Cannot overflow: widestLayer ≤ Int32.max, rows ≤ 512, slots ≤ Threads.maxCount.
        let half = min(batch, forwardBlockRows) * widestLayer
        let scratchCount = slots * 2 * half
        if scratchCount <= stackScratchLimit {
            withStackScratch(count: scratchCount) {
                predictBlocks(x, batch: batch, output: output, scratch: $0, half: half, threads: threads)
            }
            return
        }
        if predictScratch.acquire() {
            defer { predictScratch.release() }
            let scratch = try predictScratch.buffer(count: scratchCount, purpose: "predict")
            predictBlocks(x, batch: batch, output: output, scratch: scratch, half: half, threads: threads)
            return
        }
        try withScratch(count: scratchCount, purpose: "predict") {
            predictBlocks(x, batch: batch, output: output, scratch: $0, half: half, threads: threads)
        }
    }

    /// The layers over `batch` rows in `forward`'s blocks. A block's layers alternate between the
    /// two halves of its thread's scratch (each `half` floats: block rows × widest layer), and its
    /// outputs are copied out at the end (so `output` may be `x` itself).
    private func predictBlocks(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>,
                               scratch: UnsafeMutablePointer<Float>, half: Int, threads: Int) {
        let work = PredictBlocks(network: self, x: x, output: output, scratch: scratch, half: half, batch: batch)
        if batch <= forwardBlockRows {
            work.predict(start: 0, rows: batch, halves: scratch, tileThreads: threads)
            return
        }
        Threads.run(work, tasks: blockCount(batch), slots: threads)
    }

    /// How the passes cut a batch of `batch` rows: the number of blocks, and per layer the column
    /// tiles of the forward product and of the backward products (an SPI for the tests, which check
    /// that the work they compare across thread counts really was cut).
    @_spi(Testing) public func cuts(batch: Int) -> (blocks: Int, forwardTiles: [Int], backwardTiles: [Int]) {
        let blocks = blockCount(batch)
        let forward = views.map { blocks == 1 ? Tiling.forward.count(rows: batch, inputs: $0.inputs, outputs: $0.outputs, columns: $0.outputs) : 1 }
        let backward = views.map { Tiling.backward.count(rows: batch, inputs: $0.inputs, outputs: $0.outputs, columns: $0.inputs) }
        return (blocks, forward, backward)
    }

    // MARK: Arrays and buffers: the rows are counted from the length

    /// `forward` for flat row-major rows; the batch is `x.count / sizes[0]`. Returns the outputs.
    /// - Throws: `.shape` when `x.count` is not a positive multiple of the input width.
    @discardableResult
    public func forward(_ x: [Float]) throws(PlexusError) -> [Float] {
        let batch = try rows(of: x.count, width: inputWidth, name: "x")
        var output = [Float](repeating: 0, count: batch * outputWidth)
        try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in
            try output.withUnsafeMutableBufferPointer { (ys) throws(PlexusError) in
                try forward(xs.baseAddress!, batch: batch, output: ys.baseAddress!)
            }
        }
        return output
    }

    /// `forward` from a buffer of whole rows into `output` (nil: keep the activations only).
    /// - Throws: `.shape` when `x` is not whole rows or `output` does not hold one output row per row.
    public func forward(_ x: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>?) throws(PlexusError) {
        let batch = try rows(of: x.count, width: inputWidth, name: "x")
        if let output { try checkLength(output.count, rows: batch, width: outputWidth, name: "output") }
        try forward(x.baseAddress!, batch: batch, output: output?.baseAddress)
    }

    /// `backward` for flat row-major targets of the last forward's batch.
    @discardableResult
    public func backward(_ target: [Float]) throws(PlexusError) -> Float {
        try target.withUnsafeBufferPointer { (ys) throws(PlexusError) in try backward(ys) }
    }

    /// `backward` for a buffer of whole target rows.
    /// - Throws: `.shape` when `target` is not whole rows.
    @discardableResult
    public func backward(_ target: UnsafeBufferPointer<Float>) throws(PlexusError) -> Float {
        let batch = try rows(of: target.count, width: outputWidth, name: "target")
        return try backward(target.baseAddress!, batch: batch)
    }

    /// `predict` for flat row-major rows; the batch is `x.count / sizes[0]`.
    /// - Throws: `.shape` when `x.count` is not a positive multiple of the input width.
    public func predict(_ x: [Float]) throws(PlexusError) -> [Float] {
        let batch = try rows(of: x.count, width: inputWidth, name: "x")
        var output = [Float](repeating: 0, count: batch * outputWidth)
        try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in
            try output.withUnsafeMutableBufferPointer { (ys) throws(PlexusError) in
                try predict(xs.baseAddress!, batch: batch, output: ys.baseAddress!)
            }
        }
        return output
    }

    /// `predict` from a buffer of whole rows into `output`, which holds one output row per row.
    /// - Throws: `.shape` when `x` is not whole rows or `output` has another length.
    public func predict(_ x: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) throws(PlexusError) {
        let batch = try rows(of: x.count, width: inputWidth, name: "x")
        try checkLength(output.count, rows: batch, width: outputWidth, name: "output")
        try predict(x.baseAddress!, batch: batch, output: output.baseAddress!)
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

    /// Targets as the loss takes them: finite, and of the loss's own kind (`Loss.checkTargets`).
    func checkTargets(_ values: UnsafePointer<Float>, count: Int, width: Int, name: String) throws(PlexusError) {
        try checkFinite(values, count: count, width: width, name: name, what: "targets")
        try activeLoss.checkTargets(values, count: count, width: width, name: name)
    }

    private func nonFiniteError(_ values: UnsafePointer<Float>, count: Int, width: Int, name: String, what: String) -> PlexusError {
        let i = (0..<count).first { !values[$0].isFinite }!
        return .argument("\(name)[\(i / width)][\(i % width)] is \(values[i]); \(what) must be finite")
    }

    /// The rows in `count` floats of `width` each: the one check of every array and buffer form.
    /// - Throws: `.shape` unless `count` is a positive multiple of `width`.
    func rows(of count: Int, width: Int, name: String) throws(PlexusError) -> Int {
        guard count > 0, count % width == 0 else {
            throw .shape("\(name) has \(count) floats, which is not a positive multiple of the \(width) per row")
        }
        return count / width
    }

    /// Throws `.shape` unless a buffer of `count` floats holds exactly `rows` rows of `width`.
    func checkLength(_ count: Int, rows: Int, width: Int, name: String) throws(PlexusError) {
        guard count == rows * width else {
            throw .shape("\(name) has \(count) floats, but \(rows) rows of \(width) need \(rows * width)")
        }
    }
}

// MARK: - The parallel regions of the passes (Threads.run)

/// The column tiles of one layer's forward product for one block: product, z kept when the
/// layer keeps it (the loss reads z_L; some derivatives read z), then the activation when it is
/// elementwise (softmax follows once all tiles are done).
private struct ForwardTiles: ParallelTasks {
    let layer: Network.LayerView, x: UnsafePointer<Float>, z: UnsafeMutablePointer<Float>
    let keep: UnsafeMutablePointer<Float>?
    let rows: Int, tiles: Int

    func run(_ tile: Int, slot: Int) {
        let outputs = layer.outputs
        let (first, count) = tiles == 1 ? (0, outputs) : Tiling.forward.range(tile, of: outputs)
        if tiles == 1 {
            linearForwardBlock(x: x, weights: layer.weights, bias: layer.bias, z: z, rows: rows,
                               inputs: layer.inputs, outputs: outputs)
        } else {
            linearForwardTile(x: x, weights: layer.weights, bias: layer.bias, z: z, rows: rows,
                              inputs: layer.inputs, outputs: outputs, first: first, count: count)
        }
        if let keep {
            for r in 0..<rows { (keep + r * outputs + first).update(from: z + r * outputs + first, count: count) }
        }
        if layer.activation.isElementwise {
            layer.activation.forward(z, rows: rows, first: first, count: count, stride: outputs)
        }
    }
}

/// The blocks of a batch longer than one block, each through every layer into the forward cache.
private struct CachedForwardBlocks: ParallelTasks {
    let network: Network, cache: ForwardCache.View, batch: Int

    func run(_ block: Int, slot: Int) {
        let start = block * forwardBlockRows, rows = min(forwardBlockRows, batch - start)
        let cache = cache, layers = UnsafePointer(network.views.baseAddress!)
        let widths = network.sizes
        network.forwardBlock(cache.activation(0) + start * network.inputWidth, rows: rows, threads: nil,
                             keep: { l in cache.preActivation(l).map { $0 + start * layers[l - 1].outputs } },
                             training: network.hasOperations ? cache : nil, start: start) { l in
            cache.activation(l) + start * widths[l]
        }
    }
}

/// predict's blocks, each on its thread's scratch (slot), outputs copied to the caller's buffer.
private struct PredictBlocks: ParallelTasks {
    let network: Network, x: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>, half: Int, batch: Int

    func run(_ block: Int, slot: Int) {
        let start = block * forwardBlockRows
        predict(start: start, rows: min(forwardBlockRows, batch - start), halves: scratch + slot * 2 * half, tileThreads: nil)
    }

    func predict(start: Int, rows: Int, halves: UnsafeMutablePointer<Float>, tileThreads: Int?) {
        let half = half, last = network.views.count
        network.forwardBlock(x + start * network.inputWidth, rows: rows, threads: tileThreads, keep: { _ in nil }) { l in
            halves + (l % 2) * half
        }
        (output + start * network.outputWidth).update(from: halves + (last % 2) * half, count: rows * network.outputWidth)
    }
}

/// One layer's backward cut into input-column tiles: the dW tiles, the dx tiles (each followed by
/// the previous layer's f′ when elementwise), and the bias sum as one more task.
private struct BackwardTiles: ParallelTasks {
    let layer: Network.LayerView, input: UnsafePointer<Float>, inputPreActivation: UnsafePointer<Float>?
    let inputDropout: ForwardCache.Dropout?
    let delta: UnsafePointer<Float>
    let inputGrad: UnsafeMutablePointer<Float>?, previous: Activation
    /// Whether each ∂L/∂x tile goes on through the mask and the previous layer's f′ (not when
    /// layer norms lie between, nor below the first layer).
    let fused: Bool
    let rows: Int, tiles: Int

    var taskCount: Int { tiles + (inputGrad == nil ? 0 : tiles) + (layer.biasGrad == nil ? 0 : 1) }

    func run(_ task: Int, slot: Int) {
        let inputs = layer.inputs, outputs = layer.outputs
        let inputTiles = inputGrad == nil ? 0 : tiles
        if task < tiles {
            let (first, count) = Tiling.backward.range(task, of: inputs)
            linearBackwardWeightsTile(delta: delta, x: input, weightGrad: layer.weightGrad,
                                      rows: rows, inputs: inputs, outputs: outputs, first: first, count: count)
        } else if task < tiles + inputTiles, let inputGrad {
            let (first, count) = Tiling.backward.range(task - tiles, of: inputs)
            linearBackwardInputTile(delta: delta, weights: layer.weights, inputGrad: inputGrad,
                                    rows: rows, inputs: inputs, outputs: outputs, first: first, count: count)
            guard fused else { return }
            if let mask = inputDropout?.mask {
                applyDropoutMask(mask, to: inputGrad, rows: rows, first: first, count: count, stride: inputs)
            }
            if previous.isElementwise {
                previous.backward(outputs: inputDropout.map { UnsafePointer($0.undropped) } ?? input, preActivations: inputPreActivation, gradient: inputGrad,
                                  rows: rows, first: first, count: count, stride: inputs)
            }
        } else if let biasGrad = layer.biasGrad {
            biasGradient(delta: delta, biasGrad: biasGrad, rows: rows, outputs: outputs)
        }
    }
}
