import Plexus
import PlexusTestSupport
import Testing

/// Every activation × loss pair the library accepts, checked against central finite differences.
struct Pairing: CustomStringConvertible, Sendable {
    let hidden: Activation
    let output: Activation
    let loss: Loss
    let bias: Bool
    var description: String { "\(hidden)→\(output) \(loss) bias:\(bias)" }

    static let all: [Pairing] = {
        var pairs: [Pairing] = []
        for (index, output) in Activation.allCases.enumerated() {
            for loss in Loss.allCases {
                if loss == .crossEntropy && output != .softmax { continue }
                if loss == .binaryCrossEntropy && output != .sigmoid { continue }
                // Every activation also appears as a hidden layer, rotating through the outputs.
                let hidden = Activation.allCases[(index + Int(loss.rawValue)) % Activation.allCases.count]
                pairs.append(Pairing(hidden: hidden, output: output, loss: loss, bias: true))
                pairs.append(Pairing(hidden: output, output: output, loss: loss, bias: false))
            }
        }
        return pairs
    }()
}

@Suite struct GradientTests {
    @Test(arguments: Pairing.all)
    func matchesCentralDifferences(_ pair: Pairing) throws {
        let net = try Network(sizes: [3, 5, 4, 3], activations: [pair.hidden, pair.hidden, pair.output],
                              bias: pair.bias, seed: 5)
        try net.setLoss(pair.loss)
        let batch = 4
        let x = uniformData(count: batch * 3, seed: 21, low: -2, high: 2)
        let y: [Float]
        switch pair.loss {
        case .crossEntropy: y = probabilityRows(rows: batch, cols: 3, seed: 8, oneHot: false)
        case .binaryCrossEntropy: y = uniformData(count: batch * 3, seed: 8, low: 0, high: 1)
        default: y = uniformData(count: batch * 3, seed: 8, low: -1, high: 1)
        }
        let analytic = try analyticGradient(of: net, x: x, y: y)
        let numeric = try numericalGradient(of: net, x: x, y: y, step: 1e-3)
        #expect(analytic.contains { abs($0) > 1e-3 }, "a gradient of zeros proves nothing")
        let worst = worstMismatch(analytic, numeric, absolute: 2e-3, relative: 3e-2)
        #expect(worst <= 1, "\(pair): analytic \(analytic) vs numeric \(numeric)")
    }

    @Test func crossEntropyWithOneHotTargets() throws {
        let net = try Network(sizes: [4, 6, 5], activations: [.relu, .softmax], seed: 9)
        try net.setLoss(.crossEntropy)
        let x = uniformData(count: 6 * 4, seed: 2, low: -1, high: 1)
        let y = probabilityRows(rows: 6, cols: 5, seed: 3, oneHot: true)
        let analytic = try analyticGradient(of: net, x: x, y: y)
        let numeric = try numericalGradient(of: net, x: x, y: y)
        #expect(worstMismatch(analytic, numeric, absolute: 2e-3, relative: 3e-2) <= 1)
    }

    @Test func lossesHaveTheirDocumentedValues() throws {
        // One identity layer with W = I: the outputs equal the inputs, so each loss is a formula of x and y.
        let net = try Network(sizes: [2, 2], activations: [.identity], bias: false)
        try net.setWeights(layer: 1, weights: [1, 0, 0, 1])
        let x: [Float] = [1, 2, 3, 5], y: [Float] = [0, 0, 1, 1]
        try net.forward(x)
        #expect(abs(try net.backward(y) - (1 + 4 + 4 + 16) / 4.0) < 1e-6)        // MSE: mean over B·O
        try net.zeroGrads()
        try net.setLoss(.quadratic)
        #expect(abs(try net.backward(y) - (1 + 4 + 4 + 16) / 4.0) < 1e-6)        // (1/2B)Σ‖a−y‖², B = 2
        try net.zeroGrads()
        try net.setLoss(.l1)
        #expect(abs(try net.backward(y) - (1 + 2 + 2 + 4) / 4.0) < 1e-6)         // mean |a−y|
        try net.zeroGrads()
        try net.setLoss(.huber)
        #expect(abs(try net.backward(y) - (0.5 + 1.5 + 1.5 + 3.5) / 4.0) < 1e-6) // ½d² within 1, |d|−½ beyond

        let soft = try Network(sizes: [2, 2], activations: [.softmax], bias: false)
        try soft.setWeights(layer: 1, weights: [1, 0, 0, 1])
        try soft.setLoss(.crossEntropy)
        try soft.forward([0, 0])
        #expect(abs(try soft.backward([1, 0]) - 0.6931472) < 1e-6)               // −log ½
    }
}
