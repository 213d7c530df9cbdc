// Reading a model file from memory, in four stages: the header (framing and JSON), the metadata
// (architecture, loss, optimizer), the tensors (each one's place and values, checked against
// what the architecture needs) and the assembly of the network. Everything the file claims is
// checked against the file's real size and the declared architecture before anything is
// allocated by the file's word; each failure is `.format` with a message naming what is wrong.

extension Network {
    /// Rebuilds a network, with its loss and optimizer state, from a model file's bytes.
    /// - Throws: `.format` for anything malformed or inconsistent; `.memory` when the declared
    ///   (and present) network cannot be allocated.
    public static func load(modelData bytes: UnsafeRawBufferPointer) throws(PlexusError) -> Network {
        let header = try ModelHeader(bytes)
        let description = try ModelDescription(header.metadata, dataBytes: header.data.count)
        let tensors = try ModelTensors(header, description)
        return try assemble(description, tensors)
    }

    /// `load(modelData:)` for an array of bytes.
    public static func load(modelData bytes: [UInt8]) throws(PlexusError) -> Network {
        try bytes.withUnsafeBufferPointer { (raw) throws(PlexusError) in try load(modelData: UnsafeRawBufferPointer(raw)) }
    }

    /// Stage 4: the network the checked description and tensors describe.
    private static func assemble(_ description: ModelDescription, _ tensors: ModelTensors) throws(PlexusError) -> Network {
        let net = try Network(inputShape: description.inputShape, layers: description.layers, seed: 0)
        try net.setLoss(description.loss)
        net.activeOptimizer = description.optimizer      // checked by the description (a rate of 0 included)
        var stateBuffers: [Int: FloatBuffer] = [:]
        for index in tensors.statePresent.sorted() {
            stateBuffers[index] = try FloatBuffer(count: net.parameterCount, purpose: "optimizer state")
        }
        for tensor in tensors.expected {
            let target: UnsafeMutablePointer<Float>
            switch tensor.role {
            case .parameter: target = net.params.pointer
            case let .state(index): target = stateBuffers[index]!.pointer
            case .transform: continue
            }
            tensors.read(tensor, into: target + tensor.slot.offset)
        }
        for (index, buffer) in stateBuffers { net.optimizerState[index] = buffer }
        var transforms: [ModelFormat.TransformTensor: [Float]] = [:]
        for tensor in tensors.expected {
            guard case let .transform(kind) = tensor.role else { continue }
            var values = [Float](repeating: 0, count: tensor.slot.count)
            values.withUnsafeMutableBufferPointer { tensors.read(tensor, into: $0.baseAddress!) }
            transforms[kind] = values
        }
        do {
            if let shift = transforms[.inputShift], let scale = transforms[.inputScale] {
                try net.setInputTransform(FeatureTransform(shift: shift, scale: scale))
            }
            if let scale = transforms[.outputScale], let shift = transforms[.outputShift] {
                try net.setOutputTransform(FeatureTransform(shift: shift, scale: scale))
            }
        } catch {
            throw bad("the file's transforms are invalid: \(error.message)")
        }
        if let classes = description.userMetadata[Metadata.classesKey] {
            do { _ = try net.checkClasses(classes) } catch { throw bad("the file's classes are invalid: \(error.message)") }
        }
        net.userMetadata = description.userMetadata
        net.optimizerState.steps = Int(description.steps)
        try net.setGradClip(description.gradClip)
        try net.setL2Penalty(description.l2Penalty)
        // The rates on the hidden dense layers' outputs (a dropout layer's among them), checked
        // by the description; the fresh net keeps no forward pass for them to invalidate.
        for (l, p) in description.dropout.enumerated() { net.layerDropout[l + 1] = p }
        net.dropoutChanged()
        net.generator = description.generator
        return net
    }
}

private func bad(_ message: String) -> PlexusError { PlexusError(.format, message) }

/// Stage 1: the framing (an 8-byte header length, the JSON header, the data section) and the
/// header's two kinds of members, string metadata and tensor entries.
private struct ModelHeader {
    let data: UnsafeRawBufferPointer
    let metadata: [String: String]
    let entries: [String: [(key: String, value: JSONValue)]]

