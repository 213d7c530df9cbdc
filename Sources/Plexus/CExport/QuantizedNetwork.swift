#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Post-training int8 quantisation, after TFLite's int8 scheme: per-output-channel symmetric int8
// weights, int32 biases and accumulators, int8 activations with a per-layer scale and zero point
// (real = scale · (q − zero_point)) measured on calibration rows, and requantisation by an integer
// multiplier and shift with one rounding (TFLite's single-rounding MultiplyByQuantizedMultiplier).
// ReLU is a clamp at the real 0, the other elementwise activations a 256-entry table, softmax an
// integer exponential table. Every number here is decided once; the generated C
// (QuantizedCode.swift) and Python's `plexus.quantize.simulate` only do the integer arithmetic.

/// An int8 model of a network, ready for `exportC` or for simulation.
///
/// Layer norms stay float32, between the int8 layers, as TFLite Micro keeps the operations it has
/// no integer form of: the previous layer's int8 outputs are dequantised, normalised
/// (`LayerNorm.forward`, its order of arithmetic), and quantised at the next layer's input scale,
/// which calibration measures after the norms. Norms on the inputs run in float before the inputs
/// are quantised, as the input transform does.
public struct QuantizedNetwork: Sendable {
    /// A layer norm of the int8 model, computed in float32: its width, groups per row, eps and
    /// its weight and bias (nil without affine), copied from the network.
    public struct Norm: Sendable {
        public let width: Int, groups: Int
        public let eps: Float
        public let weight: [Float]?, bias: [Float]?
    }

    /// One layer: the accumulator acc_o = bias_o + Σ_i W_oi·(x_i − inputZeroPoint), then
    /// q_o = clamp(requantize(acc_o, multipliers_o, shifts_o) + requantZeroPoint, clampMin, clampMax),
    /// then the table (q ← table[q + 128]) or softmax, which give the output's scale and zero point.
    public struct Layer: Sendable {
        public let inputs: Int, outputs: Int
        public let activation: Activation
        public let inputScale: Float, inputZeroPoint: Int32
        /// [outputs][inputs], symmetric per output: W_oi ≈ weightScales_o · weights_oi.
        public let weights: [Int8]
        public let weightScales: [Float]
        /// Scale inputScale · weightScales_o; nil without biases.
        public let bias: [Int32]?
        /// inputScale · weightScales_o / requantScale ≈ multipliers_o · 2^(shifts_o − 31).
        public let multipliers: [Int32]
        public let shifts: [Int8]
        /// What the accumulator is requantised to: the pre-activation for a table or softmax, the
        /// output otherwise.
        public let requantScale: Float, requantZeroPoint: Int32
        public let clampMin: Int32, clampMax: Int32
        /// The elementwise activation other than identity and ReLU: 256 outputs, for q = −128…127.
        public let table: [Int8]?
        /// Softmax: round(2^15 · e^(−requantScale·d)) for d = max − q = 0, 1, …, until it rounds to
        /// 0 (a longer d counts 0). The outputs are round(256 · e_k / Σ e) − 128, scale 1/256.
        public let softmaxExp: [UInt16]?
        public let outputScale: Float, outputZeroPoint: Int32
        /// The layer norms before this layer, in order, in float32: on the inputs for layer 1
        /// (before they are quantised), on the dequantised outputs of the layer before otherwise.
        public var norms: [Norm] = []
    }

    public let sizes: [Int]
    public let activations: [Activation]
    public let hasBias: Bool
    public let layers: [Layer]
    /// The network's transforms, applied in float before the inputs are quantised and after the
    /// outputs are dequantised (so the int8 layers are those of the transformed space).
    public let inputTransform: FeatureTransform?, outputTransform: FeatureTransform?

    public var inputScale: Float { layers[0].inputScale }
    public var inputZeroPoint: Int32 { layers[0].inputZeroPoint }
    public var outputScale: Float { layers.last!.outputScale }
    public var outputZeroPoint: Int32 { layers.last!.outputZeroPoint }

    /// The widest int8 layer input: the int32 accumulator cannot overflow below it, whatever the
    /// weights and bias (32768 · 127 · 255 plus the bias limit stays below 2^31).
    public static let maxInputs = 32768
    /// The widest softmax: Σ e ≤ outputs · 2^15 must stay below 2^31.
    public static let maxSoftmaxOutputs = 65535

