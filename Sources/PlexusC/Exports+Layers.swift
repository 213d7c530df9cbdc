import CPlexusSupport
import Plexus

// Networks built layer by layer: plexus_layer, one growing struct for every kind, read into
// Swift's `Layer` and written back from it.

/// The size of plexus_layer as 0.12.0 declared it (its last field ends it).
let firstLayerSize = MemoryLayout<plexus_layer>.offset(of: \plexus_layer.eps)! + MemoryLayout<Float>.size

/// The layer a caller's struct describes (number `number`, for messages).
private func layer(from fields: plexus_layer, number: Int) throws(PlexusError) -> Layer {
    let place = "layers[\(number - 1)]"
    let value = Int32(bitPattern: fields.kind.rawValue)
    guard let kind = Layer.Kind(rawValue: value) else {
        throw argumentError("\(place).kind is \(value), not a plexus_layer_kind (0 to \(Layer.Kind.allCases.count - 1))")
    }
    switch kind {
    case .dense:
        guard let activation = Activation(rawValue: Int32(bitPattern: fields.activation.rawValue)) else {
            throw argumentError("\(place).activation is \(Int32(bitPattern: fields.activation.rawValue)), not a plexus_activation (0 to \(Activation.allCases.count - 1))")
        }
        guard fields.flags & ~1 == 0 else { throw argumentError("\(place).flags is \(fields.flags); the only flag is PLEXUS_NO_BIAS (1)") }
        guard fields.units >= 1 && fields.units <= UInt32(Network.maxLayerSize) else {
            throw argumentError("\(place).units is \(fields.units); a dense layer needs between 1 and \(Network.maxLayerSize)")
        }
        return .dense(Int(fields.units), activation: activation, bias: fields.flags & 1 == 0)
    case .dropout:
        return .dropout(fields.rate)
    case .layerNorm:
        guard fields.flags & ~2 == 0 else { throw argumentError("\(place).flags is \(fields.flags); the only flag of a layer norm is PLEXUS_NO_AFFINE (2)") }
        return .layerNorm(eps: fields.eps, affine: fields.flags & 2 == 0)
    }
}

/// `layer` as the struct holds it: its kind's fields, zeros elsewhere.
private func fields(of layer: Layer) -> plexus_layer {
    var filled = plexus_layer()
    filled.kind = plexus_layer_kind(rawValue: UInt32(bitPattern: layer.kind.rawValue))
    switch layer {
    case let .dense(units, activation, bias):
        filled.units = UInt32(units)
        filled.activation = plexus_activation(rawValue: UInt32(bitPattern: activation.rawValue))
        filled.flags = bias ? 0 : 1
    case let .dropout(rate):
        filled.rate = rate
    case let .layerNorm(eps, affine):
        filled.eps = eps
        filled.flags = affine ? 0 : 2
    }
    return filled
}

@_cdecl("plexus_create_layers")
public func plexus_create_layers(_ inputShape: UnsafePointer<UInt32>?, _ rank: UInt, _ layers: UnsafePointer<plexus_layer>?,
                                 _ count: UInt, _ seed: UInt64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded("plexus_create_layers") { () throws(PlexusError) in
        let out = try required(out, "out")
        let inputShape = try required(inputShape, "input_shape"), layers = try required(layers, "layers")
        guard rank >= 1 && rank <= UInt(Network.maxRank) else {
            throw argumentError("rank is \(rank); an input shape has 1 to \(Network.maxRank) extents")
        }
        guard count >= 1 && count < UInt(Network.maxLayers) else {
            throw argumentError("count is \(count); a network has 1 to \(Network.maxLayers - 1) layers")
        }
        // Every element is struct_size bytes long: the first one's, which the convention checks.
        let first = try readStruct(layers, first: firstLayerSize, name: "layers[0]", type: "plexus_layer")
        let stride = Int(first.struct_size)
        var built: [Layer] = []
        for i in 0..<Int(count) {
            let element = UnsafeRawPointer(layers).advanced(by: i * stride)
            // The size first: a different one would have the struct read past its element.
            let declared = element.loadUnaligned(as: UInt.self)
            guard declared == UInt(stride) else {
                throw argumentError("layers[\(i)].struct_size is \(declared) but layers[0].struct_size is \(stride); every element of the array has the same size")
            }
            let fields = i == 0 ? first : try readStruct(element.assumingMemoryBound(to: plexus_layer.self), first: firstLayerSize,
                                                         name: "layers[\(i)]", type: "plexus_layer")
            built.append(try layer(from: fields, number: i + 1))
        }
        let net = try Network(inputShape: (0..<Int(rank)).map { Int(inputShape[$0]) }, layers: built, seed: seed)
        out.pointee = makeHandle(net, slot: net.access.slot)
    }
}

