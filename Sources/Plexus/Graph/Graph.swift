import CPlexusSupport

/// A static computational graph with reverse-mode differentiation, as seed 002 teaches it: each
/// node computes its value from its inputs going forward, and going backward passes the upstream
/// gradient on, multiplied by its local derivative (an addition passes it unchanged, a
/// multiplication passes it times the other input).
///
/// Nodes are matrices of float32 up to 2-D (a scalar is 1×1), built once; `forward` and `backward`
/// then run as often as needed without allocating. A node can only use nodes created before it,
/// so creation order is a topological order.
///
/// Thread rule, enforced as for `Network` (Access.swift): many readers (shape, values,
/// gradients) or one writer (building, forward, backward, setting values, step); a conflicting
/// call throws `.busy` and changes nothing. Distinct graphs are independent.
public final class Graph: @unchecked Sendable {
    /// A node of this graph: an index in creation order.
    public struct Node: Hashable, Sendable {
        public let index: Int
        public init(index: Int) { self.index = index }
    }

    /// The elementwise operations that combine two nodes; a 1×1 operand broadcasts.
    public enum Binary: Sendable { case add, subtract, multiply, divide }
    /// The operations of one node.
    public enum Unary: Sendable { case sum, mean, square, exp, log }

    enum Kind {
        case input, constant, parameter
        case binary(Binary, Int, Int)
        case matmul(Int, Int)
        case unary(Unary, Int)
        case activation(Activation, Int)
        case loss(Loss, prediction: Int, target: Int)
    }

    final class NodeData {
        let kind: Kind
        let rows: Int, cols: Int
        let value: FloatBuffer
        let grad: FloatBuffer
        /// Per-node scratch for backward, nil when unused: an activation's Jacobian product
        /// (rows·cols floats), a loss's per-element gradient and activated prediction (2× the
        /// prediction's size).
        let scratch: FloatBuffer?
        var optimizerState = OptimizerState()

        init(kind: Kind, rows: Int, cols: Int, scratchCount: Int = 0) throws(PlexusError) {
            guard rows >= 1, cols >= 1, rows <= Network.maxLayerSize, cols <= Network.maxLayerSize,
                  let count = checkedProduct(rows, cols)
            else { throw .argument("a node of \(rows)×\(cols) is not allowed; both dimensions must be between 1 and \(Network.maxLayerSize)") }
            self.kind = kind
            self.rows = rows
            self.cols = cols
            self.value = try FloatBuffer(count: count, purpose: "a \(rows)×\(cols) node")
            self.grad = try FloatBuffer(count: count, purpose: "a \(rows)×\(cols) gradient")
            self.scratch = scratchCount > 0 ? try FloatBuffer(count: scratchCount, purpose: "a node's scratch") : nil
        }

        var count: Int { rows * cols }
    }

    var nodes: [NodeData] = []
    /// Whether values are current (no input changed since the last forward), and gradients too.
    var forwardDone = false
    var backwardDone = false
    /// The optimizer `step` applies to every parameter node (`optimizer`).
    var activeOptimizer: Optimizer = .standard
    /// One writer or many readers (Access.swift).
    package let access: AccessGate

    /// An empty graph. Throws `.memory` when its slot cannot be allocated.
    public init() throws(PlexusError) {
        access = try AccessGate(type: PLXS_HANDLE_GRAPH)
    }

    /// The number of nodes built so far. Throws `.busy` while another thread writes.
    public var nodeCount: Int {
        get throws(PlexusError) { try access.reading { nodes.count } }
    }

    /// The optimizer `step` applies to every parameter node. Throws `.busy` while another thread writes.
    public var optimizer: Optimizer {
        get throws(PlexusError) { try access.reading { activeOptimizer } }
    }

    // MARK: Building

    private func add(_ kind: Kind, rows: Int, cols: Int, scratchCount: Int = 0) throws(PlexusError) -> Node {
        let data = try NodeData(kind: kind, rows: rows, cols: cols, scratchCount: scratchCount)
        nodes.append(data)
        forwardDone = false
        backwardDone = false
        return Node(index: nodes.count - 1)
    }

    func node(_ node: Node) throws(PlexusError) -> NodeData {
        guard node.index >= 0 && node.index < nodes.count else {
            throw .argument("node \(node.index) does not exist in this graph (it has \(nodes.count) nodes, numbered from 0)")
        }
        return nodes[node.index]
    }

