import Plexus
import PlexusTestSupport
import Testing

/// The computational graph: seed 002's shopping examples, every operation against central finite
/// differences, and a two-layer network from graph nodes against the dense network.
@Suite struct GraphTests {
    /// Seed 002, case 1: 2 apples at 10 each, 1.1 tax → 22; ∂/∂price 2.2, ∂/∂count 11, ∂/∂tax 20.
    @Test func applesWithTax() throws {
        let g = try Graph()
        let price = try g.parameter(rows: 1, cols: 1, values: [10])
        let count = try g.parameter(rows: 1, cols: 1, values: [2])
        let tax = try g.parameter(rows: 1, cols: 1, values: [1.1])
        let apples = try g.binary(.multiply, price, count)
        let total = try g.binary(.multiply, apples, tax)
        try g.forward()
        #expect(abs(try g.value(total)[0] - 22) < 1e-5)
        try g.backward(from: total)
        #expect(abs(try g.grad(price)[0] - 2.2) < 1e-6)
        #expect(abs(try g.grad(count)[0] - 11) < 1e-5)
        #expect(abs(try g.grad(tax)[0] - 20) < 1e-5)
        #expect(abs(try g.grad(apples)[0] - 1.1) < 1e-6)
    }

    /// Seed 002, case 2: and 3 oranges at 15 → 71.5; gradients 2.2, 11, 3.3, 16.5 and 65.
    @Test func applesAndOrangesWithTax() throws {
        let g = try Graph()
        let applePrice = try g.parameter(rows: 1, cols: 1, values: [10])
        let appleCount = try g.parameter(rows: 1, cols: 1, values: [2])
        let orangePrice = try g.parameter(rows: 1, cols: 1, values: [15])
        let orangeCount = try g.parameter(rows: 1, cols: 1, values: [3])
        let tax = try g.parameter(rows: 1, cols: 1, values: [1.1])
        let apples = try g.binary(.multiply, applePrice, appleCount)      // 20
        let oranges = try g.binary(.multiply, orangePrice, orangeCount)   // 45
        let subtotal = try g.binary(.add, apples, oranges)                // 65
        let total = try g.binary(.multiply, subtotal, tax)                // 71.5
        try g.forward()
        let parts = (try g.value(apples), try g.value(oranges), try g.value(subtotal))
        #expect(parts.0 == [20] && parts.1 == [45] && parts.2 == [65])
        #expect(abs(try g.value(total)[0] - 71.5) < 1e-5)
        try g.backward(from: total)
        let expected: [(Graph.Node, Float)] = [(applePrice, 2.2), (appleCount, 11), (orangePrice, 3.3),
                                               (orangeCount, 16.5), (tax, 65), (subtotal, 1.1), (apples, 1.1), (oranges, 1.1)]
        for (node, value) in expected {
            #expect(abs(try g.grad(node)[0] - value) < 1e-5, "node \(node.index)")
        }
    }

    /// Builds f(x) for one operation on random inputs and compares backward with central differences.
    private func check(_ name: String, positive: Bool = false, _ build: (Graph, Graph.Node, Graph.Node) throws -> Graph.Node) throws {
        let g = try Graph()
        let low: Float = positive ? 0.5 : -1.5, high: Float = positive ? 2 : 1.5
        let a = try g.parameter(rows: 3, cols: 4, values: uniformData(count: 12, seed: 1, low: low, high: high))
        let b = try g.parameter(rows: 3, cols: 4, values: uniformData(count: 12, seed: 2, low: 0.5, high: 2))
        // A weighted sum makes every output element matter with a different weight.
        let weights = try g.constant(rows: 3, cols: 4, values: uniformData(count: 12, seed: 3, low: 0.5, high: 1.5))
        let out = try build(g, a, b)
        let shape = try g.shape(out)
        let w = shape.rows * shape.cols == 12 ? weights : try g.constant(rows: shape.rows, cols: shape.cols,
                                                                          values: uniformData(count: shape.rows * shape.cols, seed: 4, low: 0.5, high: 1.5))
        let root = try g.unary(.sum, try g.binary(.multiply, out, w))
        try g.forward()
        try g.backward(from: root)
        let analytics = [try g.grad(a), try g.grad(b)]
        for (node, analytic) in zip([a, b], analytics) {
            var numeric: [Float] = []
            let base = try g.value(node)
            for i in base.indices {
                var plus = base, minus = base
                plus[i] += 1e-2; minus[i] -= 1e-2
                try g.setValue(node, plus); try g.forward(); let up = Double(try g.value(root)[0])
                try g.setValue(node, minus); try g.forward(); let down = Double(try g.value(root)[0])
                numeric.append(Float((up - down) / Double(plus[i] - minus[i])))
            }
            try g.setValue(node, base)
            #expect(worstMismatch(analytic, numeric, absolute: 2e-3, relative: 2e-2) <= 1, "\(name): \(analytic) vs \(numeric)")
        }
    }

