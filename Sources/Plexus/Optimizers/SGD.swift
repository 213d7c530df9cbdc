/// Gradient descent, exactly `torch.optim.SGD` (dampening 0, no Nesterov): θ −= lr·g; with
/// momentum μ > 0 the buffer starts as the first gradient, then b = μ·b + g and θ −= lr·b.
/// Weight decay λ is coupled: g += λ·θ first.
struct SGD: OptimizerRule {
    static let kind = Optimizer.Kind.sgd
    var stored: Optimizer.Stored { .sgd(self) }
    static let name = "sgd"
    static var hyperparameters: [(name: String, value: WritableKeyPath<SGD, Float>)] {
        [("learning_rate", \.learningRate), ("momentum", \.momentum)]
    }
    static let stateTensors = [StateTensor(name: "momentum_buffer", existsAfterEveryStep: false)]
    static let couplesWeightDecay = true

    var learningRate: Float = 0.01
    var momentum: Float = 0
    var weightDecay: Float = 0

    func validate() throws(PlexusError) {
        try require(momentum.isFinite && momentum >= 0 && momentum < 1,
                    "momentum is \(momentum); pass a value in [0, 1), such as 0.9, or 0 for none")
    }

    func update<Gradient: GradientSource>(_ update: ParameterUpdate<Gradient>, state: inout OptimizerState) throws(PlexusError) {
        if momentum == 0 {
            _ = try update.run(PlainPass(update: update, rate: -learningRate))
            return
        }
        // A buffer that does not exist yet starts as the gradient itself (torch's first step).
        let buffer = try state.buffer(0, count: update.count, "the momentum buffer")
        let pass = MomentumPass(update: update, buffer: buffer.pointer, momentum: momentum, rate: -learningRate,
                                fresh: state[0] == nil)
        if try update.run(pass) { state.keep(buffer, as: 0) }
    }

    /// θ −= lr·g   (torch: param.add_(grad, alpha=-lr)); a non-finite g gives a non-finite θ.
    private struct PlainPass<Gradient: GradientSource>: UpdateRule {
        let update: ParameterUpdate<Gradient>
        /// −lr
        let rate: Float

        @inline(__always) func next(_ i: Int, _ c: Int) -> Lanes { update.params.lanes(i, c) + rate * update.g(i, c) }
        @inline(__always) func finiteness(_ p: Lanes) -> Lanes { Plexus.finiteness(p) }
        @inline(__always) func write(_ p: Lanes, _ i: Int, _ c: Int) { update.params.setLanes(p, i, c) }
    }

    /// b = g on the first step (`fresh`), then b = μ·b + g;  θ −= lr·b.
    private struct MomentumPass<Gradient: GradientSource>: UpdateRule {
        let update: ParameterUpdate<Gradient>
        let buffer: UnsafeMutablePointer<Float>
        let momentum: Float
        /// −lr
        let rate: Float
        let fresh: Bool

        @inline(__always) func next(_ i: Int, _ c: Int) -> (b: Lanes, p: Lanes) {
            let g = update.g(i, c)
            let nb = fresh ? g : momentum * buffer.lanes(i, c) + g
            return (nb, update.params.lanes(i, c) + rate * nb)
        }

        @inline(__always) func finiteness(_ u: (b: Lanes, p: Lanes)) -> Lanes { Plexus.finiteness(u.b) + Plexus.finiteness(u.p) }

        @inline(__always) func write(_ u: (b: Lanes, p: Lanes), _ i: Int, _ c: Int) {
            buffer.setLanes(u.b, i, c)
            update.params.setLanes(u.p, i, c)
        }
    }
}

extension Optimizer {
    /// Gradient descent (`torch.optim.SGD`): learning rate, momentum (0: none), coupled weight decay.
    public static func sgd(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) -> Optimizer {
        Optimizer(SGD(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay))
    }
}
