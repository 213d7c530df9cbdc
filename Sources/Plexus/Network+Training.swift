#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What an epoch callback asks `train` to do next.
public enum TrainingControl: Sendable {
    case proceed
    case stop
}

extension Network {
    /// Applies the optimizer to the accumulated gradients, then zeroes them. Parameters changed,
    /// so the kept forward pass is dropped: `backward` needs a new `forward`.
    ///
    /// - Throws: `.numeric` when a gradient or any updated value is not finite; then no parameter
    ///   and no optimizer state has changed, and the gradients are left for inspection.
    public func step() throws(PlexusError) {
        try optimizerState.apply(optimizer, params: params.pointer, grads: grads.pointer, count: parameterCount,
                                 clearingGrads: true)
        cachedBatch = 0
    }

    /// Sets every accumulated gradient to zero.
    public func zeroGrads() {
        grads.zero()
    }

    /// Trains on `count` samples for `epochs` passes of shuffled mini-batches (the last one of an
    /// epoch partial), running forward, backward and step per batch. Gradients accumulated before
    /// the call are discarded. The same network, data and `shuffleSeed` give bitwise the same result.
    ///
    /// Epoch e visits the rows in `EpochOrder(seed: shuffleSeed, count: count)`'s order for
    /// epoch e (a Fisher–Yates shuffle per epoch, from one generator).
    ///
    /// - Parameters:
    ///   - x: [count][sizes[0]] inputs; y: [count][sizes[L]] targets.
    ///   - onEpoch: called after each epoch with its 0-based index and the mean loss over its
    ///     samples; return `.stop` to end training early (not an error).
    /// - Throws: `.argument` for zero sizes or non-finite data; `.numeric` when a step meets a
    ///   non-finite gradient, naming the epoch and batch: the network keeps its last finite
    ///   parameters and its gradients are zeroed.
    public func train(x: UnsafePointer<Float>, y: UnsafePointer<Float>, count: Int,
                      epochs: Int, batchSize: Int, shuffleSeed: UInt64,
                      onEpoch: ((_ epoch: Int, _ meanLoss: Float) -> TrainingControl)? = nil) throws(PlexusError) {
        guard count >= 1 else { throw .argument("n is \(count); pass at least one training sample") }
        guard epochs >= 1 else { throw .argument("epochs is \(epochs); pass at least 1") }
        guard batchSize >= 1 else { throw .argument("batch_size is \(batchSize); pass at least 1, such as 32") }
        let inputs = sizes[0], outputs = sizes.last!
        let inputCount = try checkBatch(count, width: inputs, name: "x")
        let targetCount = try checkBatch(count, width: outputs, name: "y")
        try checkFinite(x, count: inputCount, width: inputs, name: "x", what: "inputs")
        try checkFinite(y, count: targetCount, width: outputs, name: "y", what: "targets")

        // Each batch is gathered straight into the forward cache's input rows; x and y were
        // checked above, so the passes run without checking again.
        let rowsPerBatch = min(batchSize, count)
        let cache = try forwardCache(rows: rowsPerBatch)
        // The view's buffers belong to the cache object: hold it for the whole run, whatever
        // the epoch callback does with the network.
        let cacheOwner = self.cache
        defer { withExtendedLifetime(cacheOwner) {} }
        let batchY = try FloatBuffer(count: rowsPerBatch * outputs, purpose: "a batch of targets")
        guard let rawOrder = malloc(count * MemoryLayout<Int>.stride) else {
            throw .memory("cannot allocate the shuffle order of \(count) samples")
        }
        defer { free(rawOrder) }
        let order = rawOrder.bindMemory(to: Int.self, capacity: count)

        var shuffle = EpochOrder(seed: shuffleSeed, count: count)
        zeroGrads()
        for epoch in 0..<epochs {
            shuffle.next(into: order)
            var lossSum: Double = 0
            var start = 0, batchIndex = 0
            while start < count {
                let rows = min(rowsPerBatch, count - start)
                let batchX = cache.activation(0)
                for r in 0..<rows {
                    let sample = order[start + r]
                    (batchX + r * inputs).update(from: x + sample * inputs, count: inputs)
                    (batchY.pointer + r * outputs).update(from: y + sample * outputs, count: outputs)
                }
                forwardBatch(cache, batch: rows)
                let batchLoss = backwardBatch(cache, target: batchY.pointer, batch: rows)
                do {
                    try step()
                } catch {
                    zeroGrads()
                    throw PlexusError(error.code, "training stopped at epoch \(epoch), batch \(batchIndex) (0-based): \(error.message)")
                }
                lossSum += Double(batchLoss) * Double(rows)
                start += rows
                batchIndex += 1
            }
            if let onEpoch, onEpoch(epoch, Float(lossSum / Double(count))) == .stop { return }
        }
    }

    /// `train` over flat row-major arrays; returns the mean loss of every epoch run.
    /// - Throws: `.shape` when `x` and `y` do not hold the same number of rows.
    @discardableResult
    public func train(x: [Float], y: [Float], epochs: Int, batchSize: Int = 32, shuffleSeed: UInt64 = 0,
                      onEpoch: ((_ epoch: Int, _ meanLoss: Float) -> TrainingControl)? = nil) throws(PlexusError) -> [Float] {
        let count = try rows(of: x, width: sizes[0], name: "x")
        let targetRows = try rows(of: y, width: sizes.last!, name: "y")
        guard count == targetRows else {
            throw .shape("x has \(count) rows but y has \(targetRows); pass one target row per input row")
        }
        var history: [Float] = []
        try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in
            try y.withUnsafeBufferPointer { (ys) throws(PlexusError) in
                try train(x: xs.baseAddress!, y: ys.baseAddress!, count: count, epochs: epochs,
                          batchSize: batchSize, shuffleSeed: shuffleSeed) { epoch, loss in
                    history.append(loss)
                    return onEpoch?(epoch, loss) ?? .proceed
                }
            }
        }
        return history
    }
}
