/// The dense (fully-connected) layer's rules: z = W·x + b, a = f(z), with W [units][inputs]
/// row-major (PyTorch's `Linear.weight`) and b [units], its activation fused into the same pass.
/// Its passes are the layered and row passes (Network+Propagation.swift, Network+RowPasses.swift,
/// DenseKernels.swift), its weights start as its activation's rule says
/// (WeightInitialization.swift), and its tensors are `layers.{i}.weight` and `layers.{i}.bias`.
enum Dense {
    static let name = "dense"

    static func describe(units: Int, activation: Activation, bias: Bool) -> String {
        "Dense(\(units), \(activation)\(bias ? "" : ", bias: false"))"
    }

    /// A dense layer maps a flat input of any width to `units` outputs.
    static func outputShape(units: Int, input: [Int], number: Int) throws(PlexusError) -> [Int] {
        guard units >= 1 && units <= Network.maxLayerSize else {
            throw .argument("layer \(number) (dense) has \(units) units; a dense layer needs between 1 and \(Network.maxLayerSize)")
        }
        guard input.count == 1 else {
            throw .argument("layer \(number) (dense) takes a flat input, but its input has shape \(input); give the network a flat input_shape of \(featureCount(input).map(String.init) ?? "its features")")
        }
        return [units]
    }

    static func fileEntry(units: Int, activation: Activation, bias: Bool) -> String {
        "{\"kind\":\"\(name)\",\"units\":\(units),\"activation\":\"\(activation)\",\"bias\":\(bias)}"
    }

    static func parse(_ fields: [String: JSONValue], number: Int) throws(PlexusError) -> Layer {
        let place = "plexus.layers[\(number - 1)] (dense)"
        guard let units = fields["units"]?.unsignedInteger, units >= 1, units <= UInt64(Network.maxLayerSize) else {
            throw PlexusError(.format, "\(place) needs \"units\", a whole number between 1 and \(Network.maxLayerSize)")
        }
        guard case let .string(name)? = fields["activation"],
              let activation = Activation.allCases.first(where: { $0.description == name }) else {
            throw PlexusError(.format, "\(place) needs \"activation\", one of \(Activation.allCases.map(\.description).joined(separator: ", "))")
        }
        guard case let .bool(bias)? = fields["bias"] else {
            throw PlexusError(.format, "\(place) needs \"bias\", true or false")
        }
        return .dense(Int(units), activation: activation, bias: bias)
    }
}
