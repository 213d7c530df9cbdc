/// The model file: safetensors (an 8-byte little-endian header length, a JSON header, then raw
/// little-endian tensor data) with Plexus's names and metadata. docs/model-format.md is the spec.
enum ModelFormat {
    static let name = "plexus-dense-network"
    /// Written: the lowest version that holds the network, so that older readers load every
    /// file they can: 5 (0.12.0: a list of layers, tensors named by layer number) for a network
    /// with a dropout layer or biases on some dense layers only, 4 (0.11.0: the L2 penalty on
    /// weights) when the network has one, 3 (0.9.0: input and output transforms) when it has a
    /// transform, else 2 (0.4.0: weight decay, AdamW, clipping, dropout, the generator).
    /// Read: 1 to 5.
    static func version(of network: Network) -> Int {
        if network.namesLayersByNumber { return 5 }
        if network.weightPenalty != 0 { return 4 }
        return network.inputMap != nil || network.outputMap != nil ? 3 : 2
    }
    static let readableVersions = ["1", "2", "3", "4", "5"]

    /// The transforms' tensors (version 3), each [sizes[0]] or [sizes[L]] floats.
    enum TransformTensor: CaseIterable {
        case inputShift, inputScale, outputScale, outputShift

        var name: String {
            switch self {
            case .inputShift: "transform.input.shift"
            case .inputScale: "transform.input.scale"
            case .outputScale: "transform.output.scale"
            case .outputShift: "transform.output.shift"
            }
        }
        var isInput: Bool { self == .inputShift || self == .inputScale }
    }
    /// The largest header accepted (the safetensors reference implementation's limit).
    static let maxHeaderBytes = 100 << 20
    /// Larger step counts cannot come from training and would overflow the step counter.
    static let maxSteps: UInt64 = 1 << 53

    /// Metadata keys; every value is a string, as safetensors requires.
    enum Key {
        static let format = "plexus.format"
        static let formatVersion = "plexus.format_version"
        static let libraryVersion = "plexus.library_version"
        static let sizes = "plexus.sizes"
        static let activations = "plexus.activations"
        static let bias = "plexus.bias"
        /// Version 5: the input shape, a JSON array of extents.
        static let inputShape = "plexus.input_shape"
        /// Version 5: the layers in order, a JSON array of objects, each with its "kind" and
        /// settings (each kind's file writes and reads its own).
        static let layers = "plexus.layers"
        static let loss = "plexus.loss"
        static let optimizer = "plexus.optimizer"
        static let steps = "plexus.optimizer_steps"
        static let weightDecay = "plexus.weight_decay"
        /// An optimizer's hyperparameter, by the name its `OptimizerRule` gives it.
        static func hyperparameter(_ name: String) -> String { "plexus." + name }
        static let gradClip = "plexus.grad_clip"
        static let l2Penalty = "plexus.l2_penalty"
        static let dropout = "plexus.dropout"
        static let generator = "plexus.generator"
        static let crc32 = "plexus.data_crc32"
    }
}

/// One tensor of a model file: its name, shape and where its floats live in a flat buffer.
struct TensorSlot {
    let name: String
    let shape: [Int]
    let offset: Int
    var count: Int { shape.reduce(1, *) }
}

extension ModelFormat {
    /// The bytes of tensor data a header declares: the largest end of any tensor's data_offsets
    /// (the tensors tile the data section, as the decoder checks). A file reader uses it to read
    /// no more than the header declares.
    /// - Throws: `.format` for a header that is not a JSON object, or whose declared data could
    ///   not fit in memory.
    static func declaredDataBytes(header: UnsafeRawBufferPointer) throws(PlexusError) -> Int {
        guard case let .object(members) = try JSONParser.parse(header) else {
            throw PlexusError(.format, "the header is not a JSON object")
        }
        var end: UInt64 = 0
        for (key, value) in members where key != "__metadata__" {
            guard case let .object(fields) = value else { continue }
            for (field, offsets) in fields where field == "data_offsets" {
                guard case let .array(items) = offsets, items.count == 2, let last = items[1].unsignedInteger else { continue }
                end = max(end, last)
            }
        }
        guard end <= UInt64(Int.max / 2) else {
            throw PlexusError(.format, "the header declares \(end) bytes of tensor data, more than any file can hold")
        }
        return Int(end)
    }
}
