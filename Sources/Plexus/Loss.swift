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
            let scale: Float = self == .mse ? 2 / Float(n) : 1 / Float(rows)
            let sum = activation.accept(SquaredErrors(a: a, z: z, y: y, gradZ: gradZ, scale: scale, rows: rows, cols: cols))
            return self == .mse ? sum / Double(n) : sum / Double(2 * rows)

        case .crossEntropy:
            var sum: Double = 0
            let scale = 1 / Float(rows)
            for r in 0..<rows {
                let zr = z + r * cols, yr = y + r * cols, ar = a + r * cols, gr = gradZ + r * cols
                let logSumExp = Plexus.logSumExp(zr, count: cols)
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

/// Σ (a−y)² over the rows × cols values (in Double), writing ∂L/∂z: g = scale·(a−y) through the
/// output activation's derivative, fused into the same pass for an elementwise activation (the
/// same two roundings as two passes, so the same bits), softmax's row Jacobian after it.
private struct SquaredErrors: ActivationVisitor {
    let a: UnsafePointer<Float>, z: UnsafePointer<Float>, y: UnsafePointer<Float>, gradZ: UnsafeMutablePointer<Float>
    let scale: Float, rows: Int, cols: Int

    func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) -> Double {
        let scale = scale, z = z
        return squaredErrors { Rule.gradient(scale * $0, z: Rule.readsPreActivation ? z[$2] : 0, a: $1) }
    }

    func visitSoftmax() -> Double {
        let scale = scale
        let sum = squaredErrors { g, _, _ in scale * g }
        Activation.softmax.backward(outputs: a, preActivations: z, gradient: gradZ, rows: rows, cols: cols)
        return sum
    }

    /// rule(a − y, a, index) per value.
    @inline(__always)
    private func squaredErrors(_ rule: (Float, Float, Int) -> Float) -> Double {
        var sum: Double = 0
        for i in 0..<(rows * cols) {
            let d = a[i] - y[i]
            sum += Double(d) * Double(d)
            gradZ[i] = rule(d, a[i], i)
        }
        return sum
    }
}
