import CPlexusSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Training for real data: one update from one batch (`trainStep`), and whole runs with sample
// weights, a validation set, early stopping, the best parameters restored and a learning-rate
// schedule (`train(x:y:count:options:)`).

/// What a training run does beside the epochs of shuffled mini-batches.
public struct TrainingOptions: Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var shuffleSeed: UInt64
    /// Rows measured after every epoch (no dropout), flat and row-major as `x` and `y` are: their
    /// loss, and their accuracy where the output layer says what a class is (argmax for softmax,
    /// a 0.5 threshold for sigmoid).
    public var validation: (x: [Float], y: [Float])?
    /// Stop once the monitored loss has not improved for this many epochs; 0: never stop early.
    /// The monitored loss is the validation loss, or the training loss without validation rows.
    public var patience: Int
    /// At the end, put back the parameters of the epoch with the lowest monitored loss.
    public var restoreBest: Bool
    /// One weight ≥ 0 per training row (nil: all 1): each batch minimises the weighted mean loss
    /// Σ wᵢ·lossᵢ / Σ wᵢ; a batch whose weights are all 0 makes no step.
    public var sampleWeights: [Float]?
    public var schedule: LearningRateSchedule

    public init(epochs: Int, batchSize: Int = 32, shuffleSeed: UInt64 = 0,
                validation: (x: [Float], y: [Float])? = nil,
                patience: Int = 0, restoreBest: Bool = false, sampleWeights: [Float]? = nil,
                schedule: LearningRateSchedule = .constant) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffleSeed = shuffleSeed
        self.validation = validation
        self.patience = patience
        self.restoreBest = restoreBest
        self.sampleWeights = sampleWeights
        self.schedule = schedule
    }
}

/// The memory a run reads, as pointers the caller keeps valid for the call: how the C layer and
/// the array and buffer forms (which count and check the rows first) reach `train`. `options`'
/// own arrays are not read; these are.
package struct TrainingData {
    package var x: UnsafePointer<Float>, y: UnsafePointer<Float>, count: Int
    package var validation: (x: UnsafePointer<Float>, y: UnsafePointer<Float>, count: Int)?
    package var sampleWeights: UnsafePointer<Float>?
    /// A flag another thread or a signal handler may set: once it is nonzero, training stops
    /// after the batch that is running (it is read before each batch), as a callback's stop does
    /// at an epoch's end; the best parameters are restored if asked. The epoch it interrupts is
    /// not reported; its finished batches' steps stay applied.
    package var cancel: UnsafePointer<Int32>?
    /// Asked before each batch as `cancel` is read (an async call's Task cancellation).
    package var isCancelled: (() -> Bool)?

    package init(x: UnsafePointer<Float>, y: UnsafePointer<Float>, count: Int,
                 validation: (x: UnsafePointer<Float>, y: UnsafePointer<Float>, count: Int)? = nil,
                 sampleWeights: UnsafePointer<Float>? = nil, cancel: UnsafePointer<Int32>? = nil,
                 isCancelled: (() -> Bool)? = nil) {
        self.x = x
        self.y = y
        self.count = count
        self.validation = validation
        self.sampleWeights = sampleWeights
        self.cancel = cancel
        self.isCancelled = isCancelled
    }

    /// Whether the run is asked to stop before its next batch.
    func stopRequested() -> Bool {
        if let cancel, plxs_flag_is_set(cancel) != 0 { return true }
        return isCancelled?() ?? false
    }
}

/// What an epoch callback sees.
public struct EpochReport: Sendable {
    /// 0-based.
    public let epoch: Int
    /// The (weighted) mean training loss over the epoch's batches, as they were trained.
    public let trainLoss: Float
    /// NaN without validation rows.
    public let validationLoss: Float
    /// NaN without validation rows, or when the output layer is neither softmax nor sigmoid.
    public let validationAccuracy: Float
    /// The learning rate this epoch used.
    public let learningRate: Float
}

