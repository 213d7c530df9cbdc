import Plexus

/// Central finite differences of a network's loss with respect to every parameter:
/// ∂L/∂θ_i ≈ (L(θ_i + h) − L(θ_i − h)) / (θ_i⁺ − θ_i⁻), dividing by the difference of the float32
/// values actually stored so that rounding of θ ± h does not bias the estimate.
public func numericalGradient(of net: Network, x: [Float], y: [Float], step h: Float = 1e-3) throws -> [Float] {
    let original = try net.parameters
    defer { try? net.setParameters(original) }
    var result = [Float](repeating: 0, count: original.count)
    for i in original.indices {
        var plus = original, minus = original
        plus[i] += h
        minus[i] -= h
        let lossPlus = try loss(of: net, parameters: plus, x: x, y: y)
        let lossMinus = try loss(of: net, parameters: minus, x: x, y: y)
        result[i] = Float((lossPlus - lossMinus) / Double(plus[i] - minus[i]))
    }
    try net.zeroGrads()
    return result
}

/// The loss at `parameters` through the network's own forward/backward, leaving gradients zeroed.
public func loss(of net: Network, parameters: [Float], x: [Float], y: [Float]) throws -> Double {
    try net.setParameters(parameters)
    try net.forward(x)
    let value = try net.backward(y)
    try net.zeroGrads()
    return Double(value)
}

/// The analytic gradient of one batch: forward, backward, read, zero.
public func analyticGradient(of net: Network, x: [Float], y: [Float]) throws -> [Float] {
    try net.zeroGrads()
    try net.forward(x)
    try net.backward(y)
    let g = try net.gradients
    try net.zeroGrads()
    return g
}

/// The largest |a − b| / (absolute + relative·max(|a|, |b|)); ≤ 1 means every pair is close.
public func worstMismatch(_ a: [Float], _ b: [Float], absolute: Float, relative: Float) -> Float {
    precondition(a.count == b.count)
    var worst: Float = 0
    for (u, v) in zip(a, b) {
        worst = max(worst, abs(u - v) / (absolute + relative * max(abs(u), abs(v))))
    }
    return worst
}

/// Deterministic test data: `count` floats uniform in [low, high) from `seed`.
public func uniformData(count: Int, seed: UInt64, low: Float = -1, high: Float = 1) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in low + (high - low) * generator.nextUnitFloat() }
}

/// Rows of probabilities (each row sums to 1) for cross-entropy targets.
public func probabilityRows(rows: Int, cols: Int, seed: UInt64, oneHot: Bool) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    var out: [Float] = []
    for _ in 0..<rows {
        if oneHot {
            let hot = generator.nextIndex(below: cols)
            out += (0..<cols).map { $0 == hot ? 1 : 0 }
        } else {
            let raw = (0..<cols).map { _ in 0.1 + generator.nextUnitFloat() }
            let total = raw.reduce(0, +)
            out += raw.map { $0 / total }
        }
    }
    return out
}
