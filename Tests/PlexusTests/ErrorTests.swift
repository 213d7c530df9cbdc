import Plexus
import PlexusTestSupport
import Testing

/// Every error path of the Swift API: the right code, a message that says what to do, nothing changed.
@Suite struct ErrorTests {
    private func expectError(_ code: PlexusError.Code, containing text: String,
                             sourceLocation: SourceLocation = #_sourceLocation,
                             _ body: () throws -> Void) {
        let error = #expect(throws: PlexusError.self, sourceLocation: sourceLocation) { try body() }
        #expect(error?.code == code, "got \(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.message.contains(text) == true, "message: \(error?.message ?? "none")", sourceLocation: sourceLocation)
    }

    @Test func creation() {
        expectError(.argument, containing: "at least 2") { _ = try Network(sizes: [3], activations: []) }
        expectError(.argument, containing: "activations") { _ = try Network(sizes: [3, 2], activations: []) }
        expectError(.argument, containing: "sizes[1] is 0") { _ = try Network(sizes: [3, 0, 1], activations: [.relu, .relu]) }
        expectError(.argument, containing: "sizes[0]") { _ = try Network(sizes: [Int(Int32.max) + 1, 1], activations: [.relu]) }
        expectError(.memory, containing: "overflow") {
            _ = try Network(sizes: [2_000_000_000, 2_000_000_000, 2_000_000_000, 2_000_000_000, 2_000_000_000],
                            activations: [.relu, .relu, .relu, .relu])
        }
    }

    @Test func lossMustFitTheOutput() throws {
        let net = try Network(sizes: [2, 3], activations: [.relu])
        expectError(.argument, containing: "softmax") { try net.setLoss(.crossEntropy) }
        expectError(.argument, containing: "sigmoid") { try net.setLoss(.binaryCrossEntropy) }
        #expect(try net.loss == .mse)
    }

    @Test func passesAndState() throws {
        let net = try Network(sizes: [2, 3, 1], activations: [.relu, .sigmoid])
        expectError(.state, containing: "forward") { try net.backward([1]) }
        expectError(.shape, containing: "multiple of the 2") { try net.forward([1, 2, 3]) }
        expectError(.argument, containing: "x[1][0] is nan") { try net.forward([1, 2, .nan, 4]) }
        expectError(.argument, containing: "inf") { _ = try net.predict([.infinity, 1]) }
        try net.forward([1, 2, 3, 4])
        expectError(.state, containing: "batch of 1 rows but the last forward had 2") { try net.backward([1]) }
        expectError(.argument, containing: "target[1][0]") { try net.backward([1, .nan]) }
        try net.backward([1, 0])
        try net.step()
        expectError(.state, containing: "forward") { try net.backward([1, 0]) }
        try net.forward([1, 2, 3, 4])
        try net.setParameters(net.parameters)
        expectError(.state, containing: "forward") { try net.backward([1, 0]) }
    }

    @Test func zeroBatchesAndCounts() throws {
        let net = try Network(sizes: [2, 1], activations: [.identity])
        var x: [Float] = [1, 2]
        var y: [Float] = [0]
        try x.withUnsafeMutableBufferPointer { xs in
            try y.withUnsafeMutableBufferPointer { ys in
                expectError(.argument, containing: "batch is 0") { try net.forward(xs.baseAddress!, batch: 0, output: ys.baseAddress!) }
                expectError(.argument, containing: "batch is 0") { try net.predict(xs.baseAddress!, batch: 0, output: ys.baseAddress!) }
                expectError(.argument, containing: "more than") { try net.predict(xs.baseAddress!, batch: Int(Int32.max) + 1, output: ys.baseAddress!) }
                expectError(.argument, containing: "n is 0") {
                    try net.train(x: xs.baseAddress!, y: ys.baseAddress!, count: 0, epochs: 1, batchSize: 1, shuffleSeed: 0)
                }
                expectError(.argument, containing: "epochs is 0") {
                    try net.train(x: xs.baseAddress!, y: ys.baseAddress!, count: 1, epochs: 0, batchSize: 1, shuffleSeed: 0)
                }
                expectError(.argument, containing: "batch_size is 0") {
                    try net.train(x: xs.baseAddress!, y: ys.baseAddress!, count: 1, epochs: 1, batchSize: 0, shuffleSeed: 0)
                }
            }
        }
        expectError(.shape, containing: "rows") { try net.train(x: [1, 2, 3, 4], y: [1], epochs: 1) }
    }

    @Test func parameterAccess() throws {
        let net = try Network(sizes: [2, 2], activations: [.identity], bias: false)
        let before = try net.parameters
        expectError(.argument, containing: "layer 0 does not exist") { _ = try net.weights(layer: 0) }
        expectError(.argument, containing: "layer 2 does not exist") { _ = try net.weights(layer: 2) }
        expectError(.shape, containing: "needs 4") { try net.setWeights(layer: 1, weights: [1, 2, 3]) }
        expectError(.argument, containing: "without biases") { try net.setWeights(layer: 1, weights: [1, 2, 3, 4], bias: [0, 0]) }
        expectError(.argument, containing: "w[2] is nan") { try net.setWeights(layer: 1, weights: [1, 2, .nan, 4]) }
        expectError(.shape, containing: "params") { try net.setParameters([1]) }
        expectError(.argument, containing: "params[0]") { try net.setParameters([.nan, 1, 2, 3]) }
        expectError(.argument, containing: "grads[3]") { try net.setGradients([0, 1, 2, -.infinity]) }
        #expect(try net.parameters == before)
        #expect(try net.gradients == [0, 0, 0, 0])
    }
}