/// What a training run did.
public struct TrainingReport: Sendable {
    public let epochsRun: Int
    /// The 0-based epoch with the lowest monitored loss (the validation loss, or the training
    /// loss without validation rows); the first such epoch on ties.
    public let bestEpoch: Int
    /// The validation loss of `bestEpoch`; NaN without validation rows.
    public let bestValidationLoss: Float
    /// Whether the run ended because the monitored loss stopped improving.
    public let stoppedEarly: Bool
    /// Whether the run ended because it was cancelled (the C API's cancel flag, or the Task of an
    /// async call).
    public var cancelled: Bool = false
}

extension Network {
    /// One update from one batch: forward (with dropout when set), backward, step. Gradients
    /// accumulated before the call are discarded. Returns the batch's loss before the update.
    /// - Throws: as `forward`, `backward` and `step`; when the step is refused the parameters
    ///   are unchanged and the gradients are zeroed.
    package func trainStep(x: UnsafePointer<Float>, y: UnsafePointer<Float>, batch: Int) throws(PlexusError) -> Float {
        let token = try access.beginWriting(.trainingStep)
        defer { access.endWriting(token) }
        return try trainStepHeld(x: x, y: y, batch: batch)
    }

    /// `trainStep` for a caller that holds the network for writing (the C layer).
    @inline(__always)
    package func trainStepHeld(x: UnsafePointer<Float>, y: UnsafePointer<Float>, batch: Int) throws(PlexusError) -> Float {
        try checkNotTraining()
        let inputCount = try checkBatch(batch, width: inputWidth, name: "x")
        let targetCount = try checkBatch(batch, width: outputWidth, name: "y")
        try checkFinite(x, count: inputCount, width: inputWidth, name: "x", what: "inputs")
        try checkTargets(y, count: targetCount, width: outputWidth, name: "y")
        if let outputMap {
            try checkTransformedTargets(y, rows: batch, name: "y")
            var result: Result<Float, PlexusError> = .success(0)
            try withScratch(count: targetCount, purpose: "the transformed targets") { mapped in
                outputMap.mapTargets(y, to: mapped, rows: batch)
                do throws(PlexusError) { result = .success(try trainStepChecked(x: x, y: mapped, batch: batch)) } catch { result = .failure(error) }
            }
            return try result.get()
        }
        return try trainStepChecked(x: x, y: y, batch: batch)
    }

    /// `trainStep` with checked inputs and targets already in the fitted space.
    private func trainStepChecked(x: UnsafePointer<Float>, y: UnsafePointer<Float>, batch: Int) throws(PlexusError) -> Float {
        try checkTransformedInputs(x, rows: batch, name: "x")
        let cache = try forwardCache(rows: batch)
        if !gradsAreZero { clearGradients() }
        let lossValue: Float
        if inputMap != nil {
            loadInputs(x, into: cache.activation(0), rows: batch)
            if !dropping && takesRowPasses(batch) {
                forwardRows(cache, batch: batch)
            } else {
                forwardBatch(cache, batch: batch)
            }
            lossValue = backwardBatch(cache, target: y, batch: batch)
        } else if !dropping && takesRowPasses(batch) {
            // The row passes read x where it is, with no copy into the cache; the cache's inputs
            // are then stale, so no backward may use it (a step drops it anyway).
            cachedBatch = 0
            forwardRows(cache, input: x, batch: batch)
            lossValue = backwardBatch(cache, target: y, batch: batch, input: x)
        } else {
            cache.activation(0).update(from: x, count: batch * inputWidth)
            forwardBatch(cache, batch: batch)
            lossValue = backwardBatch(cache, target: y, batch: batch)
        }
        do {
            try applyStep()
        } catch {
            clearGradients()
            throw error
        }
        return lossValue
    }

