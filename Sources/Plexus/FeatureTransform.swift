#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// The preprocessing a network carries: a per-column affine map of its inputs before the first
// layer and of its outputs after the last, so that a saved model takes raw rows and answers in
// real units wherever it goes (model file, ONNX, generated C). Each map has one order of
// arithmetic, which the exports repeat: inputs (x - shift) * scale, outputs y' * scale + shift
// (a multiply, then an add: two roundings, never fused), targets (t - shift) / scale.

/// One shift and one scale per column. As the input transform it maps x to (x − shift) · scale;
/// as the output transform it maps the network's y′ to y′ · scale + shift.
public struct FeatureTransform: Equatable, Sendable {
    public let shift: [Float]
    public let scale: [Float]

    /// - Throws: `.argument` unless both have the same positive length and every value is finite,
    ///   every scale non-zero.
    public init(shift: [Float], scale: [Float]) throws(PlexusError) {
        guard !shift.isEmpty, shift.count == scale.count else {
            throw .argument("shift has \(shift.count) values and scale \(scale.count); a transform needs one of each per column")
        }
        if let i = shift.firstIndex(where: { !$0.isFinite }) {
            throw .argument("shift[\(i)] is \(shift[i]); shifts must be finite")
        }
        if let i = scale.firstIndex(where: { !$0.isFinite || $0 == 0 }) {
            throw .argument("scale[\(i)] is \(scale[i]); scales must be finite and non-zero")
        }
        self.shift = shift
        self.scale = scale
    }

    /// For values already checked (a packed transform's).
    init(unchecked shift: [Float], scale: [Float]) {
        self.shift = shift
        self.scale = scale
    }

    public var width: Int { shift.count }

    /// The standardisation of `count` rows of `width` columns: shift = the column's mean; the
    /// scale = 1 / its standard deviation (`reciprocal`, for inputs) or the deviation itself
    /// (for outputs). Population deviation (divisor n, as scikit-learn's StandardScaler), summed
    /// in Double in row order; a column whose deviation is 0, or whose scale would not be a
    /// finite non-zero float, gets scale 1.
    static func standardizing(_ values: UnsafePointer<Float>, count: Int, width: Int,
                              reciprocal: Bool) throws(PlexusError) -> FeatureTransform {
        var mean = [Double](repeating: 0, count: width)
        for r in 0..<count {
            for c in 0..<width { mean[c] += Double(values[r * width + c]) }
        }
        for c in 0..<width { mean[c] /= Double(count) }
        var variance = [Double](repeating: 0, count: width)
        for r in 0..<count {
            for c in 0..<width {
                let d = Double(values[r * width + c]) - mean[c]
                variance[c] += d * d
            }
        }
        var shift = [Float](repeating: 0, count: width), scale = [Float](repeating: 1, count: width)
        for c in 0..<width {
            shift[c] = Float(mean[c])
            let deviation = (variance[c] / Double(count)).squareRoot()
            let s = Float(reciprocal ? 1 / deviation : deviation)
            if deviation > 0 && s.isFinite && s != 0 { scale[c] = s }
        }
        return try FeatureTransform(shift: shift, scale: scale)
    }

    // MARK: The three maps (one order of arithmetic each)

    /// One input: (x − shift) · scale.
    @inline(__always) static func input(_ x: Float, shift: Float, scale: Float) -> Float { (x - shift) * scale }
    /// One output: y′ · scale, then + shift (two roundings; Swift never fuses them).
    @inline(__always) static func output(_ y: Float, shift: Float, scale: Float) -> Float {
        let scaled = y * scale
        return scaled + shift
    }
    /// One target, into the space the network fits: (t − shift) / scale.
    @inline(__always) static func target(_ t: Float, shift: Float, scale: Float) -> Float { (t - shift) / scale }
}

/// A transform as the passes read it: its shifts then its scales in one block of raw memory that
/// the network owns, so that a one-row predict pays no reference counting and no bounds checks
/// for it (W1 through an input transform: 759 instructions per call against 636 without one, from
/// 1,116 with the transform held as two arrays; benchmarks/RESULTS.md).
struct PackedTransform {
    let values: UnsafeMutablePointer<Float>
    let width: Int

    /// - Throws: `.memory` when the block cannot be allocated.
    init(_ transform: FeatureTransform) throws(PlexusError) {
        let width = transform.width
        guard width <= Int.max / (2 * MemoryLayout<Float>.stride), let raw = malloc(2 * width * MemoryLayout<Float>.stride) else {
            throw .memory("cannot allocate a transform of \(width) columns")
        }
        values = raw.bindMemory(to: Float.self, capacity: 2 * width)
        self.width = width
        values.update(from: transform.shift, count: width)
        (values + width).update(from: transform.scale, count: width)
    }

