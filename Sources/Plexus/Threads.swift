import CPlexusKernels
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
/// Default: `$PLEXUS_NUM_THREADS` when it is set to a positive number, else
/// `$OPENBLAS_NUM_THREADS` (the variable that already limits numpy's BLAS), else one thread per
/// CPU the process may run on, at most 64.
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

    /// The GEMM kernel that runs the matrix products on this CPU, such as
    /// "Plexus GEMM avx2-fma 6x16" (plexus_gemm.h says how it is chosen).
    public static var gemm: String { "Plexus GEMM " + String(cString: plxs_gemm_kernel_name()) }

    /// `gemm` and the thread count: "Plexus GEMM avx2-fma 6x16, 2 threads" (`plexus_blas_info()`).
    public static var gemmDescription: String { String(cString: plxs_gemm_info(count, plxs_pool_note())) }

    @available(*, deprecated, renamed: "gemm", message: "Plexus has its own GEMM since 0.7.0")
    public static var blas: String { gemm }

    @available(*, deprecated, renamed: "gemmDescription", message: "Plexus has its own GEMM since 0.7.0")
    public static var blasDescription: String { gemmDescription }

    /// Runs `work.run(task, slot:)` for every task in `0..<tasks` on up to `slots` threads and
    /// returns when all have finished. One task, or one slot, runs inline with no call into the
    /// pool. Regions are structs rather than closures: a closure handed to C must escape, and its
    /// context would be allocated on every call (the steady state allocates nothing).
    @inline(__always)
    static func run<Work: ParallelTasks>(_ work: Work, tasks: Int, slots: Int) {
        if tasks == 1 || slots <= 1 {
            for task in 0..<tasks { work.run(task, slot: 0) }
            return
        }
        withUnsafePointer(to: work) { work in
            var erased = ErasedTasks(work: UnsafeRawPointer(work)) { work, task, slot in
                work.assumingMemoryBound(to: Work.self).pointee.run(task, slot: slot)
            }
            withUnsafeMutablePointer(to: &erased) { plxs_pool_run(tasks, slots, runErasedTask, $0) }
        }
    }

    /// Floats per task when a pass over every parameter runs in parallel: a multiple of 8, so that
    /// values fall in the same lanes as in one pass (Lanes.swift), and large enough (128 KiB per
    /// buffer) that a task outweighs handing it to a thread.
    static let parameterChunk = 32768

    /// Whether `pass.check` holds over all of `0..<n`, cut into chunks of `parameterChunk` that
    /// run in parallel when there are several. One chunk runs inline.
    @inline(__always)
    static func check<Pass: ChunkedPass>(_ pass: Pass, count n: Int) -> Bool {
        if n <= parameterChunk { return pass.check(from: 0, to: n) }
        return checkInChunks(pass, count: n)
    }

    /// `commit` over all of `0..<n`, in the chunks of `check`.
    @inline(__always)
    static func commit<Pass: ChunkedPass>(_ pass: Pass, count n: Int) {
        if n <= parameterChunk { return pass.commit(from: 0, to: n) }
        commitInChunks(pass, count: n)
    }

    // Out of line: inlined, the parallel branches made the caller's frame larger, which a tiny
    // network's step paid for (W2: +37 instructions per update).
    @inline(never)
    private static func checkInChunks<Pass: ChunkedPass>(_ pass: Pass, count n: Int) -> Bool {
        let slots = count
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: slots) { passed in
            passed.initialize(repeating: true)
            run(ChunkChecks(pass: pass, count: n, passed: passed.baseAddress!), tasks: chunks(n), slots: slots)
            return !passed.contains(false)
        }
    }

    @inline(never)
    private static func commitInChunks<Pass: ChunkedPass>(_ pass: Pass, count n: Int) {
        run(ChunkCommits(pass: pass, count: n), tasks: chunks(n), slots: count)
    }

    private static func chunks(_ n: Int) -> Int { (n + parameterChunk - 1) / parameterChunk }
}

/// Independent tasks for `Threads.run`.
protocol ParallelTasks {
    /// Runs task `task` on the thread that holds scratch slot `slot` for this run.
    func run(_ task: Int, slot: Int)
}

/// An elementwise pass over every parameter that first checks its new values, then writes them
/// (Optimizer.swift): `Threads.check` and `Threads.commit` spread it over chunks.
protocol ChunkedPass {
    /// Whether every new value in `start ..< end` is finite; writes nothing.
    func check(from start: Int, to end: Int) -> Bool
    /// Writes the new values in `start ..< end`.
    func commit(from start: Int, to end: Int)
}

/// A `ParallelTasks` value as C sees it: its address and a non-generic way to run it.
private struct ErasedTasks {
    let work: UnsafeRawPointer
    let run: (_ work: UnsafeRawPointer, _ task: Int, _ slot: Int) -> Void
}

private let runErasedTask: @convention(c) (UnsafeMutableRawPointer?, Int, Int) -> Void = { erased, task, slot in
    let tasks = erased!.assumingMemoryBound(to: ErasedTasks.self).pointee
    tasks.run(tasks.work, task, slot)
}

private struct ChunkChecks<Pass: ChunkedPass>: ParallelTasks {
    let pass: Pass, count: Int
    /// One flag per slot: a thread writes only its own.
    let passed: UnsafeMutablePointer<Bool>

    func run(_ chunk: Int, slot: Int) {
        let start = chunk * Threads.parameterChunk
        if !pass.check(from: start, to: min(count, start + Threads.parameterChunk)) { passed[slot] = false }
    }
}

private struct ChunkCommits<Pass: ChunkedPass>: ParallelTasks {
    let pass: Pass, count: Int

    func run(_ chunk: Int, slot: Int) {
        let start = chunk * Threads.parameterChunk
        pass.commit(from: start, to: min(count, start + Threads.parameterChunk))
    }
}
