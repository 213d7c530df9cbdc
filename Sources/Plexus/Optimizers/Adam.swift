#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `torch.optim.Adam` with bias correction, no AMSGrad; weight decay λ coupled: g += λ·θ first.
struct Adam: OptimizerRule {
    static let kind = Optimizer.Kind.adam
    var stored: Optimizer.Stored { .adam(self) }
    static let name = "adam"
    static var hyperparameters: [(name: String, value: WritableKeyPath<Adam, Float>)] { adamHyperparameters() }
    static let stateTensors = adamStateTensors
    static let couplesWeightDecay = true

    var learningRate: Float = 1e-3
    var beta1: Float = 0.9
    var beta2: Float = 0.999
    var epsilon: Float = 1e-8
    var weightDecay: Float = 0

    func validate() throws(PlexusError) { try validateAdam(beta1, beta2, epsilon) }

    func update<Gradient: GradientSource>(_ update: ParameterUpdate<Gradient>, state: inout OptimizerState) throws(PlexusError) {
        try adamUpdate(update, &state, learningRate, beta1, beta2, epsilon, shrink: 1)
    }
}

/// `torch.optim.AdamW`: decoupled weight decay, θ *= 1 − lr·λ, then the Adam update (its
/// gradient has no λ·θ).
struct AdamW: OptimizerRule {
    static let kind = Optimizer.Kind.adamw
    var stored: Optimizer.Stored { .adamw(self) }
    static let name = "adamw"
    static var hyperparameters: [(name: String, value: WritableKeyPath<AdamW, Float>)] { adamHyperparameters() }
    static let stateTensors = adamStateTensors
    static let couplesWeightDecay = false

    var learningRate: Float = 1e-3
    var beta1: Float = 0.9
    var beta2: Float = 0.999
    var epsilon: Float = 1e-8
    var weightDecay: Float = 1e-2

    func validate() throws(PlexusError) { try validateAdam(beta1, beta2, epsilon) }

    func update<Gradient: GradientSource>(_ update: ParameterUpdate<Gradient>, state: inout OptimizerState) throws(PlexusError) {
        // 1 − lr·λ in double, as torch's Python scalars.
        let shrink = Float(1 - Double(learningRate) * Double(weightDecay))
        try adamUpdate(update, &state, learningRate, beta1, beta2, epsilon, shrink: shrink)
    }
}

extension Optimizer {
    /// `torch.optim.Adam`: bias-corrected, no AMSGrad, coupled weight decay.
    public static func adam(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                            weightDecay: Float = 0) -> Optimizer {
        Optimizer(Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay))
    }

    /// `torch.optim.AdamW`: decoupled weight decay, θ *= 1 − lr·λ, then the Adam update.
    public static func adamw(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                             weightDecay: Float = 1e-2) -> Optimizer {
        Optimizer(AdamW(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay))
    }
}

// MARK: - What Adam and AdamW share

/// The hyperparameters of Adam and AdamW and their names in model files.
private protocol AdamFamily: OptimizerRule {
    var beta1: Float { get set }
    var beta2: Float { get set }
    var epsilon: Float { get set }
}

extension Adam: AdamFamily {}
extension AdamW: AdamFamily {}

private func adamHyperparameters<Rule: AdamFamily>() -> [(name: String, value: WritableKeyPath<Rule, Float>)] {
    [("learning_rate", \.learningRate), ("beta1", \.beta1), ("beta2", \.beta2), ("epsilon", \.epsilon)]
}

/// torch's names: the first and the second moment; both exist exactly when a step has run.
private let adamStateTensors = [StateTensor(name: "exp_avg", existsAfterEveryStep: true),
                                StateTensor(name: "exp_avg_sq", existsAfterEveryStep: true, nonNegative: true)]

private func validateAdam(_ beta1: Float, _ beta2: Float, _ epsilon: Float) throws(PlexusError) {
    try require(beta1.isFinite && beta1 >= 0 && beta1 < 1, "beta1 is \(beta1); pass a value in [0, 1), such as 0.9")
    try require(beta2.isFinite && beta2 >= 0 && beta2 < 1, "beta2 is \(beta2); pass a value in [0, 1), such as 0.999")
    try require(epsilon.isFinite && epsilon > 0, "epsilon is \(epsilon); pass a finite value > 0, such as 1e-8")
}

/// One Adam step; `shrink` is AdamW's 1 − lr·λ (1 for Adam, which leaves θ as it is).
private func adamUpdate<Gradient: GradientSource>(_ update: ParameterUpdate<Gradient>, _ state: inout OptimizerState, _ lr: Float, _ beta1: Float,
                        _ beta2: Float, _ epsilon: Float, shrink: Float) throws(PlexusError) {
    let m = try state.buffer(0, count: update.count, "Adam's first moments")
    let v = try state.buffer(1, count: update.count, "Adam's second moments")
    // Scalars as torch computes them: in double, then applied to float32 tensors.
    let t = Double(state.steps + 1)
    let correction1 = 1 - pow(Double(beta1), t)
    let correction2 = 1 - pow(Double(beta2), t)
    let weight1 = Float(1 - Double(beta1))
    let pass = AdamPass(update: update, m: m.pointer, v: v.pointer, beta2: beta2, epsilon: epsilon,
                        stepSize: Float(Double(lr) / correction1), correction2Root: Float(correction2.squareRoot()),
                        weight1: weight1, weight2: Float(1 - Double(beta2)), smallWeight: weight1 < 0.5, shrink: shrink)
    if try update.run(pass) {
        state.keep(m, as: 0)
        state.keep(v, as: 1)
    }
}

/// m.lerp_(g, 1−β1) (torch's two-branch form); v = β2·v + (1−β2)·g²;
/// θ −= step · m / (√v / √(1−β2ᵗ) + ε),  step = lr / (1−β1ᵗ); AdamW first shrinks θ.
private struct AdamPass<Gradient: GradientSource>: UpdateRule {
    let update: ParameterUpdate<Gradient>
    let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    let beta2: Float, epsilon: Float, stepSize: Float, correction2Root: Float
    let weight1: Float, weight2: Float, smallWeight: Bool, shrink: Float

    @inline(__always) func next(_ i: Int, _ c: Int) -> (m: Lanes, v: Lanes, p: Lanes) {
        let g = update.g(i, c), mi = m.lanes(i, c)
        let nm = lerp(mi, g, weight1, small: smallWeight)
        let nv = v.lanes(i, c) * beta2 + weight2 * g * g           // v.mul_(β2).addcmul_(g, g, 1−β2)
        let denominator = nv.squareRoot() / correction2Root + epsilon
        let params = update.params.lanes(i, c)
        let p = shrink == 1 ? params : params * shrink              // AdamW: θ.mul_(1 − lr·λ)
        return (nm, nv, p + (-stepSize) * (nm / denominator))       // θ.addcdiv_(m, denom, −step)
    }

    @inline(__always) func finiteness(_ u: (m: Lanes, v: Lanes, p: Lanes)) -> Lanes {
        Plexus.finiteness(u.m) + Plexus.finiteness(u.v) + Plexus.finiteness(u.p)
    }

    @inline(__always) func write(_ u: (m: Lanes, v: Lanes, p: Lanes), _ i: Int, _ c: Int) {
        m.setLanes(u.m, i, c)
        v.setLanes(u.v, i, c)
        update.params.setLanes(u.p, i, c)
    }
}
