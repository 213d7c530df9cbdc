import CPlexusSupport
import Plexus

// plexus_train_step and plexus_train_ex: training for real data (Network+Fit.swift). The option
// and report structs come from include/plexus.h itself (CPlexusSupport's plexus_public.h).

@_cdecl("plexus_train_step")
public func plexus_train_step(_ net: OpaquePointer?, _ x: UnsafePointer<Float>?, _ y: UnsafePointer<Float>?,
                              _ batch: UInt, _ lossOut: UnsafeMutablePointer<Float>?) -> Int32 {
    if let net, let x, let y, batch <= UInt(Int.max) {
        return direct("plexus_train_step", net, .writing(.trainingStep)) { (network) throws(PlexusError) in
            // Not `lossOut?.pointee = try …`: with a NULL loss, optional chaining would skip the call.
            let loss = try network.trainStepHeld(x: x, y: y, batch: Int(batch))
            lossOut?.pointee = loss
        }
    }
    return onNetwork("plexus_train_step", net, .writing(.trainingStep)) { (net) throws(PlexusError) in
        let loss = try net.trainStepHeld(x: try required(x, "x"), y: try required(y, "y"), batch: try sizeArgument(batch, "batch"))
        lossOut?.pointee = loss
    }
}

@_cdecl("plexus_train_ex")
public func plexus_train_ex(_ net: OpaquePointer?, _ x: UnsafePointer<Float>?, _ y: UnsafePointer<Float>?, _ n: UInt,
                            _ options: UnsafePointer<plexus_train_options>?,
                            _ report: UnsafeMutablePointer<plexus_train_report>?) -> Int32 {
    onNetwork("plexus_train_ex", net, .writing(.training)) { (net) throws(PlexusError) in
        let x = try required(x, "x"), y = try required(y, "y")
        let raw = try readStruct(try required(options, "options"), first: firstTrainOptionsSize, name: "options",
                                 type: "plexus_train_options")
        // An explicit `if`, not Optional.map (see plexus_save_ex).
        var destination: ReportDestination<plexus_train_report>?
        if let report {
            destination = try ReportDestination(report, first: firstTrainReportSize, name: "report", type: "plexus_train_report")
        }
        let options = TrainingOptions(epochs: countClampedToIntMax(raw.epochs),
                                      batchSize: countClampedToIntMax(raw.batch_size),
                                      shuffleSeed: raw.shuffle_seed,
                                      patience: countClampedToIntMax(raw.patience),
                                      restoreBest: raw.restore_best != 0,
                                      schedule: try schedule(raw))
        var data = TrainingData(x: x, y: y, count: try sizeArgument(n, "n"), sampleWeights: raw.sample_weight,
                                cancel: raw.cancel.map { UnsafeRawPointer($0).assumingMemoryBound(to: Int32.self) })
        if let valX = raw.val_x {
            guard let valY = raw.val_y else { throw argumentError("val_x is set but val_y is NULL; pass both or neither") }
            data.validation = (valX, valY, try sizeArgument(unsignedSize(raw.val_n), "val_n"))
        } else if raw.val_y != nil {
            throw argumentError("val_y is set but val_x is NULL; pass both or neither")
        }
        let callback = raw.on_epoch, user = raw.user
        let result = try net.train(data, options: options) { epoch in
            guard let callback else { return .proceed }
            return callback(epoch.epoch, epoch.trainLoss, epoch.validationLoss, epoch.validationAccuracy, user) == 0 ? .proceed : .stop
        }
        if let destination {
            var filled = plexus_train_report()
            filled.epochs_run = result.epochsRun
            filled.best_epoch = result.bestEpoch
            filled.best_val_loss = result.bestValidationLoss
            filled.stopped_early = result.stoppedEarly ? 1 : 0
            filled.cancelled = result.cancelled ? 1 : 0
            destination.write(filled)
        }
    }
}

/// The sizes of the structs as 0.4.0 declared them: up to the first field appended since (0.8.0's
/// cancel flag and cancelled report).
let firstTrainOptionsSize = MemoryLayout<plexus_train_options>.offset(of: \plexus_train_options.cancel)!
let firstTrainReportSize = MemoryLayout<plexus_train_report>.offset(of: \plexus_train_report.cancelled)!

private func schedule(_ options: plexus_train_options) throws(PlexusError) -> LearningRateSchedule {
    switch options.lr_schedule {
    case PLEXUS_LR_CONSTANT: return .constant
    case PLEXUS_LR_STEP: return .step(stepSize: countClampedToIntMax(options.step_size), gamma: options.gamma)
    case PLEXUS_LR_COSINE: return .cosine(tMax: countClampedToIntMax(options.t_max), etaMin: options.eta_min)
    default: throw argumentError("lr_schedule is \(options.lr_schedule.rawValue), not a plexus_lr_schedule (0 to 2)")
    }
}