    @Test func everyOperationAgainstFiniteDifferences() throws {
        try check("add") { g, a, b in try g.binary(.add, a, b) }
        try check("subtract") { g, a, b in try g.binary(.subtract, a, b) }
        try check("multiply") { g, a, b in try g.binary(.multiply, a, b) }
        try check("divide") { g, a, b in try g.binary(.divide, a, b) }
        try check("scalar broadcast") { g, a, b in try g.binary(.multiply, a, try g.unary(.mean, b)) }
        try check("matmul") { g, a, b in
            try g.matmul(a, try g.parameter(rows: 4, cols: 2, values: uniformData(count: 8, seed: 9)))
        }
        try check("matmul of both") { g, a, b in
            try g.matmul(a, try g.binary(.multiply, try g.unary(.sum, b), try g.constant(rows: 4, cols: 5, values: uniformData(count: 20, seed: 7))))
        }
        try check("sum") { g, a, _ in try g.unary(.sum, a) }
        try check("mean") { g, a, _ in try g.unary(.mean, a) }
        try check("square") { g, a, _ in try g.unary(.square, a) }
        try check("exp") { g, a, _ in try g.unary(.exp, a) }
        try check("log", positive: true) { g, a, _ in try g.unary(.log, a) }
        for f in Activation.allCases {
            try check("\(f)") { g, a, _ in try g.activation(f, a) }
        }
        for loss in Loss.allCases {
            try check("\(loss)") { g, a, b in
                let target = loss == .crossEntropy ? try g.binary(.divide, b, try g.unary(.sum, b)) :
                             loss == .binaryCrossEntropy ? try g.activation(.sigmoid, b) : b
                return try g.loss(loss, prediction: a, target: target)
            }
        }
    }

    /// A two-layer network from graph nodes (x·W1ᵀ + b1 → tanh → ·W2ᵀ + b2 → softmax cross-entropy)
    /// gives the dense network's gradients.
    @Test func twoLayerNetworkMatchesTheDenseNetwork() throws {
        let net = try Network(sizes: [3, 5, 2], activations: [.tanh, .softmax], seed: 8)
        try net.setLoss(.crossEntropy)
        let x = uniformData(count: 4 * 3, seed: 1), y = probabilityRows(rows: 4, cols: 2, seed: 2, oneHot: true)
        try net.forward(x)
        let denseLoss = try net.backward(y)
        let (w1, b1) = try net.weights(layer: 1), (w2, b2) = try net.weights(layer: 2)

        let g = try Graph()
        let input = try g.input(rows: 4, cols: 3), target = try g.input(rows: 4, cols: 2)
        let W1 = try g.parameter(rows: 3, cols: 5, values: transpose(w1, rows: 5, cols: 3))   // stored as Wᵀ
        let B1 = try g.parameter(rows: 1, cols: 5, values: b1!)
        let W2 = try g.parameter(rows: 5, cols: 2, values: transpose(w2, rows: 2, cols: 5))
        let B2 = try g.parameter(rows: 1, cols: 2, values: b2!)
        let ones = try g.constant(rows: 4, cols: 1, values: [1, 1, 1, 1])
        let hidden = try g.activation(.tanh, try g.binary(.add, try g.matmul(input, W1), try g.matmul(ones, B1)))
        let logits = try g.binary(.add, try g.matmul(hidden, W2), try g.matmul(ones, B2))
        let loss = try g.loss(.crossEntropy, prediction: logits, target: target)
        try g.setValue(input, x)
        try g.setValue(target, y)
        try g.forward()
        try g.backward(from: loss)
        #expect(abs(try g.value(loss)[0] - denseLoss) < 1e-5)
        let grads = try net.gradients
        let dW1 = transpose(try g.grad(W1), rows: 3, cols: 5), dW2 = transpose(try g.grad(W2), rows: 5, cols: 2)
        let graphGrads = dW1 + (try g.grad(B1)) + dW2 + (try g.grad(B2))
        #expect(worstMismatch(graphGrads, grads, absolute: 1e-6, relative: 1e-4) <= 1)
    }

    private func transpose(_ m: [Float], rows: Int, cols: Int) -> [Float] {
        (0..<(rows * cols)).map { i in m[(i % rows) * cols + i / rows] }
    }

    @Test func trainingParametersWithTheOptimizers() throws {
        // Fit y = 3x − 1 with a 1×1 weight and bias: SGD finds it.
        let g = try Graph()
        let x = try g.constant(rows: 8, cols: 1, values: (0..<8).map { Float($0) / 4 })
        let y = try g.constant(rows: 8, cols: 1, values: (0..<8).map { 3 * Float($0) / 4 - 1 })
        let w = try g.parameter(rows: 1, cols: 1, values: [0]), b = try g.parameter(rows: 1, cols: 1, values: [0])
        let loss = try g.loss(.mse, prediction: try g.binary(.add, try g.binary(.multiply, x, w), b), target: y)
        try g.setOptimizer(.sgd(learningRate: 0.1, momentum: 0.5))
        for _ in 0..<500 { try g.forward(); try g.backward(from: loss); try g.step() }
        let (fitted, offset) = (try g.value(w)[0], try g.value(b)[0])
        #expect(abs(fitted - 3) < 1e-3 && abs(offset + 1) < 1e-3)
    }

    @Test func errors() throws {
        let g = try Graph()
        let a = try g.input(rows: 2, cols: 3), b = try g.input(rows: 3, cols: 2)
        #expect(throws: PlexusError.self) { _ = try g.binary(.add, a, b) }
        #expect(throws: PlexusError.self) { _ = try g.matmul(a, a) }
        #expect(throws: PlexusError.self) { _ = try g.input(rows: 0, cols: 1) }
        #expect(throws: PlexusError.self) { _ = try g.unary(.sum, Graph.Node(index: 9)) }
        let product = try g.matmul(a, b)
        #expect(throws: PlexusError.self) { _ = try g.value(product) }        // no forward yet
        #expect(throws: PlexusError.self) { try g.setValue(product, [1, 2, 3, 4]) }
        #expect(throws: PlexusError.self) { try g.setValue(a, [1, .nan, 3, 4, 5, 6]) }
        try g.forward()
        #expect(throws: PlexusError.self) { try g.backward(from: product) }   // not 1×1
        #expect(throws: PlexusError.self) { try g.step() }                    // no backward
    }
}
