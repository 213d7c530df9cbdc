/// How `step()` turns accumulated gradients into a parameter update. Each optimizer follows
/// `torch.optim` exactly, weight decay included, and lives whole in its own file under
/// `Optimizers/` (an `OptimizerRule`): its hyperparameters with their defaults, checks and names
/// in model files, the state it keeps, and its update rule. This type is what they share.
///
/// Make one with `.sgd(…)`, `.adam(…)`, `.adamw(…)`, `.rmsprop(…)` or `.rprop(…)`.
public struct Optimizer: Equatable, Sendable, CustomStringConvertible {
    let stored: Stored

    init(_ rule: any OptimizerRule) { stored = rule.stored }

    private init(stored: Stored) { self.stored = stored }

    /// The optimizer of `kind` with PyTorch's defaults (SGD's learning rate, which torch leaves to
    /// the caller, 0.01).
    public init(kind: Kind) { self.init(kind.rule.init()) }

    /// The optimizer of `kind` with each hyperparameter that `values` names (the names of
    /// `hyperparameters`, and "weight_decay"), the defaults for the rest; names of other kinds
    /// are ignored. (The C API's `plexus_optimizer_options`.)
    /// - Throws: `.argument` naming the first value outside its range.
    public init(kind: Kind, values: [String: Float]) throws(PlexusError) {
        self.init(try kind.rule.reading { (name) throws(PlexusError) in values[name] })
        try validate()
    }

    // MARK: The list of the optimizers

    /// The optimizer kinds; raw values equal `plexus_optimizer`.
    public enum Kind: Int32, CaseIterable, Sendable, CustomStringConvertible {
        case sgd = 0, adam = 1, adamw = 2, rmsprop = 3, rprop = 4

        /// The type that defines this kind.
        var rule: any OptimizerRule.Type {
            switch self {
            case .sgd: return SGD.self
            case .adam: return Adam.self
            case .adamw: return AdamW.self
            case .rmsprop: return RMSprop.self
            case .rprop: return Rprop.self
            }
        }

        /// The name in model files and Python ("adamw").
        public var description: String { rule.name }
    }

    /// The rule, stored by value: `accept` hands it to code as its own type, so that a step or a
    /// schedule's rate change reaches it through one switch. Behind an existential a tiny
    /// network's SGD step cost twice its time (copies through value witnesses, a dynamic call),
    /// and RMSprop's fields, too large for an existential's inline buffer, a heap box per read.
    enum Stored: Equatable, Sendable {
        case sgd(SGD), adam(Adam), adamw(AdamW), rmsprop(RMSprop), rprop(Rprop)

        /// Calls `visitor` with the rule: the one dispatch from an optimizer to its code.
        @inline(__always)
        func accept<Visitor: OptimizerVisitor>(_ visitor: Visitor) -> Visitor.Result {
            switch self {
            case let .sgd(rule): return visitor.visit(rule)
            case let .adam(rule): return visitor.visit(rule)
            case let .adamw(rule): return visitor.visit(rule)
            case let .rmsprop(rule): return visitor.visit(rule)
            case let .rprop(rule): return visitor.visit(rule)
            }
        }
    }

    /// The rule as an existential, for what runs once per call (checks, descriptions, files).
    var rule: any OptimizerRule { stored.accept(Existential()) }

    /// `OptimizerRule.apply` of this optimizer's rule (`OptimizerState.apply`, every step).
    @inline(__always)
    func apply(params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>, count: Int, gradScale: Float,
               penalty: UnsafePointer<Float>?, commit: Bool, clearingGrads: Bool,
               state: inout OptimizerState) throws(PlexusError) {
        let failure = withUnsafeMutablePointer(to: &state) { state in
            stored.accept(Apply(params: params, grads: grads, count: count, gradScale: gradScale, penalty: penalty,
                                commit: commit, clearingGrads: clearingGrads, state: state))
        }
        if let failure { throw failure }
    }

    // MARK: What every optimizer answers

    /// SGD with learning rate 0.01 and no momentum: what a new network uses.
    public static let standard = Optimizer.sgd(learningRate: 0.01, momentum: 0)

    public var kind: Kind { stored.accept(KindOf()) }
    public var learningRate: Float { stored.accept(LearningRate()) }
    public var weightDecay: Float { stored.accept(WeightDecay()) }