    func release() { free(values) }

    var transform: FeatureTransform {
        FeatureTransform(unchecked: Array(UnsafeBufferPointer(start: values, count: width)),
                         scale: Array(UnsafeBufferPointer(start: values + width, count: width)))
    }

    /// dst = `map` of src, column by column, over `rows` rows; `dst` may be `src`.
    @inline(__always)
    private func apply(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, rows: Int,
                       _ map: (Float, _ shift: Float, _ scale: Float) -> Float) {
        let shift = UnsafePointer(values), scale = shift + width, width = width
        var s = src, d = dst
        for _ in 0..<rows {
            for c in 0..<width { d[c] = map(s[c], shift[c], scale[c]) }
            s += width
            d += width
        }
    }

    func mapInputs(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, rows: Int) {
        if rows == 1 {
            // One row, the common call: a plain loop (the general one's set-up costs more than
            // a few columns of arithmetic: W1 through a transform 786 → 759 instructions).
            let shift = UnsafePointer(values), scale = shift + width
            for c in 0..<width { dst[c] = FeatureTransform.input(src[c], shift: shift[c], scale: scale[c]) }
            return
        }
        apply(src, to: dst, rows: rows, FeatureTransform.input)
    }

    /// In place.
    func mapOutputs(_ y: UnsafeMutablePointer<Float>, rows: Int) {
        apply(y, to: y, rows: rows, FeatureTransform.output)
    }

    func mapTargets(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, rows: Int) {
        apply(src, to: dst, rows: rows, FeatureTransform.target)
    }

    /// Throws `.argument` naming the first value whose mapped value is not finite (a huge raw
    /// value times a large scale), so that no infinity reaches the layers or the loss.
    func checkMapped(_ values: UnsafePointer<Float>, rows: Int, name: String, targets: Bool) throws(PlexusError) {
        let shift = UnsafePointer(self.values), scale = shift + width
        for r in 0..<rows {
            for c in 0..<width {
                let v = values[r * width + c]
                let mapped = targets ? FeatureTransform.target(v, shift: shift[c], scale: scale[c])
                                     : FeatureTransform.input(v, shift: shift[c], scale: scale[c])
                guard mapped.isFinite else {
                    throw .argument("\(name)[\(r)][\(c)] is \(v), which the \(targets ? "output" : "input") transform maps to \(mapped); values must stay finite once transformed")
                }
            }
        }
    }
}

