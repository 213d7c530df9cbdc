#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How `step()` turns accumulated gradients into a parameter update.
/// Each follows `torch.optim` exactly (see `OptimizerState.apply`), weight decay included.
public enum Optimizer: Equatable, Sendable, CustomStringConvertible {
    /// Gradient descent; with momentum μ > 0 the buffer starts as the first gradient, then
    /// b = μ·b + g and θ −= lr·b (`torch.optim.SGD`, dampening 0, no Nesterov). Weight decay λ is
    /// coupled: g += λ·θ first.
    case sgd(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0)
    /// `torch.optim.Adam` with bias correction, no AMSGrad; weight decay λ coupled: g += λ·θ first.
    case adam(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
              weightDecay: Float = 0)
    /// `torch.optim.AdamW`: decoupled weight decay, θ *= 1 − lr·λ, then the Adam update.
    case adamw(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
               weightDecay: Float = 1e-2)

    /// The optimizer kinds; raw values equal `plexus_optimizer`.
    public enum Kind: Int32, CaseIterable, Sendable, CustomStringConvertible {
        case sgd = 0, adam = 1, adamw = 2
        public var description: String {
            switch self {
            case .sgd: return "sgd"
            case .adam: return "adam"
            case .adamw: return "adamw"
            }
        }
    }

    /// SGD with learning rate 0.01 and no momentum: what a new network uses.
    public static let standard = Optimizer.sgd(learningRate: 0.01, momentum: 0)

    public var kind: Kind {
        switch self {
        case .sgd: return .sgd
        case .adam: return .adam
        case .adamw: return .adamw
        }
    }

    public var learningRate: Float {
        switch self {
        case let .sgd(lr, _, _), let .adam(lr, _, _, _, _), let .adamw(lr, _, _, _, _): return lr
        }
    }

    public var weightDecay: Float {
        switch self {
        case let .sgd(_, _, wd), let .adam(_, _, _, _, wd), let .adamw(_, _, _, _, wd): return wd
        }
    }