    /// Trains on `count` rows as `options` say, calling `onEpoch` after every epoch (return
    /// `.stop` to end the run). Epoch e visits the rows in `EpochOrder(seed: shuffleSeed,
    /// count:)`'s order for epoch e, as the plain `train` does; with the default options the two
    /// give bitwise the same network. The schedule's rates apply epoch by epoch, and the
    /// optimizer's learning rate is put back at the end.
    ///
    /// - Throws: `.argument` for a bad option, non-finite data or a negative or non-finite
    ///   weight (nothing changes); `.shape` is not thrown (the caller gives the counts); `.numeric`
    ///   when a step meets a non-finite gradient, naming the epoch and batch (the network keeps
    ///   its last finite parameters, its gradients zeroed, its learning rate put back).
    package func train(_ data: TrainingData, options: TrainingOptions,
                       onEpoch: ((EpochReport) -> TrainingControl)? = nil) throws(PlexusError) -> TrainingReport {
        let token = try access.beginWriting(.training)
        defer { access.endWriting(token) }
        try checkNotTraining()
        let x = data.x, y = data.y, count = data.count
        try checkTrainingRun(data, options: options)
        trainingNow = true
        defer { trainingNow = false }
        let inputs = sizes[0], outputs = sizes.last!
        let rowsPerBatch = min(options.batchSize, count)
        let cache = try forwardCache(rows: rowsPerBatch)
        // The view's buffers belong to the cache object: hold it for the whole run, whatever
        // the epoch callback does with the network.
        let cacheOwner = self.cache
        defer { withExtendedLifetime(cacheOwner) {} }
        let batchY = try FloatBuffer(count: rowsPerBatch * outputs, purpose: "a batch of targets")
        let rowWeights = data.sampleWeights == nil ? nil : try FloatBuffer(count: rowsPerBatch, purpose: "a batch of weights")
        let best = options.restoreBest ? try FloatBuffer(count: parameterCount, purpose: "the best parameters") : nil
        let sampleWeights = data.sampleWeights
        guard let rawOrder = malloc(count * MemoryLayout<Int>.stride) else {
            throw .memory("cannot allocate the shuffle order of \(count) samples")
        }
        defer { free(rawOrder) }
        let order = rawOrder.bindMemory(to: Int.self, capacity: count)

        // A schedule sets the rate of each epoch and puts the base rate back at the end; without
        // one, the rate is left alone (an epoch callback may set its own).
        let scheduled = options.schedule != .constant
        let baseRate = activeOptimizer.learningRate
        defer { if scheduled { activeOptimizer = activeOptimizer.with(learningRate: baseRate) } }
        var scheduledRate = Double(baseRate)
        var shuffle = try EpochOrder(seed: options.shuffleSeed, count: count)
        var bestEpoch = 0, bestMonitored = Double.infinity, bestValidation = Float.nan
        var epochsRun = 0, stoppedEarly = false, cancelled = false
        clearGradients()
        epochs: for epoch in 0..<options.epochs {
            if scheduled {
                if epoch > 0 { scheduledRate = options.schedule.next(after: scheduledRate, epoch: epoch, base: Double(baseRate)) }
                activeOptimizer = activeOptimizer.with(learningRate: Float(scheduledRate))
            }
            let rate = activeOptimizer.learningRate
            shuffle.next(into: order)
            var lossSum: Double = 0, weightSum: Double = 0
            var start = 0, batchIndex = 0
            while start < count {
                if data.stopRequested() {
                    cancelled = true
                    break epochs
                }
                let rows = min(rowsPerBatch, count - start)
                let batchX = cache.activation(0)
                var batchWeight = Double(rows)
                for r in 0..<rows {
                    let sample = order[start + r]
                    (batchX + r * inputs).update(from: x + sample * inputs, count: inputs)
                    (batchY.pointer + r * outputs).update(from: y + sample * outputs, count: outputs)
                }
                inputMap?.mapInputs(batchX, to: batchX, rows: rows)
                outputMap?.mapTargets(batchY.pointer, to: batchY.pointer, rows: rows)
                if let weights = sampleWeights, let rowWeights {
                    batchWeight = 0
                    for r in 0..<rows { batchWeight += Double(weights[order[start + r]]) }
                    // Weights rescaled to mean 1 over the batch: the loss is then the weighted mean.
                    for r in 0..<rows {
                        rowWeights.pointer[r] = batchWeight > 0 ? Float(Double(weights[order[start + r]]) * Double(rows) / batchWeight) : 0
                    }
                }
                start += rows
                defer { batchIndex += 1 }
                if batchWeight == 0 { continue }
                forwardBatch(cache, batch: rows)
                let batchLoss = backwardBatch(cache, target: batchY.pointer, batch: rows, rowWeights: rowWeights?.pointer)
                do {
                    try applyStep()
                } catch {
                    clearGradients()
                    throw PlexusError(error.code, "training stopped at epoch \(epoch), batch \(batchIndex) (0-based): \(error.message)")
                }
                lossSum += Double(batchLoss) * batchWeight
                weightSum += batchWeight
            }
            epochsRun = epoch + 1
            let trainLoss = weightSum > 0 ? Float(lossSum / weightSum) : .nan
            var validationLoss = Float.nan, validationAccuracy = Float.nan
            if let validation = data.validation {
                (validationLoss, validationAccuracy) = try measure(x: validation.x, y: validation.y, count: validation.count)
            }
            let monitored = Double(data.validation == nil ? trainLoss : validationLoss)
            if monitored < bestMonitored {
                (bestEpoch, bestMonitored, bestValidation) = (epoch, monitored, validationLoss)
                best?.pointer.update(from: params.pointer, count: parameterCount)
            }
            let report = EpochReport(epoch: epoch, trainLoss: trainLoss, validationLoss: validationLoss,
                                     validationAccuracy: validationAccuracy, learningRate: rate)
            if let onEpoch, onEpoch(report) == .stop { break }
            if options.patience > 0 && epoch - bestEpoch >= options.patience {
                stoppedEarly = true
                break
            }
        }
        if let best, bestMonitored.isFinite {
            params.pointer.update(from: best.pointer, count: parameterCount)
            cachedBatch = 0
        }
        return TrainingReport(epochsRun: epochsRun, bestEpoch: bestEpoch, bestValidationLoss: bestValidation,
                              stoppedEarly: stoppedEarly, cancelled: cancelled)
    }

