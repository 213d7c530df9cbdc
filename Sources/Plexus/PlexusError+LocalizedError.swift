// Foundation's `localizedDescription` for Swift programs: a PlexusError says its message, not
// "The operation couldn't be completed. (Plexus.PlexusError error 1.)". LocalizedError lives in
// FoundationEssentials, which the Swift package links; libplexus.so is built without it
// (PLEXUS_C_LIBRARY, the Makefile's release flags), since C and Python never see a Swift error
// and Foundation would add megabytes to the library (docs/dependencies.md).
#if canImport(FoundationEssentials) && !PLEXUS_C_LIBRARY
import FoundationEssentials

extension PlexusError: LocalizedError {
    /// The message, as `localizedDescription` shows it.
    public var errorDescription: String? { message }
}
#endif
