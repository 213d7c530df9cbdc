import Foundation
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
        refused([4], [.dropout(0.5), .dense(2)], "layer 1 (dropout) must follow a dense layer")
        refused([4], [.dense(3), .dropout(0.5)], "layer 2 (dropout) is the last layer")
        refused([4], [.dense(3), .dropout(0.5), .dropout(0.5), .dense(2)], "layer 3 (dropout) must follow a dense layer")
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
