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

// MARK: Handles
// A handle names the slot of its object's gate (CPlexusSupport/handles.c) and is never
// dereferenced: one compare-and-swap checks that it is live and takes the object for the call,
// as a reader or as the writer (Plexus's Access.swift). A pointer that is not a live handle of
// the expected type is refused with PLEXUS_ERR_MISUSE, a conflicting call with PLEXUS_ERR_BUSY,
// and the object outlives every call in flight, even one racing plexus_free.

/// The three kinds of handle: the registry's type number, the parameter's usual name, the C
/// type, and where a live one comes from.
struct HandleKind {
    let type: UInt32, parameter: StaticString, cType: StaticString, source: StaticString

    static let net = HandleKind(type: UInt32(PLXS_HANDLE_NET), parameter: "net", cType: "plexus_net",
                                source: "plexus_create, plexus_load or plexus_load_buffer")
    static let graph = HandleKind(type: UInt32(PLXS_HANDLE_GRAPH), parameter: "graph", cType: "plexus_graph",
                                  source: "plexus_graph_create")
    static let quantized = HandleKind(type: UInt32(PLXS_HANDLE_QUANTIZED), parameter: "q", cType: "plexus_quantized",
                                      source: "plexus_quantize")
    static let all = [net, graph, quantized]
}

/// How a call uses the object: as one of its readers (activity 0), or as its one writer doing
/// `activity`. The numbers come from the C header, so they fold into each call site.
struct HandleUse {
    let activity: UInt32

    static let reading = HandleUse(activity: 0)
    static func writing(_ activity: WriteActivity) -> HandleUse { HandleUse(activity: activity.rawValue) }
    var isReading: Bool { activity == 0 }
}

/// Hands `object`, whose gate is `slot`, out as a new handle: the registry keeps the object
/// alive until the handle is freed.
func makeHandle(_ object: AnyObject, slot: UnsafeMutablePointer<plxs_slot>) -> OpaquePointer {
    OpaquePointer(plxs_handle_publish(slot, Unmanaged.passRetained(object).toOpaque())!)
}

/// Frees a handle of `kind`: NULL does nothing; a pointer that is not a live handle of that kind
/// does nothing and sets the message. The object goes when the last call that holds it returns.
func freeHandle(_ function: StaticString, _ handle: OpaquePointer?, _ kind: HandleKind) {
    guard let handle else { return }
    var object: UnsafeMutableRawPointer?
    guard plxs_handle_retire(UnsafeRawPointer(handle), kind.type, &object) != 0 else {
        record(function, misuse(handle, kind))
        return
    }
    if let object { Unmanaged<AnyObject>.fromOpaque(object).release() }
}

/// Why `handle` is not a live handle of `kind`, found without touching the memory it may point to.
@inline(never)
func misuse(_ handle: OpaquePointer, _ kind: HandleKind) -> PlexusError {
    let live = plxs_handle_live_type(UnsafeRawPointer(handle))
    let reason: String
    if let other = HandleKind.all.first(where: { $0.type == live }) {
        reason = "it is a live \(other.cType) handle, not a \(kind.cType)"
    } else if UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle))) >> 56 == UInt(PLXS_HANDLE_TAG) {
        reason = "it was freed"
    } else {
        reason = "it is not a handle Plexus returned"
    }
    return PlexusError(.misuse, "\(kind.parameter) is not a live \(kind.cType): \(reason); pass a handle from \(kind.source) that has not been freed")
}

/// Takes the object behind `handle` for one call: its slot and whether the take must be ended.
/// - Throws: `.argument` for NULL, `.misuse` for a pointer that is not a live handle of `kind`,
///   `.busy` while a conflicting call holds the object.
@inline(__always)
func take(_ handle: OpaquePointer?, _ kind: HandleKind, _ use: HandleUse) throws(PlexusError) -> (slot: UnsafeMutablePointer<plxs_slot>, counted: Bool) {
    guard let handle else {
        throw argumentError("\(kind.parameter) is NULL; pass a \(kind.cType) from \(kind.source)")
    }
    let taken = plxs_handle_take(UnsafeRawPointer(handle), kind.type, use.activity)
    if let slot = taken.slot {
        if taken.outcome == UInt64(PLXS_TAKEN) { return (slot, true) }
        if taken.outcome == UInt64(PLXS_NESTED) { return (slot, false) }
        throw AccessGate.busy(state: plxs_slot_state(slot))
    }
    throw misuse(handle, kind)
}

/// Ends a take of a handle of `kind`; the last call on a freed handle releases its object.
@inline(__always)
func end(_ slot: UnsafeMutablePointer<plxs_slot>, _ kind: HandleKind, counted: Bool, _ use: HandleUse) {
    guard counted else { return }
    let last: UnsafeMutableRawPointer?
    if use.isReading { last = plxs_handle_end_read(slot, kind.type) } else { last = plxs_gate_end_write(slot) }
    if let last { Unmanaged<AnyObject>.fromOpaque(last).release() }
}

/// Runs `body` on the object behind a live handle of `kind`, taken for the call as `use` says
/// (not retained: for a tiny network a retain and release cost as much as its arithmetic).
@inline(__always)
func withHandle<Object: AnyObject>(_ handle: OpaquePointer?, _ kind: HandleKind, as type: Object.Type, _ use: HandleUse,
                                   _ body: (Object) throws(PlexusError) -> Void) throws(PlexusError) {
    let (slot, counted) = try take(handle, kind, use)
    defer { end(slot, kind, counted: counted, use) }
    var failure: PlexusError?
    // A non-throwing closure: typed throws through the standard library's `rethrows` closures
    // miscompiled in release builds (a trap once seen in this project).
    Unmanaged<Object>.fromOpaque(plxs_handle_object(slot).unsafelyUnwrapped)._withUnsafeGuaranteedRef { object in
        do throws(PlexusError) { try body(object) } catch { failure = error }
    }
    if let failure { throw failure }
}

/// `withHandle` for a plexus_net.
@inline(__always)
func withNetwork(_ handle: OpaquePointer?, _ use: HandleUse, _ body: (Network) throws(PlexusError) -> Void) throws(PlexusError) {
    try withHandle(handle, .net, as: Network.self, use, body)
}

/// The body of most exported functions that take a net: `guarded` around `withNetwork`.
@inline(__always)
func onNetwork(_ function: StaticString, _ handle: OpaquePointer?, _ use: HandleUse,
               _ body: (Network) throws(PlexusError) -> Void) -> Status {
    guarded(function) { () throws(PlexusError) in try withNetwork(handle, use, body) }
}

/// Runs `body` on the network behind a non-NULL handle straight away: no closure through
/// `guarded` and `withNetwork` (for a one-sample call on a tiny network, a tenth of its time).
/// A failure is recorded as `guarded` records it. Callers take this path when every pointer is
/// set and use `guarded` otherwise, for the argument messages.
@inline(__always)
func direct(_ function: StaticString, _ handle: OpaquePointer, _ use: HandleUse,
            _ body: (Network) throws(PlexusError) -> Void) -> Status {
    let taken = plxs_handle_take(UnsafeRawPointer(handle), HandleKind.net.type, use.activity)
    // Anything but a counted take (a nested call, a refusal) goes the general way, which takes
    // again and says why.
    guard taken.outcome == UInt64(PLXS_TAKEN) else { return onNetwork(function, handle, use, body) }
    let slot = taken.slot.unsafelyUnwrapped
    defer { end(slot, .net, counted: true, use) }
    return Unmanaged<Network>.fromOpaque(plxs_handle_object(slot).unsafelyUnwrapped)._withUnsafeGuaranteedRef { network in
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
