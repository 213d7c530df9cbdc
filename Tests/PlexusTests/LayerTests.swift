import Foundation
import CPlexusSupport
import PlexusC
import Plexus
import PlexusTestSupport
import Testing

/// Networks built by layers: the same bits as the sizes form, dropout layers that are the
/// sizes form's dropout, every refusal naming the layer, and model files that keep the layers.
@Suite struct LayerTests {
    private let x = uniformData(count: 7 * 4, seed: 3)

    @Test func theLayerFormIsTheSizesFormBitwise() throws {
        let bySizes = try Network(sizes: [4, 16, 8, 3], activations: [.relu, .tanh, .softmax], seed: 11)
        let byLayers = try Network(inputShape: [4], layers: [.dense(16, activation: .relu), .dense(8, activation: .tanh),
                                                             .dense(3, activation: .softmax)], seed: 11)
        #expect(try byLayers.parameters == bySizes.parameters)
        #expect(try byLayers.predict(x) == bySizes.predict(x))
        #expect(try bySizes.layers == [.dense(16, activation: .relu), .dense(8, activation: .tanh), .dense(3, activation: .softmax)])
        #expect(byLayers.layerCount == 4 && byLayers.inputShape == [4])
        #expect(try byLayers.outputShape(ofLayer: 0) == [4] && byLayers.outputShape(ofLayer: 3) == [3])
        // A net of dense layers is still written in the version older readers know.
        #expect(try metadata(of: byLayers)["plexus.format_version"] == "2")
    }

    /// A dropout layer is the sizes form's dropout on the layer before it: the same masks, the
    /// same training, bit for bit; only the numbering differs.
    @Test func aDropoutLayerTrainsAsTheSizesFormsDropout() throws {
        let byLayers = try Network(inputShape: [4], layers: [.dense(16, activation: .relu), .dropout(0.25),
                                                             .dense(3, activation: .sigmoid)], seed: 5)
        let bySizes = try Network(sizes: [4, 16, 3], activations: [.relu, .sigmoid], seed: 5)
        try bySizes.setDropout(layer: 1, probability: 0.25)
        #expect(try byLayers.dropout(ofLayer: 2) == 0.25 && byLayers.dropout(ofLayer: 1) == 0)
        let y = uniformData(count: 7 * 3, seed: 4)
        for net in [byLayers, bySizes] {
            try net.setOptimizer(.adam(learningRate: 0.01))
            for _ in 0..<5 {
                try net.forward(x)
                try net.backward(y)
                try net.step()
            }
        }
        #expect(try byLayers.parameters == bySizes.parameters)
        #expect(try byLayers.weights(layer: 3).weights == bySizes.weights(layer: 2).weights)
        #expect(byLayers.layerCount == 4 && bySizes.layerCount == 3)
        try byLayers.setDropout(layer: 2, probability: 0.5)
        #expect(try byLayers.layers == [.dense(16, activation: .relu), .dropout(0.5), .dense(3, activation: .sigmoid)])
        #expect(throws: PlexusError.self) { try byLayers.setDropout(layer: 1, probability: 0.1) }
        #expect(throws: PlexusError.self) { try byLayers.weights(layer: 2) }
        #expect(throws: PlexusError.self) { try byLayers.activation(ofLayer: 2) }
    }

    @Test func everyRefusalNamesTheLayer() {
        func refused(_ shape: [Int], _ layers: [Layer], _ text: String) {
            do {
                _ = try Network(inputShape: shape, layers: layers)
                Issue.record("\(layers) on \(shape) was accepted")
            } catch {
                #expect(error.code == .argument && error.message.contains(text), "\(error.message)")
            }
        }
        refused([4], [], "at least one layer")
        refused([4], [.dropout(0.5), .dense(2)], "layer 1 (dropout) must follow a dense or layer-norm layer")
        refused([4], [.dense(3), .dropout(0.5)], "layer 2 (dropout) is the last layer")
        refused([4], [.dense(3), .dropout(0.5), .dropout(0.5), .dense(2)], "layer 3 (dropout) must follow a dense or layer-norm layer")
        refused([4], [.dense(3), .dropout(1), .dense(2)], "layer 2 (dropout) has rate 1.0")
        refused([4], [.dense(3), .dropout(.nan), .dense(2)], "layer 2 (dropout) has rate nan")
        refused([4], [.dense(0)], "layer 1 (dense) has 0 units")
        refused([1, 8, 8], [.dense(10)], "layer 1 (dense) takes a flat input")
        refused([0], [.dense(1)], "input shape [0] is not a shape")
        refused([], [.dense(1)], "input shape [] is not a shape")
        refused([65536, 65536], [.dense(1)], "is not a shape")
    }

