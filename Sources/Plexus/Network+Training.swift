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
    /// With clipping on (`setGradClip`), the update uses the gradients scaled by the clipping
    /// factor; the accumulated gradients themselves are not rewritten before the step succeeds.
    /// `.state` from an epoch callback; `.busy` while another thread uses the network.
    public func step() throws(PlexusError) {
        let token = try access.beginWriting(.passes)
        defer { access.endWriting(token) }
        try stepHeld()
    }

    /// `step` for a caller that holds the network for writing (the C layer).
    package func stepHeld() throws(PlexusError) {
        try checkNotTraining()
        try applyStep()
    }

    /// `step` for a caller that holds the network.
    func applyStep() throws(PlexusError) {
        try optimizerState.apply(activeOptimizer, params: params.pointer, grads: grads.pointer, count: parameterCount,
                                 gradScale: clipFactor(), penalty: penaltyCoefficients.map { UnsafePointer($0.pointer) },
                                 clearingGrads: true)
        gradsAreZero = true
        cachedBatch = 0
    }

    /// Sets every accumulated gradient to zero. `.state` from an epoch callback; `.busy`.
    public func zeroGrads() throws(PlexusError) {
        let token = try access.beginWriting(.passes)
        defer { access.endWriting(token) }
        try checkNotTraining()
        clearGradients()
    }

    /// `zeroGrads` for a caller that holds the network.
    func clearGradients() {
        grads.zero()
        gradsAreZero = true
    }

    /// Trains on `count` samples for `epochs` passes of shuffled mini-batches (the last one of an
    /// epoch partial), running forward, backward and step per batch. Gradients accumulated before
    /// the call are discarded. The same network, data and `shuffleSeed` give bitwise the same result.
    /// (`train(x:y:count:options:)` with these options; Network+Fit.swift.)
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
    package func train(x: UnsafePointer<Float>, y: UnsafePointer<Float>, count: Int,
                      epochs: Int, batchSize: Int, shuffleSeed: UInt64,
                      onEpoch: ((_ epoch: Int, _ meanLoss: Float) -> TrainingControl)? = nil) throws(PlexusError) {
        _ = try train(TrainingData(x: x, y: y, count: count),
                      options: TrainingOptions(epochs: epochs, batchSize: batchSize, shuffleSeed: shuffleSeed)) { report in
            onEpoch?(report.epoch, report.trainLoss) ?? .proceed
        }
    }

    /// `train` over flat row-major arrays; returns the mean loss of every epoch run.
    /// - Throws: `.shape` when `x` and `y` do not hold the same number of rows.
    @discardableResult
    public func train(x: [Float], y: [Float], epochs: Int, batchSize: Int = 32, shuffleSeed: UInt64 = 0,
                      onEpoch: ((_ epoch: Int, _ meanLoss: Float) -> TrainingControl)? = nil) throws(PlexusError) -> [Float] {
        let count = try matchedRows(x: x.count, y: y.count)
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

extension Network {
    /// The rows of inputs and targets given as `x` and `y` floats: whole rows of each, as many of
    /// one as of the other. The one check of the array and buffer forms of training.
    /// - Throws: `.shape` otherwise.
    func matchedRows(x: Int, y: Int, xName: String = "x", yName: String = "y") throws(PlexusError) -> Int {
        let count = try rows(of: x, width: inputWidth, name: xName)
        let targetRows = try rows(of: y, width: outputWidth, name: yName)
        guard count == targetRows else {
            throw .shape("\(xName) has \(count) rows but \(yName) has \(targetRows); pass one target row per input row")
        }
        return count
    }
}
