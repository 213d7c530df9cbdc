#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The function a layer applies to `z = W·a_prev + b`. Raw values equal `plexus_activation`.
///
/// This file owns every activation's formulas, each once: an elementwise activation is an
/// `ElementwiseRule` (its value and its derivative), softmax is the row functions at the end, and
/// `accept` is the one place that maps an activation to its rule. The layered passes, the fused
/// row passes, the losses and the graph all reach the formulas through `accept`, so adding an
/// activation means a case, a rule and a line in `accept` here (and the header and Python's table).
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
    /// f(z) = z·Φ(z) = z/2·(1 + erf(z/√2));  f′ = Φ(z) + z·φ(z)   (exact GELU, torch `GELU()`)
    case gelu = 6
    /// f(z) = z if z>0 else e^z − 1;    f′ = 1 if z>0 else a + 1   (alpha 1, torch `ELU()`)
    case elu = 7
    /// f(z) = z·σ(z);                   f′ = σ(z)(1 + z(1 − σ(z)))   (torch `SiLU()`)
    case silu = 8
    /// f(z) = log(1 + e^z), z above 20: z;  f′ = σ(z), z above 20: 1   (torch `Softplus()`)
    case softplus = 9

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
        case .gelu: return "gelu"
        case .elu: return "elu"
        case .silu: return "silu"
        case .softplus: return "softplus"
        }
    }

    /// How a layer of this activation starts its weights (its rule says; softmax: Glorot).
    public var initialization: WeightInitialization { accept(Initialization()) }

    /// Whether a value's result depends on that value alone (every activation but softmax).
    var isElementwise: Bool { self != .softmax }

    /// Whether the derivative needs the pre-activation z, not only a = f(z): the forward passes
    /// then keep z for this layer.
    var readsPreActivation: Bool { accept(ReadsPreActivation()) }

    /// This activation as ONNX nodes from `input` to `output` (opset 17); none for identity.
    func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph {
        accept(ONNXNodes(input: input, output: output, prefix: prefix))
    }

    /// Calls `visitor` with this activation's rule: `visit(Rule.self)` for an elementwise
    /// activation, `visitSoftmax()` for softmax. The one dispatch from an activation to its
    /// formulas; the visitor's code is specialised for each rule, so it runs as the hand-written
    /// loop for that rule would.
    @inline(__always)
    func accept<Visitor: ActivationVisitor>(_ visitor: Visitor) -> Visitor.Result {
        switch self {
        case .identity: return visitor.visit(IdentityRule.self)
        case .sigmoid: return visitor.visit(SigmoidRule.self)
        case .tanh: return visitor.visit(TanhRule.self)
        case .relu: return visitor.visit(ReluRule.self)
        case .leakyRelu: return visitor.visit(LeakyReluRule.self)
        case .softmax: return visitor.visitSoftmax()
        case .gelu: return visitor.visit(GeluRule.self)
        case .elu: return visitor.visit(EluRule.self)
        case .silu: return visitor.visit(SiluRule.self)
        case .softplus: return visitor.visit(SoftplusRule.self)
        }
    }
}

/// An elementwise activation: a = f(z), and ∂L/∂z from g = ∂L/∂a, the pre-activation z and
/// a = f(z), reading whichever it needs. A rule that reads z says so (`readsPreActivation`):
/// the passes keep z only for the layers whose rule reads it.
protocol ElementwiseRule {
    static func value(_ z: Float) -> Float
    static func gradient(_ g: Float, z: Float, a: Float) -> Float
    static var readsPreActivation: Bool { get }
    /// The same function as ONNX nodes from `input` to `output` (names inside start with `prefix`).
    static func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph
    /// `value` and `gradient` in C for the code export (CExport/): the bodies of
    /// `float f(float z)` and `float f′(float g, float z, float a)`, the same operations in the same
    /// order, so that the generated code computes the same bits. A body may call another rule's
    /// value as `act_NAME(z)` (NAME: the activation's description); the export adds it.
    static var cValue: String { get }
    static var cGradient: String { get }
    /// Whether int8 code applies this activation as a clamp of the requantised sum at the real
    /// value 0 (ReLU, fused as TFLite fuses it) instead of a 256-entry table.
    static var quantizesAsClampAtZero: Bool { get }
    /// How a layer of this activation starts its weights: Glorot for the saturating and smooth
    /// ones, He for the rectifiers (with their slope below 0).
    static var initialization: WeightInitialization { get }
}