    /// The hyperparameters but the weight decay, learning rate first, in `plexus_get_optimizer`'s
    /// order; each named as in model files (`plexus.NAME`). A flag is 1 (on) or 0 (off).
    public var hyperparameters: [(name: String, value: Float)] { rule.hyperparameterValues }

    /// The same optimizer with another learning rate (what a schedule changes).
    public func with(learningRate: Float) -> Optimizer {
        Optimizer(stored: stored.accept(Changed(value: learningRate, field: .learningRate)))
    }

    /// The same optimizer with another weight decay.
    public func with(weightDecay: Float) -> Optimizer {
        Optimizer(stored: stored.accept(Changed(value: weightDecay, field: .weightDecay)))
    }

    /// "adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-08, weight_decay: 0.0)"
    public var description: String {
        let flags = type(of: rule).flags
        let values = rule.hyperparameterValues.map { h in
            "\(rule.shortName(h.name)): " + (flags.contains(h.name) ? "\(h.value != 0)" : "\(h.value)")
        } + ["weight_decay: \(weightDecay)"]
        return "\(kind)(\(values.joined(separator: ", ")))"
    }

    /// Throws `.argument` naming the first hyperparameter outside its range: the learning rate,
    /// the optimizer's own, then the weight decay.
    func validate() throws(PlexusError) {
        let lr = learningRate, example = type(of: rule).init().learningRate
        try require(lr.isFinite && lr > 0, "learning rate is \(lr); pass a finite value > 0, such as \(example)")
        try rule.validate()
        let wd = weightDecay
        try require(wd.isFinite && wd >= 0, "weight decay is \(wd); pass a finite value >= 0, such as 1e-4, or 0 for none")
    }

    /// Whether switching from `old` to `new` keeps the state: changing hyperparameters of the same
    /// kind keeps it, like editing `param_groups` in PyTorch; changing the kind resets it.
    static func keepsState(from old: Optimizer, to new: Optimizer) -> Bool { old.kind == new.kind }
}

/// Throws `.argument` with `message` unless `ok`: the form of every hyperparameter check.
func require(_ ok: Bool, _ message: @autoclosure () -> String) throws(PlexusError) {
    if !ok { throw .argument(message()) }
}

// MARK: - What an optimizer defines

/// One optimizer, whole. Its stored hyperparameters have their defaults as initial values
/// (`init()` is the default optimizer of this kind, what a model file without a value means).
protocol OptimizerRule: Sendable, Equatable {
    /// Its kind: its value in `plexus_optimizer`.
    static var kind: Optimizer.Kind { get }
    /// Itself as `Optimizer` stores it (`.sgd(self)`).
    var stored: Optimizer.Stored { get }
    /// Its name in model files and Python.
    static var name: String { get }
    /// Its hyperparameters but the weight decay, in `plexus_get_optimizer`'s order, learning rate
    /// first: each one's name in model files (`plexus.NAME`) and where it is stored.
    static var hyperparameters: [(name: String, value: WritableKeyPath<Self, Float>)] { get }
    /// The hyperparameters that are flags (1 or 0), shown as true and false.
    static var flags: Set<String> { get }
    /// The tensors it keeps per parameter (torch.optim's state names), in their order in the file.
    static var stateTensors: [StateTensor] { get }
    /// Whether its weight decay is torch's coupled one, λ·θ added to the gradient first (SGD, Adam,
    /// RMSprop), rather than applied by the rule itself (AdamW's decoupled shrink).
    static var couplesWeightDecay: Bool { get }

    init()
    var learningRate: Float { get set }
    var weightDecay: Float { get set }

    /// Throws `.argument` naming the first of its own hyperparameters outside its range (the
    /// learning rate and the weight decay are checked for every optimizer by `Optimizer.validate`).
    func validate() throws(PlexusError)

    /// Applies the rule to `update`'s parameters, reading and keeping state in `state`. Every new
    /// value is checked before any is written (`ParameterUpdate.run`); a new state buffer is kept
    /// only when the update was written.
    func update<Gradient: GradientSource>(_ update: ParameterUpdate<Gradient>, state: inout OptimizerState) throws(PlexusError)
}

