/// The library version; `include/plexus.h` repeats it as `PLEXUS_VERSION_*` (a C test compares).
public enum PlexusVersion {
    public static let major = 0
    public static let minor = 12
    public static let patch = 0
    /// MAJOR * 1000000 + MINOR * 1000 + PATCH (`PLEXUS_VERSION_NUMBER`).
    public static let number = major * 1_000_000 + minor * 1_000 + patch
    /// "MAJOR.MINOR.PATCH", as static text for the C API.
    public static let string: StaticString = "0.12.0"
}
