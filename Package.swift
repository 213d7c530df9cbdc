// swift-tools-version:6.0
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
        // MARK: System libraries
        // OpenBLAS supplies sgemm for the layer products (see README, "Dependencies").
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),

        // MARK: Core
        .target(name: "Plexus", dependencies: ["COpenBLAS"]),

        // MARK: C surface
        // Thread-local error text; C has `_Thread_local`, the Swift standard library has no equivalent.
        .target(name: "CPlexusSupport"),
        // exports.map is the linker version script the Makefile passes to the release build.
        .target(name: "PlexusC", dependencies: ["Plexus", "CPlexusSupport"], exclude: ["exports.map"]),

        // MARK: Tests
        .target(name: "PlexusTestSupport", dependencies: ["Plexus"], path: "Tests/PlexusTestSupport"),
        .testTarget(name: "PlexusTests", dependencies: ["Plexus", "PlexusTestSupport"]),
    ]
)
