/// One layer of a network built layer by layer (`Network(inputShape:layers:seed:)`).
///
/// The kinds are a closed set, as the optimizers are: each kind's rules live in its own file
/// (Dense.swift, Dropout.swift, LayerNorm.swift) and this file only dispatches to them, once per question, so
/// nothing on the hot path goes through an existential. Shapes are channels-first, as in
/// PyTorch and ONNX, and a row of a batch is the layer's input flattened.
public enum Layer: Sendable, Equatable, CustomStringConvertible {
    /// A fully-connected layer of `units` outputs: z = W·x + b, then `activation`, fused.
    case dense(_ units: Int, activation: Activation = .identity, bias: Bool = true)
    /// Drops each of its inputs with probability `rate` while training (the kept ones scaled by
    /// 1/(1 − rate)); the identity in `predict` and every export.
    case dropout(_ rate: Float)
    /// Normalises each row over its last dimension (PyTorch's `nn.LayerNorm` of that size), then
    /// scales and shifts it by its own weight and bias when `affine`.
    case layerNorm(eps: Float = 1e-5, affine: Bool = true)

    /// The kinds, numbered as C's `plexus_layer_kind`.
    public enum Kind: Int32, CaseIterable, Sendable, CustomStringConvertible {
        case dense = 0
        case dropout = 1
        case layerNorm = 2

        /// The kind's name in messages, summaries and model files: "dense", "dropout".
        public var description: String {
            switch self {
            case .dense: Dense.name
            case .dropout: Dropout.name
            case .layerNorm: LayerNorm.name
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .dense: .dense
        case .dropout: .dropout
        case .layerNorm: .layerNorm
        }
    }

    /// "Dense(64, relu)", "Dropout(0.5)": the layer as a summary prints it.
    public var description: String {
        switch self {
        case let .dense(units, activation, bias): Dense.describe(units: units, activation: activation, bias: bias)
        case let .dropout(rate): Dropout.describe(rate: rate)
        case let .layerNorm(eps, affine): LayerNorm.describe(eps: eps, affine: affine)
        }
    }

    /// A layer of `kind` with its defaults (PyTorch's where it has them): a dense layer of one
    /// unit, identity, with a bias; dropout at rate 0.5.
    public static func defaults(_ kind: Kind) -> Layer {
        switch kind {
        case .dense: .dense(1)
        case .dropout: .dropout(0.5)
        case .layerNorm: .layerNorm()
        }
    }

    /// The shape of this layer's output for an input of shape `input`, the layer being number
    /// `number` (1…L) of `count`.
    /// - Throws: `.argument` naming the layer when its settings are out of range or it cannot
    ///   take that input or that place.
    func outputShape(input: [Int], number: Int, of count: Int, after previous: Layer?) throws(PlexusError) -> [Int] {
        switch self {
        case let .dense(units, _, _): try Dense.outputShape(units: units, input: input, number: number)
        case let .dropout(rate): try Dropout.outputShape(rate: rate, input: input, number: number, of: count, after: previous)
        case let .layerNorm(eps, _): try LayerNorm.outputShape(eps: eps, input: input, number: number, of: count)
        }
    }

    /// The layer as the model file's `plexus.layers` lists it: a JSON object.
    var fileEntry: String {
        switch self {
        case let .dense(units, activation, bias): Dense.fileEntry(units: units, activation: activation, bias: bias)
        case let .dropout(rate): Dropout.fileEntry(rate: rate)
        case let .layerNorm(eps, affine): LayerNorm.fileEntry(eps: eps, affine: affine)
        }
    }

    /// The layer a model file's entry describes.
    /// - Throws: `.format` naming what is wrong.
    static func parse(fileEntry fields: [String: JSONValue], number: Int) throws(PlexusError) -> Layer {
        guard case let .string(name)? = fields["kind"] else {
            throw PlexusError(.format, "plexus.layers[\(number - 1)] has no \"kind\"")
        }
        switch name {
        case Dense.name: return try Dense.parse(fields, number: number)
        case Dropout.name: return try Dropout.parse(fields, number: number)
        case LayerNorm.name: return try LayerNorm.parse(fields, number: number)
        default:
            throw PlexusError(.format, "plexus.layers[\(number - 1)] is of kind \"\(name.prefix(64))\", which this library does not know; known: \(Kind.allCases.map(\.description).joined(separator: ", "))")
        }
    }
}

/// The widths of a shape's elements together, nil when it overflows `Network.maxLayerSize`.
func featureCount(_ shape: [Int]) -> Int? {
    var total = 1
    for extent in shape {
        guard extent >= 1, let product = checkedProduct(total, extent), product <= Network.maxLayerSize else { return nil }
        total = product
    }
    return total
}
