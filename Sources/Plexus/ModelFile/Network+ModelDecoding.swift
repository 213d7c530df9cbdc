// Reading a model file from memory. Everything the file claims is checked against the file's
// real size and against the architecture its metadata declares before anything is allocated by
// the file's word; each failure is `.format` with a message naming what is wrong.

extension Network {
    /// Rebuilds a network, with its loss and optimizer state, from a model file's bytes.
    /// - Throws: `.format` for anything malformed or inconsistent; `.memory` when the declared
    ///   (and present) network cannot be allocated.
    public static func load(modelData bytes: UnsafeRawBufferPointer) throws(PlexusError) -> Network {
        func bad(_ message: String) -> PlexusError { PlexusError(.format, message) }

        // Framing: header length, header, data.
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
        let header = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)])
        let data = UnsafeRawBufferPointer(rebasing: bytes[(8 + headerLength)...])
        guard case let .object(members) = try JSONParser.parse(header) else {
            throw bad("the header is not a JSON object")
        }

        // Metadata: strings only.
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
        func required(_ key: String) throws(PlexusError) -> String {
            guard let value = metadata[key] else { throw bad("metadata \"\(key)\" is missing; is this a Plexus model file?") }
            return value
        }
        guard try required(ModelFormat.Key.format) == ModelFormat.name else {
            throw bad("metadata \"\(ModelFormat.Key.format)\" is \"\(metadata[ModelFormat.Key.format]!)\", not \"\(ModelFormat.name)\"")
        }
        guard try required(ModelFormat.Key.formatVersion) == "\(ModelFormat.version)" else {
            throw bad("format version \"\(metadata[ModelFormat.Key.formatVersion]!)\" is not supported; this library reads version \(ModelFormat.version)")
        }

        // Architecture.
        let sizeTexts = try required(ModelFormat.Key.sizes).split(separator: ",", omittingEmptySubsequences: false)
        guard sizeTexts.count >= 2 && sizeTexts.count <= 4096 else {
            throw bad("\(ModelFormat.Key.sizes) lists \(sizeTexts.count) layers; between 2 and 4096 are allowed")
        }
        var sizes: [Int] = []
        for text in sizeTexts {
            guard let size = JSONValue.number(String(text)).unsignedInteger, size >= 1, size <= UInt64(Network.maxLayerSize) else {
                throw bad("\(ModelFormat.Key.sizes) holds \"\(text)\", not a layer size between 1 and \(Network.maxLayerSize)")
            }
            sizes.append(Int(size))
        }
        let activationTexts = try required(ModelFormat.Key.activations).split(separator: ",", omittingEmptySubsequences: false)
        guard activationTexts.count == sizes.count - 1 else {
            throw bad("\(sizes.count) layer sizes need \(sizes.count - 1) activations, the file lists \(activationTexts.count)")
        }
        var activations: [Activation] = []
        for text in activationTexts {
            guard let activation = Activation.allCases.first(where: { $0.description == text }) else {
                throw bad("unknown activation \"\(text)\"; known: \(Activation.allCases.map(\.description).joined(separator: ", "))")
            }
            activations.append(activation)
        }
        let hasBias: Bool
        switch try required(ModelFormat.Key.bias) {
        case "true": hasBias = true
        case "false": hasBias = false
        case let other: throw bad("\(ModelFormat.Key.bias) is \"\(other)\", not \"true\" or \"false\"")
        }
        let lossName = metadata[ModelFormat.Key.loss] ?? Loss.mse.description
        guard let loss = Loss.allCases.first(where: { $0.description == lossName }) else {
            throw bad("unknown loss \"\(lossName)\"; known: \(Loss.allCases.map(\.description).joined(separator: ", "))")
        }
        do {
            try loss.checkCompatible(withOutput: activations.last!)
        } catch {
            throw bad("the file's loss does not fit its output layer: \(error.message)")
        }
        let optimizer = try decodeOptimizer(metadata)
        guard let steps = JSONValue.number(metadata[ModelFormat.Key.steps] ?? "0").unsignedInteger, steps <= ModelFormat.maxSteps else {
            throw bad("\(ModelFormat.Key.steps) is \"\(metadata[ModelFormat.Key.steps]!)\", not a step count")
        }

        // The tensors this architecture needs, checked for overflow before anything is allocated.
        var parameterCount = 0
        for l in 1..<sizes.count {
            guard let weights = checkedProduct(sizes[l], sizes[l - 1]),
                  case let (sum, false) = parameterCount.addingReportingOverflow(weights + (hasBias ? sizes[l] : 0)),
                  sum <= data.count / 4
            else {
                throw bad("the declared layers need more floats than the file's \(data.count)-byte data section holds")
            }
            parameterCount = sum
        }
        let blueprint = Blueprint(sizes: sizes, hasBias: hasBias)
        var expected: [(slot: TensorSlot, role: Int)] = blueprint.parameterSlots.map { ($0, 0) }
        let optionalState: [(suffix: String, role: Int)]
        switch optimizer {
        case .sgd: optionalState = [(ModelFormat.StateName.momentum, 1)]
        case .adam: optionalState = [(ModelFormat.StateName.firstMoment, 1), (ModelFormat.StateName.secondMoment, 2)]
        }
        var stateRolesPresent: Set<Int> = []
        for (suffix, role) in optionalState {
            let slots = blueprint.stateSlots(suffix)
            let present = slots.filter { entries[$0.name] != nil }.count
            guard present == 0 || present == slots.count else {
                throw bad("the file has \(present) of the \(slots.count) \"\(suffix)\" tensors; they come all together or not at all")
            }
            if present > 0 {
                expected += slots.map { ($0, role) }
                stateRolesPresent.insert(role)
            }
        }
        if case .adam = optimizer, (steps > 0) != (stateRolesPresent.count == 2) {
            throw bad("Adam's moments must be present exactly when \(ModelFormat.Key.steps) is above 0 (it is \(steps))")
        }
        let known = Set(expected.map(\.slot.name))
        for name in entries.keys where !known.contains(name) {
            throw bad("tensor \"\(name)\" does not belong to this architecture or optimizer")
        }

        // Each tensor: F32, the expected shape, a range of exactly its size inside the data.
        var ranges: [(begin: Int, end: Int, name: String)] = []
        for (slot, _) in expected {
            guard let fields = entries[slot.name] else { throw bad("tensor \"\(slot.name)\" is missing") }
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
            guard let offsets, offsets.count == 2, offsets[0] <= offsets[1], offsets[1] <= UInt64(data.count) else {
                throw bad("\(slot.name): data_offsets \(offsets.map { "\($0)" } ?? "missing") do not lie inside the \(data.count)-byte data section")
            }
            guard offsets[1] - offsets[0] == UInt64(slot.count * 4) else {
                throw bad("\(slot.name): data_offsets span \(offsets[1] - offsets[0]) bytes but \(slot.shape) F32 needs \(slot.count * 4)")
            }
            ranges.append((Int(offsets[0]), Int(offsets[1]), slot.name))
        }
        // The tensors tile the data section: sorted, no overlap, no gap, nothing after (as in safetensors).
        ranges.sort { $0.begin < $1.begin }
        var cursor = 0
        for range in ranges {
            guard range.begin == cursor else {
                throw bad(range.begin < cursor ? "tensor \"\(range.name)\" overlaps the tensor before it"
                                               : "\(range.begin - cursor) unused bytes before tensor \"\(range.name)\"")
            }
            cursor = range.end
        }
        guard cursor == data.count else { throw bad("\(data.count - cursor) bytes follow the last tensor") }

        if let text = metadata[ModelFormat.Key.crc32] {
            let actual = CRC32.checksum(data)
            guard let stored = UInt32(text, radix: 16), text.count == 8 else {
                throw bad("\(ModelFormat.Key.crc32) is \"\(text)\", not 8 hexadecimal digits")
            }
            guard stored == actual else {
                throw bad("the data section's CRC-32 is \(String(actual, radix: 16)) but the header says \(text): the file is damaged")
            }
        }

        // Values: finite parameters and state; Adam's second moments are never negative.
        func float(at byteOffset: Int) -> Float {
            Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: byteOffset, as: UInt32.self)))
        }
        let offsetsByName = Dictionary(uniqueKeysWithValues: ranges.map { ($0.name, $0.begin) })
        for (slot, role) in expected {
            let base = offsetsByName[slot.name]!
            for i in 0..<slot.count {
                let value = float(at: base + 4 * i)
                guard value.isFinite, !(role == 2 && value < 0) else {
                    throw bad("\(slot.name)[\(i)] is \(value); stored values must be finite\(role == 2 ? " and not negative" : "")")
                }
            }
        }

        // Everything checked: build the network.
        let net = try Network(sizes: sizes, activations: activations, bias: hasBias, seed: 0)
        try net.setLoss(loss)
        try net.setOptimizer(optimizer)
        var stateBuffers: [Int: FloatBuffer] = [:]
        for role in stateRolesPresent.sorted() {
            stateBuffers[role] = try FloatBuffer(count: net.parameterCount, purpose: "optimizer state")
        }
        for (slot, role) in expected {
            let target = role == 0 ? net.params.pointer : stateBuffers[role]!.pointer
            let base = offsetsByName[slot.name]!
            for i in 0..<slot.count { target[slot.offset + i] = float(at: base + 4 * i) }
        }
        net.optimizerState.first = stateBuffers[1]
        net.optimizerState.second = stateBuffers[2]
        net.optimizerState.steps = Int(steps)
        return net
    }

    /// `load(modelData:)` for an array of bytes.
    public static func load(modelData bytes: [UInt8]) throws(PlexusError) -> Network {
        try bytes.withUnsafeBufferPointer { (raw) throws(PlexusError) in try load(modelData: UnsafeRawBufferPointer(raw)) }
    }

    private static func decodeOptimizer(_ metadata: [String: String]) throws(PlexusError) -> Optimizer {
        func number(_ key: String, default fallback: Float) throws(PlexusError) -> Float {
            guard let text = metadata[key] else { return fallback }
            guard let value = Float(text) else { throw PlexusError(.format, "metadata \"\(key)\" is \"\(text)\", not a number") }
            return value
        }
        let optimizer: Optimizer
        switch metadata[ModelFormat.Key.optimizer] ?? "sgd" {
        case "sgd":
            optimizer = .sgd(learningRate: try number(ModelFormat.Key.learningRate, default: 0.01),
                             momentum: try number(ModelFormat.Key.momentum, default: 0))
        case "adam":
            optimizer = .adam(learningRate: try number(ModelFormat.Key.learningRate, default: 1e-3),
                              beta1: try number(ModelFormat.Key.beta1, default: 0.9),
                              beta2: try number(ModelFormat.Key.beta2, default: 0.999),
                              epsilon: try number(ModelFormat.Key.epsilon, default: 1e-8))
        case let other:
            throw PlexusError(.format, "unknown optimizer \"\(other)\"; known: sgd, adam")
        }
        do {
            try optimizer.validate()
        } catch {
            throw PlexusError(.format, "the file's optimizer settings are invalid: \(error.message)")
        }
        return optimizer
    }
}

/// The tensor layout of an architecture (the flat order W1, b1, W2, b2, …), computed without
/// allocating a network.
struct Blueprint {
    let sizes: [Int]
    let hasBias: Bool

    var parameterSlots: [TensorSlot] {
        var slots: [TensorSlot] = []
        var offset = 0
        for l in 1..<sizes.count {
            slots.append(TensorSlot(name: "layers.\(l - 1).weight", shape: [sizes[l], sizes[l - 1]], offset: offset))
            offset += sizes[l] * sizes[l - 1]
            if hasBias {
                slots.append(TensorSlot(name: "layers.\(l - 1).bias", shape: [sizes[l]], offset: offset))
                offset += sizes[l]
            }
        }
        return slots
    }

    func stateSlots(_ suffix: String) -> [TensorSlot] {
        parameterSlots.map { TensorSlot(name: "optimizer.\($0.name).\(suffix)", shape: $0.shape, offset: $0.offset) }
    }
}
