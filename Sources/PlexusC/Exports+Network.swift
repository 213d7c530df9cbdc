import Plexus
import Synchronization

// Creating, configuring, training and running networks. Each body: validate, unbox, call the core.

@_cdecl("plexus_create")
public func plexus_create(_ sizes: UnsafePointer<UInt32>?, _ activations: UnsafePointer<Int32>?,
                          _ count: UInt, _ flags: UInt32, _ seed: UInt64,
                          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded("plexus_create") { () throws(PlexusError) in
        let out = try required(out, "out")
        let sizes = try required(sizes, "sizes"), activations = try required(activations, "activations")
        guard count >= 2 else { throw argumentError("n_sizes is \(count); a network needs at least 2 layers (inputs and outputs)") }
        guard count <= UInt(Network.maxLayers) else { throw argumentError("n_sizes is \(count); at most \(Network.maxLayers) layers are supported") }
        guard flags & ~1 == 0 else { throw argumentError("flags is \(flags); the only flag is PLEXUS_NO_BIAS (1)") }
        let n = Int(count)
        var kinds: [Activation] = []
        for l in 0..<(n - 1) {
            guard let kind = Activation(rawValue: activations[l]) else {
                throw argumentError("activations[\(l)] is \(activations[l]), not a plexus_activation (0 to \(Activation.allCases.count - 1))")
            }
            kinds.append(kind)
        }
        let net = try Network(sizes: (0..<n).map { Int(sizes[$0]) }, activations: kinds,
                              bias: flags & 1 == 0, seed: seed)
        out.pointee = makeHandle(net, slot: net.access.slot)
    }
}

@_cdecl("plexus_free")
public func plexus_free(_ net: OpaquePointer?) {
    freeHandle("plexus_free", net, .net)
}

@_cdecl("plexus_set_loss")
public func plexus_set_loss(_ net: OpaquePointer?, _ loss: Int32) -> Int32 {
    onNetwork("plexus_set_loss", net, .writing(.changing)) { (net) throws(PlexusError) in
        guard let kind = Loss(rawValue: loss) else { throw argumentError("loss is \(loss), not a plexus_loss (0 to \(Loss.allCases.count - 1))") }
        try net.setLoss(kind)
    }
}

@_cdecl("plexus_set_sgd")
public func plexus_set_sgd(_ net: OpaquePointer?, _ learningRate: Float, _ momentum: Float) -> Int32 {
    onNetwork("plexus_set_sgd", net, .writing(.changing)) { (net) throws(PlexusError) in
        try net.setOptimizer(keepingWeightDecay: .sgd(learningRate: learningRate, momentum: momentum))
    }
}

@_cdecl("plexus_set_adam")
public func plexus_set_adam(_ net: OpaquePointer?, _ learningRate: Float, _ beta1: Float,
                            _ beta2: Float, _ epsilon: Float) -> Int32 {
    onNetwork("plexus_set_adam", net, .writing(.changing)) { (net) throws(PlexusError) in
        try net.setOptimizer(keepingWeightDecay: .adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon))
    }
}

@_cdecl("plexus_set_adamw")
public func plexus_set_adamw(_ net: OpaquePointer?, _ learningRate: Float, _ beta1: Float,
                             _ beta2: Float, _ epsilon: Float, _ weightDecay: Float) -> Int32 {
    onNetwork("plexus_set_adamw", net, .writing(.changing)) { (net) throws(PlexusError) in
        try net.setOptimizer(.adamw(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                             weightDecay: weightDecay))
    }
}

@_cdecl("plexus_set_rmsprop")
public func plexus_set_rmsprop(_ net: OpaquePointer?, _ learningRate: Float, _ alpha: Float, _ epsilon: Float,
                               _ momentum: Float, _ centered: Int32) -> Int32 {
    onNetwork("plexus_set_rmsprop", net, .writing(.changing)) { (net) throws(PlexusError) in
        try net.setOptimizer(keepingWeightDecay: .rmsprop(learningRate: learningRate, alpha: alpha, epsilon: epsilon,
                                                          momentum: momentum, centered: centered != 0))
    }
}

@_cdecl("plexus_set_weight_decay")
public func plexus_set_weight_decay(_ net: OpaquePointer?, _ weightDecay: Float) -> Int32 {
    onNetwork("plexus_set_weight_decay", net, .writing(.changing)) { (net) throws(PlexusError) in try net.setWeightDecay(weightDecay) }
}

@_cdecl("plexus_set_grad_clip")
public func plexus_set_grad_clip(_ net: OpaquePointer?, _ maxNorm: Float) -> Int32 {
    onNetwork("plexus_set_grad_clip", net, .writing(.changing)) { (net) throws(PlexusError) in try net.setGradClip(maxNorm) }
}

@_cdecl("plexus_set_l2_penalty")
public func plexus_set_l2_penalty(_ net: OpaquePointer?, _ lambda: Float) -> Int32 {
    onNetwork("plexus_set_l2_penalty", net, .writing(.changing)) { (net) throws(PlexusError) in try net.setL2Penalty(lambda) }
}

@_cdecl("plexus_set_dropout")
public func plexus_set_dropout(_ net: OpaquePointer?, _ layer: UInt, _ p: Float) -> Int32 {
    onNetwork("plexus_set_dropout", net, .writing(.changing)) { (net) throws(PlexusError) in
        try net.setDropout(layer: try net.checkedLayer(layer), probability: p)
    }
}

