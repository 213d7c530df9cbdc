import Plexus

// Inspecting and exchanging parameters and gradients.

@_cdecl("plexus_layer_count")
public func plexus_layer_count(_ net: OpaquePointer?) -> UInt {
    var count: UInt = 0
    _ = onNetwork("plexus_layer_count", net, .reading) { (net) throws(PlexusError) in count = UInt(net.layerCount) }
    return count
}

@_cdecl("plexus_layer_size")
public func plexus_layer_size(_ net: OpaquePointer?, _ layer: UInt) -> UInt32 {
    var width: UInt32 = 0
    _ = onNetwork("plexus_layer_size", net, .reading) { (net) throws(PlexusError) in
        guard layer < UInt(net.layerCount) else {
            throw argumentError("layer \(layer) does not exist; layers are numbered 0…\(net.layerCount - 1) (0 is the input)")
        }
        width = UInt32(try net.outputShape(ofLayer: Int(layer)).reduce(1, *))
    }
    return width
}

@_cdecl("plexus_param_count")
public func plexus_param_count(_ net: OpaquePointer?) -> UInt {
    var count: UInt = 0
    _ = onNetwork("plexus_param_count", net, .reading) { (net) throws(PlexusError) in count = UInt(net.parameterCount) }
    return count
}

@_cdecl("plexus_layer_activation")
public func plexus_layer_activation(_ net: OpaquePointer?, _ layer: UInt, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    onNetwork("plexus_layer_activation", net, .reading) { (net) throws(PlexusError) in
        let out = try required(out, "out")
        out.pointee = try net.activation(ofLayer: try net.checkedLayer(layer)).rawValue
    }
}

@_cdecl("plexus_get_loss")
public func plexus_get_loss(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    onNetwork("plexus_get_loss", net, .reading) { (net) throws(PlexusError) in
        let out = try required(out, "out")
        out.pointee = try net.loss.rawValue
    }
}

@_cdecl("plexus_get_optimizer")
public func plexus_get_optimizer(_ net: OpaquePointer?, _ kind: UnsafeMutablePointer<Int32>?,
                                 _ hyper: UnsafeMutablePointer<Float>?) -> Int32 {
    onNetwork("plexus_get_optimizer", net, .reading) { (net) throws(PlexusError) in
        let kind = try required(kind, "kind"), hyper = try required(hyper, "hyper")
        let optimizer = try net.optimizer
        let values = optimizer.hyperparameters.map(\.value)
        kind.pointee = optimizer.kind.rawValue
        for i in 0..<4 { hyper[i] = i < values.count ? values[i] : 0 }
    }
}

@_cdecl("plexus_get_hyperparameters")
public func plexus_get_hyperparameters(_ net: OpaquePointer?, _ values: UnsafeMutablePointer<Float>?, _ capacity: UInt,
                                       _ count: UnsafeMutablePointer<UInt>?) -> Int32 {
    onNetwork("plexus_get_hyperparameters", net, .reading) { (net) throws(PlexusError) in
        let count = try required(count, "count")
        guard values != nil || capacity == 0 else {
            throw argumentError("values is NULL but capacity is \(capacity); pass an array of capacity floats, or NULL and 0 to ask the count")
        }
        let hyperparameters = try net.optimizer.hyperparameters
        for (i, h) in hyperparameters.enumerated() where UInt(i) < capacity { values![i] = h.value }
        count.pointee = UInt(hyperparameters.count)
    }
}

@_cdecl("plexus_get_weight_decay")
public func plexus_get_weight_decay(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    onNetwork("plexus_get_weight_decay", net, .reading) { (net) throws(PlexusError) in
        let out = try required(out, "out")
        out.pointee = try net.optimizer.weightDecay
    }
}

@_cdecl("plexus_get_grad_clip")
public func plexus_get_grad_clip(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    onNetwork("plexus_get_grad_clip", net, .reading) { (net) throws(PlexusError) in
        let out = try required(out, "out")
        out.pointee = try net.gradClip
    }
}

@_cdecl("plexus_get_l2_penalty")
public func plexus_get_l2_penalty(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    onNetwork("plexus_get_l2_penalty", net, .reading) { (net) throws(PlexusError) in
        let out = try required(out, "out")
        out.pointee = try net.l2Penalty
    }
}

@_cdecl("plexus_get_dropout")
public func plexus_get_dropout(_ net: OpaquePointer?, _ layer: UInt, _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    onNetwork("plexus_get_dropout", net, .reading) { (net) throws(PlexusError) in
        let out = try required(out, "out")
        out.pointee = try net.dropout(ofLayer: try net.checkedLayer(layer))
    }
}

@_cdecl("plexus_get_flags")
public func plexus_get_flags(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    onNetwork("plexus_get_flags", net, .reading) { (net) throws(PlexusError) in
        let out = try required(out, "out")
        out.pointee = net.hasBias ? 0 : 1
    }
}

@_cdecl("plexus_get_weights")
public func plexus_get_weights(_ net: OpaquePointer?, _ layer: UInt, _ w: UnsafeMutablePointer<Float>?,
                               _ b: UnsafeMutablePointer<Float>?) -> Int32 {
    onNetwork("plexus_get_weights", net, .reading) { (net) throws(PlexusError) in
        let w = try required(w, "w")
        try net.copyWeights(layer: try net.checkedLayer(layer), weights: w, bias: b)
    }
}

@_cdecl("plexus_set_weights")
public func plexus_set_weights(_ net: OpaquePointer?, _ layer: UInt, _ w: UnsafePointer<Float>?,
                               _ b: UnsafePointer<Float>?) -> Int32 {
    onNetwork("plexus_set_weights", net, .writing(.changing)) { (net) throws(PlexusError) in
        let w = try required(w, "w")
        try net.setWeights(layer: try net.checkedLayer(layer), weights: w, bias: b)
    }
}

@_cdecl("plexus_get_params")
public func plexus_get_params(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    onNetwork("plexus_get_params", net, .reading) { (net) throws(PlexusError) in
        try net.copyParameters(to: try required(out, "out"))
    }
}

@_cdecl("plexus_set_params")
public func plexus_set_params(_ net: OpaquePointer?, _ values: UnsafePointer<Float>?) -> Int32 {
    onNetwork("plexus_set_params", net, .writing(.changing)) { (net) throws(PlexusError) in
        try net.setParameters(try required(values, "in"))
    }
}

@_cdecl("plexus_get_grads")
public func plexus_get_grads(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    onNetwork("plexus_get_grads", net, .reading) { (net) throws(PlexusError) in
        try net.copyGradients(to: try required(out, "out"))
    }
}

@_cdecl("plexus_set_grads")
public func plexus_set_grads(_ net: OpaquePointer?, _ values: UnsafePointer<Float>?) -> Int32 {
    onNetwork("plexus_set_grads", net, .writing(.passes)) { (net) throws(PlexusError) in
        try net.setGradients(try required(values, "in"))
    }
}
