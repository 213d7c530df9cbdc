/// Resilient backpropagation, exactly `torch.optim.Rprop` (iRPROP−): each parameter keeps its
/// own step size, which grows by η+ while its gradient keeps its sign and shrinks by η− when the
/// sign flips, clamped to [step_min, step_max]; θ −= sign(g)·step, and after a flip the gradient
/// is taken as 0 (no move, and no flip seen next time). Only the gradient's sign is used, so the
/// rule is meant for full-batch training (FANN's default). The learning rate is the first step
/// size. Weight decay λ, which torch's Rprop lacks, is coupled as for SGD: g += λ·θ first.
struct Rprop: OptimizerRule {
    static let kind = Optimizer.Kind.rprop
    var stored: Optimizer.Stored { .rprop(self) }
    static let name = "rprop"
    static var hyperparameters: [(name: String, value: WritableKeyPath<Rprop, Float>)] {
        [("learning_rate", \.learningRate), ("eta_minus", \.etaMinus), ("eta_plus", \.etaPlus),
         ("step_min", \.stepMin), ("step_max", \.stepMax)]
    }
    /// torch's names: the previous gradient (0 after a flip) and each parameter's step size.
    static let stateTensors = [StateTensor(name: "prev", existsAfterEveryStep: true),
                               StateTensor(name: "step_size", existsAfterEveryStep: true, nonNegative: true)]
    static let couplesWeightDecay = true

    var learningRate: Float = 0.01
    var etaMinus: Float = 0.5
    var etaPlus: Float = 1.2
    var stepMin: Float = 1e-6
    var stepMax: Float = 50
    var weightDecay: Float = 0

    func validate() throws(PlexusError) {
        try require(etaMinus > 0 && etaMinus < 1 && etaPlus > 1 && etaPlus.isFinite,
                    "etas are (\(etaMinus), \(etaPlus)); pass 0 < eta_minus < 1 < eta_plus, such as (0.5, 1.2)")
        try require(stepMin > 0 && stepMin <= stepMax && stepMax.isFinite,
                    "step sizes are (\(stepMin), \(stepMax)); pass 0 < step_min <= step_max, such as (1e-6, 50)")
    }

    func update<Gradient: GradientSource>(_ update: ParameterUpdate<Gradient>, state: inout OptimizerState) throws(PlexusError) {
        let fresh = state[1] == nil
        let previous = try state.buffer(0, count: update.count, "Rprop's previous gradients")
        let steps = try state.buffer(1, count: update.count, "Rprop's step sizes")
        let pass = RpropPass(update: update, previous: previous.pointer, steps: steps.pointer, first: fresh ? learningRate : nil,
                             etaMinus: etaMinus, etaPlus: etaPlus, stepMin: stepMin, stepMax: stepMax)
        if try update.run(pass) {
            state.keep(previous, as: 0)
            state.keep(steps, as: 1)
        }
    }

    private struct RpropPass<Gradient: GradientSource>: UpdateRule {
        let update: ParameterUpdate<Gradient>
        let previous: UnsafeMutablePointer<Float>, steps: UnsafeMutablePointer<Float>
        /// The learning rate on the first step (every step size starts there), else nil.
        let first: Float?
        let etaMinus: Float, etaPlus: Float, stepMin: Float, stepMax: Float

        @inline(__always) func next(_ i: Int, _ c: Int) -> (g: Lanes, s: Lanes, p: Lanes) {
            let g = update.g(i, c)
            let product = g * previous.lanes(i, c)                       // sign = grad.mul(prev).sign()
            var factor = Lanes(repeating: 1)                             // sign[sign.eq(0)] = 1
            factor.replace(with: etaPlus, where: product .> 0)           // sign[sign.gt(0)] = etaplus
            factor.replace(with: etaMinus, where: product .< 0)          // sign[sign.lt(0)] = etaminus
            let old = first.map { Lanes(repeating: $0) } ?? steps.lanes(i, c)
            let step = (old * factor).clamped(lowerBound: Lanes(repeating: stepMin),   // step_size.mul_(sign)
                                              upperBound: Lanes(repeating: stepMax))   //   .clamp_(min, max)
            var kept = g
            kept.replace(with: 0, where: product .< 0)                   // grad[sign.eq(etaminus)] = 0
            var sign = Lanes(repeating: 0)
            sign.replace(with: 1, where: kept .> 0)
            sign.replace(with: -1, where: kept .< 0)
            return (kept, step, update.params.lanes(i, c) - sign * step) // param.addcmul_(grad.sign(), step_size, value=-1)
        }

        /// A NaN gradient has no sign, so the parameter would not move: the kept gradient (the
        /// next step's `prev`) carries it to the check.
        @inline(__always) func finiteness(_ u: (g: Lanes, s: Lanes, p: Lanes)) -> Lanes {
            Plexus.finiteness(u.g) + Plexus.finiteness(u.s) + Plexus.finiteness(u.p)
        }

        @inline(__always) func write(_ u: (g: Lanes, s: Lanes, p: Lanes), _ i: Int, _ c: Int) {
            previous.setLanes(u.g, i, c)                                 // prev.copy_(grad)
            steps.setLanes(u.s, i, c)
            update.params.setLanes(u.p, i, c)
        }
    }
}

extension Optimizer {
    /// `torch.optim.Rprop` (iRPROP−): the first step size `learningRate`, the factors
    /// (η−, η+) and the step-size bounds; PyTorch's defaults. For full-batch training.
    public static func rprop(learningRate: Float = 0.01, etas: (minus: Float, plus: Float) = (0.5, 1.2),
                             stepSizes: (min: Float, max: Float) = (1e-6, 50), weightDecay: Float = 0) -> Optimizer {
        Optimizer(Rprop(learningRate: learningRate, etaMinus: etas.minus, etaPlus: etas.plus, stepMin: stepSizes.min,
                        stepMax: stepSizes.max, weightDecay: weightDecay))
    }
}