extension ElementwiseRule {
    static var readsPreActivation: Bool { false }
    static var quantizesAsClampAtZero: Bool { false }
    static var initialization: WeightInitialization { .glorot }
}

/// Code that depends on a layer's activation, written once: `Activation.accept` runs it with the
/// activation's rule.
protocol ActivationVisitor {
    associatedtype Result
    func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) -> Result
    func visitSoftmax() -> Result
}

// MARK: - The rules
// Written as selects over the value (no branch that LLVM cannot turn into a vector select), the
// form LLVM vectorises; a `for … where` loop or a SIMD `replacing(with:where:)` stayed scalar.

enum IdentityRule: ElementwiseRule {
    static let cValue = "return z;"
    static let cGradient = "return g;"
    /// No node: the layer's product writes the output itself.
    static func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph { ONNXSubgraph() }
    @inline(__always) static func value(_ z: Float) -> Float { z }
    @inline(__always) static func gradient(_ g: Float, z: Float, a: Float) -> Float { g }
}

enum SigmoidRule: ElementwiseRule {
    static let cValue = "if (z >= 0.0f) return 1.0f / (1.0f + expf(-z));\n    { float e = expf(z); return e / (1.0f + e); }"
    static let cGradient = "return g * (a * (1.0f - a));"
    static func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph { .single("Sigmoid", input, output) }
    /// Without overflow: e^−z is only evaluated for z ≥ 0, e^z only for z < 0.
    @inline(__always) static func value(_ z: Float) -> Float {
        if z >= 0 { return 1 / (1 + expf(-z)) }
        let e = expf(z)
        return e / (1 + e)
    }
    @inline(__always) static func gradient(_ g: Float, z: Float, a: Float) -> Float { g * (a * (1 - a)) }
}

enum TanhRule: ElementwiseRule {
    static let cValue = "return tanhf(z);"
    static let cGradient = "return g * (1.0f - a * a);"
    static func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph { .single("Tanh", input, output) }
    @inline(__always) static func value(_ z: Float) -> Float { tanhf(z) }
    @inline(__always) static func gradient(_ g: Float, z: Float, a: Float) -> Float { g * (1 - a * a) }
}

enum ReluRule: ElementwiseRule {
    static var initialization: WeightInitialization { .he(negativeSlope: 0) }
    static let cValue = "return z <= 0.0f ? 0.0f : z;"
    static let cGradient = "return a > 0.0f ? g : 0.0f;"
    static var quantizesAsClampAtZero: Bool { true }
    static func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph { .single("Relu", input, output) }
    /// max(z, 0); NaN passes through, like torch.relu.
    @inline(__always) static func value(_ z: Float) -> Float { z <= 0 ? 0 : z }
    @inline(__always) static func gradient(_ g: Float, z: Float, a: Float) -> Float { a > 0 ? g : 0 }
}

enum LeakyReluRule: ElementwiseRule {
    static var initialization: WeightInitialization { .he(negativeSlope: Double(Activation.leakySlope)) }
    static let cValue = "return z < 0.0f ? z * \(cFloat(Activation.leakySlope)) : z;"
    static let cGradient = "return a > 0.0f ? g : g * \(cFloat(Activation.leakySlope));"
    static func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph {
        .single("LeakyRelu", input, output, floats: [("alpha", Activation.leakySlope)])
    }
    @inline(__always) static func value(_ z: Float) -> Float { z < 0 ? z * Activation.leakySlope : z }
    /// a > 0 exactly when z > 0, since the negative slope is positive.
    @inline(__always) static func gradient(_ g: Float, z: Float, a: Float) -> Float { a > 0 ? g : g * Activation.leakySlope }
}

