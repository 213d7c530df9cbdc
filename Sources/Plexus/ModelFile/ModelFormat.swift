/// The model file: safetensors (an 8-byte little-endian header length, a JSON header, then raw
/// little-endian tensor data) with Plexus's names and metadata. docs/model-format.md is the spec.
enum ModelFormat {
    static let name = "plexus-dense-network"
    /// Written: 2 (0.4.0: weight decay, AdamW, clipping, dropout, the generator). Read: 1 and 2.
    static let version = 2
    static let readableVersions = ["1", "2"]
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
        static let loss = "plexus.loss"
        static let optimizer = "plexus.optimizer"
        static let steps = "plexus.optimizer_steps"
        static let weightDecay = "plexus.weight_decay"
        /// An optimizer's hyperparameter, by the name its `OptimizerRule` gives it.
        static func hyperparameter(_ name: String) -> String { "plexus." + name }
        static let gradClip = "plexus.grad_clip"
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