    init(_ bytes: UnsafeRawBufferPointer) throws(PlexusError) {
        guard bytes.count >= 8 else {
            throw bad("the data is \(bytes.count) bytes; a model file starts with an 8-byte header length")
        }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard declared <= UInt64(bytes.count - 8) else {
            throw bad("the header length is \(declared) bytes but only \(bytes.count - 8) bytes follow it (truncated or not a model file)")
        }
        guard declared <= UInt64(ModelFormat.maxHeaderBytes) else {
            throw bad("the header length is \(declared) bytes, more than the \(ModelFormat.maxHeaderBytes) allowed")
        }
        let headerLength = Int(declared)
        data = UnsafeRawBufferPointer(rebasing: bytes[(8 + headerLength)...])
        guard case let .object(members) = try JSONParser.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)])) else {
            throw bad("the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [String: [(key: String, value: JSONValue)]] = [:]
        for (key, value) in members {
            if key == "__metadata__" {
                guard case let .object(fields) = value else { throw bad("__metadata__ is not an object") }
                for (name, field) in fields {
                    guard case let .string(text) = field else { throw bad("metadata \"\(name)\" is not a string") }
                    metadata[name] = text
                }
            } else {
                guard case let .object(fields) = value else { throw bad("tensor \"\(key)\" is not an object") }
                entries[key] = fields
            }
        }
        self.metadata = metadata
        self.entries = entries
    }
}

/// Stage 2: what the metadata declares: the format, the architecture (its parameters checked to
/// fit the data section before anything is allocated), the loss and the optimizer.
private struct ModelDescription {
    let sizes: [Int]
    let activations: [Activation]
    /// The layers (version 5's list, or the dense layers `sizes` and `activations` declare).
    let layers: [Layer]
    let inputShape: [Int]
    let layout: ParameterLayout
    /// The `i` of each dense layer's tensors (`Network.fileTensorNumbers`).
    let tensorNumbers: [Int]
    let loss: Loss
    let optimizer: Optimizer
    let steps: UInt64
    let gradClip: Float
    let l2Penalty: Float
    /// The dropout probabilities of the hidden layers 1…L−1.
    let dropout: [Float]
    let generator: SeededGenerator
    let version: Int
    /// The entries whose keys do not start with "plexus.": the writer's own notes.
    let userMetadata: Metadata