    private func checkTrainingRun(_ data: TrainingData, options: TrainingOptions) throws(PlexusError) {
        let x = data.x, y = data.y, count = data.count
        guard count >= 1 else { throw .argument("n is \(count); pass at least one training sample") }
        guard options.epochs >= 1 else { throw .argument("epochs is \(options.epochs); pass at least 1") }
        guard options.batchSize >= 1 else { throw .argument("batch_size is \(options.batchSize); pass at least 1, such as 32") }
        guard options.patience >= 0 else { throw .argument("patience is \(options.patience); pass 0 (off) or a number of epochs") }
        try options.schedule.validate()
        let inputs = sizes[0], outputs = sizes.last!
        try checkFinite(x, count: try checkBatch(count, width: inputs, name: "x"), width: inputs, name: "x", what: "inputs")
        try checkTargets(y, count: try checkBatch(count, width: outputs, name: "y"), width: outputs, name: "y")
        try checkTransformedInputs(x, rows: count, name: "x")
        try checkTransformedTargets(y, rows: count, name: "y")
        if let weights = data.sampleWeights {
            var total: Double = 0
            for i in 0..<count {
                guard weights[i].isFinite && weights[i] >= 0 else {
                    throw .argument("sample_weight[\(i)] is \(weights[i]); weights must be finite and >= 0")
                }
                total += Double(weights[i])
            }
            guard total > 0 else { throw .argument("every sample weight is 0; at least one row must count") }
        }
        if let validation = data.validation {
            guard validation.count >= 1 else { throw .argument("the validation set has 0 rows; pass at least one, or none") }
            try checkFinite(validation.x, count: try checkBatch(validation.count, width: inputs, name: "validation x"),
                            width: inputs, name: "validation x", what: "inputs")
            try checkTargets(validation.y, count: try checkBatch(validation.count, width: outputs, name: "validation y"),
                             width: outputs, name: "validation y")
            try checkTransformedInputs(validation.x, rows: validation.count, name: "validation x")
            try checkTransformedTargets(validation.y, rows: validation.count, name: "validation y")
        }
    }

    /// The mean loss of `count` rows (no dropout, nothing changed) and their accuracy: the share of
    /// rows whose output argmax is the target's (softmax), or of outputs on the target's side of
    /// 0.5 (sigmoid); NaN for other output layers. What `train` reports for a validation set.
    /// - Throws: `.argument` for no rows or non-finite data; `.memory`; `.busy` while another
    ///   thread writes.
    package func evaluate(x: UnsafePointer<Float>, y: UnsafePointer<Float>, count: Int) throws(PlexusError) -> (loss: Float, accuracy: Float) {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let inputs = sizes[0], outputs = sizes.last!
        try checkFinite(x, count: try checkBatch(count, width: inputs, name: "x"), width: inputs, name: "x", what: "inputs")
        try checkTargets(y, count: try checkBatch(count, width: outputs, name: "y"), width: outputs, name: "y")
        try checkTransformedInputs(x, rows: count, name: "x")
        try checkTransformedTargets(y, rows: count, name: "y")
        return try measure(x: x, y: y, count: count)
    }

