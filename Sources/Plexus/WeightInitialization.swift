/// How a layer's weights start; biases start at 0. Each weight is (2u − 1)·limit in float32, drawn
/// layer by layer in parameter order with u from the network's generator (`nextUnitFloat`), and
/// `limit` computed in double, then rounded to float. Each activation names its rule
/// (`ElementwiseRule.initialization`; softmax: Glorot).
public enum WeightInitialization: Sendable, Equatable, CustomStringConvertible {
    /// Glorot/Xavier uniform: limit = √(6 / (fan_in + fan_out)).
    case glorot
    /// He/Kaiming uniform: limit = gain·√(3 / fan_in), gain = √(2 / (1 + slope²)), `negativeSlope`
    /// the activation's slope below 0 (torch's `kaiming_uniform_` with `a` = slope).
    case he(negativeSlope: Double)

    /// The bound of a layer of `fanIn` inputs and `fanOut` outputs.
    func limit(fanIn: Int, fanOut: Int) -> Float {
        switch self {
        case .glorot:
            return Float((6 / Double(fanIn + fanOut)).squareRoot())
        case let .he(slope):
            let gain = (2 / (1 + slope * slope)).squareRoot()
            return Float(gain * (3 / Double(fanIn)).squareRoot())
        }
    }

    /// Fills `count` weights of a layer of `fanIn` inputs and `fanOut` outputs.
    func draw(into weights: UnsafeMutablePointer<Float>, fanIn: Int, fanOut: Int, from generator: inout SeededGenerator) {
        let limit = self.limit(fanIn: fanIn, fanOut: fanOut)
        for i in 0..<(fanIn * fanOut) {
            weights[i] = (2 * generator.nextUnitFloat() - 1) * limit
        }
    }

    /// "Glorot/Xavier uniform", "He/Kaiming uniform (negative slope 0.01)".
    public var description: String {
        switch self {
        case .glorot: return "Glorot/Xavier uniform"
        case let .he(slope): return slope == 0 ? "He/Kaiming uniform" : "He/Kaiming uniform (negative slope \(Float(slope)))"
        }
    }
}