    /// Quantises `network` with ranges measured on `rows` calibration rows ([rows][inputs]): the
    /// minimum and maximum of the inputs and of every layer's pre-activations and outputs.
    ///
    /// - Throws: `.argument` for no rows, a non-finite value, a layer wider than `maxInputs` inputs
    ///   or a softmax wider than `maxSoftmaxOutputs`, or a requantisation factor of 2^30 or more (a
    ///   layer whose outputs span a range 2^30 times narrower than its inputs'); `.memory`.
    ///   Throws `.busy` while another thread writes the network.
    package init(network: Network, calibration x: UnsafePointer<Float>, rows: Int) throws(PlexusError) {
        let token = try network.access.beginReading()
        defer { network.access.endReading(token) }
        guard rows >= 1 else {
            throw .argument("rows is \(rows); pass at least one calibration row (a few hundred training rows are typical)")
        }
        let inputCount = try network.checkBatch(rows, width: network.sizes[0], name: "calibration")
        try network.checkFinite(x, count: inputCount, width: network.sizes[0], name: "calibration", what: "calibration rows")
        for (l, layer) in network.views.enumerated() {
            guard layer.inputs <= QuantizedNetwork.maxInputs else {
                throw .argument("layer \(l + 1) has \(layer.inputs) inputs; int8 code takes at most \(QuantizedNetwork.maxInputs) so that its int32 sums cannot overflow")
            }
            guard layer.activation != .softmax || layer.outputs <= QuantizedNetwork.maxSoftmaxOutputs else {
                throw .argument("layer \(l + 1) is a softmax of \(layer.outputs) outputs; int8 code takes at most \(QuantizedNetwork.maxSoftmaxOutputs)")
            }
        }
        // Calibration rows are raw rows, as predict takes them: ranges are measured after the
        // input transform, where the int8 layers work.
        try network.checkTransformedInputs(x, rows: rows, name: "calibration")
        var mapped: FloatBuffer?
        if let transform = network.inputMap {
            let buffer = try FloatBuffer(count: inputCount, purpose: "the transformed calibration rows")
            transform.mapInputs(x, to: buffer.pointer, rows: rows)
            mapped = buffer
        }
        let ranges = try CalibrationRanges(network: network, x: mapped.map { UnsafePointer($0.pointer) } ?? x, rows: rows)
        withExtendedLifetime(mapped) {}
        var layers: [Layer] = []
        var input = ranges.input.quantization
        for (l, view) in network.views.enumerated() {
            let norms = network.builtOperations[l].compactMap { operation -> Norm? in
                guard case let .norm(k) = operation else { return nil }
                let slot = network.norms[k]
                func copy(_ offset: Int?) -> [Float]? {
                    offset.map { Array(UnsafeBufferPointer(start: network.params.pointer + $0, count: slot.width)) }
                }
                return Norm(width: slot.width, groups: slot.groups, eps: slot.eps, weight: copy(slot.weightOffset), bias: copy(slot.biasOffset))
            }
            // After layer norms, the layer's inputs are quantised at the range measured after them.
            if l > 0 && !norms.isEmpty { input = ranges.normed[l].quantization }
            var layer = try Layer(view, number: l + 1, input: input, preActivation: ranges.preActivations[l].quantization,
                                  output: ranges.outputs[l].quantization)
            layer.norms = norms
            layers.append(layer)
            input = (layer.outputScale, layer.outputZeroPoint)
        }
        self.sizes = network.sizes
        self.activations = network.activations
        self.hasBias = network.hasBias
        self.layers = layers
        self.inputTransform = network.inputMap?.transform
        self.outputTransform = network.outputMap?.transform
    }

    /// Quantises `network` with ranges measured on whole calibration rows (`.shape` otherwise).
    public init(network: Network, calibration x: [Float]) throws(PlexusError) {
        self = try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in try QuantizedNetwork(network: network, calibration: xs) }
    }

    /// Quantises `network` with ranges measured on a buffer of whole calibration rows (`.shape`
    /// otherwise).
    public init(network: Network, calibration x: UnsafeBufferPointer<Float>) throws(PlexusError) {
        let rows = try network.rows(of: x.count, width: network.inputWidth, name: "calibration")
        try self.init(network: network, calibration: x.baseAddress!, rows: rows)
    }
}

