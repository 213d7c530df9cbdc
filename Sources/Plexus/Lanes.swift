// Explicit SIMD for the optimizer's passes. LLVM's auto-vectoriser left them scalar: it turns a
// finiteness check into an early-exit loop (activations vectorise as plain select loops). Eight
// lanes are two SSE registers at the x86-64 baseline the library is built for;
// benchmarks/RESULTS.md records what this bought.

/// Eight floats processed together.
typealias Lanes = SIMD8<Float>

/// Calls `body(i, count)` over `0..<n`: `count` is 8, then 1 for each of the last `n % 8`
/// elements (with a constant count of 1 the inlined body moves one value, which for a tiny
/// network's update cost half as much as assembling a partial vector). Callers keep `body` small
/// so it is inlined (a call per eight floats would cost more than the work).
@inline(__always)
func forEachLanes(_ n: Int, _ body: (_ start: Int, _ count: Int) -> Void) {
    forEachLanes(from: 0, to: n, body)
}

/// `forEachLanes` over `start ..< end`. With `start` a multiple of 8, values fall in the same
/// lanes as in one pass over `0 ..< end` (what the parallel parameter passes rely on).
@inline(__always)
func forEachLanes(from start: Int, to end: Int, _ body: (_ start: Int, _ count: Int) -> Void) {
    var i = start
    while i + Lanes.scalarCount <= end {
        body(i, Lanes.scalarCount)
        i += Lanes.scalarCount
    }
    while i < end {
        body(i, 1)
        i += 1
    }
}

extension UnsafePointer where Pointee == Float {
    /// `count` (1…8) floats from `start`, the missing lanes zero.
    @inline(__always)
    func lanes(_ start: Int, _ count: Int) -> Lanes {
        if count == Lanes.scalarCount { return UnsafeRawPointer(self + start).loadUnaligned(as: Lanes.self) }
        var v = Lanes()
        for k in 0..<count { v[k] = self[start + k] }
        return v
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always)
    func lanes(_ start: Int, _ count: Int) -> Lanes { UnsafePointer(self).lanes(start, count) }

    /// Writes the first `count` (1…8) lanes of `v` from `start`.
    @inline(__always)
    func setLanes(_ v: Lanes, _ start: Int, _ count: Int) {
        if count == Lanes.scalarCount {
            UnsafeMutableRawPointer(self + start).storeBytes(of: v, as: Lanes.self)
            return
        }
        for k in 0..<count { self[start + k] = v[k] }
    }
}

/// Zero where `v` is finite, NaN where it is ±infinity or NaN: summing these is NaN exactly when
/// some value was not finite, and unlike a branch it vectorises.
@inline(__always)
func finiteness(_ v: Lanes) -> Lanes { v - v }

/// Whether every lane of a sum of `finiteness` values is zero (no value was infinite or NaN).
@inline(__always)
func allFinite(_ sum: Lanes) -> Bool { sum.sum() == 0 }

/// Whether all `count` values are finite: eight lanes at a time, with no branch per value (an
/// input scan of a 10,000-row batch took several percent of a predict as a scalar loop).
@inline(__always)
func allFinite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
    if count < Lanes.scalarCount {
        for i in 0..<count where !values[i].isFinite { return false }
        return true
    }
    return allFiniteInLanes(values, count: count)
}

private func allFiniteInLanes(_ values: UnsafePointer<Float>, count: Int) -> Bool {
    var check = Lanes()
    forEachLanes(count) { i, c in check += finiteness(values.lanes(i, c)) }
    return allFinite(check)
}
