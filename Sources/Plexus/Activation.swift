#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The function a layer applies to `z = W·a_prev + b`. Raw values equal `plexus_activation`.
public enum Activation: Int32, CaseIterable, Sendable, CustomStringConvertible {
    /// f(z) = z;                        f′ = 1
    case identity = 0
    /// f(z) = 1/(1+e^−z);               f′ = a(1−a)
    case sigmoid = 1
    /// f(z) = tanh z;                   f′ = 1−a²
    case tanh = 2
    /// f(z) = max(0, z);                f′ = [z>0]
    case relu = 3
    /// f(z) = z if z>0 else 0.01·z;     f′ = 1 if z>0 else 0.01
    case leakyRelu = 4
    /// f(z)_k = e^{z_k}/Σ_j e^{z_j} per row;  ∂a_k/∂z_j = a_k(δ_kj − a_j)
    case softmax = 5

    /// The slope of `leakyRelu` for negative inputs (PyTorch's default).
    public static let leakySlope: Float = 0.01

    public var description: String {
        switch self {
        case .identity: return "identity"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .relu: return "relu"
        case .leakyRelu: return "leaky_relu"
        case .softmax: return "softmax"
        }
    }

    /// Whether initialisation uses He/Kaiming (rectifiers) rather than Glorot/Xavier.
    var usesHeInitialization: Bool { self == .relu || self == .leakyRelu }
}

/// Logistic function without overflow: e^−z is only evaluated for z ≥ 0, e^z only for z < 0.
@inline(__always)
func stableSigmoid(_ z: Float) -> Float {
    if z >= 0 {
        return 1 / (1 + expf(-z))
    }
    let e = expf(z)
    return e / (1 + e)
}

// MARK: - Forward and backward, side by side
// Shapes: z, a, g: [rows][cols] row-major; rows = batch, cols = layer width.

extension Activation {
    /// a = f(z), in place over `rows × cols` values.
    func forward(_ values: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        let n = rows * cols
        switch self {
        case .identity:
            return
        case .sigmoid:
            for i in 0..<n { values[i] = stableSigmoid(values[i]) }
        case .tanh:
            for i in 0..<n { values[i] = tanhf(values[i]) }
        case .relu:
            reluForward(values, n)
        case .leakyRelu:
            leakyReluForward(values, n)
        case .softmax:
            for r in 0..<rows { softmaxRow(values + r * cols, count: cols) }
        }
    }

    /// g ← g ⊙ f′(z) (softmax: g ← Jᵀg per row), in place, using the kept outputs `a = f(z)`.
    /// On entry `g` holds ∂L/∂a; on return it holds ∂L/∂z.
    func backward(outputs a: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        let n = rows * cols
        switch self {
        case .identity:
            return
        case .sigmoid:
            sigmoidBackward(a, g, n)
        case .tanh:
            tanhBackward(a, g, n)
        case .relu:
            reluBackward(a, g, n)
        case .leakyRelu:
            leakyReluBackward(a, g, n)
        case .softmax:
            for r in 0..<rows { softmaxBackwardRow(a + r * cols, g + r * cols, count: cols) }
        }
    }
}

// MARK: - Over a tile of columns
// A product cut into column tiles (DenseKernels.swift) applies the activation to its own tile, in
// the same task: elementwise rules give the same values whichever way the rows are cut. Softmax
// needs whole rows, so the caller applies it after every tile is done.

extension Activation {
    /// Whether a value's result depends on that value alone (every activation but softmax).
    var isElementwise: Bool { self != .softmax }

    /// `forward` over columns `first ..< first + count` of each row of a [rows][stride] block.
    func forward(_ values: UnsafeMutablePointer<Float>, rows: Int, first: Int, count: Int, stride: Int) {
        if count == stride { return forward(values, rows: rows, cols: count) }
        for r in 0..<rows { forward(values + r * stride + first, rows: 1, cols: count) }
    }

    /// `backward` over columns `first ..< first + count` of each row of [rows][stride] blocks.
    func backward(outputs a: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>, rows: Int,
                  first: Int, count: Int, stride: Int) {
        if count == stride { return backward(outputs: a, gradient: g, rows: rows, cols: count) }
        for r in 0..<rows {
            backward(outputs: a + r * stride + first, gradient: g + r * stride + first, rows: 1, cols: count)
        }
    }
}

// MARK: - Elementwise passes
// Written as selects over values loaded up front (no conditional loads or stores), the form
// LLVM vectorises; a `for … where` loop or a SIMD `replacing(with:where:)` stayed scalar.
// Each rule is one inline function of one value, shared with the fused row passes
// (RowPasses.swift), so both give bitwise the same results.

/// max(z, 0); NaN passes through, like torch.relu.
@inline(__always)
func relu(_ v: Float) -> Float { v <= 0 ? 0 : v }

@inline(__always)
func leakyRelu(_ v: Float) -> Float { v < 0 ? v * Activation.leakySlope : v }

/// ∂L/∂z from ∂L/∂a = g and a = f(z), one rule per activation.
@inline(__always)
func sigmoidGradient(_ g: Float, _ a: Float) -> Float { g * (a * (1 - a)) }

@inline(__always)
func tanhGradient(_ g: Float, _ a: Float) -> Float { g * (1 - a * a) }

@inline(__always)
func reluGradient(_ g: Float, _ a: Float) -> Float { a > 0 ? g : 0 }

/// a > 0 exactly when z > 0, since the negative slope is positive.
@inline(__always)
func leakyReluGradient(_ g: Float, _ a: Float) -> Float { a > 0 ? g : g * Activation.leakySlope }

private func reluForward(_ values: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { values[i] = relu(values[i]) }
}

private func leakyReluForward(_ values: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { values[i] = leakyRelu(values[i]) }
}

private func sigmoidBackward(_ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { g[i] = sigmoidGradient(g[i], a[i]) }
}

private func tanhBackward(_ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { g[i] = tanhGradient(g[i], a[i]) }
}

private func reluBackward(_ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { g[i] = reluGradient(g[i], a[i]) }
}

private func leakyReluBackward(_ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { g[i] = leakyReluGradient(g[i], a[i]) }
}

/// g ← Jᵀg for one softmax row: g_k = a_k (g_k − Σ_j g_j a_j).
@inline(__always)
func softmaxBackwardRow(_ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, count: Int) {
    var dot: Float = 0
    for k in 0..<count { dot += g[k] * a[k] }
    for k in 0..<count { g[k] = a[k] * (g[k] - dot) }
}

/// Softmax of one row in place, shifted by the row maximum so no exponent overflows.
@inline(__always)
func softmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int) {
    var maximum = row[0]
    for k in 1..<max(count, 1) where row[k] > maximum { maximum = row[k] }
    var sum: Float = 0
    for k in 0..<count {
        let e = expf(row[k] - maximum)
        row[k] = e
        sum += e
    }
    let inverse = 1 / sum
    for k in 0..<count { row[k] *= inverse }
}