    init(_ metadata: [String: String], dataBytes: Int) throws(PlexusError) {
        func required(_ key: String) throws(PlexusError) -> String {
            guard let value = metadata[key] else { throw bad("metadata \"\(key)\" is missing; is this a Plexus model file?") }
            return value
        }
        guard try required(ModelFormat.Key.format) == ModelFormat.name else {
            throw bad("metadata \"\(ModelFormat.Key.format)\" is \"\(metadata[ModelFormat.Key.format]!)\", not \"\(ModelFormat.name)\"")
        }
        guard ModelFormat.readableVersions.contains(try required(ModelFormat.Key.formatVersion)) else {
            throw bad("format version \"\(metadata[ModelFormat.Key.formatVersion]!)\" is not supported; this library reads versions \(ModelFormat.readableVersions.joined(separator: " and "))")
        }
        version = Int(metadata[ModelFormat.Key.formatVersion]!)!
        var user = Metadata()
        for (key, value) in metadata where Metadata.isCallers(key) {
            do { try user.set(key, value) } catch { throw bad("metadata \"\(key.prefix(64))\": \(error.message)") }
        }
        userMetadata = user
        let chain: Network.Chain
        if version >= 5 {
            inputShape = try ModelDescription.parseShape(try required(ModelFormat.Key.inputShape))
            layers = try ModelDescription.parseLayers(try required(ModelFormat.Key.layers))
            do { chain = try Network.Chain(inputShape: inputShape, layers: layers) } catch {
                throw bad("the file's layers do not make a network: \(error.message)")
            }
            sizes = chain.sizes
            activations = chain.activations
            tensorNumbers = chain.entryNumbers
            // The dense chain is also written out for tools that read only the metadata.
            for (key, value) in [(ModelFormat.Key.sizes, sizes.map(String.init).joined(separator: ",")),
                                 (ModelFormat.Key.activations, activations.map(\.description).joined(separator: ","))] {
                if let written = metadata[key], written != value {
                    throw bad("metadata \"\(key)\" is \"\(written.prefix(64))\" but the layers make it \"\(value.prefix(64))\"")
                }
            }
        } else {
            sizes = try ModelDescription.parseSizes(try required(ModelFormat.Key.sizes))
            activations = try ModelDescription.parseActivations(try required(ModelFormat.Key.activations), layers: sizes.count - 1)
            let hasBias: Bool
            switch try required(ModelFormat.Key.bias) {
            case "true": hasBias = true
            case "false": hasBias = false
            case let other: throw bad("\(ModelFormat.Key.bias) is \"\(other)\", not \"true\" or \"false\"")
            }
            inputShape = [sizes[0]]
            layers = zip(sizes.dropFirst(), activations).map { .dense($0, activation: $1, bias: hasBias) }
            chain = try! Network.Chain(inputShape: inputShape, layers: layers)      // sizes were checked
            tensorNumbers = Array(0..<(sizes.count - 1))
        }
        let lossName = metadata[ModelFormat.Key.loss] ?? Loss.mse.description
        guard let loss = Loss.allCases.first(where: { $0.description == lossName }) else {
            throw bad("unknown loss \"\(lossName)\"; known: \(Loss.allCases.map(\.description).joined(separator: ", "))")
        }
        do { try loss.checkCompatible(withOutput: activations.last!) } catch {
            throw bad("the file's loss does not fit its output layer: \(error.message)")
        }
        self.loss = loss
        optimizer = try ModelDescription.parseOptimizer(metadata)
        guard let steps = JSONValue.number(metadata[ModelFormat.Key.steps] ?? "0").unsignedInteger, steps <= ModelFormat.maxSteps else {
            throw bad("\(ModelFormat.Key.steps) is \"\(metadata[ModelFormat.Key.steps]!)\", not a step count")
        }
        self.steps = steps
        gradClip = try ModelDescription.number(metadata, ModelFormat.Key.gradClip, default: 0)
        guard gradClip.isFinite && gradClip >= 0 else { throw bad("\(ModelFormat.Key.gradClip) is \(gradClip); it must be finite and not negative") }
        l2Penalty = try ModelDescription.number(metadata, ModelFormat.Key.l2Penalty, default: 0)
        guard l2Penalty.isFinite && l2Penalty >= 0 else { throw bad("\(ModelFormat.Key.l2Penalty) is \(l2Penalty); it must be finite and not negative") }
        dropout = try ModelDescription.parseDropout(metadata[ModelFormat.Key.dropout], hiddenLayers: sizes.count - 2)
        // Where layers follow a dense layer, its rate is its Dropout layer's, or 0 without one.
        for (l, rate) in dropout.enumerated() where !chain.operations[l + 1].isEmpty {
            let expected = chain.operations[l + 1].contains(.dropout) ? chain.dropout[l + 1] : 0
            guard rate == expected else {
                throw bad("\(ModelFormat.Key.dropout) gives dense layer \(l + 1)'s outputs rate \(rate), but the layers after it make it \(expected)")
            }
        }
        generator = try ModelDescription.parseGenerator(metadata[ModelFormat.Key.generator])
        // The parameters this architecture needs must fit the data section before anything is allocated.
        let tooLarge = "the declared layers need more floats than the file's \(dataBytes)-byte data section holds"
        do { layout = try ParameterLayout(entries: chain.entries) } catch { throw bad(tooLarge) }
        guard layout.count <= dataBytes / 4 else { throw bad(tooLarge) }
    }

    /// Version 5's input shape: a JSON array of whole numbers (the network checks the extents).
    private static func parseShape(_ text: String) throws(PlexusError) -> [Int] {
        let json = try parseJSON(text, key: ModelFormat.Key.inputShape)
        guard case let .array(items) = json, !items.isEmpty, items.count <= Network.maxRank else {
            throw bad("\(ModelFormat.Key.inputShape) is not an array of 1 to \(Network.maxRank) extents")
        }
        var shape: [Int] = []
        for item in items {
            guard let extent = item.unsignedInteger, extent >= 1, extent <= UInt64(Network.maxLayerSize) else {
                throw bad("\(ModelFormat.Key.inputShape) holds an extent that is not a whole number between 1 and \(Network.maxLayerSize)")
            }
            shape.append(Int(extent))
        }
        return shape
    }