enum GeluRule: ElementwiseRule {
    static var initialization: WeightInitialization { .he(negativeSlope: 0) }
    static let cValue = "return 0.5f * z * erfcf(-z * \(cFloat(inverseSqrt2)));"
    static let cGradient = """
        float cdf = 0.5f * erfcf(-z * \(cFloat(inverseSqrt2)));
            float density = \(cFloat(inverseSqrt2Pi)) * expf(-0.5f * z * z);
            return g * (cdf + z * density);
        """
    static let inverseSqrt2: Float = 0.70710678118654752
    /// 1/√(2π), the standard normal density at 0.
    static let inverseSqrt2Pi: Float = 0.39894228040143268
    static var readsPreActivation: Bool { true }
    /// Opset 17 has no Gelu (opset 20 does): z · (erf(z/√2) + 1) · 0.5, the same formula.
    static func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph {
        let scale = "\(prefix).inv_sqrt2", one = "\(prefix).one", half = "\(prefix).half"
        return ONNXSubgraph(nodes: [
            .init(op: "Mul", inputs: [input, scale], outputs: ["\(prefix).scaled"]),
            .init(op: "Erf", inputs: ["\(prefix).scaled"], outputs: ["\(prefix).erf"]),
            .init(op: "Add", inputs: ["\(prefix).erf", one], outputs: ["\(prefix).cdf2"]),
            .init(op: "Mul", inputs: [input, "\(prefix).cdf2"], outputs: ["\(prefix).twice"]),
            .init(op: "Mul", inputs: ["\(prefix).twice", half], outputs: [output]),
        ], constants: [(scale, inverseSqrt2), (one, 1), (half, 0.5)])
    }
    /// Φ(z) = erfc(−z/√2)/2: for negative z, 1 + erf(z/√2) would cancel to a few correct bits
    /// (torch's float GELU is off by 5e-7 at z = −3; this is within 1e-7 of the exact value).
    @inline(__always) static func value(_ z: Float) -> Float { 0.5 * z * erfcf(-z * inverseSqrt2) }
    @inline(__always) static func gradient(_ g: Float, z: Float, a: Float) -> Float {
        let cdf = 0.5 * erfcf(-z * inverseSqrt2)
        let density = inverseSqrt2Pi * expf(-0.5 * z * z)
        return g * (cdf + z * density)
    }
}

enum EluRule: ElementwiseRule {
    static var initialization: WeightInitialization { .he(negativeSlope: 0) }
    static let cValue = "return z > 0.0f ? z : expm1f(z);"
    static let cGradient = "return a > 0.0f ? g : g * (a + 1.0f);"
    static func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph {
        .single("Elu", input, output, floats: [("alpha", 1)])
    }
    /// expm1 keeps e^z − 1 exact near 0, as torch's ELU does.
    @inline(__always) static func value(_ z: Float) -> Float { z > 0 ? z : expm1f(z) }
    /// a > 0 exactly when z > 0; below, f′ = e^z = a + 1 (torch's backward from the result).
    @inline(__always) static func gradient(_ g: Float, z: Float, a: Float) -> Float { a > 0 ? g : g * (a + 1) }
}

enum SiluRule: ElementwiseRule {
    static var initialization: WeightInitialization { .he(negativeSlope: 0) }
    static let cValue = "return z * act_sigmoid(z);"
    static let cGradient = "float s = act_sigmoid(z);\n    return g * (s * (1.0f + z * (1.0f - s)));"
    static var readsPreActivation: Bool { true }
    static func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph {
        ONNXSubgraph(nodes: [
            .init(op: "Sigmoid", inputs: [input], outputs: ["\(prefix).sigmoid"]),
            .init(op: "Mul", inputs: [input, "\(prefix).sigmoid"], outputs: [output]),
        ])
    }
    @inline(__always) static func value(_ z: Float) -> Float { z * SigmoidRule.value(z) }
    @inline(__always) static func gradient(_ g: Float, z: Float, a: Float) -> Float {
        let s = SigmoidRule.value(z)
        return g * (s * (1 + z * (1 - s)))
    }
}

