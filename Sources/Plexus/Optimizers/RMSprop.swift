/// `torch.optim.RMSprop`: s = α·s + (1−α)·g²; centered, also ḡ = lerp(ḡ, g, 1−α) and
/// s − ḡ² in place of s; d = √(…) + ε; with momentum μ > 0, b = μ·b + g/d and θ −= lr·b,
/// else θ −= lr·g/d. Weight decay λ is coupled: g += λ·θ first. Every buffer starts at zero.
struct RMSprop: OptimizerRule {
    static let kind = Optimizer.Kind.rmsprop
    var stored: Optimizer.Stored { .rmsprop(self) }
    static let name = "rmsprop"
    static var hyperparameters: [(name: String, value: WritableKeyPath<RMSprop, Float>)] {
        [("learning_rate", \.learningRate), ("alpha", \.alpha), ("epsilon", \.epsilon), ("momentum", \.momentum),
         ("centered", \.centeredFlag)]
    }
    static var flags: Set<String> { ["centered"] }
    /// torch's names. The square average exists exactly when a step has run; the momentum
    /// buffer and the gradient average only when a step ran with momentum or centered.
    static let stateTensors = [StateTensor(name: "square_avg", existsAfterEveryStep: true, nonNegative: true),
                               StateTensor(name: "momentum_buffer", existsAfterEveryStep: false),
                               StateTensor(name: "grad_avg", existsAfterEveryStep: false)]
    static let couplesWeightDecay = true

    var learningRate: Float = 1e-2
    var alpha: Float = 0.99
    var epsilon: Float = 1e-8
    var momentum: Float = 0
    var centered = false
    var weightDecay: Float = 0

    /// `centered` as a hyperparameter value: 1 or 0 (a file or a C caller may give another
    /// number, which `validate` refuses).
    var centeredValue: Float?
    var centeredFlag: Float {
        get { centeredValue ?? (centered ? 1 : 0) }
        set {
            centered = newValue != 0
            centeredValue = newValue == 0 || newValue == 1 ? nil : newValue
        }
    }

    func validate() throws(PlexusError) {
        try require(alpha.isFinite && alpha >= 0 && alpha < 1, "alpha is \(alpha); pass a value in [0, 1), such as 0.99")
        try require(epsilon.isFinite && epsilon > 0, "epsilon is \(epsilon); pass a finite value > 0, such as 1e-8")
        try require(momentum.isFinite && momentum >= 0 && momentum < 1,
                    "momentum is \(momentum); pass a value in [0, 1), such as 0.9, or 0 for none")
        try require(centeredValue == nil, "centered is \(centeredFlag); pass 1 (true) or 0 (false)")
    }

    func update<Gradient: GradientSource>(_ update: ParameterUpdate<Gradient>, state: inout OptimizerState) throws(PlexusError) {
        let squares = try state.buffer(0, count: update.count, "RMSprop's square averages")
        let buffer = momentum > 0 ? try state.buffer(1, count: update.count, "the momentum buffer") : nil
        let average = centered ? try state.buffer(2, count: update.count, "RMSprop's gradient averages") : nil
        // 1 − α in double, as torch's Python scalar, then float32 as the tensors are.
        let weight = Float(1 - Double(alpha))
        let pass = RMSpropPass(update: update, squares: squares.pointer, buffer: buffer?.pointer, average: average?.pointer,
                               alpha: alpha, weight: weight, smallWeight: weight < 0.5, epsilon: epsilon,
                               momentum: momentum, rate: -learningRate)
        if try update.run(pass) {
            state.keep(squares, as: 0)
            if let buffer { state.keep(buffer, as: 1) }
            if let average { state.keep(average, as: 2) }
        }
    }

    private struct RMSpropPass<Gradient: GradientSource>: UpdateRule {
        let update: ParameterUpdate<Gradient>
        let squares: UnsafeMutablePointer<Float>
        /// nil without momentum, without centering.
        let buffer: UnsafeMutablePointer<Float>?, average: UnsafeMutablePointer<Float>?
        let alpha: Float, weight: Float, smallWeight: Bool, epsilon: Float, momentum: Float
        /// −lr
        let rate: Float

        @inline(__always) func next(_ i: Int, _ c: Int) -> (s: Lanes, b: Lanes, a: Lanes, p: Lanes) {
            let g = update.g(i, c)
            let s = squares.lanes(i, c) * alpha + weight * g * g        // s.mul_(α).addcmul_(g, g, 1−α)
            var a = Lanes(), d: Lanes
            if let average {
                a = lerp(average.lanes(i, c), g, weight, small: smallWeight)   // ḡ.lerp_(g, 1−α)
                d = (s + (-1) * a * a).squareRoot() + epsilon             // s.addcmul(ḡ, ḡ, −1).sqrt_().add_(ε)
            } else {
                d = s.squareRoot() + epsilon
            }
            let params = update.params.lanes(i, c)
            if let buffer {
                let b = buffer.lanes(i, c) * momentum + g / d               // b.mul_(μ).addcdiv_(g, d)
                return (s, b, a, params + rate * b)                       // θ.add_(b, alpha=−lr)
            }
            return (s, Lanes(), a, params + rate * (g / d))               // θ.addcdiv_(g, d, value=−lr)
        }

        @inline(__always) func finiteness(_ u: (s: Lanes, b: Lanes, a: Lanes, p: Lanes)) -> Lanes {
            Plexus.finiteness(u.s) + Plexus.finiteness(u.b) + Plexus.finiteness(u.a) + Plexus.finiteness(u.p)
        }

        @inline(__always) func write(_ u: (s: Lanes, b: Lanes, a: Lanes, p: Lanes), _ i: Int, _ c: Int) {
            squares.setLanes(u.s, i, c)
            buffer?.setLanes(u.b, i, c)
            average?.setLanes(u.a, i, c)
            update.params.setLanes(u.p, i, c)
        }
    }
}

extension Optimizer {
    /// `torch.optim.RMSprop`: learning rate, smoothing α, ε, momentum (0: none), centered, and
    /// coupled weight decay; PyTorch's defaults.
    public static func rmsprop(learningRate: Float = 1e-2, alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0,
                               centered: Bool = false, weightDecay: Float = 0) -> Optimizer {
        Optimizer(RMSprop(learningRate: learningRate, alpha: alpha, epsilon: epsilon, momentum: momentum, centered: centered,
                          weightDecay: weightDecay))
    }
}
