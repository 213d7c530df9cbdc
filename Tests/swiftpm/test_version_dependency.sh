#!/usr/bin/env bash
# Plexus as a Swift user adds it: a scratch package that depends on a clone of this repository by
# URL and version (.package(url: "file://…", from: "MAJOR.MINOR.0"): the clone is tagged with the
# header's version), built with nothing run by hand (no make, no script), trains XOR through
# `import Plexus`, and the built program runs from another folder. The clone is of the committed
# HEAD: what a user would fetch. Usage: Tests/swiftpm/test_version_dependency.sh WORK_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:?usage: test_version_dependency.sh WORK_DIR}
version=$(sed -n 's/^#define PLEXUS_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' include/plexus.h | paste -sd.)
rm -rf "$work" && mkdir -p "$work"
work=$(cd "$work" && pwd)

git clone --quiet --no-hardlinks "$PWD" "$work/plexus"
git -C "$work/plexus" -c user.name=test -c user.email=test@example.invalid tag "$version"

mkdir -p "$work/app/Sources/App"
cat > "$work/app/Package.swift" <<MANIFEST
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "App",
    dependencies: [.package(url: "file://$work/plexus", from: "${version%.*}.0")],
    targets: [.executableTarget(name: "App", dependencies: [.product(name: "Plexus", package: "plexus")])]
)
MANIFEST
cat > "$work/app/Sources/App/main.swift" <<'SOURCE'
import Plexus

let net = try Network(sizes: [2, 4, 1], activations: [.tanh, .sigmoid], seed: 42)
try net.setLoss(.binaryCrossEntropy)
try net.setOptimizer(.adam(learningRate: 0.05))
_ = try net.train(x: [0, 0, 0, 1, 1, 0, 1, 1], y: [0, 1, 1, 0], epochs: 500, batchSize: 4)
let out = try net.predict([0, 0, 0, 1, 1, 0, 1, 1])
print("XOR:", out.map { $0 > 0.5 ? 1 : 0 }, "with", Threads.gemm)
guard out.map({ $0 > 0.5 ? 1 : 0 }) == [0, 1, 1, 0] else { fatalError("XOR not learned") }
SOURCE
swift build --package-path "$work/app" --scratch-path "$work/app/.build" > "$work/build.log" 2>&1 ||
  { tail -30 "$work/build.log"; echo "FAIL swiftpm: the package that depends on Plexus $version by URL did not build"; exit 1; }
binary=$(swift build --package-path "$work/app" --scratch-path "$work/app/.build" --show-bin-path)/App
out=$(cd / && "$binary")
echo "swiftpm: $out"
grep -q "XOR: \[0, 1, 1, 0\]" <<<"$out" || { echo "FAIL swiftpm: $out"; exit 1; }
resolved=$(grep -o '"version" *: *"[^"]*"' "$work/app/Package.resolved" | head -1)
grep -q "\"$version\"" <<<"$resolved" || { echo "FAIL swiftpm: resolved $resolved, not $version"; exit 1; }
echo "swiftpm: an app depending on .package(url: \"file://…/plexus\", from: \"${version%.*}.0\") resolved $resolved, built and ran from /"
