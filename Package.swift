// swift-tools-version:6.0
// SPDX-License-Identifier: MIT (the file LICENSE beside this one, which SwiftPM reads as the package's licence)
import PackageDescription

let package = Package(
    name: "Plexus",
    products: [
        // MARK: Products
        // The Swift API: `import Plexus`.
        .library(name: "Plexus", targets: ["Plexus"]),
        // The C API declared in include/plexus.h, built as libplexus.so.
        .library(name: "plexus", type: .dynamic, targets: ["PlexusC"]),
    ],
    targets: [
        // MARK: Core
        .target(name: "Plexus", dependencies: ["CPlexusKernels", "CPlexusSupport"]),
        // Plexus's own GEMM: packed panels, micro-kernels for AVX-512F, AVX2+FMA, NEON and portable
        // fmaf, chosen at run time; one order of arithmetic on every CPU (plexus_gemm.h).
        .target(name: "CPlexusKernels"),

        // MARK: C surface
        // Thread-local error text; C has `_Thread_local`, the Swift standard library has no equivalent.
        .target(name: "CPlexusSupport"),
        // exports.map is the linker version script the Makefile passes to the release build.
        .target(name: "PlexusC", dependencies: ["Plexus", "CPlexusSupport", "CPlexusKernels"], exclude: ["exports.map"]),

        // MARK: Tests
        .target(name: "PlexusTestSupport", dependencies: ["Plexus"], path: "Tests/PlexusTestSupport"),
        // Swift 6 language mode, stated: ConcurrencyTests compile only if Network and Graph are Sendable.
        .testTarget(name: "PlexusTests", dependencies: ["Plexus", "PlexusTestSupport", "PlexusC"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