/// A tensor an optimizer keeps per parameter, one flat buffer in parameter order.
struct StateTensor {
    /// torch.optim's state name, the suffix of its tensors in model files ("exp_avg").
    let name: String
    /// Whether it exists exactly when a step has run (Adam's moments), or only under a setting
    /// that can change between steps (SGD's momentum buffer), so a file may lack it either way.
    let existsAfterEveryStep: Bool
    /// Its values are never negative (a second moment): a file holding one is damaged.
    var nonNegative = false
}

extension OptimizerRule {
    static var flags: Set<String> { [] }
    var kind: Optimizer.Kind { Self.kind }

    var hyperparameterValues: [(name: String, value: Float)] {
        Self.hyperparameters.map { ($0.name, self[keyPath: $0.value]) }
    }

    /// The name torch uses for a hyperparameter in descriptions ("lr", "eps").
    func shortName(_ name: String) -> String {
        switch name {
        case "learning_rate": return "lr"
        case "epsilon": return "eps"
        default: return name
        }
    }

    /// `update` on a run of parameters, gradients read through clipping's factor and the coupled decay.
    @inline(__always)
    func apply(params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>, count: Int, gradScale: Float,
               penalty: UnsafePointer<Float>?, commit: Bool, clearingGrads: Bool,
               state: inout OptimizerState) throws(PlexusError) {
        // The coupled decay λ·θ joins the gradient; a decoupled one is the rule's own business.
        // The plain gradient gets its own specialisation, so that an update without clipping or
        // coupled decay costs nothing for them.
        let coupledDecay = Self.couplesWeightDecay ? weightDecay : 0
        if let penalty {
            try update(ParameterUpdate(params: params, grads: grads, count: count,
                                       gradient: PenalizedGradient(scale: gradScale, decay: coupledDecay, penalty: penalty),
                                       commit: commit, clearingGrads: clearingGrads), state: &state)
        } else if gradScale == 1 && coupledDecay == 0 {
            try update(ParameterUpdate(params: params, grads: grads, count: count, gradient: RawGradient(),
                                       commit: commit, clearingGrads: clearingGrads), state: &state)
        } else {
            try update(ParameterUpdate(params: params, grads: grads, count: count,
                                       gradient: AdjustedGradient(scale: gradScale, decay: coupledDecay),
                                       commit: commit, clearingGrads: clearingGrads), state: &state)
        }
    }

    /// This kind with each hyperparameter that `value` gives (by its name in model files, nil when
    /// absent) and the default for the rest.
    static func reading(_ value: (String) throws(PlexusError) -> Float?) throws(PlexusError) -> Self {
        var rule = Self()
        for (name, key) in hyperparameters {
            if let v = try value(name) { rule[keyPath: key] = v }
        }
        if let decay = try value("weight_decay") { rule.weightDecay = decay }
        return rule
    }
}

// MARK: - Code that reaches a rule as its own type

/// Code run with an optimizer's rule as its concrete type (`Optimizer.Stored.accept`), so that
/// it is specialised for each rule: no existential, no dynamic call.
protocol OptimizerVisitor {
    associatedtype Result
    func visit<Rule: OptimizerRule>(_ rule: Rule) -> Result
}

private struct Existential: OptimizerVisitor {
    func visit<Rule: OptimizerRule>(_ rule: Rule) -> any OptimizerRule { rule }
}

private struct KindOf: OptimizerVisitor {
    func visit<Rule: OptimizerRule>(_ rule: Rule) -> Optimizer.Kind { Rule.kind }
}

private struct LearningRate: OptimizerVisitor {
    func visit<Rule: OptimizerRule>(_ rule: Rule) -> Float { rule.learningRate }
}

private struct WeightDecay: OptimizerVisitor {
    func visit<Rule: OptimizerRule>(_ rule: Rule) -> Float { rule.weightDecay }
}

/// The rule with its learning rate or weight decay replaced.
private struct Changed: OptimizerVisitor {
    enum Field { case learningRate, weightDecay }
    let value: Float, field: Field
    func visit<Rule: OptimizerRule>(_ rule: Rule) -> Optimizer.Stored {
        var changed = rule
        switch field {
        case .learningRate: changed.learningRate = value
        case .weightDecay: changed.weightDecay = value
        }
        return changed.stored
    }
}