@_cdecl("plexus_layer_defaults")
public func plexus_layer_defaults(_ kind: UInt32, _ out: UnsafeMutablePointer<plexus_layer>?) -> Int32 {
    guarded("plexus_layer_defaults") { () throws(PlexusError) in
        let destination = try ReportDestination(try required(out, "out"), first: firstLayerSize, name: "out", type: "plexus_layer")
        guard let known = Layer.Kind(rawValue: Int32(bitPattern: kind)) else {
            throw argumentError("kind is \(Int32(bitPattern: kind)), not a plexus_layer_kind (0 to \(Layer.Kind.allCases.count - 1))")
        }
        var defaults = fields(of: Layer.defaults(known))
        if known == .dense { defaults.units = 0 }        // a dense layer's width has no default
        destination.write(defaults)
    }
}

@_cdecl("plexus_get_layer")
public func plexus_get_layer(_ net: OpaquePointer?, _ number: UInt, _ out: UnsafeMutablePointer<plexus_layer>?) -> Int32 {
    onNetwork("plexus_get_layer", net, .reading) { (net) throws(PlexusError) in
        let destination = try ReportDestination(try required(out, "out"), first: firstLayerSize, name: "out", type: "plexus_layer")
        let layers = try net.layers
        let index = try net.checkedLayer(number)
        destination.write(fields(of: layers[index - 1]))
    }
}

@_cdecl("plexus_layer_shape")
public func plexus_layer_shape(_ net: OpaquePointer?, _ number: UInt, _ shape: UnsafeMutablePointer<UInt32>?,
                               _ capacity: UInt, _ needed: UnsafeMutablePointer<UInt>?) -> Int32 {
    onNetwork("plexus_layer_shape", net, .reading) { (net) throws(PlexusError) in
        guard number < UInt(net.layerCount) else {
            throw argumentError("layer \(number) does not exist; layers are numbered 0…\(net.layerCount - 1) (0 is the input)")
        }
        let extents = try net.outputShape(ofLayer: Int(number))
        if shape == nil && capacity > 0 { throw argumentError("shape is NULL but capacity is \(capacity); pass NULL with capacity 0 to ask for the rank") }
        needed?.pointee = UInt(extents.count)
        guard let shape else { return }
        guard capacity >= UInt(extents.count) else {
            throw argumentError("capacity is \(capacity) but layer \(number)'s shape has \(extents.count) extents")
        }
        for (i, extent) in extents.enumerated() { shape[i] = UInt32(extent) }
    }
}

@_cdecl("plexus_get_tensor")
public func plexus_get_tensor(_ net: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ values: UnsafeMutablePointer<Float>?,
                              _ capacity: UInt, _ needed: UnsafeMutablePointer<UInt>?) -> Int32 {
    onNetwork("plexus_get_tensor", net, .reading) { (net) throws(PlexusError) in
        let name = try text(name, "name")
        if values == nil && capacity > 0 { throw argumentError("values is NULL but capacity is \(capacity); pass NULL with capacity 0 to ask for the count") }
        try net.copyTensor(named: name, to: values, capacity: Int(clamping: capacity)) { needed?.pointee = UInt($0) }
    }
}

@_cdecl("plexus_set_tensor")
public func plexus_set_tensor(_ net: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ values: UnsafePointer<Float>?,
                              _ count: UInt) -> Int32 {
    onNetwork("plexus_set_tensor", net, .writing(.changing)) { (net) throws(PlexusError) in
        let name = try text(name, "name"), values = try required(values, "values")
        guard count <= UInt(Int.max / 4) else { throw argumentError("count is \(count), more floats than any tensor holds") }
        try net.setTensor(named: name, from: values, count: Int(count))
    }
}
