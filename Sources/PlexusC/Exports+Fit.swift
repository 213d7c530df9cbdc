import CPlexusSupport
import Plexus

// plexus_train_step and plexus_train_ex: training for real data (Network+Fit.swift). The option
// and report structs come from include/plexus.h itself (CPlexusSupport's plexus_public.h).

@_cdecl("plexus_train_step")
public func plexus_train_step(_ net: OpaquePointer?, _ x: UnsafePointer<Float>?, _ y: UnsafePointer<Float>?,
                              _ batch: UInt, _ lossOut: UnsafeMutablePointer<Float>?) -> Int32 {
    if let net, let x, let y, batch <= UInt(Int.max) {
        return direct("plexus_train_step", net) { (network) throws(PlexusError) in
            // Not `lossOut?.pointee = try …`: with a NULL loss, optional chaining would skip the call.
            let loss = try network.trainStep(x: x, y: y, batch: Int(batch))
            lossOut?.pointee = loss
        }
    }
    return guarded("plexus_train_step") { () throws(PlexusError) in
        try withNetwork(net) { (net) throws(PlexusError) in
            let loss = try net.trainStep(x: try required(x, "x"), y: try required(y, "y"), batch: try sizeArgument(batch, "batch"))
            lossOut?.pointee = loss
        }
    }
}

@_cdecl("plexus_train_ex")
public func plexus_train_ex(_ net: OpaquePointer?, _ x: UnsafePointer<Float>?, _ y: UnsafePointer<Float>?, _ n: UInt,
                            _ options: UnsafePointer<plexus_train_options>?,
                            _ report: UnsafeMutablePointer<plexus_train_report>?) -> Int32 {
    guarded("plexus_train_ex") { () throws(PlexusError) in
        let net = try network(net)
        let x = try required(x, "x"), y = try required(y, "y")
        let raw = try readOptions(try required(options, "options"))
        if let report { try checkStructSize(UnsafeRawPointer(report), MemoryLayout<plexus_train_report>.size, "report", type: "plexus_train_report") }
        var options = TrainingOptions(epochs: try sizeArgument(UInt(raw.epochs), "epochs"),
                                      batchSize: try sizeArgument(UInt(raw.batch_size), "batch_size"),
                                      shuffleSeed: raw.shuffle_seed,
                                      patience: try sizeArgument(UInt(raw.patience), "patience"),
                                      restoreBest: raw.restore_best != 0, sampleWeights: raw.sample_weight,
                                      schedule: try schedule(raw))
        if let valX = raw.val_x {
            guard let valY = raw.val_y else { throw argumentError("val_x is set but val_y is NULL; pass both or neither") }
            options.validation = (valX, valY, try sizeArgument(UInt(raw.val_n), "val_n"))
        } else if raw.val_y != nil {
            throw argumentError("val_y is set but val_x is NULL; pass both or neither")
        }
        let callback = raw.on_epoch, user = raw.user
        let result = try net.train(x: x, y: y, count: try sizeArgument(n, "n"), options: options) { epoch in
            guard let callback else { return .proceed }
            return callback(epoch.epoch, epoch.trainLoss, epoch.validationLoss, epoch.validationAccuracy, user) == 0 ? .proceed : .stop
        }
        if let report {
            report.pointee.epochs_run = result.epochsRun
            report.pointee.best_epoch = result.bestEpoch
            report.pointee.best_val_loss = result.bestValidationLoss
            report.pointee.stopped_early = result.stoppedEarly ? 1 : 0
        }
    }
}

/// The caller's options, once their struct_size says the whole struct of this version is there.
private func readOptions(_ options: UnsafePointer<plexus_train_options>) throws(PlexusError) -> plexus_train_options {
    try checkStructSize(UnsafeRawPointer(options), MemoryLayout<plexus_train_options>.size, "options", type: "plexus_train_options")
    return options.pointee
}

private func schedule(_ options: plexus_train_options) throws(PlexusError) -> LearningRateSchedule {
    switch options.lr_schedule {
    case PLEXUS_LR_CONSTANT: return .constant
    case PLEXUS_LR_STEP: return .step(stepSize: Int(clamping: options.step_size), gamma: options.gamma)
    case PLEXUS_LR_COSINE: return .cosine(tMax: Int(clamping: options.t_max), etaMin: options.eta_min)
    default: throw argumentError("lr_schedule is \(options.lr_schedule.rawValue), not a plexus_lr_schedule (0 to 2)")
    }
}
