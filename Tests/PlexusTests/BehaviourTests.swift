#if canImport(Glibc)
import Glibc
#endif
import Plexus
import PlexusTestSupport
import Testing

/// Gradient accumulation, determinism, initialisation, predict's purity, and numeric safety.
@Suite struct BehaviourTests {
    private func makeNet(seed: UInt64 = 1) throws -> Network {
        try Network(sizes: [3, 4, 2], activations: [.sigmoid, .identity], seed: seed)
    }

    @Test func backwardAccumulatesAndZeroGradsClears() throws {
        let net = try makeNet()
        let x1 = uniformData(count: 6, seed: 1), y1 = uniformData(count: 4, seed: 2)
        let x2 = uniformData(count: 9, seed: 3), y2 = uniformData(count: 6, seed: 4)
        let g1 = try analyticGradient(of: net, x: x1, y: y1)
        let g2 = try analyticGradient(of: net, x: x2, y: y2)
        #expect(g1.contains { $0 != 0 })

        try net.forward(x1); try net.backward(y1); try net.backward(y1)
        #expect(try worstMismatch(net.gradients, g1.map { 2 * $0 }, absolute: 1e-7, relative: 1e-6) <= 1)
        try net.zeroGrads()
        #expect(try net.gradients.allSatisfy { $0 == 0 })

        try net.forward(x1); try net.backward(y1)
        try net.forward(x2); try net.backward(y2)
        #expect(try worstMismatch(net.gradients, zip(g1, g2).map(+), absolute: 1e-7, relative: 1e-6) <= 1)
    }

    @Test func sameSeedSameNetworkBitwise() throws {
        let a = try Network(sizes: [5, 7, 3], activations: [.relu, .softmax], seed: 99)
        let b = try Network(sizes: [5, 7, 3], activations: [.relu, .softmax], seed: 99)
        let c = try Network(sizes: [5, 7, 3], activations: [.relu, .softmax], seed: 100)
        #expect(try a.parameters == b.parameters)
        #expect(try a.parameters != c.parameters)
    }

    /// The generator's first outputs, so other tools can check their reimplementation (README).
    @Test func generatorIsTheDocumentedOne() {
        var g = SeededGenerator(seed: 0)
        // xoshiro256** seeded by SplitMix64(0): reference values from the authors' C code.
        #expect(g.next() == 0x99EC_5F36_CB75_F2B4)
        #expect(g.next() == 0xBF6E_1F78_4956_452A)
    }

    @Test func initialisationLimits() throws {
        let net = try Network(sizes: [100, 50, 10], activations: [.relu, .tanh], seed: 3)
        let (w1, b1) = try net.weights(layer: 1)
        let (w2, _) = try net.weights(layer: 2)
        let he = Float((2.0 * 3.0 / 100.0).squareRoot()), glorot = Float((6.0 / 60.0).squareRoot())
        #expect(w1.allSatisfy { abs($0) <= he } && w1.contains { abs($0) > 0.9 * he })
        #expect(w2.allSatisfy { abs($0) <= glorot } && w2.contains { abs($0) > 0.9 * glorot })
        #expect(b1!.allSatisfy { $0 == 0 })
    }

    @Test func trainingIsDeterministic() throws {
        let x = uniformData(count: 50 * 3, seed: 5), y = uniformData(count: 50 * 2, seed: 6)
        func run() throws -> [Float] {
            let net = try makeNet(seed: 8)
            try net.setOptimizer(.adam(learningRate: 0.01))
            try net.train(x: x, y: y, epochs: 5, batchSize: 8, shuffleSeed: 77)
            return try net.parameters
        }
        #expect(try run() == run())
    }

    @Test func trainingCallbackSeesEveryEpochAndCanStop() throws {
        let net = try makeNet()
        let x = uniformData(count: 10 * 3, seed: 5), y = uniformData(count: 10 * 2, seed: 6)
        var seen: [Int] = []
        let history = try net.train(x: x, y: y, epochs: 10, batchSize: 4) { epoch, loss in
            seen.append(epoch)
            #expect(loss.isFinite)
            return epoch == 2 ? .stop : .proceed
        }
        #expect(seen == [0, 1, 2])
        #expect(history.count == 3)
    }

    @Test func predictEqualsForwardAndChangesNothing() throws {
        let net = try makeNet()
        let x = uniformData(count: 7 * 3, seed: 9)
        let before = try net.parameters
        let predicted = try net.predict(x)
        #expect(try net.parameters == before)
        #expect(try net.forward(x) == predicted)
        // Layers in the GEMM; forward and predict still agree bitwise.
        let big = try Network(sizes: [64, 128, 10], activations: [.relu, .softmax], seed: 2)
        let xb = uniformData(count: 100 * 64, seed: 10)
        #expect(try big.predict(xb) == big.forward(xb))
    }

