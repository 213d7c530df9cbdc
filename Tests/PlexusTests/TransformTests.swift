import Foundation
import Plexus
import PlexusTestSupport
import Testing

/// The preprocessing a network carries (FeatureTransform.swift) and its metadata (Metadata.swift).
@Suite struct TransformTests {
    private func regressionNet(_ loss: Loss = .mse) throws -> Network {
        let net = try Network(sizes: [3, 5, 2], activations: [.tanh, .identity], seed: 4)
        try net.setLoss(loss)
        try net.setInputTransform(FeatureTransform(shift: [10, -4, 0.5], scale: [0.25, 2, -3]))
        try net.setOutputTransform(FeatureTransform(shift: [100, -7], scale: [30, 0.5]))
        return net
    }

    /// The gradients are those of the loss in the transformed space, for every loss an identity
    /// output takes: central differences through predict's own maps agree.
    @Test(arguments: [Loss.mse, .quadratic, .l1, .huber])
    func gradientsMatchCentralDifferences(_ loss: Loss) throws {
        let net = try regressionNet(loss)
        let x = uniformData(count: 4 * 3, seed: 3, low: 5, high: 15)
        // Targets a unit or so from the outputs once mapped, so that the loss stays small enough
        // for float32 differences to resolve it.
        let output = try net.outputTransform!
        let y = uniformData(count: 4 * 2, seed: 6, low: -1, high: 1).enumerated().map { i, t in
            t * output.scale[i % 2] + output.shift[i % 2]
        }
        let analytic = try analyticGradient(of: net, x: x, y: y)
        let numeric = try numericalGradient(of: net, x: x, y: y, step: 1e-3)
        #expect(analytic.contains { abs($0) > 1e-3 })
        #expect(worstMismatch(analytic, numeric, absolute: 2e-3, relative: 3e-2) <= 1, "\(loss): \(analytic) vs \(numeric)")
    }

    @Test func trainingIsBitwiseTrainingOnMappedData() throws {
        let net = try regressionNet()
        let plain = try Network(sizes: [3, 5, 2], activations: [.tanh, .identity], seed: 4)
        let x = uniformData(count: 20 * 3, seed: 1, low: -10, high: 30)
        let y = uniformData(count: 20 * 2, seed: 2, low: -50, high: 150)
        let input = try net.inputTransform!, output = try net.outputTransform!
        let mappedX = x.indices.map { (x[$0] - input.shift[$0 % 3]) * input.scale[$0 % 3] }
        let mappedY = y.indices.map { (y[$0] - output.shift[$0 % 2]) / output.scale[$0 % 2] }
        let a = try net.train(x: x, y: y, epochs: 3, batchSize: 6, shuffleSeed: 9)
        let b = try plain.train(x: mappedX, y: mappedY, epochs: 3, batchSize: 6, shuffleSeed: 9)
        #expect(a == b, "losses are reported in the transformed space")
        #expect(try net.parameters == plain.parameters)
        let outputs = try plain.predict(mappedX)
        let expected = outputs.indices.map { i -> Float in
            let scaled = outputs[i] * output.scale[i % 2]
            return scaled + output.shift[i % 2]
        }
        #expect(try net.predict(x) == expected)
    }