/// A real range seen in calibration.
private struct Range {
    var low = Float.infinity, high = -Float.infinity

    mutating func include(_ values: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            low = Swift.min(low, values[i])
            high = Swift.max(high, values[i])
        }
    }

    /// Asymmetric int8 over the range widened to hold 0 (so that 0 is exact, as padding and ReLU
    /// need): scale = (high − low)/255, zero point = −128 − round(low/scale).
    var quantization: (scale: Float, zeroPoint: Int32) {
        let low = Double(Swift.min(self.low, 0)), high = Double(Swift.max(self.high, 0))
        let span = high - low
        let scale = Float(span > 0 && span.isFinite ? span / 255 : 1.0 / 255)
        let zeroPoint = (-128 - low / Double(scale)).rounded()
        return (scale, Int32(Swift.min(Swift.max(zeroPoint, -128), 127)))
    }
}

/// The ranges of the inputs and of every layer's z and f(z) over the calibration rows, from the
/// float forward pass in blocks.
private struct CalibrationRanges {
    /// The inputs' range, after the layer norms on them when there are some.
    var input = Range()
    var preActivations: [Range], outputs: [Range]
    /// The range after the layer norms that follow layer l − 1 (index l; unused where there are none).
    var normed: [Range]

    init(network: Network, x: UnsafePointer<Float>, rows: Int) throws(PlexusError) {
        let count = network.views.count
        preActivations = Array(repeating: Range(), count: count)
        outputs = Array(repeating: Range(), count: count)
        normed = Array(repeating: Range(), count: count)
        let block = Swift.min(rows, forwardBlockRows)
        let widest = network.sizes.max()!
        let z = try FloatBuffer(count: block * widest, purpose: "calibration pre-activations")
        let a = try FloatBuffer(count: block * widest, purpose: "calibration outputs")
        let previous = try FloatBuffer(count: block * widest, purpose: "calibration inputs")
        var start = 0
        while start < rows {
            let n = Swift.min(block, rows - start)
            var current = UnsafePointer(x + start * network.sizes[0])
            if network.normalizes(at: 0) {
                network.operationsForward(at: 0, previous.pointer, from: current, rows: n, start: 0, training: nil)
                current = UnsafePointer(previous.pointer)
            }
            input.include(current, count: n * network.sizes[0])
            for (l, layer) in network.views.enumerated() {
                linearForwardBlock(x: current, weights: layer.weights, bias: layer.bias, z: z.pointer,
                                   rows: n, inputs: layer.inputs, outputs: layer.outputs)
                preActivations[l].include(z.pointer, count: n * layer.outputs)
                a.pointer.update(from: z.pointer, count: n * layer.outputs)
                layer.activation.forward(a.pointer, rows: n, cols: layer.outputs)
                outputs[l].include(a.pointer, count: n * layer.outputs)
                previous.pointer.update(from: a.pointer, count: n * layer.outputs)
                if l + 1 < count && network.normalizes(at: l + 1) {
                    network.operationsForward(at: l + 1, previous.pointer, from: previous.pointer, rows: n, start: 0, training: nil)
                    normed[l + 1].include(previous.pointer, count: n * layer.outputs)
                }
                current = UnsafePointer(previous.pointer)
            }
            start += n
        }
        for (l, range) in preActivations.enumerated() where !(range.low.isFinite && range.high.isFinite) {
            throw .argument("layer \(l + 1)'s sums are not finite on the calibration rows; check the network's weights")
        }
    }
}

/// m · 2^(shift − 31) ≈ factor with m in [2^30, 2^31) (TFLite's QuantizeMultiplier); (0, 0) for
/// factors that requantise everything to 0.
func quantizeMultiplier(_ factor: Double, layer: Int) throws(PlexusError) -> (Int32, Int8) {
    guard factor > 0 else { return (0, 0) }
    // factor = q · 2^e with q in [0.5, 1).
    let q = factor.significand / 2
    var e = Int(factor.exponent) + 1
    var fixed = (q * 2_147_483_648).rounded()
    if fixed == 2_147_483_648 { fixed /= 2; e += 1 }
    if e < -31 { return (0, 0) }
    guard e <= 30 else {
        throw .argument("layer \(layer)'s requantisation factor \(factor) is 2^30 or more: its outputs span a range far narrower than its sums; calibrate with more varied rows")
    }
    return (Int32(fixed), Int8(e))
}

