#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing

extension Trait where Self == ConditionTrait {
    /// A long test (seconds in a debug build): `make check` sets PLEXUS_SKIP_SLOW=1 and skips it,
    /// `make test` runs it.
    static var slow: Self {
        .disabled(if: getenv("PLEXUS_SKIP_SLOW") != nil, "slow: make check skips it, make test runs it")
    }
}