    /// Version 5's layers: a JSON array of objects, each read by its kind's own file.
    private static func parseLayers(_ text: String) throws(PlexusError) -> [Layer] {
        guard case let .array(items) = try parseJSON(text, key: ModelFormat.Key.layers), !items.isEmpty,
              items.count < Network.maxLayers else {
            throw bad("\(ModelFormat.Key.layers) is not an array of 1 to \(Network.maxLayers - 1) layers")
        }
        var layers: [Layer] = []
        for (i, item) in items.enumerated() {
            guard let fields = item.members else { throw bad("\(ModelFormat.Key.layers)[\(i)] is not an object") }
            layers.append(try Layer.parse(fileEntry: fields, number: i + 1))
        }
        return layers
    }

    private static func parseJSON(_ text: String, key: String) throws(PlexusError) -> JSONValue {
        let bytes = Array(text.utf8)
        var outcome: Result<JSONValue, PlexusError> = .failure(bad("metadata \"\(key)\" is empty"))
        bytes.withUnsafeBytes { raw in
            do throws(PlexusError) { outcome = .success(try JSONParser.parse(raw)) } catch { outcome = .failure(error) }
        }
        switch outcome {
        case let .success(value): return value
        case let .failure(error): throw bad("metadata \"\(key)\" is not valid JSON: \(error.message)")
        }
    }

    private static func parseSizes(_ text: String) throws(PlexusError) -> [Int] {
        let texts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard texts.count >= 2 && texts.count <= Network.maxLayers else {
            throw bad("\(ModelFormat.Key.sizes) lists \(texts.count) layers; between 2 and \(Network.maxLayers) are allowed")
        }
        var sizes: [Int] = []
        for text in texts {
            guard let size = JSONValue.number(String(text)).unsignedInteger, size >= 1, size <= UInt64(Network.maxLayerSize) else {
                throw bad("\(ModelFormat.Key.sizes) holds \"\(text)\", not a layer size between 1 and \(Network.maxLayerSize)")
            }
            sizes.append(Int(size))
        }
        return sizes
    }

    private static func parseActivations(_ text: String, layers: Int) throws(PlexusError) -> [Activation] {
        let texts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard texts.count == layers else {
            throw bad("\(layers + 1) layer sizes need \(layers) activations, the file lists \(texts.count)")
        }
        var activations: [Activation] = []
        for text in texts {
            guard let activation = Activation.allCases.first(where: { $0.description == text }) else {
                throw bad("unknown activation \"\(text)\"; known: \(Activation.allCases.map(\.description).joined(separator: ", "))")
            }
            activations.append(activation)
        }
        return activations
    }

    /// A metadata number, `fallback` when the key is absent.
    private static func number(_ metadata: [String: String], _ key: String, default fallback: Float) throws(PlexusError) -> Float {
        guard let text = metadata[key] else { return fallback }
        guard let value = Float(text) else { throw bad("metadata \"\(key)\" is \"\(text)\", not a number") }
        return value
    }

    private static func parseDropout(_ text: String?, hiddenLayers: Int) throws(PlexusError) -> [Float] {
        guard let text, !text.isEmpty else { return Array(repeating: 0, count: hiddenLayers) }
        let texts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard texts.count == hiddenLayers else {
            throw bad("\(ModelFormat.Key.dropout) lists \(texts.count) probabilities for \(hiddenLayers) hidden layers")
        }
        var rates: [Float] = []
        for item in texts {
            guard let p = Float(item), p >= 0, p < 1 else {
                throw bad("\(ModelFormat.Key.dropout) holds \"\(item)\", not a probability in [0, 1)")
            }
            rates.append(p)
        }
        return rates
    }

    /// Four 16-digit hexadecimal words; absent (a version 1 file): the generator of seed 0.
    private static func parseGenerator(_ text: String?) throws(PlexusError) -> SeededGenerator {
        guard let text else { return SeededGenerator(seed: 0) }
        let digits = Array(text.utf8)
        var words: [UInt64] = []
        if digits.count == 64 {
            for k in 0..<4 {
                guard let word = UInt64(String(decoding: digits[(16 * k)..<(16 * k + 16)], as: UTF8.self), radix: 16) else { break }
                words.append(word)
            }
        }
        guard let generator = SeededGenerator(state: words) else {
            throw bad("\(ModelFormat.Key.generator) is \"\(text.prefix(80))\", not four 16-digit hexadecimal words, not all zero")
        }
        return generator
    }

