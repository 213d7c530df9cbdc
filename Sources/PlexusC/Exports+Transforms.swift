import Plexus

// The preprocessing a net carries (its input and output transforms) and the caller's metadata.

/// A transform from two caller arrays of `width` floats; nil for NULL and NULL (no transform).
private func transform(shift: UnsafePointer<Float>?, scale: UnsafePointer<Float>?, width: Int) throws(PlexusError) -> FeatureTransform? {
    if shift == nil && scale == nil { return nil }
    let shift = try required(shift, "shift"), scale = try required(scale, "scale")
    return try FeatureTransform(shift: Array(UnsafeBufferPointer(start: shift, count: width)),
                                scale: Array(UnsafeBufferPointer(start: scale, count: width)))
}

/// Writes a transform (identity when absent) to whichever of the caller's arrays are not NULL.
private func copy(_ transform: FeatureTransform?, width: Int, shift: UnsafeMutablePointer<Float>?,
                  scale: UnsafeMutablePointer<Float>?, present: UnsafeMutablePointer<Int32>?) {
    for i in 0..<width {
        shift?[i] = transform?.shift[i] ?? 0
        scale?[i] = transform?.scale[i] ?? 1
    }
    present?.pointee = transform == nil ? 0 : 1
}

/// `plexus_side`: which transform a call means.
private enum Side: Int32 {
    case inputs = 0, outputs = 1

    init(_ value: Int32) throws(PlexusError) {
        guard let side = Side(rawValue: value) else {
            throw argumentError("side is \(value); pass PLEXUS_INPUTS (0) or PLEXUS_OUTPUTS (1)")
        }
        self = side
    }

    func width(of net: Network) -> Int { self == .inputs ? net.sizes[0] : net.sizes.last! }
}

@_cdecl("plexus_set_transform")
public func plexus_set_transform(_ net: OpaquePointer?, _ side: Int32, _ shift: UnsafePointer<Float>?,
                                 _ scale: UnsafePointer<Float>?) -> Int32 {
    onNetwork("plexus_set_transform", net, .writing(.changing)) { (net) throws(PlexusError) in
        let side = try Side(side)
        let map = try transform(shift: shift, scale: scale, width: side.width(of: net))
        if side == .inputs { try net.setInputTransform(map) } else { try net.setOutputTransform(map) }
    }
}

@_cdecl("plexus_get_transform")
public func plexus_get_transform(_ net: OpaquePointer?, _ side: Int32, _ shift: UnsafeMutablePointer<Float>?,
                                 _ scale: UnsafeMutablePointer<Float>?, _ present: UnsafeMutablePointer<Int32>?) -> Int32 {
    onNetwork("plexus_get_transform", net, .reading) { (net) throws(PlexusError) in
        let side = try Side(side)
        copy(side == .inputs ? try net.inputTransform : try net.outputTransform, width: side.width(of: net),
             shift: shift, scale: scale, present: present)
    }
}

@_cdecl("plexus_fit_transform")
public func plexus_fit_transform(_ net: OpaquePointer?, _ side: Int32, _ data: UnsafePointer<Float>?, _ n: UInt) -> Int32 {
    onNetwork("plexus_fit_transform", net, .writing(.fitting)) { (net) throws(PlexusError) in
        let side = try Side(side)
        let rows = try required(data, "data"), count = try sizeArgument(n, "n")
        if side == .inputs { try net.fitInputTransform(x: rows, count: count) } else { try net.fitOutputTransform(y: rows, count: count) }
    }
}

// The forms 0.9.0 to 0.10.0 offered, deprecated: the same calls with the side in the name.

@_cdecl("plexus_set_input_transform")
public func plexus_set_input_transform(_ net: OpaquePointer?, _ shift: UnsafePointer<Float>?,
                                       _ scale: UnsafePointer<Float>?) -> Int32 {
    onNetwork("plexus_set_input_transform", net, .writing(.changing)) { (net) throws(PlexusError) in
        try net.setInputTransform(try transform(shift: shift, scale: scale, width: net.sizes[0]))
    }
}

@_cdecl("plexus_set_output_transform")
public func plexus_set_output_transform(_ net: OpaquePointer?, _ scale: UnsafePointer<Float>?,
                                        _ shift: UnsafePointer<Float>?) -> Int32 {
    onNetwork("plexus_set_output_transform", net, .writing(.changing)) { (net) throws(PlexusError) in
        try net.setOutputTransform(try transform(shift: shift, scale: scale, width: net.sizes.last!))
    }
}

@_cdecl("plexus_get_input_transform")
public func plexus_get_input_transform(_ net: OpaquePointer?, _ shift: UnsafeMutablePointer<Float>?,
                                       _ scale: UnsafeMutablePointer<Float>?, _ present: UnsafeMutablePointer<Int32>?) -> Int32 {
    onNetwork("plexus_get_input_transform", net, .reading) { (net) throws(PlexusError) in
        copy(try net.inputTransform, width: net.sizes[0], shift: shift, scale: scale, present: present)
    }
}

