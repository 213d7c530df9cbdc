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
    /// (1/(B·O)) Σ |a−y|, PyTorch's `L1Loss()`.                            ∂L/∂a = sign(a−y)/(B·O)
    case l1 = 4
    /// (1/(B·O)) Σ h(a−y), h(d) = d²/2 for |d| ≤ 1, |d| − 1/2 beyond; PyTorch's `HuberLoss()`
    /// (delta 1).                                                           ∂L/∂a = clamp(a−y, −1, 1)/(B·O)
    case huber = 5

    public var description: String {
        switch self {
        case .mse: return "mse"
        case .quadratic: return "quadratic"
        case .crossEntropy: return "cross_entropy"
        case .binaryCrossEntropy: return "binary_cross_entropy"
        case .l1: return "l1"
        case .huber: return "huber"
        }
    }

    /// Whether the loss is a function of the differences a − y alone (any output activation fits
    /// it, and ∂L/∂y = −∂L/∂a), as opposed to the two that work from the logits z.
    var isPointwise: Bool { accept(IsPointwise()) }

    /// Calls `visitor` with this loss's pointwise rule, or `visitLogits()` for the two losses
    /// that work from z: the one dispatch from a pointwise loss to its formulas.
    @inline(__always)
    func accept<Visitor: LossVisitor>(_ visitor: Visitor) -> Visitor.Result {
        switch self {
        case .mse: return visitor.visit(SquaredError.self, scale: { n, _ in 2 / Float(n) }, mean: { sum, n, _ in sum / Double(n) })
        case .quadratic: return visitor.visit(SquaredError.self, scale: { _, rows in 1 / Float(rows) }, mean: { sum, _, rows in sum / Double(2 * rows) })
        case .l1: return visitor.visit(AbsoluteError.self, scale: { n, _ in 1 / Float(n) }, mean: { sum, n, _ in sum / Double(n) })
        case .huber: return visitor.visit(HuberError.self, scale: { n, _ in 1 / Float(n) }, mean: { sum, n, _ in sum / Double(n) })
        case .crossEntropy, .binaryCrossEntropy: return visitor.visitLogits()
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

    /// Throws `.argument` for finite targets this loss cannot take: cross-entropy's are rows of
    /// probabilities (each value >= 0, each row summing to 1 within 1e-3: one-hot or soft labels),
    /// binary cross-entropy's are probabilities in [0, 1]. Other losses take any finite target.
    /// `values`: `count` floats in rows of `width`.
    func checkTargets(_ values: UnsafePointer<Float>, count: Int, width: Int, name: String) throws(PlexusError) {
        switch self {
        case .crossEntropy:
            for row in 0..<(count / width) {
                var sum: Double = 0
                for column in 0..<width {
                    let value = values[row * width + column]
                    guard value >= 0 else {
                        throw .argument("\(name)[\(row)][\(column)] is \(value); cross-entropy targets are probabilities, each >= 0 (one-hot rows or soft labels)")
                    }
                    sum += Double(value)
                }
                guard abs(sum - 1) <= 1e-3 else {
                    throw .argument("\(name)[\(row)] sums to \(Float(sum)); a cross-entropy target row holds probabilities that sum to 1 (within 1e-3), such as a one-hot row")
                }
            }
        case .binaryCrossEntropy:
            for i in 0..<count where !(values[i] >= 0 && values[i] <= 1) {
                throw .argument("\(name)[\(i / width)][\(i % width)] is \(values[i]); binary cross-entropy targets are probabilities in [0, 1]")
            }
        default:
            return
        }
    }

    /// Returns the loss of one batch and writes ∂L/∂z for the output layer into `gradZ`.
    /// a, z, y, gradZ: [rows][cols]. The loss is accumulated in Double.
    ///
    /// `rowWeights` (nil: every row 1) weighs each row's share of the loss and of the gradient;
    /// weights whose mean is 1 make the loss a weighted mean (`train`'s sample weights).
    func evaluate(
        outputs a: UnsafePointer<Float>, preActivations z: UnsafePointer<Float>,
        targets y: UnsafePointer<Float>, activation: Activation,
        rows: Int, cols: Int, gradZ: UnsafeMutablePointer<Float>, rowWeights: UnsafePointer<Float>? = nil
    ) -> Double {
        if let rowWeights {
            var sum: Double = 0
            for r in 0..<rows {
                let o = r * cols, w = rowWeights[r]
                // A row alone, rescaled to its share of the batch: the row's mean loss × 1/rows.
                let rowLoss = evaluate(outputs: a + o, preActivations: z + o, targets: y + o, activation: activation,
                                       rows: 1, cols: cols, gradZ: gradZ + o)
                sum += Double(w) * rowLoss
                let share = w / Float(rows)
                for k in 0..<cols { gradZ[o + k] *= share }
            }
            return sum / Double(rows)
        }
        let n = rows * cols
        switch self {
        case .mse, .quadratic, .l1, .huber:
            return accept(PointwiseLossPass(a: a, z: z, y: y, gradZ: gradZ, activation: activation, rows: rows, cols: cols))

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

// MARK: - The pointwise losses: a function of d = a − y per value, summed, then scaled

/// A loss that is Σ h(a − y) over the values, scaled: h and its derivative.
protocol PointwiseRule {
    /// h(d), in double for the sum.
    static func value(_ d: Float) -> Double
    /// h′(d)
    static func derivative(_ d: Float) -> Float
    /// `derivative` as a C expression in `d` (the code export), the same operations.
    static var cDerivative: String { get }
}

enum SquaredError: PointwiseRule {
    @inline(__always) static func value(_ d: Float) -> Double { Double(d) * Double(d) }
    /// Half of h′ = 2d: the 2 is in MSE's scale 2/(B·O) (quadratic's ½ cancels it).
    @inline(__always) static func derivative(_ d: Float) -> Float { d }
    static let cDerivative = "d"
}

enum AbsoluteError: PointwiseRule {
    @inline(__always) static func value(_ d: Float) -> Double { Double(abs(d)) }
    /// sign(d), 0 at 0 (torch's sign).
    @inline(__always) static func derivative(_ d: Float) -> Float { d > 0 ? 1 : (d < 0 ? -1 : 0) }
    static let cDerivative = "(d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : 0.0f))"
}

enum HuberError: PointwiseRule {
    /// delta = 1, torch's default.
    @inline(__always) static func value(_ d: Float) -> Double {
        let m = Double(abs(d))
        return m <= 1 ? 0.5 * m * m : m - 0.5
    }
    @inline(__always) static func derivative(_ d: Float) -> Float { min(max(d, -1), 1) }
    /// Swift's max(d, −1) is `−1 >= d ? −1 : d`, and min(m, 1) is `1 < m ? 1 : m`.
    static let cDerivative = "(1.0f < (-1.0f >= d ? -1.0f : d) ? 1.0f : (-1.0f >= d ? -1.0f : d))"
}

/// Code that depends on a loss's pointwise rule, written once (`Loss.accept` runs it). `scale`
/// gives the gradient's factor from (values, rows), `mean` the loss from (Σh, values, rows).
protocol LossVisitor {
    associatedtype Result
    func visit<Rule: PointwiseRule>(_ rule: Rule.Type, scale: (Int, Int) -> Float, mean: (Double, Int, Int) -> Double) -> Result
    func visitLogits() -> Result
}

private struct IsPointwise: LossVisitor {
    func visit<Rule: PointwiseRule>(_ rule: Rule.Type, scale: (Int, Int) -> Float, mean: (Double, Int, Int) -> Double) -> Bool { true }
    func visitLogits() -> Bool { false }
}

/// A pointwise loss over the rows × cols values (Σ in Double), writing ∂L/∂z = f′ ⊙ scale·h′(a−y):
/// the output activation's derivative fused into the same pass for an elementwise activation (the
/// same roundings as two passes, so the same bits), softmax's row Jacobian after it.
private struct PointwiseLossPass: LossVisitor {
    let a: UnsafePointer<Float>, z: UnsafePointer<Float>, y: UnsafePointer<Float>, gradZ: UnsafeMutablePointer<Float>
    let activation: Activation, rows: Int, cols: Int

    @inline(__always)
    func visit<Rule: PointwiseRule>(_ rule: Rule.Type, scale: (Int, Int) -> Float, mean: (Double, Int, Int) -> Double) -> Double {
        let n = rows * cols
        let sum = activation.accept(ThroughActivation<Rule>(a: a, z: z, y: y, gradZ: gradZ, scale: scale(n, rows), count: n, cols: cols))
        return mean(sum, n, rows)
    }

    func visitLogits() -> Double { fatalError("the logit losses are not pointwise") }
}

/// Σ h(a−y) and ∂L/∂z for one pointwise rule through the output activation.
private struct ThroughActivation<Pointwise: PointwiseRule>: ActivationVisitor {
    let a: UnsafePointer<Float>, z: UnsafePointer<Float>, y: UnsafePointer<Float>, gradZ: UnsafeMutablePointer<Float>
    let scale: Float, count: Int, cols: Int

    @inline(__always)
    func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) -> Double {
        let scale = scale, z = z
        return pointwise { Rule.gradient(scale * Pointwise.derivative($0), z: Rule.readsPreActivation ? z[$2] : 0, a: $1) }
    }

    func visitSoftmax() -> Double {
        let scale = scale
        let sum = pointwise { d, _, _ in scale * Pointwise.derivative(d) }
        Activation.softmax.backward(outputs: a, preActivations: z, gradient: gradZ, rows: count / cols, cols: cols)
        return sum
    }

    /// rule(a − y, a, index) per value.
    @inline(__always)
    private func pointwise(_ rule: (Float, Float, Int) -> Float) -> Double {
        var sum: Double = 0
        for i in 0..<count {
            let d = a[i] - y[i]
            sum += Pointwise.value(d)
            gradZ[i] = rule(d, a[i], i)
        }
        return sum
    }
}

// MARK: - The output gradient in C (the code export's training step)

extension Loss {
    /// ∂L/∂z of the output layer for one row (`evaluate` at rows = 1), as C statements that read
    /// `a`, `z` and `y` (`count` floats each) and write `g`, the same operations in the same order.
    /// The output activation's C derivative is `act_NAME_grad(g, z, a)` (CExport/ adds it) and
    /// softmax's row Jacobian `softmax_backward_row(a, g, count)`.
    func cOutputGradient(activation: Activation, count: Int) -> String {
        switch self {
        case .mse, .quadratic, .l1, .huber:
            return accept(CPointwiseGradient(activation: activation, count: count))
        case .crossEntropy:
            let scale = 1 / Float(1)
            return """
                {
                    float target_mass = 0.0f;
                    for (k = 0; k < \(count); k++) target_mass += y[k];
                    for (k = 0; k < \(count); k++) g[k] = \(cFloat(scale)) * (a[k] * target_mass - y[k]);
                }
                """
        case .binaryCrossEntropy:
            let scale = 1 / Float(count)
            return "for (k = 0; k < \(count); k++) g[k] = \(cFloat(scale)) * (a[k] - y[k]);"
        }
    }
}

private struct CPointwiseGradient: LossVisitor {
    let activation: Activation, count: Int

    func visit<Rule: PointwiseRule>(_ rule: Rule.Type, scale: (Int, Int) -> Float, mean: (Double, Int, Int) -> Double) -> String {
        let scaled = "\(cFloat(scale(count, 1))) * \(Rule.cDerivative)"
        if activation == .softmax {
            return """
                for (k = 0; k < \(count); k++) { float d = a[k] - y[k]; g[k] = \(scaled); }
                softmax_backward_row(a, g, \(count));
                """
        }
        return "for (k = 0; k < \(count); k++) { float d = a[k] - y[k]; g[k] = act_\(activation)_grad(\(scaled), z[k], a[k]); }"
    }

    func visitLogits() -> String { fatalError("the logit losses are not pointwise") }
}