    /// The optimizer the file names, each hyperparameter read under the name its rule gives it
    /// (absent: the rule's default).
    private static func parseOptimizer(_ metadata: [String: String]) throws(PlexusError) -> Optimizer {
        let kindName = metadata[ModelFormat.Key.optimizer] ?? Optimizer.Kind.sgd.description
        guard let kind = Optimizer.Kind.allCases.first(where: { $0.description == kindName }) else {
            throw bad("unknown optimizer \"\(kindName)\"; known: \(Optimizer.Kind.allCases.map(\.description).joined(separator: ", "))")
        }
        let optimizer = Optimizer(try kind.rule.reading { (name) throws(PlexusError) in
            let key = ModelFormat.Key.hyperparameter(name)
            return metadata[key] == nil ? nil : try number(metadata, key, default: 0)
        })
        // A schedule may have taken the rate to exactly 0 (cosine's eta_min 0) when the file was
        // saved; such a file loads.
        do { try (optimizer.learningRate == 0 ? optimizer.with(learningRate: 1) : optimizer).validate() } catch {
            throw bad("the file's optimizer settings are invalid: \(error.message)")
        }
        return optimizer
    }
}

/// Stage 3: the tensors the description needs (parameters, and optimizer state when present),
/// each one F32 with the expected shape and a range of exactly its size; together they tile the
/// data section, its CRC-32 matches, and every value is finite (second moments not negative).
private struct ModelTensors {
    /// What a tensor holds, and so which buffer it fills: the parameters, or the optimizer's
    /// state tensor of that index (its `OptimizerRule.stateTensors`).
    enum Role { case parameter, state(Int), transform(ModelFormat.TransformTensor) }

    struct Tensor {
        let slot: TensorSlot
        let role: Role
        /// Whether its values may not be negative (a second moment).
        var nonNegative = false
        /// Where its floats start in the data section.
        var begin = 0
    }

    let data: UnsafeRawBufferPointer
    private(set) var expected: [Tensor]
    /// The optimizer-state tensors the file carries, by index.
    private(set) var statePresent: Set<Int> = []

    init(_ header: ModelHeader, _ description: ModelDescription) throws(PlexusError) {
        data = header.data
        expected = description.layout.tensors(numbers: description.tensorNumbers).map { Tensor(slot: $0, role: .parameter) }
        for (index, state) in type(of: description.optimizer.rule).stateTensors.enumerated() {
            let slots = description.layout.stateTensors(state.name, numbers: description.tensorNumbers)
            let present = slots.filter { header.entries[$0.name] != nil }.count
            guard present == 0 || present == slots.count else {
                throw bad("the file has \(present) of the \(slots.count) \"\(state.name)\" tensors; they come all together or not at all")
            }
            if state.existsAfterEveryStep, (description.steps > 0) != (present > 0) {
                throw bad("the \"\(state.name)\" tensors must be present exactly when \(ModelFormat.Key.steps) is above 0 (it is \(description.steps))")
            }
            if present > 0 {
                expected += slots.map { Tensor(slot: $0, role: .state(index), nonNegative: state.nonNegative) }
                statePresent.insert(index)
            }
        }
        if description.version >= 3 {
            let widths = (input: description.sizes[0], output: description.sizes.last!)
            for pair in [[ModelFormat.TransformTensor.inputShift, .inputScale], [.outputScale, .outputShift]] {
                let present = pair.filter { header.entries[$0.name] != nil }
                guard present.count == 0 || present.count == 2 else {
                    throw bad("the file has \"\(present[0].name)\" without \"\(pair.first { $0 != present[0] }!.name)\"; a transform's shift and scale come together")
                }
                for kind in present {
                    let width = kind.isInput ? widths.input : widths.output
                    expected.append(Tensor(slot: TensorSlot(name: kind.name, shape: [width], offset: 0), role: .transform(kind)))
                }
            }
        }
        let known = Set(expected.map(\.slot.name))
        for name in header.entries.keys where !known.contains(name) {
            throw bad("tensor \"\(name)\" does not belong to this architecture or optimizer")
        }
        for i in expected.indices {
            guard let fields = header.entries[expected[i].slot.name] else { throw bad("tensor \"\(expected[i].slot.name)\" is missing") }
            expected[i].begin = try ModelTensors.place(expected[i].slot, fields, dataBytes: data.count)
        }
        try checkTiling()
        try checkChecksum(header.metadata[ModelFormat.Key.crc32])
        try checkValues()
    }

