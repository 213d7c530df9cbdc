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
            for r in 0..<rows {
                let ar = a + r * cols, gr = g + r * cols
                var dot: Float = 0
                for k in 0..<cols { dot += gr[k] * ar[k] }
                for k in 0..<cols { gr[k] = ar[k] * (gr[k] - dot) }
            }
        }
    }
}

// MARK: - Elementwise passes
// Written as selects over values loaded up front (no conditional loads or stores), the form
// LLVM vectorises; a `for … where` loop or a SIMD `replacing(with:where:)` stayed scalar.

/// max(z, 0); NaN passes through, like torch.relu.
private func reluForward(_ values: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n {
        let v = values[i]
        values[i] = v <= 0 ? 0 : v
    }
}

private func leakyReluForward(_ values: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n {
        let v = values[i]
        values[i] = v < 0 ? v * Activation.leakySlope : v
    }
}

private func sigmoidBackward(_ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { g[i] *= a[i] * (1 - a[i]) }
}

private func tanhBackward(_ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { g[i] *= 1 - a[i] * a[i] }
}

private func reluBackward(_ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n {
        let gi = g[i]
        g[i] = a[i] > 0 ? gi : 0
    }
}

/// a > 0 exactly when z > 0, since the negative slope is positive.
private func leakyReluBackward(_ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n {
        let gi = g[i]
        g[i] = a[i] > 0 ? gi : gi * Activation.leakySlope
    }
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
