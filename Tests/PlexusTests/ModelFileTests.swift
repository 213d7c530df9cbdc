import Foundation
import Plexus
import PlexusTestSupport
import Testing

/// Model files: round trips, exact resumption, and refusal of every kind of bad file.
@Suite struct ModelFileTests {
    private func trainedNet(_ optimizer: Optimizer, bias: Bool = true) throws -> Network {
        let net = try Network(sizes: [3, 5, 4, 2], activations: [.tanh, .leakyRelu, .softmax], bias: bias, seed: 17)
        try net.setLoss(.crossEntropy)
        try net.setOptimizer(optimizer)
        return net
    }

    private func batch(_ k: Int) -> (x: [Float], y: [Float]) {
        (uniformData(count: 4 * 3, seed: UInt64(100 + k)), probabilityRows(rows: 4, cols: 2, seed: UInt64(200 + k), oneHot: true))
    }

    private func steps(_ net: Network, _ range: Range<Int>) throws {
        for k in range {
            let (x, y) = batch(k)
            try net.forward(x)
            try net.backward(y)
            try net.step()
        }
    }

    @Test(arguments: [Optimizer.sgd(learningRate: 0.1), .sgd(learningRate: 0.05, momentum: 0.9), .adam(learningRate: 0.01),
                      .adamw(learningRate: 0.01), .rmsprop(learningRate: 0.01),
                      .rmsprop(learningRate: 0.01, momentum: 0.9, centered: true, weightDecay: 1e-3)])
    func trainingResumesBitwise(_ optimizer: Optimizer) throws {
        let uninterrupted = try trainedNet(optimizer)
        try steps(uninterrupted, 0..<7)

        let first = try trainedNet(optimizer)
        try steps(first, 0..<3)
        let resumed = try Network.load(modelData: try first.modelData())
        #expect(try resumed.optimizer == optimizer)
        #expect(try resumed.loss == .crossEntropy)
        #expect(try resumed.optimizerSteps == 3)
        try steps(resumed, 3..<7)
        #expect(try resumed.parameters == uninterrupted.parameters)
    }

    @Test(arguments: [true, false])
    func predictIsBitwiseAfterARoundTrip(bias: Bool) throws {
        let net = try trainedNet(.adam(), bias: bias)
        try steps(net, 0..<2)
        let x = uniformData(count: 20 * 3, seed: 5)
        let loaded = try Network.load(modelData: try net.modelData())
        #expect(try loaded.predict(x) == net.predict(x))
        #expect(loaded.sizes == net.sizes && loaded.activations == net.activations && loaded.hasBias == bias)
        #expect(try loaded.gradients.allSatisfy { $0 == 0 })
    }

    @Test func savesAndLoadsFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plexus-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.safetensors").path
        let net = try trainedNet(.sgd(learningRate: 0.1, momentum: 0.5))
        try steps(net, 0..<2)
        try net.save(to: path)
        try net.save(to: path)   // replacing an earlier file
        let loaded = try Network.load(from: path)
        #expect(try loaded.parameters == net.parameters)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])

