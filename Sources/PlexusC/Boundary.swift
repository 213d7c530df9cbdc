import CPlexusSupport
import Plexus

// The one place where errors cross into C: every exported function runs its body through
// `guarded`, which turns a thrown PlexusError into a status and a thread-local message.

typealias Status = Int32

/// Runs `body`; returns 0 on success, or records "function: message" and returns the error's code.
@inline(__always)
func guarded(_ function: StaticString, _ body: () throws(PlexusError) -> Void) -> Status {
    do {
        try body()
        return 0
    } catch {
        record(function, error)
        return error.code.rawValue
    }
}

/// Records `error` as this thread's last error, prefixed with the C function's name.
func record(_ function: StaticString, _ error: PlexusError) {
    let text = function.withUTF8Buffer { String(decoding: $0, as: UTF8.self) } + ": " + error.message
    plxs_set_error(text)
}

func argumentError(_ message: String) -> PlexusError { PlexusError(.argument, message) }

/// The reference behind a handle, or `.argument` for NULL.
@inline(__always)
private func unmanagedNetwork(_ handle: OpaquePointer?) throws(PlexusError) -> Unmanaged<Network> {
    guard let handle else { throw argumentError("net is NULL; pass a net created by plexus_create") }
    return Unmanaged<Network>.fromOpaque(UnsafeRawPointer(handle))
}

/// The network behind a handle, or `.argument` for NULL.
@inline(__always)
func network(_ handle: OpaquePointer?) throws(PlexusError) -> Network {
    try unmanagedNetwork(handle).takeUnretainedValue()
}

/// Runs `body` on the network behind a handle without retaining it (`.argument` for NULL): the
/// caller's handle keeps the network alive for the call, and for a tiny network a retain and
/// release cost as much as its arithmetic. Used by the per-sample calls.
@inline(__always)
func withNetwork(_ handle: OpaquePointer?, _ body: (Network) throws(PlexusError) -> Void) throws(PlexusError) {
    let unmanaged = try unmanagedNetwork(handle)
    var failure: PlexusError?
    // A non-throwing closure: typed throws through the standard library's `rethrows` closures
    // miscompiled in release builds (a trap once seen in this project).
    unmanaged._withUnsafeGuaranteedRef { net in
        do throws(PlexusError) { try body(net) } catch { failure = error }
    }
    if let failure { throw failure }
}

/// Runs `body` on the network behind a non-NULL handle straight away: no closure through
/// `guarded` and `withNetwork` (for a one-sample call on a tiny network, a tenth of its time).
/// A failure is recorded as `guarded` records it. Callers take this path when every pointer is
/// set and use `guarded` otherwise, for the argument messages.
@inline(__always)
func direct(_ function: StaticString, _ handle: OpaquePointer, _ body: (Network) throws(PlexusError) -> Void) -> Status {
    Unmanaged<Network>.fromOpaque(UnsafeRawPointer(handle))._withUnsafeGuaranteedRef { network in
        do throws(PlexusError) {
            try body(network)
            return 0
        } catch {
            record(function, error)
            return error.code.rawValue
        }
    }
}

/// A non-NULL pointer, or `.argument` naming the parameter.
@inline(__always)
func required<T>(_ pointer: T?, _ name: String) throws(PlexusError) -> T {
    guard let pointer else { throw argumentError("\(name) is NULL; pass a valid pointer") }
    return pointer
}

/// A `size_t` as Int, or `.argument` when it exceeds what any buffer can hold.
@inline(__always)
func sizeArgument(_ value: UInt, _ name: String) throws(PlexusError) -> Int {
    guard value <= UInt(Int.max) else { throw argumentError("\(name) is \(value), larger than any buffer can be") }
    return Int(value)
}

/// Reads a struct's leading struct_size alone and refuses one smaller than this version's struct.
func checkStructSize(_ pointer: UnsafeRawPointer, _ size: Int, _ name: String, type: String) throws(PlexusError) {
    let declared = pointer.loadUnaligned(as: Int.self)
    guard declared >= size else {
        throw argumentError("\(name)->struct_size is \(declared) but this library's struct is \(size) bytes; set it to sizeof(\(type)) after zeroing the struct")
    }
}

/// A C string pointer to static text.
func cString(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}
