#if canImport(Glibc)
import Glibc
#endif
import Plexus
import PlexusTestSupport
import Testing

/// Optimizer steps against updates computed by hand (in Double) from the documented torch rules.
@Suite struct OptimizerTests {
    /// Runs one batch forward and backward and returns the accumulated gradients.
    private func gradients(_ net: Network, _ seed: UInt64) throws -> [Float] {
        let x = uniformData(count: 3 * 2, seed: seed), y = uniformData(count: 3, seed: seed + 100)
        try net.forward(x)
        try net.backward(y)
        return try net.gradients
    }

    private func makeNet() throws -> Network {
        try Network(sizes: [2, 3, 1], activations: [.tanh, .identity], seed: 4)
    }

    @Test func plainSGD() throws {
        let net = try makeNet()
        try net.setOptimizer(.sgd(learningRate: 0.1))
        let before = try net.parameters
        let g = try gradients(net, 1)
        try net.step()
        let expected = zip(before, g).map { Float(Double($0) - 0.1 * Double($1)) }
        #expect(try worstMismatch(net.parameters, expected, absolute: 1e-7, relative: 1e-6) <= 1)
    }

    @Test func sgdMomentumStartsWithTheGradient() throws {
        let net = try makeNet()
        try net.setOptimizer(.sgd(learningRate: 0.1, momentum: 0.9))
        var theta = try net.parameters.map(Double.init)
        var buffer: [Double] = []
        for seed in [1, 2, 3] as [UInt64] {
            let g = try gradients(net, seed).map(Double.init)
            buffer = buffer.isEmpty ? g : zip(buffer, g).map { 0.9 * $0 + $1 }
            theta = zip(theta, buffer).map { $0 - 0.1 * $1 }
            try net.step()
        }
        #expect(try worstMismatch(net.parameters, theta.map(Float.init), absolute: 1e-6, relative: 1e-5) <= 1)
    }