    /// `evaluate` for checked rows.
    func measure(x: UnsafePointer<Float>, y: UnsafePointer<Float>, count: Int) throws(PlexusError) -> (loss: Float, accuracy: Float) {
        let inputs = sizes[0], outputs = sizes.last!, last = views.count
        let rows = min(count, forwardBlockRows)
        let half = rows * widestLayer
        // Two halves for the layers, then the output layer's z and the (unused) gradient, then
        // a block's inputs and targets mapped by the transforms (when there are transforms).
        let mappedRows = inputMap != nil || outputMap != nil ? rows : 0
        let scratch = try FloatBuffer(count: 2 * half + 2 * rows * outputs + mappedRows * (inputs + outputs),
                                      purpose: "measuring a validation set")
        let z = scratch.pointer + 2 * half, gradient = z + rows * outputs
        let mappedX = gradient + rows * outputs, mappedY = mappedX + mappedRows * inputs
        var lossSum: Double = 0, correct = 0
        let output = views[last - 1].activation
        var start = 0
        while start < count {
            let n = min(rows, count - start)
            var blockX = x + start * inputs, target = y + start * outputs
            if let inputMap {
                inputMap.mapInputs(blockX, to: mappedX, rows: n)
                blockX = UnsafePointer(mappedX)
            }
            if let outputMap {
                outputMap.mapTargets(target, to: mappedY, rows: n)
                target = UnsafePointer(mappedY)
            }
            forwardBlock(blockX, rows: n, threads: Threads.count, keep: { $0 == last ? z : nil }) {
                scratch.pointer + ($0 % 2) * half
            }
            let a = scratch.pointer + (last % 2) * half
            lossSum += Double(n) * activeLoss.evaluate(outputs: a, preActivations: z, targets: target, activation: output,
                                                 rows: n, cols: outputs, gradZ: gradient)
            correct += Network.correct(a, target, rows: n, cols: outputs, output: output)
            start += n
        }
        let units = output == .softmax ? count : count * outputs
        let accuracy: Float = output == .softmax || output == .sigmoid ? Float(Double(correct) / Double(units)) : .nan
        return (Float(lossSum / Double(count)), accuracy)
    }

    private static func correct(_ a: UnsafePointer<Float>, _ y: UnsafePointer<Float>, rows: Int, cols: Int,
                                output: Activation) -> Int {
        var correct = 0
        if output == .softmax {
            func argmax(_ row: UnsafePointer<Float>) -> Int {
                var best = 0
                for k in 1..<max(cols, 1) where row[k] > row[best] { best = k }
                return best
            }
            for r in 0..<rows where argmax(a + r * cols) == argmax(y + r * cols) { correct += 1 }
        } else if output == .sigmoid {
            for i in 0..<(rows * cols) where (a[i] > 0.5) == (y[i] > 0.5) { correct += 1 }
        }
        return correct
    }
}

// MARK: Arrays and buffers: the rows are counted from the lengths

