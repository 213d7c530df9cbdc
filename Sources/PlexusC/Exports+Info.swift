#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CPlexusKernels
import CPlexusSupport
import Plexus

// What the library says about itself and about failures: the last error, status names, the
// version, the thread setting and the GEMM kernel behind the products.

@_cdecl("plexus_last_error")
public func plexus_last_error() -> UnsafePointer<CChar> {
    plxs_last_error()
}

@_cdecl("plexus_status_name")
public func plexus_status_name(_ status: Int32) -> UnsafePointer<CChar> {
    cString(PlexusError.Code(rawValue: status).name)
}

/// The names of the activations and losses as C strings, made once and kept for the process.
private nonisolated(unsafe) let activationNames = Activation.allCases.map { strdup($0.description)! }
private nonisolated(unsafe) let lossNames = Loss.allCases.map { strdup($0.description)! }
private nonisolated(unsafe) let optimizerNames = Optimizer.Kind.allCases.map { strdup($0.description)! }

@_cdecl("plexus_activation_name")
public func plexus_activation_name(_ activation: Int32) -> UnsafePointer<CChar> {
    Activation(rawValue: activation).map { UnsafePointer(activationNames[Int($0.rawValue)]) } ?? cString("unknown")
}

@_cdecl("plexus_loss_name")
public func plexus_loss_name(_ loss: Int32) -> UnsafePointer<CChar> {
    Loss(rawValue: loss).map { UnsafePointer(lossNames[Int($0.rawValue)]) } ?? cString("unknown")
}

@_cdecl("plexus_optimizer_name")
public func plexus_optimizer_name(_ kind: Int32) -> UnsafePointer<CChar> {
    Optimizer.Kind(rawValue: kind).map { UnsafePointer(optimizerNames[Int($0.rawValue)]) } ?? cString("unknown")
}

@_cdecl("plexus_set_threads")
public func plexus_set_threads(_ count: Int32) -> Int32 {
    guarded("plexus_set_threads") { () throws(PlexusError) in try Threads.setCount(Int(count)) }
}

@_cdecl("plexus_get_threads")
public func plexus_get_threads() -> Int32 {
    Int32(Threads.count)
}

@_cdecl("plexus_gemm_info")
public func plexus_gemm_info() -> UnsafePointer<CChar> {
    plxs_gemm_info(Threads.count, plxs_pool_note())
}

/// Deprecated: plexus_gemm_info's old name.
@_cdecl("plexus_blas_info")
public func plexus_blas_info() -> UnsafePointer<CChar> {
    plexus_gemm_info()
}

@_cdecl("plexus_version")
public func plexus_version() -> UnsafePointer<CChar> {
    cString(PlexusVersion.string)
}

@_cdecl("plexus_version_number")
public func plexus_version_number() -> Int32 {
    Int32(PlexusVersion.number)
}