    @Test func aModelFileOfVersion3KeepsThemAndOlderReadersAreNamed() throws {
        let net = try regressionNet()
        try net.setMetadata("units", "mm Hg")
        let bytes = try net.modelData()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"plexus.format_version\":\"3\""))
        let loaded = try Network.load(modelData: bytes)
        #expect(try loaded.inputTransform == net.inputTransform && loaded.outputTransform == net.outputTransform)
        #expect(try loaded.metadata["units"] == "mm Hg")
        try net.setInputTransform(nil)
        try net.setOutputTransform(nil)
        #expect(String(decoding: try net.modelData(), as: UTF8.self).contains("\"plexus.format_version\":\"2\""))
        // Transform tensors in a version 2 file are not part of that version.
        let relabelled = text.replacingOccurrences(of: "\"plexus.format_version\":\"3\"", with: "\"plexus.format_version\":\"2\"")
        let error = #expect(throws: PlexusError.self) { _ = try Network.load(modelData: Array(relabelled.utf8)) }
        #expect(error?.message.contains("does not belong") == true, "\(String(describing: error))")
    }

    @Test func refusalsChangeNothing() throws {
        let net = try regressionNet()
        let before = (try net.inputTransform, try net.outputTransform)
        #expect(throws: PlexusError.self) { try net.setInputTransform(FeatureTransform(shift: [0, 0], scale: [1, 1])) }
        #expect(throws: PlexusError.self) { try FeatureTransform(shift: [0], scale: [0]) }
        #expect(throws: PlexusError.self) { try FeatureTransform(shift: [.nan], scale: [1]) }
        #expect(throws: PlexusError.self) { try FeatureTransform(shift: [0, 1], scale: [1]) }
        let x: [Float] = [.nan, 0, 0]
        #expect(throws: PlexusError.self) { try x.withUnsafeBufferPointer { try net.fitInputTransform(x: $0.baseAddress!, count: 1) } }
        #expect(try net.inputTransform == before.0 && net.outputTransform == before.1)
        let classifier = try Network(sizes: [2, 3], activations: [.softmax])
        let error = #expect(throws: PlexusError.self) {
            try classifier.setOutputTransform(FeatureTransform(shift: [0, 0, 0], scale: [1, 1, 1]))
        }
        #expect(error?.message.contains("identity output layer") == true)
    }

    @Test func metadataKeepsKeyOrderAndItsLimits() throws {
        var metadata = Metadata()
        try metadata.set("b", "2")
        try metadata.set("a", "1")
        try metadata.set("é", "accent")
        #expect(metadata.all.map(\.key) == ["a", "b", "é"])
        try metadata.set("a", nil)
        #expect(metadata.count == 2 && metadata["a"] == nil)
        #expect(throws: PlexusError.self) { try metadata.set("plexus.x", "1") }
        #expect(throws: PlexusError.self) { try metadata.set(String(repeating: "k", count: 257), "1") }
        #expect(throws: PlexusError.self) { try metadata.set("v", String(repeating: "v", count: 65537)) }
        // Canonically equivalent spellings are different keys: the bytes decide.
        try metadata.set("e\u{301}", "decomposed")
        #expect(metadata["é"] == "accent" && metadata["e\u{301}"] == "decomposed" && metadata.count == 3)
    }

    /// The classes name the outputs, are checked against the net, and travel in the model file.
    @Test func classesAreCheckedAndSaved() throws {
        let net = try Network(sizes: [2, 3], activations: [.softmax], seed: 1)
        #expect(try net.classes == nil)
        try net.setClasses(["cat", "dog", "é \"quoted\""])
        let copy = try Network.load(modelData: net.modelData())
        #expect(try copy.classes == ["cat", "dog", "é \"quoted\""])
        #expect(try copy.metadata[Metadata.classesKey] != nil)
        for bad in [["a", "b"], ["a", "a", "b"]] {
            #expect(throws: PlexusError.self) { try net.setClasses(bad) }
        }
        #expect(throws: PlexusError.self) { try net.setMetadata(Metadata.classesKey, "[1, 2, 3]") }
        #expect(try net.classes == ["cat", "dog", "é \"quoted\""])
        try net.setClasses(nil)
        #expect(try net.classes == nil)
        // One sigmoid output names the class of 0, then the class of 1.
        let binary = try Network(sizes: [2, 1], activations: [.sigmoid], seed: 1)
        try binary.setClasses(["no", "yes"])
        #expect(throws: PlexusError.self) { try binary.setClasses(["a", "b", "c"]) }
    }

    /// The L2 penalty adds λ·W to the weights' gradients and nothing to the biases' (SGD, one step).
    @Test func l2PenaltySparesTheBiases() throws {
        let x: [Float] = [0.5, -1, 2, 0.25], y: [Float] = [1, -1, 0.5, 0]
        func stepped(_ lambda: Float) throws -> Network {
            let net = try Network(sizes: [2, 2], activations: [.identity], seed: 3)
            try net.setOptimizer(.sgd(learningRate: 0.5))
            try net.setL2Penalty(lambda)
            _ = try net.trainStep(x: x, y: y)
            return net
        }
        let start = try Network(sizes: [2, 2], activations: [.identity], seed: 3).parameters
        let plain = try stepped(0).parameters, penalised = try stepped(0.2).parameters
        for i in 0..<4 {   // W: 2×2 first, then b
            #expect(abs((plain[i] - penalised[i]) - 0.5 * 0.2 * start[i]) < 1e-6)
        }
        #expect(plain[4] == penalised[4] && plain[5] == penalised[5])
        let net = try stepped(0.2)
        #expect(try Network.load(modelData: net.modelData()).l2Penalty == 0.2)
        #expect(throws: PlexusError.self) { try net.setL2Penalty(-1) }
        #expect(throws: PlexusError.self) { try net.setL2Penalty(.nan) }
    }
}