    /// A value set from outside before each `forward` (no gradient flows into it from an optimizer).
    public func input(rows: Int, cols: Int) throws(PlexusError) -> Node {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        return try add(.input, rows: rows, cols: cols)
    }

    /// A fixed value (`rows·cols` floats, row-major).
    public func constant(rows: Int, cols: Int, values: [Float]) throws(PlexusError) -> Node {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        return try valued(.constant, rows: rows, cols: cols, values)
    }

    /// A trainable value that `step` updates (zeros when `values` is nil).
    public func parameter(rows: Int, cols: Int, values: [Float]? = nil) throws(PlexusError) -> Node {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        guard let values else { return try add(.parameter, rows: rows, cols: cols) }
        return try valued(.parameter, rows: rows, cols: cols, values)
    }

    /// A constant or parameter from `rows·cols` floats at `values`; the graph changes only on success.
    package func valued(constant: Bool, rows: Int, cols: Int, values: UnsafePointer<Float>) throws(PlexusError) -> Node {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let data = try NodeData(kind: constant ? .constant : .parameter, rows: rows, cols: cols)
        for i in 0..<data.count where !values[i].isFinite {
            throw .argument("values[\(i)] is \(values[i]); node values must be finite")
        }
        data.value.pointer.update(from: values, count: data.count)
        nodes.append(data)
        forwardDone = false
        backwardDone = false
        return Node(index: nodes.count - 1)
    }

    private func valued(_ kind: Kind, rows: Int, cols: Int, _ values: [Float]) throws(PlexusError) -> Node {
        guard rows >= 1, cols >= 1, let count = checkedProduct(rows, cols), values.count == count else {
            throw .shape("a \(rows)×\(cols) node needs \(rows)·\(cols) values, got \(values.count)")
        }
        let constant: Bool
        if case .constant = kind { constant = true } else { constant = false }
        return try values.withUnsafeBufferPointer { (v) throws(PlexusError) in
            try valued(constant: constant, rows: rows, cols: cols, values: v.baseAddress!)
        }
    }

    /// a ∘ b elementwise; shapes must match, or one side is 1×1 and broadcasts.
    public func binary(_ op: Binary, _ a: Node, _ b: Node) throws(PlexusError) -> Node {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let x = try node(a), y = try node(b)
        let (rows, cols): (Int, Int)
        if x.rows == y.rows && x.cols == y.cols { (rows, cols) = (x.rows, x.cols) }
        else if y.count == 1 { (rows, cols) = (x.rows, x.cols) }
        else if x.count == 1 { (rows, cols) = (y.rows, y.cols) }
        else {
            throw .shape("cannot combine a \(x.rows)×\(x.cols) node with a \(y.rows)×\(y.cols) node elementwise; shapes must match or one must be 1×1")
        }
        return try add(.binary(op, a.index, b.index), rows: rows, cols: cols)
    }

    /// The matrix product a·b of an m×k and a k×n node.
    public func matmul(_ a: Node, _ b: Node) throws(PlexusError) -> Node {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let x = try node(a), y = try node(b)
        guard x.cols == y.rows else {
            throw .shape("cannot multiply a \(x.rows)×\(x.cols) node by a \(y.rows)×\(y.cols) node; inner dimensions \(x.cols) and \(y.rows) differ")
        }
        return try add(.matmul(a.index, b.index), rows: x.rows, cols: y.cols)
    }

    /// sum and mean give 1×1; square, exp and log work elementwise.
    public func unary(_ op: Unary, _ a: Node) throws(PlexusError) -> Node {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let x = try node(a)
        switch op {
        case .sum, .mean: return try add(.unary(op, a.index), rows: 1, cols: 1)
        case .square, .exp, .log: return try add(.unary(op, a.index), rows: x.rows, cols: x.cols)
        }
    }

    /// f(a) with a dense layer's activation; softmax works row by row.
    public func activation(_ f: Activation, _ a: Node) throws(PlexusError) -> Node {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let x = try node(a)
        return try add(.activation(f, a.index), rows: x.rows, cols: x.cols, scratchCount: x.count)
    }

