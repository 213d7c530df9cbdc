import CPlexusBLAS
import CPlexusSupport

/// How many threads Plexus's passes may use: one pool for the whole process (a process-wide
/// setting, not a per-network one), the calling thread included.
///
/// The work of a call is cut into tasks that depend only on the shapes involved (blocks of 512
/// rows, tiles of 64 columns, chunks of parameters), never on the thread count, and every
/// matrix product inside a task runs single-threaded. So results are bitwise the same for any
/// thread count; more threads only run more tasks at once. Small products (tiny networks) stay
/// on the calling thread whatever this says, so tiny networks never pay for threads.
///
/// Default: `$OPENBLAS_NUM_THREADS` when it is set to a positive number (the variable that
/// already limits numpy's BLAS), else one thread per CPU the process may run on, at most 64.
/// Idle threads sleep: between calls the pool uses no CPU.
public enum Threads {
    /// The most threads `setCount` accepts.
    public static let maxCount = Int(PLXS_MAX_THREADS)

    /// The number of threads the passes use now.
    public static var count: Int { Int(plxs_pool_threads()) }

    /// Sets the number of threads for every later call. Safe at any time: a call running on the
    /// pool finishes first.
    /// - Throws: `.argument` unless 1 ≤ `count` ≤ `maxCount`; `.memory` when the system refuses
    ///   to start or stop a thread.
    public static func setCount(_ count: Int) throws(PlexusError) {
        guard count >= 1 && count <= maxCount else {
            throw .argument("threads is \(count); pass a count from 1 to \(maxCount), such as the number of cores")
        }
        let error = plxs_pool_set_threads(count)
        if error != 0 {
            throw .memory("cannot change the thread pool to \(count) threads (error \(error) from the system); try fewer threads")
        }
    }

    /// The BLAS that runs the matrix products and the kernels it chose for this CPU, such as
    /// "OpenBLAS 0.3.34.481.3 SkylakeX".
    public static var blas: String { String(cString: plxs_blas_name()) }

    /// `blas` and the thread count: "OpenBLAS 0.3.34.481.3 SkylakeX, 2 threads".
    public static var blasDescription: String {
        let threads = count
        return "\(blas), \(threads) thread\(threads == 1 ? "" : "s")"
    }

    /// Runs `body(task, slot)` for every task in `0..<tasks` on up to `slots` threads and
    /// returns when all have finished. `slot` (0 ..< slots) is the running thread's own index for
    /// scratch memory during this call. Tasks must not depend on one another or on the order
    /// they run in. One task, or one slot, runs inline.
    @inline(__always)
    static func parallelFor(tasks: Int, slots: Int, _ body: (_ task: Int, _ slot: Int) -> Void) {
        if tasks == 1 || slots <= 1 {
            for task in 0..<tasks { body(task, 0) }
            return
        }
        runOnPool(tasks: tasks, slots: slots, body)
    }

    /// Floats per task when a pass over every parameter runs in parallel: a multiple of 8, so that
    /// values fall in the same lanes as in one pass (Lanes.swift), and large enough (128 KiB per
    /// buffer) that a task outweighs handing it to a thread.
    static let parameterChunk = 32768

    /// Runs `body(start, end)` over `0..<n` cut into chunks of `parameterChunk`, in parallel when
    /// there are several. One chunk runs inline with no call into the pool.
    @inline(__always)
    static func forEachChunk(_ n: Int, _ body: (_ start: Int, _ end: Int) -> Void) {
        if n <= parameterChunk { return body(0, n) }
        let chunks = (n + parameterChunk - 1) / parameterChunk
        parallelFor(tasks: chunks, slots: count) { chunk, _ in
            let start = chunk * parameterChunk
            body(start, min(n, start + parameterChunk))
        }
    }

    /// Whether `check(start, end)` holds for every chunk of `forEachChunk`.
    @inline(__always)
    static func allChunks(_ n: Int, _ check: (_ start: Int, _ end: Int) -> Bool) -> Bool {
        if n <= parameterChunk { return check(0, n) }
        let slots = count
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: slots) { passed in
            passed.initialize(repeating: true)
            // Each thread writes only its own slot's flag.
            forEachChunkOnSlots(n, slots: slots) { start, end, slot in
                if !check(start, end) { passed[slot] = false }
            }
            return !passed.contains(false)
        }
    }

    private static func forEachChunkOnSlots(_ n: Int, slots: Int, _ body: (Int, Int, Int) -> Void) {
        let chunks = (n + parameterChunk - 1) / parameterChunk
        parallelFor(tasks: chunks, slots: slots) { chunk, slot in
            let start = chunk * parameterChunk
            body(start, min(n, start + parameterChunk), slot)
        }
    }

    private static func runOnPool(tasks: Int, slots: Int, _ body: (Int, Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { context in
                plxs_pool_run(tasks, slots, { context, task, slot in
                    context!.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee(task, slot)
                }, context)
            }
        }
    }
}
