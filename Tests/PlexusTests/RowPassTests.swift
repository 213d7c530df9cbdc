@_spi(Testing) import Plexus
import PlexusTestSupport
import Testing

/// The fused row passes (small batches of small networks) against the layered passes, bit for bit.
@Suite struct RowPassTests {
    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    /// Two copies of one network, the second forced through the layered passes, trained side by
    /// side; every output, loss, gradient, parameter and prediction must be bitwise equal.
    /// Returns whether any gradient was non-zero (a comparison of zeros would prove little).
    @discardableResult
    private func compare(sizes: [Int], activations: [Activation], bias: Bool, loss: Loss,
                         optimizer: Optimizer, batch: Int, seed: UInt64) throws -> Bool {
        let rows = try Network(sizes: sizes, activations: activations, bias: bias, seed: seed)
        let layered = try Network(sizes: sizes, activations: activations, bias: bias, seed: seed)
        layered.disableRowPasses()
        for net in [rows, layered] {
            try net.setLoss(loss)
            try net.setOptimizer(optimizer)
        }
        let outputs = sizes.last!
        let label = "\(sizes) \(activations) bias \(bias) \(loss) \(optimizer) batch \(batch)"
        var sawGradient = false
        for step in 0..<4 {
            let x = uniformData(count: batch * sizes[0], seed: seed &+ UInt64(10 * step + 1), low: -3, high: 3)
            var y = uniformData(count: batch * outputs, seed: seed &+ UInt64(10 * step + 2), low: 0, high: 1)
            if loss == .crossEntropy {   // rows of a probability distribution
                for r in 0..<batch {
                    let sum = y[(r * outputs)..<((r + 1) * outputs)].reduce(0, +)
                    for k in 0..<outputs { y[r * outputs + k] /= sum }
                }
            }
            let a = try rows.forward(x), b = try layered.forward(x)
            #expect(bits(a) == bits(b), "forward, step \(step): \(label)")
            let lossA = try rows.backward(y), lossB = try layered.backward(y)
            #expect(lossA.bitPattern == lossB.bitPattern, "loss, step \(step): \(label)")
            #expect(try bits(rows.gradients) == bits(layered.gradients), "gradients, step \(step): \(label)")
            sawGradient = try sawGradient || rows.gradients.contains { $0 != 0 }
            try rows.step()
            try layered.step()
            #expect(try bits(rows.parameters) == bits(layered.parameters), "parameters, step \(step): \(label)")
            #expect(bits(try rows.predict(x)) == bits(try layered.predict(x)), "predict, step \(step): \(label)")
        }
        return sawGradient
    }

    @Test func everyActivationAndLossMatchesTheLayeredPasses() throws {
        var seed: UInt64 = 1
        var compared = 0
        for hidden in Activation.allCases {
            for output in Activation.allCases {
                for loss in Loss.allCases {
                    if loss == .crossEntropy && output != .softmax { continue }
                    if loss == .binaryCrossEntropy && output != .sigmoid { continue }
                    seed += 1
                    let sawGradient = try compare(
                        sizes: [3, 5, 4, 2], activations: [hidden, hidden, output], bias: seed % 3 != 0,
                        loss: loss, optimizer: seed % 2 == 0 ? .sgd(learningRate: 0.1, momentum: 0.9) : .adam(),
                        batch: 1 + Int(seed % 4), seed: seed)
                    // A relu output layer may be dead for a few rows; every other case must train.
                    #expect(sawGradient || output == .relu, "no gradient reached the parameters: \(hidden), \(output), \(loss)")
                    compared += 1
                }
            }
        }
        // The losses that fit any output everywhere, plus cross-entropy (softmax) and BCE (sigmoid).
        let activations = Activation.allCases.count
        #expect(compared == activations * activations * (Loss.allCases.count - 2) + 2 * activations)
    }

    @Test func shapesUpToTheRowLimitMatchTheLayeredPasses() throws {
        // 2-4-1 at the largest batch with small products (63 rows: 63·2·4 = 504 < 512), a
        // one-layer network, and a wider net whose two rows of scratch just fit the stack.
        try compare(sizes: [2, 4, 1], activations: [.sigmoid, .sigmoid], bias: true, loss: .mse,
                    optimizer: .sgd(learningRate: 0.5), batch: 63, seed: 41)
        try compare(sizes: [7, 3], activations: [.softmax], bias: true, loss: .crossEntropy,
                    optimizer: .sgd(learningRate: 0.05), batch: 9, seed: 42)
        try compare(sizes: [1, 128, 1], activations: [.tanh, .identity], bias: false, loss: .quadratic,
                    optimizer: .adam(learningRate: 0.01), batch: 3, seed: 43)
    }
}