    @Test func modelFilesKeepTheLayers() throws {
        let net = try Network(inputShape: [4], layers: [.dense(6, activation: .tanh, bias: false), .dropout(0.125),
                                                        .dense(5, activation: .relu), .dense(2, activation: .identity)], seed: 9)
        try net.setOptimizer(.adam(learningRate: 0.01))
        try net.forward(x)
        try net.backward(uniformData(count: 7 * 2, seed: 8))
        try net.step()
        let meta = try metadata(of: net)
        #expect(meta["plexus.format_version"] == "5")
        #expect(meta["plexus.input_shape"] == "[4]")
        #expect(meta["plexus.layers"]?.contains("{\"kind\":\"dropout\",\"rate\":0.125}") == true)
        let names = try tensorNames(of: net)
        #expect(names.contains("layers.1.weight") && !names.contains("layers.1.bias") && names.contains("layers.3.bias")
                && names.contains("layers.4.weight") && !names.contains("layers.0.weight"))
        #expect(names.contains("optimizer.layers.3.weight.exp_avg"))
        let loaded = try Network.load(modelData: try net.modelData())
        #expect(try loaded.layers == net.layers)
        #expect(try loaded.parameters == net.parameters && loaded.predict(x) == net.predict(x))
        #expect(try loaded.optimizerSteps == 1)
        #expect(try loaded.modelData() == net.modelData())
    }

    @Test func badLayerListsInAFileAreNamed() throws {
        let net = try Network(inputShape: [3], layers: [.dense(4, activation: .relu), .dropout(0.5), .dense(1)], seed: 2)
        let data = try net.modelData()
        let length = Int(data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let text = String(decoding: data[8..<(8 + length)], as: UTF8.self), tensors = Array(data[(8 + length)...])
        func edited(_ from: String, _ to: String, _ expected: String) {
            #expect(text.contains(from), "edit \(from) does not apply")
            // The CRC covers the tensor data only, which no edit touches.
            let header = Array(text.replacingOccurrences(of: from, with: to).utf8)
            let bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header + tensors
            do {
                _ = try Network.load(modelData: bytes)
                Issue.record("\(to) was accepted")
            } catch {
                #expect(error.code == .format && error.message.contains(expected), "\(error.message)")
            }
        }
        edited("\\\"kind\\\":\\\"dropout\\\"", "\\\"kind\\\":\\\"conv9d\\\"", "kind \"conv9d\", which this library does not know")
        edited("\\\"rate\\\":0.5", "\\\"rate\\\":1.5", "needs \"rate\", a number in [0, 1)")
        edited("\"plexus.input_shape\":\"[3]\"", "\"plexus.input_shape\":\"[3,1]\"", "layer 1 (dense) takes a flat input")
        edited("\"plexus.input_shape\":\"[3]\"", "\"plexus.input_shape\":\"[3\"", "not valid JSON")
        edited("\"plexus.dropout\":\"0.5\"", "\"plexus.dropout\":\"0.25\"", "gives dense layer 1's outputs rate 0.25, but the layers after it make it 0.5")
        edited("\"plexus.input_shape\":\"[3]\"", "\"plexus.input_shape\":\"[4]\"", "metadata \"plexus.sizes\" is \"3,4,1\" but the layers make it \"4,4,1\"")
    }

    private func header(of net: Network) throws -> [String: Any] {
        let data = try net.modelData()
        let length = Int(data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        return try JSONSerialization.jsonObject(with: Data(data[8..<(8 + length)])) as! [String: Any]
    }

    private func metadata(of net: Network) throws -> [String: String] {
        try header(of: net)["__metadata__"] as! [String: String]
    }

    private func tensorNames(of net: Network) throws -> Set<String> {
        Set(try header(of: net).keys.filter { $0 != "__metadata__" })
    }
}

/// Layer norms: PyTorch's definition, central differences for every gradient in every position,
/// the same bits in any batch and at any thread count, and model files that keep them.
@Suite struct LayerNormTests {
    private let x = uniformData(count: 9 * 5, seed: 31).map { $0 * 3 - 1 }

    private func net(_ layers: [Layer], seed: UInt64 = 7) throws -> Network {
        try Network(inputShape: [5], layers: layers, seed: seed)
    }

    /// Every position: on the inputs, between dense layers, twice in a row, before and after a
    /// dropout of rate 0, with and without affine.
    private var nets: [[Layer]] {
        [[.layerNorm(), .dense(4, activation: .tanh), .dense(3, activation: .identity)],
         [.dense(6, activation: .relu), .layerNorm(), .dense(3, activation: .sigmoid)],
         [.dense(6, activation: .gelu), .layerNorm(affine: false), .layerNorm(eps: 1e-3), .dense(2, activation: .identity)],
         [.layerNorm(affine: false), .dense(6, activation: .tanh), .dropout(0), .layerNorm(), .dense(3, activation: .softmax)]]
    }

    @Test func theForwardPassIsPyTorchs() throws {
        let ln = try net([.layerNorm(eps: 1e-5), .dense(5, activation: .identity, bias: false)])
        try ln.setWeights(layer: 2, weights: (0..<25).map { $0 % 6 == 0 ? 1 : 0 })      // the identity matrix
        let y = try ln.predict(x)
        for r in 0..<9 {
            let row = x[(r * 5)..<(r * 5 + 5)].map(Double.init)
            let mean = row.reduce(0, +) / 5
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5
            for i in 0..<5 {
                #expect(abs(Double(y[r * 5 + i]) - (row[i] - mean) / (variance + 1e-5).squareRoot()) < 1e-5)
            }
        }
    }

    @Test func gradientsMatchCentralDifferences() throws {
        for layers in nets {
            let network = try net(layers)
            let outputs = network.sizes.last!
            var params = try network.parameters
            // Weights and biases away from their initial ones and zeros, so that every term counts.
            for i in params.indices { params[i] += Float(sin(Double(i) * 1.7)) * 0.3 }
            try network.setParameters(params)
            let loss: Loss = outputs == 3 && layers.last == .dense(3, activation: .softmax) ? .crossEntropy : .mse
            try network.setLoss(loss)
            let target = loss == .crossEntropy ? probabilityRows(rows: 9, cols: outputs, seed: 5, oneHot: true)
                                                 : uniformData(count: 9 * outputs, seed: 6)
            try network.zeroGrads()
            try network.forward(x)
            try network.backward(target)
            let analytic = try network.gradients
            func lossAt(_ values: [Float]) throws -> Double {
                try network.setParameters(values)
                try network.forward(x)
                let value = Double(try network.backward(target))
                try network.zeroGrads()
                return value
            }
            for i in params.indices {
                let h: Float = 1e-2
                var plus = params, minus = params
                plus[i] += h
                minus[i] -= h
                let numeric = (try lossAt(plus) - lossAt(minus)) / Double(2 * h)
                #expect(abs(numeric - Double(analytic[i])) < 2e-3 + 2e-2 * abs(numeric), "\(layers) parameter \(i): \(numeric) vs \(analytic[i])")
            }
        }
    }

    @Test func resultsDoNotDependOnTheBatchOrTheThreads() throws {
        let layers: [Layer] = [.layerNorm(), .dense(64, activation: .relu), .layerNorm(), .dense(40, activation: .tanh),
                               .layerNorm(affine: false), .dense(3, activation: .softmax)]
        let network = try Network(inputShape: [24], layers: layers, seed: 3)
        let rows = uniformData(count: 513 * 24, seed: 12).map { $0 * 4 - 2 }
        let previous = Threads.count
        defer { try? Threads.setCount(previous) }
        var reference: [Float] = []
        for threads in [1, 2] {
            try Threads.setCount(threads)
            for batch in [1, 7, 512, 513] {
                var outputs: [Float] = []
                for start in stride(from: 0, to: 513, by: batch) {
                    let n = min(batch, 513 - start)
                    outputs += try network.predict(Array(rows[(start * 24)..<((start + n) * 24)]))
                }
                if reference.isEmpty { reference = outputs }
                #expect(outputs == reference, "batch \(batch), \(threads) threads")
            }
        }
        // Training too: one step on 513 rows, at one and two threads.
        var trained: [[Float]] = []
        for threads in [1, 2] {
            try Threads.setCount(threads)
            let copy = try Network.load(modelData: try network.modelData())
            try copy.setOptimizer(.adam(learningRate: 0.01))
            try copy.forward(rows)
            try copy.backward(probabilityRows(rows: 513, cols: 3, seed: 2, oneHot: true))
            try copy.step()
            trained.append(try copy.parameters)
        }
        #expect(trained[0] == trained[1])
    }

    @Test func tensorsAreNamedByLayerNumber() throws {
        let network = try net([.layerNorm(), .dense(3, activation: .relu, bias: false), .dropout(0.5), .dense(2)])
        #expect(network.tensorShapes.map(\.name) == ["layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.4.weight", "layers.4.bias"])
        #expect(network.tensorShapes.map(\.shape) == [[5], [5], [3, 5], [2, 3], [2]])
        #expect(try network.tensor(named: "layers.1.weight") == [1, 1, 1, 1, 1])
        try network.setTensor(named: "layers.4.bias", [0.5, -0.5])
        #expect(try network.weights(layer: 4).bias == [0.5, -0.5])
        #expect(throws: PlexusError.self) { try network.setTensor(named: "layers.4.bias", [1]) }
        #expect(throws: PlexusError.self) { try network.tensor(named: "layers.3.weight") }
    }

    @Test func modelFilesKeepLayerNorms() throws {
        let network = try net(nets[3])
        try network.setOptimizer(.adam(learningRate: 0.02))
        for _ in 0..<3 {
            try network.forward(x)
            try network.backward(probabilityRows(rows: 9, cols: 3, seed: 1, oneHot: true))
            try network.step()
        }
        let loaded = try Network.load(modelData: try network.modelData())
        #expect(try loaded.layers == network.layers)
        #expect(try loaded.parameters == network.parameters && loaded.predict(x) == network.predict(x))
        #expect(try loaded.modelData() == network.modelData())
        #expect(try network.cExport(name: "m").source.contains("layer_norm("))
        #expect(try network.cExport(name: "m", options: CExportOptions(trainStep: true)).source.contains("layer_norm_backward("))
        #expect(try QuantizedNetwork(network: network, calibration: x).layers.map(\.norms.count) == [1, 1])
    }
}

/// The same network from Swift's layers and from the C API's `plexus_create_layers` (which
/// Python's `plexus.Network` calls too): the same parameters and the same predictions, bit for bit.
@Suite struct LayersAcrossLanguagesTests {
    @Test func swiftAndCBuildTheSameNetwork() throws {
        let layers: [Layer] = [.layerNorm(), .dense(8, activation: .gelu), .dropout(0.3),
                               .layerNorm(eps: 1e-3, affine: false), .dense(3, activation: .softmax)]
        let swift = try Network(inputShape: [5], layers: layers, seed: 11)
        var fields = [plexus_layer](repeating: plexus_layer(), count: 5)
        for i in fields.indices { fields[i].struct_size = MemoryLayout<plexus_layer>.stride }
        #expect(plexus_layer_defaults(PLEXUS_LAYER_LAYER_NORM.rawValue, &fields[0]) == 0)
        fields[1].kind = PLEXUS_LAYER_DENSE
        fields[1].units = 8
        fields[1].activation = PLEXUS_GELU
        fields[2].kind = PLEXUS_LAYER_DROPOUT
        fields[2].rate = 0.3
        #expect(plexus_layer_defaults(PLEXUS_LAYER_LAYER_NORM.rawValue, &fields[3]) == 0)
        fields[3].eps = 1e-3
        fields[3].flags = PLEXUS_NO_AFFINE
        fields[4].kind = PLEXUS_LAYER_DENSE
        fields[4].units = 3
        fields[4].activation = PLEXUS_SOFTMAX
        var shape: [UInt32] = [5]
        var handle: OpaquePointer?
        #expect(plexus_create_layers(&shape, 1, &fields, 5, 11, &handle) == 0)
        defer { plexus_free(handle) }
        var params = [Float](repeating: 0, count: swift.parameterCount)
        #expect(plexus_get_params(handle, &params) == 0)
        #expect(try swift.parameters == params)
        let x = uniformData(count: 13 * 5, seed: 21).map { $0 * 6 - 3 }
        var y = [Float](repeating: 0, count: 13 * 3)
        #expect(plexus_predict(handle, x, 13, &y) == 0)
        #expect(try swift.predict(x) == y)
    }
}
