import Plexus
import PlexusTestSupport
import Testing

/// The worked examples of the seed tutorials, number for number.
@Suite struct SeedExampleTests {
    /// Seed 004: 2-2-1, identity, no bias, quadratic cost ½(a−y)², SGD 0.05, inputs (2, 3), target 1.
    /// w1..w4 feed the hidden layer (w1: i1→h1, w2: i2→h1, w3: i1→h2, w4: i2→h2); w5, w6 the output.
    @Test func seed004StepByStep() throws {
        let net = try Network(sizes: [2, 2, 1], activations: [.identity, .identity], bias: false)
        try net.setLoss(.quadratic)
        try net.setOptimizer(.sgd(learningRate: 0.05))
        try net.setWeights(layer: 1, weights: [0.11, 0.21, 0.12, 0.08])
        try net.setWeights(layer: 2, weights: [0.14, 0.15])

        let prediction = try net.forward([2, 3])
        #expect(abs(prediction[0] - 0.191) < 1e-6)
        let cost = try net.backward([1])
        #expect(abs(cost - 0.3272405) < 1e-6)   // ½ · 0.809²

        // ∂E/∂w = Δ·(path), Δ = 0.191 − 1 = −0.809
        let expectedGradients: [Float] = [-0.22652, -0.33978, -0.2427, -0.36405, -0.68765, -0.38832]
        #expect(try worstMismatch(net.gradients, expectedGradients, absolute: 1e-6, relative: 1e-5) <= 1)

        try net.step()
        let expectedWeights: [Float] = [0.121326, 0.226989, 0.132135, 0.0982025, 0.1743825, 0.169416]
        #expect(try worstMismatch(net.parameters, expectedWeights, absolute: 1e-6, relative: 1e-6) <= 1)
        #expect(try net.gradients.allSatisfy { $0 == 0 }, "step zeroes the gradients")

        let updated = try net.forward([2, 3])
        #expect(abs(updated[0] - 0.2557458) < 1e-6)   // the seed's 0.26
    }

    /// Seed 001: three features; the target is 1 exactly when the first feature is 1.
    @Test func seed001FirstFeatureDecides() throws {
        let x: [Float] = [1, 0, 0,  1, 1, 0,  0, 1, 1,  0, 0, 1,  0, 1, 0,  1, 0, 1,  0, 0, 0]
        let y: [Float] = [1, 1, 0, 0, 0, 1, 0]
        let net = try Network(sizes: [3, 4, 1], activations: [.tanh, .sigmoid], seed: 1)
        try net.setOptimizer(.sgd(learningRate: 0.5))
        let history = try net.train(x: x, y: y, epochs: 2000, batchSize: 3, shuffleSeed: 7)
        #expect(history.last! < history.first! / 10)
        let unseenPositive = try net.predict([1, 1, 1])[0]
        let unseenNegative = try net.predict([0, 1, 1])[0]
        #expect(unseenPositive > 0.9, "prediction for the unseen sample (1, 1, 1) is \(unseenPositive)")
        #expect(unseenNegative < 0.1)
    }

    /// Seed 003: a 5-2-2-5 sigmoid network trains with MSE (loss falls well below its start).
    @Test func seed003FiveTwoTwoFiveSigmoid() throws {
        let net = try Network(sizes: [5, 2, 2, 5], activations: [.sigmoid, .sigmoid, .sigmoid], seed: 3)
        try net.setOptimizer(.sgd(learningRate: 1.0))
        let x = uniformData(count: 40 * 5, seed: 11, low: 0, high: 1)
        // A target the bottleneck can carry: each output is a fixed blend of the first two inputs.
        var y: [Float] = []
        for r in 0..<40 {
            let a = x[r * 5], b = x[r * 5 + 1]
            y += [a, b, (a + b) / 2, 1 - a, 1 - b]
        }
        let history = try net.train(x: x, y: y, epochs: 3000, batchSize: 8, shuffleSeed: 3)
        #expect(history.last! < history.first! * 0.25, "MSE went from \(history.first!) to \(history.last!)")
    }

    @Test(arguments: [Optimizer.sgd(learningRate: 0.5, momentum: 0.9), .adam(learningRate: 0.05)])
    func xorIsLearned(optimizer: Optimizer) throws {
        let x: [Float] = [0, 0, 0, 1, 1, 0, 1, 1]
        let y: [Float] = [0, 1, 1, 0]
        let net = try Network(sizes: [2, 4, 1], activations: [.tanh, .sigmoid], seed: 42)
        try net.setLoss(.binaryCrossEntropy)
        try net.setOptimizer(optimizer)
        for _ in 0..<2000 {
            try net.forward(x)
            try net.backward(y)
            try net.step()
        }
        let out = try net.predict(x)
        for (o, t) in zip(out, y) { #expect(abs(o - t) < 0.1, "XOR output \(out) for targets \(y)") }
    }
}
