import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A zero-filled, heap-allocated run of `Float`s that reports allocation failure instead of
/// trapping (Swift arrays trap when memory runs out; a library inside someone's program must not).
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// Allocates `count` zeros, or throws `.memory` when the size overflows or `calloc` fails.
    init(count: Int, purpose: @autoclosure () -> String) throws(PlexusError) {
        let elements = max(count, 1)
        guard elements <= Int.max / MemoryLayout<Float>.stride,
              let raw = calloc(elements, MemoryLayout<Float>.stride)
        else {
            throw .memory("cannot allocate \(count) floats for \(purpose()); use a smaller network or batch")
        }
        self.pointer = raw.assumingMemoryBound(to: Float.self)
        self.count = count
    }

    deinit { free(pointer) }

    func zero() { pointer.update(repeating: 0, count: count) }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}

/// Scratch of at most this many floats lives on the stack (no allocation for tiny networks).
let stackScratchLimit = 256

/// Runs `body` with `count` (≤ `stackScratchLimit`) uninitialised floats on the stack.
@inline(__always)
func withStackScratch<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: max(count, 1)) { buffer in
        body(buffer.baseAddress!)
    }
}

/// Runs `body` with `count` uninitialised floats of scratch memory: on the stack when small,
/// from `malloc` otherwise, and `.memory` on failure. `body` itself cannot throw: every check
/// happens before the scratch is needed.
func withScratch<R>(
    count: Int, purpose: @autoclosure () -> String,
    _ body: (UnsafeMutablePointer<Float>) -> R
) throws(PlexusError) -> R {
    if count <= stackScratchLimit { return withStackScratch(count: count, body) }
    guard count <= Int.max / MemoryLayout<Float>.stride,
          let raw = malloc(count * MemoryLayout<Float>.stride)
    else {
        throw .memory("cannot allocate \(count) floats of scratch memory for \(purpose()); use a smaller batch")
    }
    defer { free(raw) }
    return body(raw.assumingMemoryBound(to: Float.self))
}

/// Scratch memory an object keeps between calls, used by one caller at a time: `acquire` is a
/// try-lock, so a concurrent caller never waits (it falls back to scratch of its own).
final class KeptScratch {
    private let busy = Atomic<Bool>(false)
    private var kept: FloatBuffer?

    /// Takes the scratch if no other thread holds it.
    func acquire() -> Bool {
        busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    func release() { busy.store(false, ordering: .releasing) }

    /// The kept floats, grown to at least `count` (only by the holder after `acquire`).
    func buffer(count: Int, purpose: @autoclosure () -> String) throws(PlexusError) -> UnsafeMutablePointer<Float> {
        if let kept, kept.count >= count { return kept.pointer }
        kept = nil
        let grown = try FloatBuffer(count: count, purpose: "scratch memory for \(purpose())")
        kept = grown
        return grown.pointer
    }
}

/// `a * b`, or nil when it overflows `Int`.
@inline(__always)
func checkedProduct(_ a: Int, _ b: Int) -> Int? {
    let (value, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? nil : value
}