/// One step of the rule; the result is the error that refused it, nil when it went through.
private struct Apply: OptimizerVisitor {
    let params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>, count: Int, gradScale: Float
    let penalty: UnsafePointer<Float>?
    let commit: Bool, clearingGrads: Bool
    let state: UnsafeMutablePointer<OptimizerState>

    @inline(__always)
    func visit<Rule: OptimizerRule>(_ rule: Rule) -> PlexusError? {
        do {
            try rule.apply(params: params, grads: grads, count: count, gradScale: gradScale, penalty: penalty,
                           commit: commit, clearingGrads: clearingGrads, state: &state.pointee)
            return nil
        } catch {
            return error
        }
    }
}

// MARK: - The state an optimizer keeps

/// An optimizer's memory: one buffer per `StateTensor` of its kind (nil until a step creates it),
/// and the number of steps taken.
struct OptimizerState {
    /// The most state tensors an optimizer keeps (RMSprop's three). Inline, not an Array: a tiny
    /// network's step paid about 40 instructions for an array's checks.
    static let maxTensors = 3
    private var buffers = InlineArray<3, FloatBuffer?>(repeating: nil)
    var steps: Int = 0

    /// Forgets everything (a new optimizer kind starts from scratch).
    mutating func reset() { self = OptimizerState() }

    subscript(tensor: Int) -> FloatBuffer? {
        get { buffers[tensor] }
        set { buffers[tensor] = newValue }
    }

    /// Keeps `buffer` as state tensor `tensor` (after a written update; a no-op when it is already
    /// kept, which is every step but the first).
    @inline(__always)
    mutating func keep(_ buffer: FloatBuffer, as tensor: Int) {
        if self[tensor] !== buffer { self[tensor] = buffer }
    }

    /// State tensor `tensor`'s buffer, or a new zeroed one that is not yet kept (a rule keeps it
    /// only when its update was written, so a refused step changes nothing).
    func buffer(_ tensor: Int, count: Int, _ purpose: @autoclosure () -> String) throws(PlexusError) -> FloatBuffer {
        if let existing = self[tensor] { return existing }
        return try FloatBuffer(count: count, purpose: purpose())
    }

    /// θ ← update(θ, s·g), s = `gradScale` (gradient clipping's factor, 1 without). Refuses (`.numeric`, nothing changed) when a gradient or any new value is
    /// not finite: a first pass computes every new value and checks it, the second writes them
    /// (and zeroes the gradients when `clearingGrads`, saving a pass over memory).
    /// With `commit: false` only the checks run and nothing changes: a caller updating several
    /// buffers (a graph's parameters) checks them all before committing any.
    /// `penalty` (nil: none) holds one coefficient per parameter, μ_i, whose μ_i·θ_i joins the
    /// gradient after clipping, as the coupled decay does (the L2 penalty on weights).
    mutating func apply(_ optimizer: borrowing Optimizer, params: UnsafeMutablePointer<Float>,
                        grads: UnsafeMutablePointer<Float>, count n: Int, gradScale: Float = 1,
                        penalty: UnsafePointer<Float>? = nil, commit: Bool = true,
                        clearingGrads: Bool = false) throws(PlexusError) {
        try optimizer.apply(params: params, grads: grads, count: n, gradScale: gradScale, penalty: penalty,
                            commit: commit, clearingGrads: clearingGrads, state: &self)
        if commit { steps += 1 }
    }
}

// MARK: - One update, as passes over the parameters

/// What one update works on: a flat run of parameters and their gradients.
struct ParameterUpdate<Gradient: GradientSource> {
    let params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>
    let count: Int
    /// How a rule reads the gradient (clipping's factor, coupled weight decay).
    let gradient: Gradient
    /// false: check only, write nothing.
    let commit: Bool
    let clearingGrads: Bool

    /// The gradient as the rule applies it, eight lanes from `i`.
    @inline(__always) func g(_ i: Int, _ c: Int) -> Lanes { gradient.lanes(grads, params, i, c) }

    /// Checks every new value `pass` computes, refusing with `.numeric` (nothing written) when one
    /// is not finite; then, when committing, writes them. Returns whether it wrote. Both passes
    /// run eight lanes at a time (Lanes.swift), in parallel chunks of parameters when there are
    /// many (`Threads.forEachChunk`; elementwise, so the thread count changes nothing); the first
    /// offending index is searched for only when the check fails.
    func run<Pass: UpdateRule>(_ pass: Pass) throws(PlexusError) -> Bool {
        if !Threads.check(pass, count: count) { try refuse(pass) }
        guard commit else { return false }
        Threads.commit(pass, count: count)
        return true
    }