enum SoftplusRule: ElementwiseRule {
    static let cValue = "return z > \(cFloat(threshold)) ? z : log1pf(expf(z));"
    static let cGradient = "return z > \(cFloat(threshold)) ? g : g * act_sigmoid(z);"
    /// Above this z, log(1 + e^z) equals z in float32 and torch returns z itself.
    static let threshold: Float = 20
    static var readsPreActivation: Bool { true }
    /// ONNX's Softplus has no threshold; above 20 the two differ by under e^−20, below float32's
    /// rounding of z.
    static func onnx(input: String, output: String, prefix: String) -> ONNXSubgraph { .single("Softplus", input, output) }
    @inline(__always) static func value(_ z: Float) -> Float { z > threshold ? z : log1pf(expf(z)) }
    @inline(__always) static func gradient(_ g: Float, z: Float, a: Float) -> Float {
        z > threshold ? g : g * SigmoidRule.value(z)
    }
}

/// The logistic function (`SigmoidRule.value`), for the loss that works from logits.
@inline(__always)
func stableSigmoid(_ z: Float) -> Float { SigmoidRule.value(z) }

// MARK: - Forward and backward over a block
// Shapes: z, a, g: [rows][cols] row-major; rows = batch, cols = layer width; or, for a tile of a
// product cut into column tiles (DenseKernels.swift), columns first ..< first+count of each row
// of a [rows][stride] block. Elementwise rules give the same values however the rows are cut;
// softmax needs whole rows, so a caller with tiles applies it once every tile is done.

extension Activation {
    /// a = f(z), in place over `rows × cols` values.
    func forward(_ values: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        accept(BlockForward(values: values, rows: rows, cols: cols))
    }

    /// g ← g ⊙ f′(z) (softmax: g ← Jᵀg per row), in place, using the kept outputs `a = f(z)` and,
    /// for a rule that reads it, the kept pre-activations `z` (nil otherwise). On entry `g` holds
    /// ∂L/∂a; on return it holds ∂L/∂z.
    func backward(outputs a: UnsafePointer<Float>, preActivations z: UnsafePointer<Float>?,
                  gradient g: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        accept(BlockBackward(a: a, z: z, g: g, rows: rows, cols: cols))
    }

    /// `forward` over columns `first ..< first + count` of each row of a [rows][stride] block.
    func forward(_ values: UnsafeMutablePointer<Float>, rows: Int, first: Int, count: Int, stride: Int) {
        if count == stride { return forward(values, rows: rows, cols: count) }
        for r in 0..<rows { forward(values + r * stride + first, rows: 1, cols: count) }
    }

    /// `backward` over columns `first ..< first + count` of each row of [rows][stride] blocks.
    func backward(outputs a: UnsafePointer<Float>, preActivations z: UnsafePointer<Float>?,
                  gradient g: UnsafeMutablePointer<Float>, rows: Int, first: Int, count: Int, stride: Int) {
        if count == stride { return backward(outputs: a, preActivations: z, gradient: g, rows: rows, cols: count) }
        for r in 0..<rows {
            backward(outputs: a + r * stride + first, preActivations: z.map { $0 + r * stride + first },
                     gradient: g + r * stride + first, rows: 1, cols: count)
        }
    }
}

private struct BlockForward: ActivationVisitor {
    let values: UnsafeMutablePointer<Float>, rows: Int, cols: Int

    func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) {
        if Rule.self == IdentityRule.self { return }
        let values = values
        for i in 0..<(rows * cols) { values[i] = Rule.value(values[i]) }
    }

    func visitSoftmax() {
        for r in 0..<rows { softmaxRow(values + r * cols, count: cols) }
    }
}

private struct BlockBackward: ActivationVisitor {
    let a: UnsafePointer<Float>, z: UnsafePointer<Float>?, g: UnsafeMutablePointer<Float>, rows: Int, cols: Int