@_cdecl("plexus_get_output_transform")
public func plexus_get_output_transform(_ net: OpaquePointer?, _ scale: UnsafeMutablePointer<Float>?,
                                        _ shift: UnsafeMutablePointer<Float>?, _ present: UnsafeMutablePointer<Int32>?) -> Int32 {
    onNetwork("plexus_get_output_transform", net, .reading) { (net) throws(PlexusError) in
        copy(try net.outputTransform, width: net.sizes.last!, shift: shift, scale: scale, present: present)
    }
}

@_cdecl("plexus_fit_input_transform")
public func plexus_fit_input_transform(_ net: OpaquePointer?, _ x: UnsafePointer<Float>?, _ n: UInt) -> Int32 {
    onNetwork("plexus_fit_input_transform", net, .writing(.fitting)) { (net) throws(PlexusError) in
        try net.fitInputTransform(x: try required(x, "x"), count: try sizeArgument(n, "n"))
    }
}

@_cdecl("plexus_fit_output_transform")
public func plexus_fit_output_transform(_ net: OpaquePointer?, _ y: UnsafePointer<Float>?, _ n: UInt) -> Int32 {
    onNetwork("plexus_fit_output_transform", net, .writing(.fitting)) { (net) throws(PlexusError) in
        try net.fitOutputTransform(y: try required(y, "y"), count: try sizeArgument(n, "n"))
    }
}

// MARK: Metadata

@_cdecl("plexus_set_metadata")
public func plexus_set_metadata(_ net: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?) -> Int32 {
    onNetwork("plexus_set_metadata", net, .writing(.changing)) { (net) throws(PlexusError) in
        try net.setMetadata(try text(key, "key"), value == nil ? nil : try text(value, "value"))
    }
}

/// Copies `value` and its terminating NUL into `buffer` when `size` holds them; `needed` gets
/// the bytes that takes. A NULL buffer with size 0 only asks the size.
private func deliver(_ value: String, _ buffer: UnsafeMutablePointer<CChar>?, _ size: UInt,
                     _ needed: UnsafeMutablePointer<UInt>?, what: String) throws(PlexusError) {
    let bytes = UInt(value.utf8.count + 1)
    guard buffer != nil || size == 0 else {
        throw argumentError("buffer is NULL but size is \(size); pass a buffer of size bytes, or NULL and 0 to ask the size")
    }
    needed?.pointee = bytes
    guard let buffer else { return }
    guard size >= bytes else {
        throw argumentError("\(what) needs \(bytes) bytes with its terminating NUL but the buffer holds \(size); *needed says how many to pass")
    }
    var i = 0
    for byte in value.utf8 {
        buffer[i] = CChar(bitPattern: byte)
        i += 1
    }
    buffer[i] = 0
}

@_cdecl("plexus_get_metadata")
public func plexus_get_metadata(_ net: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ buffer: UnsafeMutablePointer<CChar>?,
                                _ size: UInt, _ needed: UnsafeMutablePointer<UInt>?) -> Int32 {
    onNetwork("plexus_get_metadata", net, .reading) { (net) throws(PlexusError) in
        let key = try text(key, "key")
        guard let value = try net.metadata[key] else {
            throw argumentError("the net has no metadata \"\(key.prefix(64))\"; plexus_metadata_count and plexus_metadata_key_at list its keys")
        }
        try deliver(value, buffer, size, needed, what: "the value of \"\(key.prefix(64))\"")
    }
}

@_cdecl("plexus_metadata_count")
public func plexus_metadata_count(_ net: OpaquePointer?, _ count: UnsafeMutablePointer<UInt>?) -> Int32 {
    onNetwork("plexus_metadata_count", net, .reading) { (net) throws(PlexusError) in
        let count = try required(count, "count")
        count.pointee = UInt(try net.metadata.count)
    }
}

@_cdecl("plexus_metadata_key_at")
public func plexus_metadata_key_at(_ net: OpaquePointer?, _ index: UInt, _ buffer: UnsafeMutablePointer<CChar>?,
                                   _ size: UInt, _ needed: UnsafeMutablePointer<UInt>?) -> Int32 {
    onNetwork("plexus_metadata_key_at", net, .reading) { (net) throws(PlexusError) in
        let metadata = try net.metadata
        guard index < UInt(metadata.count), let key = metadata.key(at: Int(index)) else {
            throw argumentError("index is \(index) but the net has \(metadata.count) metadata entries (numbered from 0)")
        }
        try deliver(key, buffer, size, needed, what: "key \(index)")
    }
}
