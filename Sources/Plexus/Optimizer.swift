#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How `step()` turns accumulated gradients into a parameter update.
/// Both follow `torch.optim` exactly (see `OptimizerState.apply`).
public enum Optimizer: Equatable, Sendable, CustomStringConvertible {
    /// Gradient descent; with momentum μ > 0 the buffer starts as the first gradient, then
    /// b = μ·b + g and θ −= lr·b (`torch.optim.SGD`, dampening 0, no Nesterov).
    case sgd(learningRate: Float, momentum: Float = 0)
    /// `torch.optim.Adam` with bias correction, no weight decay, no AMSGrad.
    case adam(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8)

    /// SGD with learning rate 0.01 and no momentum: what a new network uses.
    public static let standard = Optimizer.sgd(learningRate: 0.01, momentum: 0)

    public var description: String {
        switch self {
        case let .sgd(lr, momentum): return "sgd(lr: \(lr), momentum: \(momentum))"
        case let .adam(lr, b1, b2, eps): return "adam(lr: \(lr), beta1: \(b1), beta2: \(b2), eps: \(eps))"
        }
    }

    /// Throws `.argument` naming the first hyperparameter outside its range.
    func validate() throws(PlexusError) {
        func require(_ ok: Bool, _ message: @autoclosure () -> String) throws(PlexusError) {
            if !ok { throw .argument(message()) }
        }
        switch self {
        case let .sgd(lr, momentum):
            try require(lr.isFinite && lr > 0, "learning rate is \(lr); pass a finite value > 0, such as 0.01")
            try require(momentum.isFinite && momentum >= 0 && momentum < 1, "momentum is \(momentum); pass a value in [0, 1), such as 0.9, or 0 for none")
        case let .adam(lr, b1, b2, eps):
            try require(lr.isFinite && lr > 0, "learning rate is \(lr); pass a finite value > 0, such as 0.001")
            try require(b1.isFinite && b1 >= 0 && b1 < 1, "beta1 is \(b1); pass a value in [0, 1), such as 0.9")
            try require(b2.isFinite && b2 >= 0 && b2 < 1, "beta2 is \(b2); pass a value in [0, 1), such as 0.999")
            try require(eps.isFinite && eps > 0, "epsilon is \(eps); pass a finite value > 0, such as 1e-8")
        }
    }

    fileprivate var isSGD: Bool { if case .sgd = self { return true } else { return false } }
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
    static func keepsState(from old: Optimizer, to new: Optimizer) -> Bool { old.isSGD == new.isSGD }

    /// θ ← update(θ, g). Refuses (`.numeric`, nothing changed) when a gradient or any new value is
    /// not finite: a first pass computes every new value and checks it, the second writes them.
    /// With `commit: false` only the checks run and nothing changes: a caller updating several
    /// buffers (a graph's parameters) checks them all before committing any.
    mutating func apply(_ optimizer: Optimizer, params: UnsafeMutablePointer<Float>,
                        grads: UnsafePointer<Float>, count n: Int, commit: Bool = true) throws(PlexusError) {
        for i in 0..<n where !grads[i].isFinite {
            throw .numeric("gradient \(i) of \(n) is \(grads[i]); nothing was updated (lower the learning rate, check inputs, or call zero_grads)")
        }
        switch optimizer {
        case let .sgd(lr, momentum) where momentum == 0:
            // θ −= lr·g   (torch: param.add_(grad, alpha=-lr))
            let rate = -lr
            for i in 0..<n where !(params[i] + rate * grads[i]).isFinite {
                throw .numeric("update of parameter \(i) overflows; nothing was updated (lower the learning rate)")
            }
            if !commit { return }
            for i in 0..<n { params[i] = params[i] + rate * grads[i] }

        case let .sgd(lr, momentum):
            // b = g on the first step, then b = μ·b + g;  θ −= lr·b
            // A buffer that does not exist yet starts as the gradient itself (torch's first step);
            // a new buffer is kept only if the step succeeds, so a refused step changes nothing.
            let fresh = first == nil
            let buffer = try existingOrNew(first, n, "the momentum buffer")
            let b = buffer.pointer, rate = -lr
            for i in 0..<n {
                let next = fresh ? grads[i] : momentum * b[i] + grads[i]
                if !next.isFinite || !(params[i] + rate * next).isFinite {
                    throw .numeric("momentum update of parameter \(i) overflows; nothing was updated (lower the learning rate)")
                }
            }
            if !commit { return }
            for i in 0..<n {
                let next = fresh ? grads[i] : momentum * b[i] + grads[i]
                b[i] = next
                params[i] = params[i] + rate * next
            }
            first = buffer

        case let .adam(lr, beta1, beta2, epsilon):
            // New moment buffers are kept only if the step succeeds, so a refused step changes nothing.
            let firstMoments = try existingOrNew(first, n, "Adam's first moments")
            let secondMoments = try existingOrNew(second, n, "Adam's second moments")
            let m = firstMoments.pointer, v = secondMoments.pointer
            // Scalars as torch computes them: in double, then applied to float32 tensors.
            let t = Double(steps + 1)
            let correction1 = 1 - pow(Double(beta1), t)
            let correction2 = 1 - pow(Double(beta2), t)
            let stepSize = Float(Double(lr) / correction1)
            let correction2Root = Float(correction2.squareRoot())
            let weight1 = Float(1 - Double(beta1)), weight2 = Float(1 - Double(beta2))
            @inline(__always) func update(_ i: Int) -> (m: Float, v: Float, p: Float) {
                let g = grads[i]
                // m.lerp_(g, 1−β1), in torch's two-branch form.
                let mi = weight1 < 0.5 ? m[i] + weight1 * (g - m[i]) : g - (g - m[i]) * (1 - weight1)
                let vi = v[i] * beta2 + weight2 * g * g                  // v.mul_(β2).addcmul_(g, g, 1−β2)
                let denominator = vi.squareRoot() / correction2Root + epsilon
                return (mi, vi, params[i] + (-stepSize) * (mi / denominator)) // θ.addcdiv_(m, denom, −step)
            }
            for i in 0..<n {
                let u = update(i)
                if !u.m.isFinite || !u.v.isFinite || !u.p.isFinite {
                    throw .numeric("Adam update of parameter \(i) overflows; nothing was updated (lower the learning rate)")
                }
            }
            if !commit { return }
            for i in 0..<n {
                let u = update(i)
                m[i] = u.m; v[i] = u.v; params[i] = u.p
            }
            first = firstMoments
            second = secondMoments
        }
        steps += 1
    }

    /// `buffer`, or a new zeroed one (`??` cannot carry a typed throw).
    private func existingOrNew(_ buffer: FloatBuffer?, _ count: Int, _ purpose: String) throws(PlexusError) -> FloatBuffer {
        if let buffer { return buffer }
        return try FloatBuffer(count: count, purpose: purpose)
    }
}