    func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) {
        if Rule.self == IdentityRule.self { return }
        let a = a, g = g
        if Rule.readsPreActivation, let z {
            for i in 0..<(rows * cols) { g[i] = Rule.gradient(g[i], z: z[i], a: a[i]) }
        } else {
            for i in 0..<(rows * cols) { g[i] = Rule.gradient(g[i], z: 0, a: a[i]) }
        }
    }

    func visitSoftmax() {
        for r in 0..<rows { softmaxBackwardRow(a + r * cols, g + r * cols, count: cols) }
    }
}

private struct ONNXNodes: ActivationVisitor {
    let input: String, output: String, prefix: String
    func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) -> ONNXSubgraph { Rule.onnx(input: input, output: output, prefix: prefix) }
    func visitSoftmax() -> ONNXSubgraph { .single("Softmax", input, output, ints: [("axis", -1)]) }
}

private struct ReadsPreActivation: ActivationVisitor {
    func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) -> Bool { Rule.readsPreActivation }
    func visitSoftmax() -> Bool { false }
}

private struct Initialization: ActivationVisitor {
    func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) -> WeightInitialization { Rule.initialization }
    func visitSoftmax() -> WeightInitialization { .glorot }
}

// MARK: - Softmax, by rows

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

/// g ← Jᵀg for one softmax row: g_k = a_k (g_k − Σ_j g_j a_j).
@inline(__always)
func softmaxBackwardRow(_ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, count: Int) {
    var dot: Float = 0
    for k in 0..<count { dot += g[k] * a[k] }
    for k in 0..<count { g[k] = a[k] * (g[k] - dot) }
}

/// log Σ_k e^{z_k} of one row, in double, shifted by the row maximum: the cross-entropy of
/// softmax outputs (Loss.swift) and its gradient with respect to the targets (Graph) use it.
@inline(__always)
func logSumExp(_ row: UnsafePointer<Float>, count: Int) -> Double {
    var maximum = row[0]
    for k in 1..<max(count, 1) where row[k] > maximum { maximum = row[k] }
    var total: Double = 0
    for k in 0..<count { total += Double(expf(row[k] - maximum)) }
    return Double(maximum) + log(total)
}

/// `softmaxRow` and `softmaxBackwardRow` in C (the code export), the same operations in the same
/// order; `expf` is the C library's, as in Swift.
let cSoftmaxRows = """
    static void softmax_row(float *row, size_t count)
    {
        float maximum = row[0], sum = 0.0f, inverse;
        size_t k;
        for (k = 1; k < count; k++) if (row[k] > maximum) maximum = row[k];
        for (k = 0; k < count; k++) { float e = expf(row[k] - maximum); row[k] = e; sum += e; }
        inverse = 1.0f / sum;
        for (k = 0; k < count; k++) row[k] *= inverse;
    }
    """

let cSoftmaxBackwardRow = """
    static void softmax_backward_row(const float *a, float *g, size_t count)
    {
        float dot = 0.0f;
        size_t k;
        for (k = 0; k < count; k++) dot += g[k] * a[k];
        for (k = 0; k < count; k++) g[k] = a[k] * (g[k] - dot);
    }
    """

extension Activation {
    /// This activation's C functions `static float act_NAME(float z)` and
    /// `static float act_NAME_grad(float g, float z, float a)`; nil for softmax (its row
    /// functions are above).
    var cFunctions: (value: String, gradient: String)? { accept(CFunctions(name: description)) }

    /// Whether int8 code applies this elementwise activation as a clamp at 0 rather than a table.
    var quantizesAsClampAtZero: Bool { accept(QuantizesAsClamp()) }
}

private struct CFunctions: ActivationVisitor {
    let name: String
    func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) -> (value: String, gradient: String)? {
        ("static float act_\(name)(float z)\n{\n    \(Rule.cValue)\n}\n",
         "static float act_\(name)_grad(float g, float z, float a)\n{\n    (void)z; (void)a;\n    \(Rule.cGradient)\n}\n")
    }
    func visitSoftmax() -> (value: String, gradient: String)? { nil }
}

private struct QuantizesAsClamp: ActivationVisitor {
    func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) -> Bool { Rule.quantizesAsClampAtZero }
    func visitSoftmax() -> Bool { false }
}
