import COpenBLAS

/// How many threads the matrix products may use. They run inside OpenBLAS, whose thread pool is
/// shared by the whole process, so this is a process-wide setting, not a per-network one.
///
/// Default: OpenBLAS's own, `$OPENBLAS_NUM_THREADS` when set, else one thread per core. Products
/// below the BLAS threshold (tiny networks) and the elementwise passes run on the calling thread
/// whatever this says, so tiny networks never pay for threads.
public enum Threads {
    /// The most threads `setCount` accepts (OpenBLAS clamps further to its build's limit).
    public static let maxCount = 1024

    /// The number of threads products use now.
    public static var count: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads for every later product. Not for use while another thread is
    /// inside a Plexus call: OpenBLAS resizes its pool in place.
    /// - Throws: `.argument` unless 1 ≤ `count` ≤ `maxCount`.
    public static func setCount(_ count: Int) throws(PlexusError) {
        guard count >= 1 && count <= maxCount else {
            throw .argument("threads is \(count); pass a count from 1 to \(maxCount), such as the number of cores")
        }
        openblas_set_num_threads(Int32(count))
    }
}