    @Test func adamWithBiasCorrection() throws {
        let net = try makeNet()
        let (lr, b1, b2, eps) = (0.01, 0.9, 0.999, 1e-8)
        try net.setOptimizer(.adam(learningRate: Float(lr), beta1: Float(b1), beta2: Float(b2), epsilon: Float(eps)))
        var theta = try net.parameters.map(Double.init)
        var m = [Double](repeating: 0, count: theta.count), v = m
        for (t, seed) in ([1, 2, 3] as [UInt64]).enumerated() {
            let g = try gradients(net, seed).map(Double.init)
            let step = Double(t + 1)
            for i in theta.indices {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let mHat = m[i] / (1 - pow(b1, step)), vHat = v[i] / (1 - pow(b2, step))
                theta[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
            try net.step()
        }
        #expect(try net.optimizerSteps == 3)
        #expect(try worstMismatch(net.parameters, theta.map(Float.init), absolute: 1e-6, relative: 1e-5) <= 1)
    }

    /// torch.optim.RMSprop: every buffer starts at zero; centered subtracts the squared gradient
    /// average; momentum accumulates g / d. Computed in Double from the float32 hyperparameters.
    @Test(arguments: [(0.0, false), (0.9, false), (0.0, true), (0.5, true)])
    func rmspropFollowsTorchsRule(momentum: Double, centered: Bool) throws {
        let net = try makeNet()
        let (lr, alpha, eps, decay): (Float, Float, Float, Float) = (0.01, 0.9, 1e-6, 0.01)
        try net.setOptimizer(.rmsprop(learningRate: lr, alpha: alpha, epsilon: eps, momentum: Float(momentum),
                                      centered: centered, weightDecay: decay))
        var theta = try net.parameters.map(Double.init)
        var square = [Double](repeating: 0, count: theta.count), average = square, buffer = square
        let (a, e, l, wd) = (Double(alpha), Double(eps), Double(lr), Double(decay))
        for seed in [1, 2, 3, 4] as [UInt64] {
            let g = try gradients(net, seed).map(Double.init)
            for i in theta.indices {
                let gi = g[i] + wd * theta[i]
                square[i] = a * square[i] + (1 - a) * gi * gi
                average[i] = a * average[i] + (1 - a) * gi
                let d = (centered ? square[i] - average[i] * average[i] : square[i]).squareRoot() + e
                buffer[i] = Double(Float(momentum)) * buffer[i] + gi / d
                theta[i] -= l * (momentum > 0 ? buffer[i] : gi / d)
            }
            try net.step()
        }
        #expect(try net.optimizerSteps == 4)
        #expect(try worstMismatch(net.parameters, theta.map(Float.init), absolute: 1e-6, relative: 1e-5) <= 1)
    }

    /// RPROP by hand (torch.optim.Rprop): fed gradients whose signs keep and flip, in Double
    /// with float32 rounding where torch's tensors round.
    @Test func rpropAdaptsEachStepSizeToItsGradientsSign() throws {
        let net = try makeNet()
        try net.setOptimizer(.rprop(learningRate: 0.05, etas: (0.5, 1.2), stepSizes: (1e-3, 0.1)))
        var theta = try net.parameters
        var previous = [Float](repeating: 0, count: theta.count), steps = [Float](repeating: 0.05, count: theta.count)
        for round in 0..<12 {
            let g = (0..<theta.count).map { i -> Float in (i + round) % 4 == 0 ? -1.5 : (i % 3 == 0 ? 0 : 0.75) }
            try net.setGradients(g)
            try net.step()
            for i in 0..<theta.count {
                let product = g[i] * previous[i]
                let factor: Float = product > 0 ? 1.2 : (product < 0 ? 0.5 : 1)
                steps[i] = min(max(steps[i] * factor, 1e-3), 0.1)
                let kept: Float = product < 0 ? 0 : g[i]
                theta[i] -= (kept > 0 ? 1 : (kept < 0 ? -1 : 0)) * steps[i]
                previous[i] = kept
            }
        }
        #expect(try net.parameters == theta)
    }

    /// Optimizers by name, as the C API's plexus_optimizer_options reaches them.
    @Test func anOptimizerFromNamedValues() throws {
        let rprop = try Optimizer(kind: .rprop, values: ["learning_rate": 0.02, "eta_plus": 1.5, "weight_decay": 0.1,
                                                           "beta1": 0.3])
        #expect(rprop == .rprop(learningRate: 0.02, etas: (0.5, 1.5), weightDecay: 0.1))
        #expect(throws: PlexusError.self) { try Optimizer(kind: .rprop, values: ["eta_minus": 2]) }
        #expect(throws: PlexusError.self) { try Optimizer(kind: .adam, values: ["learning_rate": -1]) }
    }

    @Test func everyKindIsDefinedByItsRuleAndNamedOnce() {
        let names = Optimizer.Kind.allCases.map(\.description)
        #expect(Set(names).count == names.count)
        for kind in Optimizer.Kind.allCases {
            let standard = Optimizer(kind: kind)
            #expect(standard.kind == kind, "\(kind)")
            #expect(standard.hyperparameters.first?.name == "learning_rate", "\(kind)")
            #expect(standard.description.hasPrefix("\(kind)(lr: "), "\(standard)")
        }
    }

    /// Every kind steps, keeps its state through a model file and resumes bitwise.
    @Test(arguments: Optimizer.Kind.allCases)
    func everyKindStepsAndResumes(kind: Optimizer.Kind) throws {
        let net = try makeNet()
        try net.setOptimizer(Optimizer(kind: kind))
        _ = try gradients(net, 1)
        try net.step()
        let copy = try Network.load(modelData: try net.modelData())
        #expect(try copy.optimizer == net.optimizer && copy.optimizerSteps == 1)
        for seed in [2, 3] as [UInt64] {
            _ = try gradients(net, seed)
            _ = try gradients(copy, seed)
            try net.step()
            try copy.step()
        }
        #expect(try copy.parameters.map(\.bitPattern) == net.parameters.map(\.bitPattern), "\(kind)")
        #expect(Optimizer(kind: .rmsprop) == .rmsprop() && Optimizer(kind: .adamw) == .adamw())
    }

    @Test func changingHyperparametersKeepsStateSwitchingKindResets() throws {
        let net = try makeNet()
        try net.setOptimizer(.adam())
        _ = try gradients(net, 1)
        try net.step()
        try net.setOptimizer(.adam(learningRate: 0.002))
        #expect(try net.optimizerSteps == 1)
        try net.setOptimizer(.sgd(learningRate: 0.1))
        #expect(try net.optimizerSteps == 0)
    }

    @Test func hyperparametersOutsideTheirRangeAreRefused() throws {
        let net = try makeNet()
        let bad: [Optimizer] = [
            .sgd(learningRate: 0), .sgd(learningRate: -1), .sgd(learningRate: .nan), .sgd(learningRate: .infinity),
            .sgd(learningRate: 0.1, momentum: -0.1), .sgd(learningRate: 0.1, momentum: 1), .sgd(learningRate: 0.1, momentum: .nan),
            .adam(learningRate: 0), .adam(beta1: 1), .adam(beta1: -0.5), .adam(beta2: 1.5), .adam(beta2: .nan),
            .adam(epsilon: 0), .adam(epsilon: .infinity),
            .rmsprop(learningRate: 0), .rmsprop(alpha: 1), .rmsprop(alpha: -0.1), .rmsprop(alpha: .nan),
            .rmsprop(epsilon: 0), .rmsprop(momentum: 1), .rmsprop(momentum: -0.5), .rmsprop(weightDecay: -1),
        ]
        for optimizer in bad {
            let error = #expect(throws: PlexusError.self, "\(optimizer)") { try net.setOptimizer(optimizer) }
            #expect(error?.code == .argument)
            #expect(try net.optimizer == .standard)
        }
    }
}