    /// The same optimizer with another learning rate (what a schedule changes).
    public func with(learningRate lr: Float) -> Optimizer {
        switch self {
        case let .sgd(_, momentum, wd): return .sgd(learningRate: lr, momentum: momentum, weightDecay: wd)
        case let .adam(_, b1, b2, eps, wd): return .adam(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
        case let .adamw(_, b1, b2, eps, wd): return .adamw(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
        }
    }

    /// The same optimizer with another weight decay.
    public func with(weightDecay wd: Float) -> Optimizer {
        switch self {
        case let .sgd(lr, momentum, _): return .sgd(learningRate: lr, momentum: momentum, weightDecay: wd)
        case let .adam(lr, b1, b2, eps, _): return .adam(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
        case let .adamw(lr, b1, b2, eps, _): return .adamw(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
        }
    }

    public var description: String {
        switch self {
        case let .sgd(lr, momentum, wd): return "sgd(lr: \(lr), momentum: \(momentum), weight_decay: \(wd))"
        case let .adam(lr, b1, b2, eps, wd):
            return "adam(lr: \(lr), beta1: \(b1), beta2: \(b2), eps: \(eps), weight_decay: \(wd))"
        case let .adamw(lr, b1, b2, eps, wd):
            return "adamw(lr: \(lr), beta1: \(b1), beta2: \(b2), eps: \(eps), weight_decay: \(wd))"
        }
    }

    /// Throws `.argument` naming the first hyperparameter outside its range.
    func validate() throws(PlexusError) {
        func require(_ ok: Bool, _ message: @autoclosure () -> String) throws(PlexusError) {
            if !ok { throw .argument(message()) }
        }
        switch self {
        case let .sgd(lr, momentum, _):
            try require(lr.isFinite && lr > 0, "learning rate is \(lr); pass a finite value > 0, such as 0.01")
            try require(momentum.isFinite && momentum >= 0 && momentum < 1, "momentum is \(momentum); pass a value in [0, 1), such as 0.9, or 0 for none")
        case let .adam(lr, b1, b2, eps, _), let .adamw(lr, b1, b2, eps, _):
            try require(lr.isFinite && lr > 0, "learning rate is \(lr); pass a finite value > 0, such as 0.001")
            try require(b1.isFinite && b1 >= 0 && b1 < 1, "beta1 is \(b1); pass a value in [0, 1), such as 0.9")
            try require(b2.isFinite && b2 >= 0 && b2 < 1, "beta2 is \(b2); pass a value in [0, 1), such as 0.999")
            try require(eps.isFinite && eps > 0, "epsilon is \(eps); pass a finite value > 0, such as 1e-8")
        }
        let wd = weightDecay
        try require(wd.isFinite && wd >= 0, "weight decay is \(wd); pass a finite value >= 0, such as 1e-4, or 0 for none")
    }
}

/// The optimizer's memory, flat in parameter order: the momentum buffer or Adam's first moment,
/// Adam's second moment, and the number of steps taken.
struct OptimizerState {
    var first: FloatBuffer?
    var second: FloatBuffer?
    var steps: Int = 0

    /// Forgets everything (a new optimizer kind starts from scratch).
    mutating func reset() { first = nil; second = nil; steps = 0 }

    /// Whether switching from `old` to `new` keeps the state: changing hyperparameters of the same
    /// kind keeps it, like editing `param_groups` in PyTorch; changing the kind resets it.
    static func keepsState(from old: Optimizer, to new: Optimizer) -> Bool { old.kind == new.kind }

    /// θ ← update(θ, s·g), s = `gradScale` (gradient clipping's factor, 1 without). Refuses (`.numeric`, nothing changed) when a gradient or any new value is
    /// not finite: a first pass computes every new value and checks it, the second writes them
    /// (and zeroes the gradients when `clearingGrads`, saving a pass over memory).
    /// With `commit: false` only the checks run and nothing changes: a caller updating several
    /// buffers (a graph's parameters) checks them all before committing any.
    ///
    /// Both passes run eight lanes at a time (Lanes.swift), in parallel chunks of parameters when
    /// there are many (`Threads.forEachChunk`; elementwise, so the thread count changes nothing);
    /// the first offending index is searched for only when the check fails.
    mutating func apply(_ optimizer: Optimizer, params: UnsafeMutablePointer<Float>,
                        grads: UnsafeMutablePointer<Float>, count n: Int, gradScale: Float = 1, commit: Bool = true,
                        clearingGrads: Bool = false) throws(PlexusError) {
        // The coupled decay λ·θ joins the gradient; AdamW's is decoupled (applied in its pass).
        let coupledDecay = optimizer.kind == .adamw ? 0 : optimizer.weightDecay
        if gradScale == 1 && coupledDecay == 0 {
            try apply(optimizer, params: params, grads: grads, count: n, gradient: RawGradient(), commit: commit,
                      clearingGrads: clearingGrads)
        } else {
            try apply(optimizer, params: params, grads: grads, count: n,
                      gradient: AdjustedGradient(scale: gradScale, decay: coupledDecay), commit: commit,
                      clearingGrads: clearingGrads)
        }
    }

    /// `apply` with the gradient read through `gradient`: specialised for the plain gradient, so
    /// that an update without clipping or coupled decay costs nothing for them.
    private mutating func apply<Gradient: GradientSource>(
        _ optimizer: Optimizer, params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>, count n: Int,
        gradient: Gradient, commit: Bool, clearingGrads: Bool
    ) throws(PlexusError) {
        switch optimizer {
        case let .sgd(lr, momentum, _) where momentum == 0:
            let pass = PlainSGDPass(params: params, grads: grads, rate: -lr, clearingGrads: clearingGrads,
                                    gradient: gradient)
            if !Threads.check(pass, count: n) {
                try refuse(grads, n) { i in pass.next(i, 1)[0].isFinite }
            }
            if !commit { return }
            Threads.commit(pass, count: n)

        case let .sgd(lr, momentum, _):
            // A buffer that does not exist yet starts as the gradient itself (torch's first step);
            // a new buffer is kept only if the step succeeds, so a refused step changes nothing.
            let buffer = try existingOrNew(first, n, "the momentum buffer")
            let pass = MomentumSGDPass(params: params, grads: grads, buffer: buffer.pointer, momentum: momentum,
                                       rate: -lr, fresh: first == nil, clearingGrads: clearingGrads,
                                       gradient: gradient)
            if !Threads.check(pass, count: n) {
                try refuse(grads, n) { i in
                    let u = pass.next(i, 1)
                    return u.b[0].isFinite && u.p[0].isFinite
                }
            }
            if !commit { return }
            Threads.commit(pass, count: n)
            first = buffer

        case let .adam(lr, beta1, beta2, epsilon, _), let .adamw(lr, beta1, beta2, epsilon, _):
            // AdamW shrinks θ by 1 − lr·λ (in double, as torch's Python scalars; its gradient has
            // no λ·θ); Adam's θ is left as it is (shrink 1).
            let shrink = optimizer.kind == .adamw ? Float(1 - Double(lr) * Double(optimizer.weightDecay)) : 1
            // New moment buffers are kept only if the step succeeds, so a refused step changes nothing.
            let firstMoments = try existingOrNew(first, n, "Adam's first moments")
            let secondMoments = try existingOrNew(second, n, "Adam's second moments")
            // Scalars as torch computes them: in double, then applied to float32 tensors.
            let t = Double(steps + 1)
            let correction1 = 1 - pow(Double(beta1), t)
            let correction2 = 1 - pow(Double(beta2), t)
            let weight1 = Float(1 - Double(beta1))
            let pass = AdamPass(params: params, grads: grads, m: firstMoments.pointer, v: secondMoments.pointer,
                                beta2: beta2, epsilon: epsilon, stepSize: Float(Double(lr) / correction1),
                                correction2Root: Float(correction2.squareRoot()), weight1: weight1,
                                weight2: Float(1 - Double(beta2)), smallWeight: weight1 < 0.5, shrink: shrink,
                                clearingGrads: clearingGrads, gradient: gradient)
            if !Threads.check(pass, count: n) {
                try refuse(grads, n) { i in
                    let u = pass.next(i, 1)
                    return u.m[0].isFinite && u.v[0].isFinite && u.p[0].isFinite
                }
            }
            if !commit { return }
            Threads.commit(pass, count: n)
            first = firstMoments
            second = secondMoments
        }
        steps += 1
    }

    /// Throws for the first parameter whose gradient is not finite or whose update fails `isGood`
    /// (the slow path after the vectorised check found a problem).
    private func refuse(_ grads: UnsafePointer<Float>, _ n: Int, _ isGood: (Int) -> Bool) throws(PlexusError) {
        for i in 0..<n where !grads[i].isFinite {
            throw .numeric("gradient \(i) of \(n) is \(grads[i]); nothing was updated (lower the learning rate, check inputs, or call zero_grads)")
        }
        for i in 0..<n where !isGood(i) {
            throw .numeric("the update of parameter \(i) overflows; nothing was updated (lower the learning rate)")
        }
        throw .numeric("an update overflows; nothing was updated (lower the learning rate)")
    }

    /// `buffer`, or a new zeroed one (`??` cannot carry a typed throw).
    private func existingOrNew(_ buffer: FloatBuffer?, _ count: Int, _ purpose: String) throws(PlexusError) -> FloatBuffer {
        if let buffer { return buffer }
        return try FloatBuffer(count: count, purpose: purpose)
    }
}

// MARK: - The update rules, one pass each
// Each rule computes its new values eight lanes at a time (Lanes.swift): `next` returns them,
// `finiteness` sums their finiteness (NaN when any is not finite), `write` stores them.
// `check` only tests the new values, `commit` writes them and zeroes the gradients when asked;
// Threads.swift cuts a pass into chunks of parameters, and the values are elementwise, so the cut
// changes nothing.

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

/// One optimizer rule as a pass over the parameters.
private protocol UpdateRule: ChunkedPass {
    associatedtype Update
    var grads: UnsafeMutablePointer<Float> { get }
    var clearingGrads: Bool { get }
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
        forEachLanes(from: start, to: end) { i, c in
            write(next(i, c), i, c)
            if clearingGrads { grads.setLanes(Lanes(), i, c) }
        }
    }
}

/// θ −= lr·g   (torch: param.add_(grad, alpha=-lr)); a non-finite g gives a non-finite θ.
private struct PlainSGDPass<Gradient: GradientSource>: UpdateRule {
    let params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>
    /// −lr
    let rate: Float
    let clearingGrads: Bool
    let gradient: Gradient

    @inline(__always) func next(_ i: Int, _ c: Int) -> Lanes { params.lanes(i, c) + rate * gradient.lanes(grads, params, i, c) }
    @inline(__always) func finiteness(_ p: Lanes) -> Lanes { Plexus.finiteness(p) }
    @inline(__always) func write(_ p: Lanes, _ i: Int, _ c: Int) { params.setLanes(p, i, c) }
}

/// b = g on the first step (`fresh`), then b = μ·b + g;  θ −= lr·b   (torch.optim.SGD, momentum).
private struct MomentumSGDPass<Gradient: GradientSource>: UpdateRule {
    let params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>, buffer: UnsafeMutablePointer<Float>
    let momentum: Float
    /// −lr
    let rate: Float
    let fresh: Bool, clearingGrads: Bool
    let gradient: Gradient

    @inline(__always) func next(_ i: Int, _ c: Int) -> (b: Lanes, p: Lanes) {
        let g = gradient.lanes(grads, params, i, c)
        let nb = fresh ? g : momentum * buffer.lanes(i, c) + g
        return (nb, params.lanes(i, c) + rate * nb)
    }

    @inline(__always) func finiteness(_ u: (b: Lanes, p: Lanes)) -> Lanes { Plexus.finiteness(u.b) + Plexus.finiteness(u.p) }

    @inline(__always) func write(_ u: (b: Lanes, p: Lanes), _ i: Int, _ c: Int) {
        buffer.setLanes(u.b, i, c)
        params.setLanes(u.p, i, c)
    }
}

/// torch.optim.Adam with bias correction: m.lerp_(g, 1−β1) (torch's two-branch form);
/// v = β2·v + (1−β2)·g²;  θ −= step · m / (√v / √(1−β2ᵗ) + ε),  step = lr / (1−β1ᵗ).
/// AdamW first shrinks θ (`shrink` = 1 − lr·λ; 1 for Adam, which leaves θ as it is).
private struct AdamPass<Gradient: GradientSource>: UpdateRule {
    let params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>
    let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    let beta2: Float, epsilon: Float, stepSize: Float, correction2Root: Float
    let weight1: Float, weight2: Float, smallWeight: Bool, shrink: Float
    let clearingGrads: Bool
    let gradient: Gradient

    @inline(__always) func next(_ i: Int, _ c: Int) -> (m: Lanes, v: Lanes, p: Lanes) {
        let g = gradient.lanes(grads, params, i, c), mi = m.lanes(i, c)
        let nm = smallWeight ? mi + weight1 * (g - mi) : g - (g - mi) * (1 - weight1)
        let nv = v.lanes(i, c) * beta2 + weight2 * g * g           // v.mul_(β2).addcmul_(g, g, 1−β2)
        let denominator = nv.squareRoot() / correction2Root + epsilon
        let p = shrink == 1 ? params.lanes(i, c) : params.lanes(i, c) * shrink   // AdamW: θ.mul_(1 − lr·λ)
        return (nm, nv, p + (-stepSize) * (nm / denominator))       // θ.addcdiv_(m, denom, −step)
    }

    @inline(__always) func finiteness(_ u: (m: Lanes, v: Lanes, p: Lanes)) -> Lanes {
        Plexus.finiteness(u.m) + Plexus.finiteness(u.v) + Plexus.finiteness(u.p)
    }

    @inline(__always) func write(_ u: (m: Lanes, v: Lanes, p: Lanes), _ i: Int, _ c: Int) {
        m.setLanes(u.m, i, c)
        v.setLanes(u.v, i, c)
        params.setLanes(u.p, i, c)
    }
}