    /// A loss (1×1) of `prediction` against `target` (same shape), as the dense network defines it,
    /// except that cross-entropy and binary cross-entropy take logits: softmax and sigmoid are applied
    /// inside, stably (PyTorch's `CrossEntropyLoss` and `BCEWithLogitsLoss`).
    public func loss(_ kind: Loss, prediction: Node, target: Node) throws(PlexusError) -> Node {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let p = try node(prediction), t = try node(target)
        guard p.rows == t.rows && p.cols == t.cols else {
            throw .shape("the prediction is \(p.rows)×\(p.cols) but the target is \(t.rows)×\(t.cols); they must match")
        }
        guard let scratch = checkedProduct(p.count, 2) else { throw .memory("a \(p.rows)×\(p.cols) loss is too large") }
        return try add(.loss(kind, prediction: prediction.index, target: target.index), rows: 1, cols: 1, scratchCount: scratch)
    }

    // MARK: Values

    public func shape(_ node: Node) throws(PlexusError) -> (rows: Int, cols: Int) {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let n = try self.node(node)
        return (n.rows, n.cols)
    }

    /// Sets an input, constant or parameter node; values are row-major and must be finite.
    package func setValue(_ node: Node, _ values: UnsafePointer<Float>) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let n = try self.node(node)
        switch n.kind {
        case .input, .constant, .parameter: break
        default: throw .argument("node \(node.index) is computed from other nodes; only inputs, constants and parameters can be set")
        }
        for i in 0..<n.count where !values[i].isFinite {
            throw .argument("values[\(i)] is \(values[i]); node values must be finite")
        }
        n.value.pointer.update(from: values, count: n.count)
        forwardDone = false
        backwardDone = false
    }

    public func setValue(_ node: Node, _ values: [Float]) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let n = try self.node(node)
        guard values.count == n.count else { throw .shape("node \(node.index) is \(n.rows)×\(n.cols) and needs \(n.count) values, got \(values.count)") }
        try values.withUnsafeBufferPointer { (v) throws(PlexusError) in try setValue(node, v.baseAddress!) }
    }

    /// Copies a node's value (`rows·cols` floats). Computed nodes need a `forward` since the last change.
    package func copyValue(_ node: Node, to out: UnsafeMutablePointer<Float>) throws(PlexusError) {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let n = try self.node(node)
        switch n.kind {
        case .input, .constant, .parameter: break
        default:
            guard forwardDone else { throw .state("node \(node.index)'s value is out of date: call forward after building or setting values") }
        }
        out.update(from: n.value.pointer, count: n.count)
    }

    /// Copies a node's gradient from the last `backward`.
    package func copyGrad(_ node: Node, to out: UnsafeMutablePointer<Float>) throws(PlexusError) {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let n = try self.node(node)
        guard backwardDone else { throw .state("there is no gradient yet: call forward, then backward, first") }
        out.update(from: n.grad.pointer, count: n.count)
    }

    public func value(_ node: Node) throws(PlexusError) -> [Float] {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let n = try self.node(node)
        var out = [Float](repeating: 0, count: n.count)
        try out.withUnsafeMutableBufferPointer { (o) throws(PlexusError) in try copyValue(node, to: o.baseAddress!) }
        return out
    }

    public func grad(_ node: Node) throws(PlexusError) -> [Float] {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let n = try self.node(node)
        var out = [Float](repeating: 0, count: n.count)
        try out.withUnsafeMutableBufferPointer { (o) throws(PlexusError) in try copyGrad(node, to: o.baseAddress!) }
        return out
    }

    // MARK: Training

    /// Chooses the optimizer for `step` (same rules as `Network.setOptimizer`).
    public func setOptimizer(_ optimizer: Optimizer) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        try optimizer.validate()
        if !Optimizer.keepsState(from: activeOptimizer, to: optimizer) {
            for n in nodes { n.optimizerState.reset() }
        }
        activeOptimizer = optimizer
    }

    /// Applies the optimizer to every parameter node with the gradients of the last `backward`.
    /// - Throws: `.state` without a backward; `.numeric` when any update would not be finite, in
    ///   which case no parameter and no optimizer state changes (all are checked before any is written).
    public func step() throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        guard backwardDone else { throw .state("step needs gradients: call forward and backward first") }
        for n in nodes where isParameter(n) {
            try n.optimizerState.apply(activeOptimizer, params: n.value.pointer, grads: n.grad.pointer, count: n.count, commit: false)
        }
        for n in nodes where isParameter(n) {
            try n.optimizerState.apply(activeOptimizer, params: n.value.pointer, grads: n.grad.pointer, count: n.count)
        }
        forwardDone = false
        backwardDone = false
    }

    private func isParameter(_ n: NodeData) -> Bool { if case .parameter = n.kind { return true } else { return false } }
}
