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

/// Runs `body` with `count` uninitialised floats of scratch memory: on the stack when small (no
/// allocation on the hot path of tiny networks), from `malloc` otherwise, and `.memory` on failure.
/// `body` itself cannot throw: every check happens before the scratch is needed.
func withScratch<R>(
    count: Int, purpose: @autoclosure () -> String,
    _ body: (UnsafeMutablePointer<Float>) -> R
) throws(PlexusError) -> R {
    if count <= 256 {
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(count, 1)) { buffer in
            body(buffer.baseAddress!)
        }
    }
    guard count <= Int.max / MemoryLayout<Float>.stride,
          let raw = malloc(count * MemoryLayout<Float>.stride)
    else {
        throw .memory("cannot allocate \(count) floats of scratch memory for \(purpose()); use a smaller batch")
    }
    defer { free(raw) }
    return body(raw.assumingMemoryBound(to: Float.self))
}

/// `a * b`, or nil when it overflows `Int`.
@inline(__always)
func checkedProduct(_ a: Int, _ b: Int) -> Int? {
    let (value, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? nil : value
}