    /// One tensor entry's dtype, shape and data offsets; returns where its floats begin.
    private static func place(_ slot: TensorSlot, _ fields: [(key: String, value: JSONValue)], dataBytes: Int) throws(PlexusError) -> Int {
        var dtype: String?, shape: [UInt64]?, offsets: [UInt64]?
        for (key, value) in fields {
            switch key {
            case "dtype":
                guard case let .string(text) = value else { throw bad("\(slot.name): dtype is not a string") }
                dtype = text
            case "shape", "data_offsets":
                guard case let .array(items) = value else { throw bad("\(slot.name): \(key) is not an array") }
                var numbers: [UInt64] = []
                for item in items {
                    guard let n = item.unsignedInteger else { throw bad("\(slot.name): \(key) holds something other than a non-negative integer") }
                    numbers.append(n)
                }
                if key == "shape" { shape = numbers } else { offsets = numbers }
            default:
                throw bad("\(slot.name): unknown field \"\(key)\"")
            }
        }
        guard dtype == "F32" else { throw bad("\(slot.name): dtype is \(dtype.map { "\"\($0)\"" } ?? "missing"); Plexus stores F32") }
        guard let shape, shape == slot.shape.map(UInt64.init) else {
            throw bad("\(slot.name): shape is \(shape.map { "\($0)" } ?? "missing") but the architecture needs \(slot.shape)")
        }
        guard let offsets, offsets.count == 2, offsets[0] <= offsets[1], offsets[1] <= UInt64(dataBytes) else {
            throw bad("\(slot.name): data_offsets \(offsets.map { "\($0)" } ?? "missing") do not lie inside the \(dataBytes)-byte data section")
        }
        guard offsets[1] - offsets[0] == UInt64(slot.count * 4) else {
            throw bad("\(slot.name): data_offsets span \(offsets[1] - offsets[0]) bytes but \(slot.shape) F32 needs \(slot.count * 4)")
        }
        return Int(offsets[0])
    }

    /// The tensors tile the data section: sorted, no overlap, no gap, nothing after (as in safetensors).
    private func checkTiling() throws(PlexusError) {
        var cursor = 0
        for tensor in expected.sorted(by: { $0.begin < $1.begin }) {
            guard tensor.begin == cursor else {
                throw bad(tensor.begin < cursor ? "tensor \"\(tensor.slot.name)\" overlaps the tensor before it"
                                                : "\(tensor.begin - cursor) unused bytes before tensor \"\(tensor.slot.name)\"")
            }
            cursor = tensor.begin + tensor.slot.count * 4
        }
        guard cursor == data.count else { throw bad("\(data.count - cursor) bytes follow the last tensor") }
    }

    private func checkChecksum(_ text: String?) throws(PlexusError) {
        guard let text else { return }
        let actual = CRC32.checksum(data)
        guard let stored = UInt32(text, radix: 16), text.count == 8 else {
            throw bad("\(ModelFormat.Key.crc32) is \"\(text)\", not 8 hexadecimal digits")
        }
        guard stored == actual else {
            throw bad("the data section's CRC-32 is \(String(actual, radix: 16)) but the header says \(text): the file is damaged")
        }
    }

    /// Finite parameters and state; second moments are never negative.
    private func checkValues() throws(PlexusError) {
        for tensor in expected {
            for i in 0..<tensor.slot.count {
                let value = float(at: tensor.begin + 4 * i)
                guard value.isFinite, !(tensor.nonNegative && value < 0) else {
                    throw bad("\(tensor.slot.name)[\(i)] is \(value); stored values must be finite\(tensor.nonNegative ? " and not negative" : "")")
                }
            }
        }
    }

    func read(_ tensor: Tensor, into target: UnsafeMutablePointer<Float>) {
        for i in 0..<tensor.slot.count { target[i] = float(at: tensor.begin + 4 * i) }
    }

    private func float(at byteOffset: Int) -> Float {
        Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: byteOffset, as: UInt32.self)))
    }
}