/// round(value) clamped to `range`.
private func roundClamped(_ value: Double, _ range: ClosedRange<Int32>) -> Int32 {
    let r = value.rounded()
    if !(r >= Double(range.lowerBound)) { return range.lowerBound }
    if r > Double(range.upperBound) { return range.upperBound }
    return Int32(r)
}

extension QuantizedNetwork.Layer {
    fileprivate init(_ view: Network.LayerView, number: Int, input: (scale: Float, zeroPoint: Int32),
                     preActivation: (scale: Float, zeroPoint: Int32), output: (scale: Float, zeroPoint: Int32)) throws(PlexusError) {
        // Locals, not self's properties, are what the closures below capture.
        let inputs = view.inputs, outputs = view.outputs, activation = view.activation
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        inputScale = input.scale
        inputZeroPoint = input.zeroPoint

        // Identity and ReLU requantise straight to the output; a table or softmax reads the
        // requantised pre-activation.
        let direct = activation == .identity || activation.quantizesAsClampAtZero
        let target = direct ? output : preActivation
        requantScale = target.scale
        requantZeroPoint = target.zeroPoint
        clampMin = activation.quantizesAsClampAtZero ? target.zeroPoint : -128
        clampMax = 127
        var weights = [Int8](repeating: 0, count: inputs * outputs)
        var scales = [Float](repeating: 1, count: outputs)
        for o in 0..<outputs {
            let row = view.weights + o * inputs
            var largest: Float = 0
            for i in 0..<inputs { largest = Swift.max(largest, abs(row[i])) }
            // A row of zeros sums to its bias alone: its scale then makes the requantisation factor 1.
            let unit = Float(Double(target.scale) / Double(input.scale))
            scales[o] = largest > 0 ? Swift.max(Float(Double(largest) / 127), .leastNormalMagnitude) : (unit.isNormal ? unit : 1)
            for i in 0..<inputs { weights[o * inputs + i] = Int8(roundClamped(Double(row[i]) / Double(scales[o]), -127...127)) }
        }
        self.weights = weights
        weightScales = scales

        let accumulatorLimit = Int32.max - Int32(inputs * 127 * 255)
        bias = view.bias.map { b in
            (0..<outputs).map { o in
                roundClamped(Double(b[o]) / (Double(input.scale) * Double(scales[o])), -accumulatorLimit...accumulatorLimit)
            }
        }

        var multipliers: [Int32] = [], shifts: [Int8] = []
        for o in 0..<outputs {
            let (m, s) = try quantizeMultiplier(Double(input.scale) * Double(scales[o]) / Double(target.scale), layer: number)
            multipliers.append(m)
            shifts.append(s)
        }
        self.multipliers = multipliers
        self.shifts = shifts

        if activation == .softmax {
            var exps: [UInt16] = []
            for d in 0..<256 {
                let e = (32768 * exp(-Double(target.scale) * Double(d))).rounded()
                if e < 1 { break }
                exps.append(UInt16(e))
            }
            softmaxExp = exps
            table = nil
            outputScale = 1.0 / 256
            outputZeroPoint = -128
        } else if direct {
            softmaxExp = nil
            table = nil
            outputScale = output.scale
            outputZeroPoint = output.zeroPoint
        } else {
            var values = (0..<256).map { Float(Double(target.scale) * Double($0 - 128 - Int(target.zeroPoint))) }
            values.withUnsafeMutableBufferPointer { activation.forward($0.baseAddress!, rows: 1, cols: 256) }
            table = values.map { Int8(roundClamped(Double($0) / Double(output.scale) + Double(output.zeroPoint), -128...127)) }
            softmaxExp = nil
            outputScale = output.scale
            outputZeroPoint = output.zeroPoint
        }
    }
}