    @Test func sigmoidIsAccurateEverywhere() throws {
        // The logistic function against double precision, within 4 ulp over every range: tiny
        // and huge |z|, subnormal results, exactly 0.5 at zero; then ±∞ pre-activations.
        let net = try Network(sizes: [1, 1], activations: [.sigmoid], bias: false)
        try net.setParameters([1])
        var z: [Float] = [0, -0.0, 1e-30, -1e-30, 88, -88, 100, -100, 103, -103, 104, -104, 200, -200, 1e30, -1e30]
        var v: Float = -120
        while v < 120 { z.append(v); v += 0.0137 }
        let out = try net.predict(z)
        for (zi, si) in zip(z, out) {
            let exact = 1 / (1 + exp(-Double(zi)))
            let error = abs(Double(si) - exact)
            let allowed = max(4 * Double(Float(exact).ulp), Double(Float.leastNonzeroMagnitude))
            #expect(error <= allowed, "sigmoid(\(zi)) = \(si), exact \(exact)")
        }
        // Non-finite values pass through the activation itself (forward rejects non-finite inputs).
        let infinite = try Network(sizes: [1, 1], activations: [.sigmoid], bias: false)
        try infinite.setParameters([Float.greatestFiniteMagnitude])
        #expect(try infinite.predict([10, -10]) == [1, 0])
    }


    @Test func predictInBlocksEqualsForward() throws {
        // 1,300 rows cross two 512-row block boundaries of predict; forward runs them at once.
        let net = try Network(sizes: [20, 48, 7], activations: [.tanh, .softmax], seed: 4)
        let x = uniformData(count: 1300 * 20, seed: 14)
        #expect(try net.predict(x) == net.forward(x))
        // A second, smaller call reuses the kept scratch and still agrees.
        let head = Array(x[0..<(600 * 20)])
        #expect(try net.predict(head) == net.forward(head))
    }

    @Test func aRowIsTheSameBitsAloneAndInAnyBatch() throws {
        // One order of arithmetic: a GEMM layer (32·64) and a loop layer (64·8), one row alone
        // (the row passes are off for such a net) against the same rows in batches across the
        // GEMM's blocks and predict's 512-row blocks.
        let net = try Network(sizes: [32, 64, 8], activations: [.tanh, .identity], seed: 6)
        let x = uniformData(count: 1025 * 32, seed: 12)
        let alone = try (0..<20).flatMap { r in try net.predict(Array(x[(r * 32)..<(r * 32 + 32)])) }
        for batch in [2, 7, 64, 511, 512, 513, 1025] {
            let many = try net.predict(Array(x[0..<(batch * 32)]))
            let rows = min(batch, 20)
            #expect(Array(many[0..<(rows * 8)]).map(\.bitPattern) == Array(alone[0..<(rows * 8)]).map(\.bitPattern), "batch \(batch)")
        }
    }

    @Test func stableForExtremeInputs() throws {
        for (activation, loss) in [(Activation.sigmoid, Loss.binaryCrossEntropy), (.softmax, .crossEntropy),
                                   (.sigmoid, .mse), (.softmax, .quadratic), (.tanh, .mse)] {
            let net = try Network(sizes: [1, 2], activations: [activation], seed: 1)
            try net.setLoss(loss)
            try net.setWeights(layer: 1, weights: [1e4, -1e4], bias: [0, 0])
            for x: Float in [1e30, -1e30, 1e-40, 0] {
                let out = try net.forward([x])
                #expect(out.allSatisfy { $0.isFinite }, "\(activation) at \(x): \(out)")
                let value = try net.backward(loss == .crossEntropy ? [0, 1] : [1, 0])
                #expect(value.isFinite, "\(loss) at \(x)")
                #expect(try net.gradients.allSatisfy { $0.isFinite })
                try net.zeroGrads()
            }
        }
    }

    @Test func stepRefusesNonFiniteGradientsAndKeepsEverything() throws {
        let net = try Network(sizes: [1, 1, 1], activations: [.identity, .identity], seed: 1)
        try net.setOptimizer(.sgd(learningRate: 0.1, momentum: 0.9))
        try net.setWeights(layer: 1, weights: [1e20])
        try net.setWeights(layer: 2, weights: [1e20])
        let before = try net.parameters
        try net.forward([1e10])          // the output overflows to infinity
        try net.backward([0])
        #expect(try net.gradients.contains { !$0.isFinite })
        let error = #expect(throws: PlexusError.self) { try net.step() }
        #expect(error?.code == .numeric)
        #expect(try net.parameters == before)
        #expect(try net.optimizerSteps == 0)
    }

    @Test func stepRefusesAnOverflowingUpdate() throws {
        let net = try Network(sizes: [1, 1], activations: [.identity], seed: 1)
        try net.setOptimizer(.sgd(learningRate: 1e30))
        try net.setGradients([1e20, 1e20])
        let before = try net.parameters
        let error = #expect(throws: PlexusError.self) { try net.step() }
        #expect(error?.code == .numeric)
        #expect(try net.parameters == before)
    }

    @Test func trainStopsAtANonFiniteStepNamingEpochAndBatch() throws {
        let net = try Network(sizes: [1, 1], activations: [.identity], seed: 1)
        try net.setOptimizer(.sgd(learningRate: 1e25))
        let x: [Float] = [1e10, 1e10], y: [Float] = [0, 0]
        let error = #expect(throws: PlexusError.self) { try net.train(x: x, y: y, epochs: 3, batchSize: 1) }
        #expect(error?.code == .numeric)
        #expect(error?.message.contains("epoch 0, batch") == true, "\(error?.message ?? "")")
        #expect(try net.parameters.allSatisfy { $0.isFinite })
        #expect(try net.gradients.allSatisfy { $0 == 0 })
    }
}