@_cdecl("plexus_forward")
public func plexus_forward(_ net: OpaquePointer?, _ x: UnsafePointer<Float>?, _ batch: UInt,
                           _ y: UnsafeMutablePointer<Float>?) -> Int32 {
    if let net, let x, batch <= UInt(Int.max) {
        return direct("plexus_forward", net, .writing(.passes)) { (network) throws(PlexusError) in
            try network.forwardHeld(x, batch: Int(batch), output: y)
        }
    }
    return onNetwork("plexus_forward", net, .writing(.passes)) { (net) throws(PlexusError) in
        try net.forwardHeld(try required(x, "x"), batch: try sizeArgument(batch, "batch"), output: y)
    }
}

@_cdecl("plexus_backward")
public func plexus_backward(_ net: OpaquePointer?, _ target: UnsafePointer<Float>?, _ batch: UInt,
                            _ lossOut: UnsafeMutablePointer<Float>?) -> Int32 {
    if let net, let target, batch <= UInt(Int.max) {
        return direct("plexus_backward", net, .writing(.passes)) { (network) throws(PlexusError) in
            let loss = try network.backwardHeld(target, batch: Int(batch))
            lossOut?.pointee = loss
        }
    }
    return onNetwork("plexus_backward", net, .writing(.passes)) { (net) throws(PlexusError) in
        let loss = try net.backwardHeld(try required(target, "target"), batch: try sizeArgument(batch, "batch"))
        lossOut?.pointee = loss
    }
}

@_cdecl("plexus_step")
public func plexus_step(_ net: OpaquePointer?) -> Int32 {
    if let net { return direct("plexus_step", net, .writing(.passes)) { (network) throws(PlexusError) in try network.stepHeld() } }
    return onNetwork("plexus_step", net, .writing(.passes)) { (net) throws(PlexusError) in try net.stepHeld() }
}

@_cdecl("plexus_zero_grads")
public func plexus_zero_grads(_ net: OpaquePointer?) -> Int32 {
    onNetwork("plexus_zero_grads", net, .writing(.passes)) { (net) throws(PlexusError) in try net.zeroGrads() }
}

@_cdecl("plexus_predict")
public func plexus_predict(_ net: OpaquePointer?, _ x: UnsafePointer<Float>?, _ batch: UInt,
                           _ y: UnsafeMutablePointer<Float>?) -> Int32 {
    if let net, let x, let y, batch <= UInt(Int.max) {
        return direct("plexus_predict", net, .reading) { (network) throws(PlexusError) in
            try network.predictHeld(x, batch: Int(batch), output: y)
        }
    }
    return onNetwork("plexus_predict", net, .reading) { (net) throws(PlexusError) in
        try net.predictHeld(try required(x, "x"), batch: try sizeArgument(batch, "batch"), output: try required(y, "y"))
    }
}

/// `plexus_epoch_fn`: int (*)(size_t epoch, float mean_loss, void *user)
public typealias EpochCallback = @convention(c) (UInt, Float, UnsafeMutableRawPointer?) -> Int32

@_cdecl("plexus_train")
public func plexus_train(_ net: OpaquePointer?, _ x: UnsafePointer<Float>?, _ y: UnsafePointer<Float>?,
                         _ n: UInt, _ epochs: UInt, _ batchSize: UInt, _ shuffleSeed: UInt64,
                         _ onEpoch: EpochCallback?, _ user: UnsafeMutableRawPointer?) -> Int32 {
    onNetwork("plexus_train", net, .writing(.training)) { (net) throws(PlexusError) in
        try net.train(x: try required(x, "x"), y: try required(y, "y"), count: try sizeArgument(n, "n"),
                      epochs: countClampedToIntMax(Int(bitPattern: epochs)), batchSize: countClampedToIntMax(Int(bitPattern: batchSize)),
                      shuffleSeed: shuffleSeed,
                      onEpoch: onEpoch.map { callback in
                          { epoch, loss in callback(UInt(epoch), loss, user) == 0 ? .proceed : .stop }
                      })
    }
}

/// The last shuffle `plexus_epoch_order` drew, kept so that a call for the next epoch continues it.
private let lastEpochOrder = Mutex<EpochOrder?>(nil)

/// Draws a replay may take before the call is refused (2³⁴: tens of seconds).
private let maxReplayDraws: UInt = 1 << 34

@_cdecl("plexus_epoch_order")
public func plexus_epoch_order(_ seed: UInt64, _ epoch: UInt, _ n: UInt, _ order: UnsafeMutablePointer<UInt>?) -> Int32 {
    guarded("plexus_epoch_order") { () throws(PlexusError) in
        let order = try required(order, "order")
        let count = try sizeArgument(n, "n"), target = try sizeArgument(epoch, "epoch")
        guard count >= 1 else { throw argumentError("n is 0; pass the number of samples, at least 1") }
        let kept = lastEpochOrder.withLock { (last) -> EpochOrder? in
            if let last, last.seed == seed, last.count == count, last.epoch <= target { return last }
            return nil
        }
        var shuffle: EpochOrder
        if let kept { shuffle = kept } else { shuffle = try EpochOrder(seed: seed, count: count) }
        let (draws, overflow) = UInt(target - shuffle.epoch).multipliedReportingOverflow(by: n)
        guard !overflow, draws <= maxReplayDraws else {
            let needed = overflow ? "more than 18446744073709551615" : String(draws)
            throw argumentError("epoch \(epoch) of \(n) samples needs \(needed) draws to replay, over the limit of \(maxReplayDraws) (2^34, tens of seconds); call the epochs in turn (each then costs n draws)")
        }
        shuffle.skip(to: target)
        order.withMemoryRebound(to: Int.self, capacity: count) { shuffle.next(into: $0) }
        lastEpochOrder.withLock { $0 = shuffle }
    }
}
