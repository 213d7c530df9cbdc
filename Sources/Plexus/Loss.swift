#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The cost a network minimises. Raw values equal `plexus_loss`.
/// Legend: B = batch rows, O = outputs, a = output activations, y = targets, z = output pre-activations.
public enum Loss: Int32, CaseIterable, Sendable, CustomStringConvertible {
    /// (1/(B·O)) Σ (a−y)², PyTorch's `MSELoss()`.                         ∂L/∂a = 2(a−y)/(B·O)
    case mse = 0
    /// (1/(2B)) Σ_samples ‖a−y‖², Nielsen's quadratic cost.                ∂L/∂a = (a−y)/B
    case quadratic = 1
    /// −(1/B) Σ y·log softmax(z), softmax outputs only, via log-sum-exp.   ∂L/∂z = (a·Σy − y)/B
    case crossEntropy = 2
    /// (1/(B·O)) Σ max(z,0) − z·y + log(1+e^−|z|), sigmoid outputs only.   ∂L/∂z = (a−y)/(B·O)
    case binaryCrossEntropy = 3

    public var description: String {
        switch self {
        case .mse: return "mse"
        case .quadratic: return "quadratic"
        case .crossEntropy: return "cross_entropy"
        case .binaryCrossEntropy: return "binary_cross_entropy"
        }
    }

    /// Throws `.argument` when this loss cannot follow `output`, the last layer's activation.
    func checkCompatible(withOutput output: Activation) throws(PlexusError) {
        switch self {
        case .crossEntropy where output != .softmax:
            throw .argument("cross-entropy needs a softmax output layer, but the output layer is \(output); use softmax outputs or the MSE loss")
        case .binaryCrossEntropy where output != .sigmoid:
            throw .argument("binary cross-entropy needs a sigmoid output layer, but the output layer is \(output); use sigmoid outputs or the MSE loss")
        default:
            return
        }
    }

    /// Returns the loss of one batch and writes ∂L/∂z for the output layer into `gradZ`.
    /// a, z, y, gradZ: [rows][cols]. The loss is accumulated in Double.
    func evaluate(
        outputs a: UnsafePointer<Float>, preActivations z: UnsafePointer<Float>,
        targets y: UnsafePointer<Float>, activation: Activation,
        rows: Int, cols: Int, gradZ: UnsafeMutablePointer<Float>
    ) -> Double {
        let n = rows * cols
        switch self {
        case .mse, .quadratic:
            // ∂L/∂a, then the activation's backward: fused into one pass for the elementwise
            // activations (the same two roundings, so the same bits), separate for softmax,
            // whose Jacobian mixes a row.
            let scale: Float = self == .mse ? 2 / Float(n) : 1 / Float(rows)
            let sum: Double
            switch activation {
            case .identity: sum = squaredErrors(a, y, n, gradZ) { g, _ in scale * g }
            case .sigmoid: sum = squaredErrors(a, y, n, gradZ) { sigmoidGradient(scale * $0, $1) }
            case .tanh: sum = squaredErrors(a, y, n, gradZ) { tanhGradient(scale * $0, $1) }
            case .relu: sum = squaredErrors(a, y, n, gradZ) { reluGradient(scale * $0, $1) }
            case .leakyRelu: sum = squaredErrors(a, y, n, gradZ) { leakyReluGradient(scale * $0, $1) }
            case .softmax:
                sum = squaredErrors(a, y, n, gradZ) { g, _ in scale * g }
                activation.backward(outputs: a, gradient: gradZ, rows: rows, cols: cols)
            }
            return self == .mse ? sum / Double(n) : sum / Double(2 * rows)

        case .crossEntropy:
            var sum: Double = 0
            let scale = 1 / Float(rows)
            for r in 0..<rows {
                let zr = z + r * cols, yr = y + r * cols, ar = a + r * cols, gr = gradZ + r * cols
                var maximum = zr[0]
                for k in 1..<max(cols, 1) where zr[k] > maximum { maximum = zr[k] }
                var expSum: Double = 0
                for k in 0..<cols { expSum += Double(expf(zr[k] - maximum)) }
                let logSumExp = Double(maximum) + log(expSum)
                var targetMass: Float = 0
                for k in 0..<cols {
                    sum += Double(yr[k]) * (logSumExp - Double(zr[k]))
                    targetMass += yr[k]
                }
                for k in 0..<cols { gr[k] = scale * (ar[k] * targetMass - yr[k]) }
            }
            return sum / Double(rows)

        case .binaryCrossEntropy:
            var sum: Double = 0
            let scale = 1 / Float(n)
            for i in 0..<n {
                let zi = Double(z[i])
                sum += max(zi, 0) - zi * Double(y[i]) + log1p(exp(-abs(zi)))
                gradZ[i] = scale * (a[i] - y[i])
            }
            return sum / Double(n)
        }
    }
}

/// Σ (a−y)² over n values (in Double), writing gradZ_i = rule(a_i − y_i, a_i).
@inline(__always)
private func squaredErrors(_ a: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int,
                           _ gradZ: UnsafeMutablePointer<Float>, _ rule: (Float, Float) -> Float) -> Double {
    var sum: Double = 0
    for i in 0..<n {
        let d = a[i] - y[i]
        sum += Double(d) * Double(d)
        gradZ[i] = rule(d, a[i])
    }
    return sum
}
