/// The dropout layer's rules: while training each input is kept with probability 1 − rate and
/// scaled by 1/(1 − rate) (inverted dropout, as `torch.nn.Dropout`), masks drawn from the
/// network's generator in row order; in `predict` and every export it is the identity. It holds
/// no tensor. Its passes run as a mask among the layers after a dense layer
/// (Network+Regularization.swift), so it follows a dense or layer-norm layer, and a layer
/// follows it.
enum Dropout {
    static let name = "dropout"

    static func describe(rate: Float) -> String { "Dropout(\(rate))" }

    static func checkRate(_ rate: Float, number: Int) throws(PlexusError) {
        guard rate >= 0 && rate < 1 else {
            throw .argument("layer \(number) (dropout) has rate \(rate); pass a value in [0, 1), such as 0.2")
        }
    }

    static func outputShape(rate: Float, input: [Int], number: Int, of count: Int, after previous: Layer?) throws(PlexusError) -> [Int] {
        try checkRate(rate, number: number)
        switch previous {
        case .dense?, .layerNorm?: break
        default:
            throw .argument("layer \(number) (dropout) must follow a dense or layer-norm layer; \(previous.map { "layer \(number - 1) is \($0)" } ?? "it is the first layer")")
        }
        guard number < count else {
            throw .argument("layer \(number) (dropout) is the last layer; dropout goes between layers (the outputs are never dropped)")
        }
        return input
    }

    static func fileEntry(rate: Float) -> String { "{\"kind\":\"\(name)\",\"rate\":\(rate)}" }

    static func parse(_ fields: [String: JSONValue], number: Int) throws(PlexusError) -> Layer {
        guard let rate = fields["rate"]?.float, rate >= 0, rate < 1 else {
            throw PlexusError(.format, "plexus.layers[\(number - 1)] (dropout) needs \"rate\", a number in [0, 1)")
        }
        return .dropout(rate)
    }
}
