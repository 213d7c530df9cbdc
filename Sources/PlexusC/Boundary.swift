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

/// The network behind a handle for a call that changes it: `.state` while the network is being
/// trained (the call comes from the epoch callback, which may only read the network).
@inline(__always)
func changingNetwork(_ handle: OpaquePointer?) throws(PlexusError) -> Network {
    let net = try network(handle)
    try net.checkNotTraining()
    return net
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

/// A C string argument as a String, or `.argument` for NULL or bytes that are not UTF-8.
func text(_ pointer: UnsafePointer<CChar>?, _ name: String) throws(PlexusError) -> String {
    let pointer = try required(pointer, name)
    guard let value = String(validatingCString: pointer) else { throw argumentError("\(name) is not valid UTF-8") }
    return value
}

/// A `size_t` as Int, or `.argument` when it exceeds what any buffer can hold.
@inline(__always)
func sizeArgument(_ value: UInt, _ name: String) throws(PlexusError) -> Int {
    guard value <= UInt(Int.max) else { throw argumentError("\(name) is \(value), larger than any buffer can be") }
    return Int(value)
}

/// A `size_t` as C passed it: Swift imports `size_t` as `Int`, so 2^63 and above arrive negative.
@inline(__always)
func unsignedSize(_ value: Int) -> UInt { UInt(bitPattern: value) }

/// A `size_t` count where any value is meaningful and a larger one only means "never" or "no
/// limit" (epochs, patience, a schedule's period, a parameter limit): values past Int.max are
/// Int.max, which no run reaches.
@inline(__always)
func countClampedToIntMax(_ value: Int) -> Int { value < 0 ? Int.max : value }

/// The most bytes any version of an option or report struct may declare, as Linux's clone3 and
/// openat2 refuse a size past a page: a larger struct_size is a mistake, not a newer struct.
let structSizeLimit = 4096

/// The caller's struct_size, once the convention of Linux's copy_struct_from_user accepts it: at
/// least the first version's size (a smaller one than this version's leaves the newer fields
/// zero, the behaviour of the older version) and at most `structSizeLimit`; for an input struct
/// (`checkTail`) a larger one than this version's only if every byte past it is zero (a newer
/// caller that set no field this library does not know).
func structBytes(_ pointer: UnsafeRawPointer, current: Int, first: Int, name: String, type: String,
                 checkTail: Bool = true) throws(PlexusError) -> Int {
    let declared = pointer.loadUnaligned(as: UInt.self)
    guard declared >= UInt(first) else {
        throw argumentError("\(name)->struct_size is \(declared), smaller than the \(first) bytes of the first \(type); set it to sizeof(\(type)) after zeroing the struct")
    }
    guard declared <= UInt(structSizeLimit) else {
        throw argumentError("\(name)->struct_size is \(declared), more than the \(structSizeLimit) bytes any version of \(type) may have; set it to sizeof(\(type))")
    }
    for offset in current..<(checkTail ? max(current, Int(declared)) : current)
    where pointer.load(fromByteOffset: offset, as: UInt8.self) != 0 {
        throw argumentError("\(name)->struct_size is \(declared) and byte \(offset) is not zero, but this library's \(type) has \(current) bytes: a field of a newer Plexus is set; use that version, or zero the struct and set only the fields of this one")
    }
    return Int(declared)
}

/// A caller's input struct: the bytes `structBytes` accepts, the rest of this version's fields zero.
/// A struct's C size is its stride (sizeof counts the tail padding, Swift's `size` does not), so a
/// caller's padding is never taken for a newer field.
func readStruct<T>(_ pointer: UnsafePointer<T>, first: Int, name: String, type: String) throws(PlexusError) -> T {
    let cSize = MemoryLayout<T>.stride
    let bytes = min(cSize, try structBytes(UnsafeRawPointer(pointer), current: cSize, first: first, name: name, type: type))
    let copy = UnsafeMutableRawPointer.allocate(byteCount: cSize, alignment: MemoryLayout<T>.alignment)
    defer { copy.deallocate() }
    copy.initializeMemory(as: UInt8.self, repeating: 0, count: cSize)
    copy.copyMemory(from: UnsafeRawPointer(pointer), byteCount: bytes)
    return copy.load(as: T.self)
}

/// Writes a report into the caller's struct as Linux's copy_struct_to_user does: this version's
/// fields up to the size the caller declared, zeros in the bytes past them (fields of a newer
/// version that this one does not fill), struct_size left as the caller set it. Checks the size
/// first, so that a refused call writes nothing.
struct ReportDestination<T> {
    let pointer: UnsafeMutablePointer<T>
    let declared: Int

    init(_ pointer: UnsafeMutablePointer<T>, first: Int, name: String, type: String) throws(PlexusError) {
        self.pointer = pointer
        declared = try structBytes(UnsafeRawPointer(pointer), current: MemoryLayout<T>.stride, first: first, name: name,
                                   type: type, checkTail: false)
    }

    func write(_ value: T) {
        // The value's own bytes end at its size; its tail padding, and whatever lies past this
        // version's struct, are written as zeros.
        let sizeField = MemoryLayout<Int>.size, copied = min(declared, MemoryLayout<T>.size)
        let destination = UnsafeMutableRawPointer(pointer)
        withUnsafeBytes(of: value) { source in
            destination.advanced(by: sizeField).copyMemory(from: source.baseAddress!.advanced(by: sizeField), byteCount: copied - sizeField)
        }
        if declared > copied { destination.advanced(by: copied).initializeMemory(as: UInt8.self, repeating: 0, count: declared - copied) }
    }
}

/// A C string pointer to static text.
func cString(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}