extension Network {
    /// One update from whole rows of inputs and targets (`trainStep` above); returns the loss.
    /// - Throws: `.shape` when `x` or `y` is not whole rows, or they hold different numbers of rows.
    public func trainStep(x: [Float], y: [Float]) throws(PlexusError) -> Float {
        try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in
            try y.withUnsafeBufferPointer { (ys) throws(PlexusError) in try trainStep(x: xs, y: ys) }
        }
    }

    /// `trainStep(x:y:)` over buffers of whole rows.
    public func trainStep(x: UnsafeBufferPointer<Float>, y: UnsafeBufferPointer<Float>) throws(PlexusError) -> Float {
        let batch = try matchedRows(x: x.count, y: y.count)
        return try trainStep(x: x.baseAddress!, y: y.baseAddress!, batch: batch)
    }

    /// A run over whole rows of `x` and `y` as `options` say (`train(_:options:onEpoch:)` above):
    /// the validation rows and sample weights come from `options`.
    /// - Throws: `.shape` when `x`, `y` or the validation arrays are not whole rows, when they
    ///   hold different numbers of rows, or when there is not one sample weight per row; as the
    ///   run does otherwise.
    @discardableResult
    public func train(x: [Float], y: [Float], options: TrainingOptions,
                      onEpoch: ((EpochReport) -> TrainingControl)? = nil) throws(PlexusError) -> TrainingReport {
        try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in
            try y.withUnsafeBufferPointer { (ys) throws(PlexusError) in try train(x: xs, y: ys, options: options, onEpoch: onEpoch) }
        }
    }

    /// `train(x:y:options:onEpoch:)` over buffers of whole rows.
    @discardableResult
    public func train(x: UnsafeBufferPointer<Float>, y: UnsafeBufferPointer<Float>, options: TrainingOptions,
                      onEpoch: ((EpochReport) -> TrainingControl)? = nil) throws(PlexusError) -> TrainingReport {
        try train(x: x, y: y, options: options, isCancelled: nil, onEpoch: onEpoch)
    }

    /// `train(x:y:options:onEpoch:)` for async code: the run stops before the next batch once the
    /// calling Task is cancelled, and then throws `CancellationError` (the network keeps the
    /// steps made, and the best parameters when `restoreBest` asked for them). The run itself
    /// is synchronous, on the calling task's thread. Other failures throw `PlexusError`.
    @discardableResult
    public func train(x: [Float], y: [Float], options: TrainingOptions,
                      onEpoch: ((EpochReport) -> TrainingControl)? = nil) async throws -> TrainingReport {
        try Task.checkCancellation()
        let report = try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in
            try y.withUnsafeBufferPointer { (ys) throws(PlexusError) in
                try train(x: xs, y: ys, options: options, isCancelled: { Task.isCancelled }, onEpoch: onEpoch)
            }
        }
        if report.cancelled { throw CancellationError() }
        return report
    }

    private func train(x: UnsafeBufferPointer<Float>, y: UnsafeBufferPointer<Float>, options: TrainingOptions,
                       isCancelled: (() -> Bool)?,
                       onEpoch: ((EpochReport) -> TrainingControl)?) throws(PlexusError) -> TrainingReport {
        let count = try matchedRows(x: x.count, y: y.count)
        if let weights = options.sampleWeights, weights.count != count {
            throw .shape("sampleWeights has \(weights.count) values for \(count) rows; pass one weight per row")
        }
        let validation = options.validation ?? (x: [], y: [])
        let validationRows = options.validation == nil ? 0
            : try matchedRows(x: validation.x.count, y: validation.y.count, xName: "validation x", yName: "validation y")
        return try validation.x.withUnsafeBufferPointer { (vx) throws(PlexusError) in
            try validation.y.withUnsafeBufferPointer { (vy) throws(PlexusError) in
                try (options.sampleWeights ?? []).withUnsafeBufferPointer { (weights) throws(PlexusError) in
                    var data = TrainingData(x: x.baseAddress!, y: y.baseAddress!, count: count, isCancelled: isCancelled)
                    if validationRows > 0 { data.validation = (vx.baseAddress!, vy.baseAddress!, validationRows) }
                    if options.sampleWeights != nil { data.sampleWeights = weights.baseAddress }
                    return try train(data, options: options, onEpoch: onEpoch)
                }
            }
        }
    }

    /// The mean loss and accuracy of whole rows (`evaluate` above).
    /// - Throws: `.shape` when `x` or `y` is not whole rows, or they hold different numbers of rows.
    public func evaluate(x: [Float], y: [Float]) throws(PlexusError) -> (loss: Float, accuracy: Float) {
        try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in
            try y.withUnsafeBufferPointer { (ys) throws(PlexusError) in try evaluate(x: xs, y: ys) }
        }
    }

    /// `evaluate(x:y:)` over buffers of whole rows.
    public func evaluate(x: UnsafeBufferPointer<Float>, y: UnsafeBufferPointer<Float>) throws(PlexusError) -> (loss: Float, accuracy: Float) {
        let count = try matchedRows(x: x.count, y: y.count)
        return try evaluate(x: x.baseAddress!, y: y.baseAddress!, count: count)
    }
}
