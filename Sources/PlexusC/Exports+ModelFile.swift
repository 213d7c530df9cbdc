#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CPlexusSupport
import Plexus

// Saving and loading model files, to paths and to memory.

/// A C path as a String, or `.argument` for NULL or bytes that are not UTF-8.
private func path(_ text: UnsafePointer<CChar>?) throws(PlexusError) -> String {
    let text = try required(text, "path")
    guard let path = String(validatingCString: text) else {
        throw argumentError("path is not valid UTF-8; Plexus passes paths to the system as UTF-8")
    }
    return path
}

@_cdecl("plexus_save")
public func plexus_save(_ net: OpaquePointer?, _ file: UnsafePointer<CChar>?) -> Int32 {
    onNetwork("plexus_save", net, .reading) { (net) throws(PlexusError) in
        try net.save(to: try path(file))
    }
}

/// The size of plexus_save_options as 0.8.0 declared it: up to the end of `weights_only`
/// (PLEXUS_SAVE_OPTIONS_FIRST_SIZE; not the stride, whose tail padding a later field may take).
let firstSaveOptionsSize = MemoryLayout<plexus_save_options>.offset(of: \plexus_save_options.weights_only)! + MemoryLayout<Int32>.size

@_cdecl("plexus_save_ex")
public func plexus_save_ex(_ net: OpaquePointer?, _ file: UnsafePointer<CChar>?,
                           _ options: UnsafePointer<plexus_save_options>?) -> Int32 {
    onNetwork("plexus_save_ex", net, .reading) { (net) throws(PlexusError) in
        // An explicit `if`, not Optional.map: typed throws through the standard library's
        // rethrowing closures has miscompiled (a transform setter trapped that way in 0.9.0).
        var given: plexus_save_options?
        if let options {
            given = try readStruct(options, first: firstSaveOptionsSize, name: "options", type: "plexus_save_options")
        }
        try net.save(to: try path(file), weightsOnly: (given?.weights_only ?? 0) != 0)
    }
}

@_cdecl("plexus_load")
public func plexus_load(_ file: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded("plexus_load") { () throws(PlexusError) in
        let out = try required(out, "out")
        let net = try Network.load(from: try path(file))
        out.pointee = makeHandle(net, slot: net.access.slot)
    }
}

@_cdecl("plexus_save_buffer")
public func plexus_save_buffer(_ net: OpaquePointer?, _ data: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                               _ size: UnsafeMutablePointer<UInt>?) -> Int32 {
    onNetwork("plexus_save_buffer", net, .reading) { (net) throws(PlexusError) in
        let data = try required(data, "data"), size = try required(size, "size")
        let bytes = try net.modelDataBuffer()
        data.pointee = bytes.baseAddress
        size.pointee = UInt(bytes.count)
    }
}

@_cdecl("plexus_load_buffer")
public func plexus_load_buffer(_ data: UnsafeRawPointer?, _ size: UInt,
                               _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded("plexus_load_buffer") { () throws(PlexusError) in
        let out = try required(out, "out"), data = try required(data, "data")
        let bytes = UnsafeRawBufferPointer(start: data, count: try sizeArgument(size, "size"))
        let net = try Network.load(modelData: bytes)
        out.pointee = makeHandle(net, slot: net.access.slot)
    }
}

@_cdecl("plexus_free_buffer")
public func plexus_free_buffer(_ data: UnsafeMutableRawPointer?) {
    free(data)
}

@_cdecl("plexus_export_onnx")
public func plexus_export_onnx(_ net: OpaquePointer?, _ file: UnsafePointer<CChar>?) -> Int32 {
    onNetwork("plexus_export_onnx", net, .reading) { (net) throws(PlexusError) in
        try net.exportONNX(to: try path(file))
    }
}