extension Network {
    /// Sets the map applied to every input row before the first layer (nil removes it), for
    /// predict, forward, training and evaluation alike.
    /// - Throws: `.argument` when its width is not the network's input count; `.state` from an
    ///   epoch callback (the run checked its data through the transforms it started with).
    public func setInputTransform(_ transform: FeatureTransform?) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        try replaceInputTransform(transform)
    }

    /// `setInputTransform` for a caller that holds the network.
    private func replaceInputTransform(_ transform: FeatureTransform?) throws(PlexusError) {
        try checkNotTraining()
        if let transform, transform.width != inputWidth {
            throw .argument("the input transform has \(transform.width) columns but the network takes \(inputWidth) inputs")
        }
        // An explicit `if`, not Optional.map: typed throws through the standard library's
        // rethrowing closures has miscompiled (Boundary.swift's `withNetwork` says more).
        var packed: PackedTransform?
        if let transform { packed = try PackedTransform(transform) }
        inputMap?.release()
        inputMap = packed
    }

    /// Applied to every input row before the first layer; nil: none. Throws `.busy` while
    /// another thread writes.
    public var inputTransform: FeatureTransform? {
        get throws(PlexusError) { try access.reading { inputMap?.transform } }
    }

    /// Applied to the outputs of predict and forward, its inverse to training targets; nil: none.
    /// Throws `.busy` while another thread writes.
    public var outputTransform: FeatureTransform? {
        get throws(PlexusError) { try access.reading { outputMap?.transform } }
    }

    /// Sets the map applied to the outputs (nil removes it): predict and forward return
    /// y′ · scale + shift, and training maps its targets by the inverse, so the loss (and every
    /// reported loss) is measured in the transformed space.
    /// - Throws: `.argument` when its width is not the output count, or the output layer is not
    ///   identity (a softmax's or sigmoid's outputs are probabilities, not units to rescale).
    public func setOutputTransform(_ transform: FeatureTransform?) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        try replaceOutputTransform(transform)
    }

    /// `setOutputTransform` for a caller that holds the network.
    private func replaceOutputTransform(_ transform: FeatureTransform?) throws(PlexusError) {
        try checkNotTraining()
        if let transform {
            guard activations.last! == .identity else {
                throw .argument("an output transform needs an identity output layer, and this one is \(activations.last!); its outputs are not values in units to rescale")
            }
            guard transform.width == outputWidth else {
                throw .argument("the output transform has \(transform.width) columns but the network has \(outputWidth) outputs")
            }
        }
        // An explicit `if`, not Optional.map: typed throws through the standard library's
        // rethrowing closures has miscompiled (Boundary.swift's `withNetwork` says more).
        var packed: PackedTransform?
        if let transform { packed = try PackedTransform(transform) }
        outputMap?.release()
        outputMap = packed
    }

    /// Sets the input transform that standardises `count` rows of `x`: shift = each column's
    /// mean, scale = 1 / its standard deviation (1 for a constant column).
    /// - Throws: `.argument` for no rows or a non-finite value (nothing changes).
    package func fitInputTransform(x: UnsafePointer<Float>, count: Int) throws(PlexusError) {
        let token = try access.beginWriting(.fitting)
        defer { access.endWriting(token) }
        try checkNotTraining()
        let total = try checkFitRows(count, width: inputWidth, name: "x")
        try checkFinite(x, count: total, width: inputWidth, name: "x", what: "inputs")
        try replaceInputTransform(FeatureTransform.standardizing(x, count: count, width: inputWidth, reciprocal: true))
    }

    /// `fitInputTransform` over whole rows of `x` (`.shape` otherwise).
    public func fitInputTransform(x: [Float]) throws(PlexusError) {
        try x.withUnsafeBufferPointer { (xs) throws(PlexusError) in try fitInputTransform(x: xs) }
    }

    /// `fitInputTransform` over a buffer of whole rows (`.shape` otherwise).
    public func fitInputTransform(x: UnsafeBufferPointer<Float>) throws(PlexusError) {
        let count = try rows(of: x.count, width: inputWidth, name: "x")
        try fitInputTransform(x: x.baseAddress!, count: count)
    }

    /// Sets the output transform that standardises `count` target rows of `y`: shift = each
    /// column's mean, scale = its standard deviation (1 for a constant column), so the network
    /// fits targets of mean 0 and deviation 1.
    /// - Throws: `.argument` for no rows, a non-finite value or a non-identity output layer.
    package func fitOutputTransform(y: UnsafePointer<Float>, count: Int) throws(PlexusError) {
        let token = try access.beginWriting(.fitting)
        defer { access.endWriting(token) }
        try checkNotTraining()
        let total = try checkFitRows(count, width: outputWidth, name: "y")
        try checkFinite(y, count: total, width: outputWidth, name: "y", what: "targets")
        try replaceOutputTransform(FeatureTransform.standardizing(y, count: count, width: outputWidth, reciprocal: false))
    }

    /// `fitOutputTransform` over whole target rows of `y` (`.shape` otherwise).
    public func fitOutputTransform(y: [Float]) throws(PlexusError) {
        try y.withUnsafeBufferPointer { (ys) throws(PlexusError) in try fitOutputTransform(y: ys) }
    }

    /// `fitOutputTransform` over a buffer of whole target rows (`.shape` otherwise).
    public func fitOutputTransform(y: UnsafeBufferPointer<Float>) throws(PlexusError) {
        let count = try rows(of: y.count, width: outputWidth, name: "y")
        try fitOutputTransform(y: y.baseAddress!, count: count)
    }

    private func checkFitRows(_ count: Int, width: Int, name: String) throws(PlexusError) -> Int {
        guard count >= 1 else { throw .argument("n is \(count); fitting a transform needs at least one row") }
        guard let total = checkedProduct(count, width) else {
            throw .argument("\(name) would hold \(count) × \(width) floats, which overflows")
        }
        return total
    }

    /// Checks that `rows` input rows stay finite once transformed (nothing to do without a transform).
    func checkTransformedInputs(_ x: UnsafePointer<Float>, rows: Int, name: String) throws(PlexusError) {
        try inputMap?.checkMapped(x, rows: rows, name: name, targets: false)
    }

    /// Checks that `rows` target rows stay finite once mapped into the fitted space.
    func checkTransformedTargets(_ y: UnsafePointer<Float>, rows: Int, name: String) throws(PlexusError) {
        try outputMap?.checkMapped(y, rows: rows, name: name, targets: true)
    }
}