        let missing = #expect(throws: PlexusError.self) { try net.save(to: folder.path + "/no/such/folder/m.safetensors") }
        #expect(missing?.code == .io)
        #expect(missing?.message.contains("No such file or directory") == true)
        let absent = #expect(throws: PlexusError.self) { _ = try Network.load(from: folder.path + "/absent") }
        #expect(absent?.code == .io)
        #expect(absent?.message.contains("absent") == true)
        let notAFile = #expect(throws: PlexusError.self) { try net.save(to: folder.path) }
        #expect(notAFile?.code == .io)
    }

    // MARK: Refusing bad files

    /// A valid file's parts: the header JSON as text and the data bytes.
    private func parts(_ net: Network) throws -> (header: String, data: [UInt8]) {
        let bytes = try net.modelData()
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        return (String(decoding: bytes[8..<(8 + length)], as: UTF8.self), Array(bytes[(8 + length)...]))
    }

    /// Reassembles a file from a header and data (no padding needed by readers).
    private func file(_ header: String, _ data: [UInt8]) -> [UInt8] {
        let h = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h + data
    }

    /// The header with its CRC field removed, so that edits to the data stay loadable.
    private func withoutCRC(_ header: String) -> String {
        header.replacingOccurrences(of: #","plexus.data_crc32":"[0-9a-f]{8}""#, with: "", options: .regularExpression)
    }

    private func expectFormatError(_ bytes: [UInt8], _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: PlexusError.self, sourceLocation: sourceLocation) { _ = try Network.load(modelData: bytes) }
        #expect(error?.code == .format, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.message.contains(text) == true, "message: \(error?.message ?? "")", sourceLocation: sourceLocation)
    }

    @Test func everyTruncationIsRefused() throws {
        let bytes = try trainedNet(.adam()).modelData()
        for length in 0..<bytes.count {
            #expect(throws: PlexusError.self) { _ = try Network.load(modelData: Array(bytes[0..<length])) }
        }
        expectFormatError([], "8-byte header length")
    }

    @Test func everyFlippedDataByteIsCaughtByTheCRC() throws {
        let net = try trainedNet(.sgd(learningRate: 0.1))
        let bytes = try net.modelData()
        let dataStart = bytes.count - net.parameterCount * 4
        for index in dataStart..<bytes.count {
            var damaged = bytes
            damaged[index] ^= 0x10
            expectFormatError(damaged, "CRC-32")
        }
    }

    @Test func flippedHeaderBytesNeverCrash() throws {
        let bytes = try trainedNet(.adam()).modelData()
        let net = try trainedNet(.adam())
        let dataStart = bytes.count - net.parameterCount * 4
        for index in 0..<dataStart {
            for bit in [0x01, 0x20, 0x80] as [UInt8] {
                var damaged = bytes
                damaged[index] ^= bit
                do { _ = try Network.load(modelData: damaged) } catch { #expect(error.code == .format) }
            }
        }
    }

    @Test func hostileHeaders() throws {
        var huge = [UInt8](repeating: 0, count: 64)
        withUnsafeBytes(of: UInt64(4 << 30).littleEndian) { for (i, b) in $0.enumerated() { huge[i] = b } }
        expectFormatError(huge, "header length is 4294967296")

        let bomb = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        expectFormatError(file(bomb, []), "nesting deeper")
        expectFormatError(file("{\"a\":" + String(repeating: "{\"a\":", count: 50) + "1" + String(repeating: "}", count: 51), []), "nesting deeper")
        expectFormatError(file("{\"__metadata__\":{},\"__metadata__\":{}}", []), "twice")
        expectFormatError(file("[1,2]", []), "not a JSON object")
        expectFormatError(file("{\"x\": \"\\ud800\"}", []), "surrogate")
        expectFormatError(file("{", []), "not valid JSON")
        expectFormatError(file("{}", []), "is missing")
        expectFormatError(file("{\"__metadata__\":{\"plexus.format\":\"other\"}}", []), "not \"plexus-dense-network\"")
    }

    @Test func inconsistentContentsAreNamed() throws {
        let net = try Network(sizes: [2, 3, 1], activations: [.relu, .sigmoid], seed: 1)
        let (header, data) = try parts(net)
        let plain = withoutCRC(header)
        func edited(_ from: String, _ to: String) -> [UInt8] {
            #expect(plain.contains(from), "test edit \(from) does not apply")
            return file(plain.replacingOccurrences(of: from, with: to), data)
        }
        #expect(try Network.load(modelData: file(plain, data)).parameters == net.parameters, "a file without CRC loads")
        expectFormatError(edited("\"plexus.format_version\":\"2\"", "\"plexus.format_version\":\"6\""), "version \"6\" is not supported")
        // Version 1 (0.1.0 to 0.3.x) had none of the 0.4.0 keys; such a file still loads.
        var version1 = plain.replacingOccurrences(of: "\"plexus.format_version\":\"2\"", with: "\"plexus.format_version\":\"1\"")
        for key in ["weight_decay", "grad_clip", "dropout", "generator"] {
            version1 = version1.replacingOccurrences(of: "\"plexus.\(key)\":\"[^\"]*\",", with: "", options: .regularExpression)
        }
        #expect(!version1.contains("generator") && version1.contains("\"plexus.format_version\":\"1\""))
        #expect(try Network.load(modelData: file(version1, data)).parameters == net.parameters, "a version 1 file loads")
        expectFormatError(edited("\"dtype\":\"F32\"", "\"dtype\":\"F16\""), "dtype is \"F16\"")
        expectFormatError(edited("\"shape\":[3,2]", "\"shape\":[2,3]"), "the architecture needs [3, 2]")
        expectFormatError(edited("\"data_offsets\":[24,36]", "\"data_offsets\":[20,32]"), "overlaps")
        expectFormatError(edited("\"data_offsets\":[0,24]", "\"data_offsets\":[4,28]"), "unused bytes")
        expectFormatError(edited("\"data_offsets\":[0,24]", "\"data_offsets\":[0,2400]"), "inside the")
        expectFormatError(edited("\"data_offsets\":[0,24]", "\"data_offsets\":[0,20]"), "span 20 bytes")
        expectFormatError(edited("\"plexus.sizes\":\"2,3,1\"", "\"plexus.sizes\":\"4294967295,4294967295,1\""), "not a layer size")
        expectFormatError(edited("\"plexus.sizes\":\"2,3,1\"", "\"plexus.sizes\":\"2147483647,2147483647,2147483647\""), "more floats")
        expectFormatError(edited("\"plexus.activations\":\"relu,sigmoid\"", "\"plexus.activations\":\"relu,swish\""), "unknown activation \"swish\"")
        expectFormatError(edited("\"plexus.loss\":\"mse\"", "\"plexus.loss\":\"cross_entropy\""), "softmax")
        expectFormatError(edited("\"plexus.learning_rate\":\"0.01\"", "\"plexus.learning_rate\":\"-1\""), "learning rate is -1")
        expectFormatError(edited("\"layers.1.bias\"", "\"layers.7.bias\""), "does not belong")
        expectFormatError(file(plain, data + [0, 0, 0, 0]), "4 bytes follow the last tensor")
        var nan = data
        nan[0] = 0; nan[1] = 0; nan[2] = 0xC0; nan[3] = 0x7F
        expectFormatError(file(plain, nan), "layers.0.weight[0] is nan")
    }
}

/// Found by the Python property-based fuzz: a refused first step used to leave zero-filled Adam
/// moments behind with the step count still 0, and the saved file then failed to load.
@Suite struct RefusedStepRegressionTests {
    @Test(arguments: [Optimizer.adam(learningRate: 1e30), .sgd(learningRate: 1e30, momentum: 0.5)])
    func aRefusedFirstStepLeavesNoStateAndTheFileLoads(_ optimizer: Optimizer) throws {
        let net = try Network(sizes: [1, 1], activations: [.identity], seed: 1)
        try net.setOptimizer(optimizer)
        try net.setGradients([3e30, 3e30])   // Adam: g² overflows; SGD: lr·g overflows
        #expect(throws: PlexusError.self) { try net.step() }
        #expect(try net.optimizerSteps == 0)
        let loaded = try Network.load(modelData: try net.modelData())
        #expect(try loaded.parameters == net.parameters)
    }
}