    /// Throws for the first parameter whose gradient is not finite or whose update is not (the
    /// slow path after the vectorised check found a problem).
    private func refuse<Pass: UpdateRule>(_ pass: Pass) throws(PlexusError) {
        for i in 0..<count where !grads[i].isFinite {
            throw .numeric("gradient \(i) of \(count) is \(grads[i]); nothing was updated (lower the learning rate, check inputs, or call zero_grads)")
        }
        for i in 0..<count where !allFinite(pass.finiteness(pass.next(i, 1))) {
            throw .numeric("the update of parameter \(i) overflows; nothing was updated (lower the learning rate)")
        }
        throw .numeric("an update overflows; nothing was updated (lower the learning rate)")
    }
}

/// How a rule reads the gradient it applies.
protocol GradientSource {
    func lanes(_ grads: UnsafeMutablePointer<Float>, _ params: UnsafeMutablePointer<Float>, _ i: Int, _ c: Int) -> Lanes
}

/// g as accumulated.
struct RawGradient: GradientSource {
    @inline(__always)
    func lanes(_ grads: UnsafeMutablePointer<Float>, _ params: UnsafeMutablePointer<Float>, _ i: Int, _ c: Int) -> Lanes {
        grads.lanes(i, c)
    }
}

/// s·g + λ·θ: torch clips the gradients in place (s), then adds the coupled weight decay (λ).
struct AdjustedGradient: GradientSource {
    let scale: Float, decay: Float
    @inline(__always)
    func lanes(_ grads: UnsafeMutablePointer<Float>, _ params: UnsafeMutablePointer<Float>, _ i: Int, _ c: Int) -> Lanes {
        scale * grads.lanes(i, c) + decay * params.lanes(i, c)
    }
}

/// s·g + (λ + μ_i)·θ: `AdjustedGradient` with a per-parameter L2 penalty μ (the network's
/// penalty on weights, 0 on biases), added in that order.
struct PenalizedGradient: GradientSource {
    let scale: Float, decay: Float
    let penalty: UnsafePointer<Float>
    @inline(__always)
    func lanes(_ grads: UnsafeMutablePointer<Float>, _ params: UnsafeMutablePointer<Float>, _ i: Int, _ c: Int) -> Lanes {
        let theta = params.lanes(i, c)
        return scale * grads.lanes(i, c) + decay * theta + penalty.lanes(i, c) * theta
    }
}

/// One optimizer rule as a pass over the parameters: `next` computes the new values (state and
/// parameters) eight lanes at a time, `finiteness` sums their finiteness (NaN when any is not
/// finite), `write` stores them. Threads.swift cuts a pass into chunks of parameters, and the
/// values are elementwise, so the cut changes nothing.
protocol UpdateRule: ChunkedPass {
    associatedtype Update
    associatedtype Gradient: GradientSource
    var update: ParameterUpdate<Gradient> { get }
    func next(_ i: Int, _ c: Int) -> Update
    func finiteness(_ update: Update) -> Lanes
    func write(_ update: Update, _ i: Int, _ c: Int)
}

extension UpdateRule {
    @inline(__always) func check(from start: Int, to end: Int) -> Bool {
        var check = Lanes()
        forEachLanes(from: start, to: end) { i, c in check += finiteness(next(i, c)) }
        return allFinite(check)
    }

    @inline(__always) func commit(from start: Int, to end: Int) {
        let grads = update.grads, clearing = update.clearingGrads
        forEachLanes(from: start, to: end) { i, c in
            write(next(i, c), i, c)
            if clearing { grads.setLanes(Lanes(), i, c) }
        }
    }
}

/// torch's `lerp_(end, weight)`: start + w·(end − start) for w < 0.5 (`small`), else
/// end − (end − start)·(1 − w); the form decides the rounding.
@inline(__always)
func lerp(_ start: Lanes, _ end: Lanes, _ weight: Float, small: Bool) -> Lanes {
    small ? start + weight * (end - start) : end - (end - start) * (1 - weight)
}
