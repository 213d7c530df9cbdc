import Plexus

// The computational graph: handles, node builders, passes, values and training.

/// `guarded` around `withHandle` for a plexus_graph.
func onGraph(_ function: StaticString, _ handle: OpaquePointer?, _ use: HandleUse = .writing(.changing),
                     _ body: (Graph) throws(PlexusError) -> Void) -> Int32 {
    guarded(function) { () throws(PlexusError) in try withHandle(handle, .graph, as: Graph.self, use, body) }
}

private func dimension(_ value: UInt32, _ name: String) throws(PlexusError) -> Int {
    guard value >= 1 && value <= UInt32(Int32.max) else { throw argumentError("\(name) is \(value); pass between 1 and \(Int32.max)") }
    return Int(value)
}

/// Builds a node and stores its id in *out, which is written only on success.
private func build(_ function: StaticString, _ handle: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?,
                   _ make: (Graph) throws(PlexusError) -> Graph.Node) -> Int32 {
    onGraph(function, handle) { (g) throws(PlexusError) in
        let out = try required(out, "out")
        out.pointee = Int32(try make(g).index)
    }
}

private func node(_ id: Int32) -> Graph.Node { Graph.Node(index: Int(id)) }

@_cdecl("plexus_graph_create")
public func plexus_graph_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded("plexus_graph_create") { () throws(PlexusError) in
        let out = try required(out, "out")
        let graph = try Graph()
        out.pointee = makeHandle(graph, slot: graph.access.slot)
    }
}

@_cdecl("plexus_graph_free")
public func plexus_graph_free(_ handle: OpaquePointer?) {
    freeHandle("plexus_graph_free", handle, .graph)
}

@_cdecl("plexus_graph_input")
public func plexus_graph_input(_ g: OpaquePointer?, _ rows: UInt32, _ cols: UInt32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_input", g, out) { (g) throws(PlexusError) in
        try g.input(rows: try dimension(rows, "rows"), cols: try dimension(cols, "cols"))
    }
}

/// Shared by constant and param: a node whose `values` (rows·cols floats) are copied in.
private func valued(_ function: StaticString, _ g: OpaquePointer?, _ rows: UInt32, _ cols: UInt32,
                    _ values: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Int32>?, parameter: Bool) -> Int32 {
    build(function, g, out) { (g) throws(PlexusError) in
        let values = try required(values, "values")
        return try g.valued(constant: !parameter, rows: try dimension(rows, "rows"), cols: try dimension(cols, "cols"), values: values)
    }
}

@_cdecl("plexus_graph_constant")
public func plexus_graph_constant(_ g: OpaquePointer?, _ rows: UInt32, _ cols: UInt32, _ values: UnsafePointer<Float>?,
                                  _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    valued("plexus_graph_constant", g, rows, cols, values, out, parameter: false)
}

@_cdecl("plexus_graph_param")
public func plexus_graph_param(_ g: OpaquePointer?, _ rows: UInt32, _ cols: UInt32, _ values: UnsafePointer<Float>?,
                               _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    valued("plexus_graph_param", g, rows, cols, values, out, parameter: true)
}

@_cdecl("plexus_graph_add")
public func plexus_graph_add(_ g: OpaquePointer?, _ a: Int32, _ b: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_add", g, out) { (g) throws(PlexusError) in try g.binary(.add, node(a), node(b)) }
}

@_cdecl("plexus_graph_sub")
public func plexus_graph_sub(_ g: OpaquePointer?, _ a: Int32, _ b: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_sub", g, out) { (g) throws(PlexusError) in try g.binary(.subtract, node(a), node(b)) }
}

@_cdecl("plexus_graph_mul")
public func plexus_graph_mul(_ g: OpaquePointer?, _ a: Int32, _ b: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_mul", g, out) { (g) throws(PlexusError) in try g.binary(.multiply, node(a), node(b)) }
}

@_cdecl("plexus_graph_div")
public func plexus_graph_div(_ g: OpaquePointer?, _ a: Int32, _ b: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_div", g, out) { (g) throws(PlexusError) in try g.binary(.divide, node(a), node(b)) }
}

@_cdecl("plexus_graph_matmul")
public func plexus_graph_matmul(_ g: OpaquePointer?, _ a: Int32, _ b: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_matmul", g, out) { (g) throws(PlexusError) in try g.matmul(node(a), node(b)) }
}

@_cdecl("plexus_graph_sum")
public func plexus_graph_sum(_ g: OpaquePointer?, _ a: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_sum", g, out) { (g) throws(PlexusError) in try g.unary(.sum, node(a)) }
}

@_cdecl("plexus_graph_mean")
public func plexus_graph_mean(_ g: OpaquePointer?, _ a: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_mean", g, out) { (g) throws(PlexusError) in try g.unary(.mean, node(a)) }
}

@_cdecl("plexus_graph_square")
public func plexus_graph_square(_ g: OpaquePointer?, _ a: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_square", g, out) { (g) throws(PlexusError) in try g.unary(.square, node(a)) }
}

@_cdecl("plexus_graph_exp")
public func plexus_graph_exp(_ g: OpaquePointer?, _ a: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_exp", g, out) { (g) throws(PlexusError) in try g.unary(.exp, node(a)) }
}

@_cdecl("plexus_graph_log")
public func plexus_graph_log(_ g: OpaquePointer?, _ a: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_log", g, out) { (g) throws(PlexusError) in try g.unary(.log, node(a)) }
}

@_cdecl("plexus_graph_activation")
public func plexus_graph_activation(_ g: OpaquePointer?, _ f: Int32, _ a: Int32, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_activation", g, out) { (g) throws(PlexusError) in
        guard let kind = Activation(rawValue: f) else { throw argumentError("activation is \(f), not a plexus_activation (0 to \(Activation.allCases.count - 1))") }
        return try g.activation(kind, node(a))
    }
}

@_cdecl("plexus_graph_loss")
public func plexus_graph_loss(_ g: OpaquePointer?, _ loss: Int32, _ prediction: Int32, _ target: Int32,
                              _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    build("plexus_graph_loss", g, out) { (g) throws(PlexusError) in
        guard let kind = Loss(rawValue: loss) else { throw argumentError("loss is \(loss), not a plexus_loss (0 to \(Loss.allCases.count - 1))") }
        return try g.loss(kind, prediction: node(prediction), target: node(target))
    }
}

@_cdecl("plexus_graph_forward")
public func plexus_graph_forward(_ g: OpaquePointer?) -> Int32 {
    onGraph("plexus_graph_forward", g) { (g) throws(PlexusError) in try g.forward() }
}

@_cdecl("plexus_graph_backward")
public func plexus_graph_backward(_ g: OpaquePointer?, _ root: Int32) -> Int32 {
    onGraph("plexus_graph_backward", g) { (g) throws(PlexusError) in try g.backward(from: node(root)) }
}

@_cdecl("plexus_graph_shape")
public func plexus_graph_shape(_ g: OpaquePointer?, _ n: Int32, _ rows: UnsafeMutablePointer<UInt32>?,
                               _ cols: UnsafeMutablePointer<UInt32>?) -> Int32 {
    onGraph("plexus_graph_shape", g, .reading) { (g) throws(PlexusError) in
        let rows = try required(rows, "rows"), cols = try required(cols, "cols")
        let shape = try g.shape(node(n))
        rows.pointee = UInt32(shape.rows)
        cols.pointee = UInt32(shape.cols)
    }
}

@_cdecl("plexus_graph_value")
public func plexus_graph_value(_ g: OpaquePointer?, _ n: Int32, _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    onGraph("plexus_graph_value", g, .reading) { (g) throws(PlexusError) in
        try g.copyValue(node(n), to: try required(out, "out"))
    }
}

@_cdecl("plexus_graph_grad")
public func plexus_graph_grad(_ g: OpaquePointer?, _ n: Int32, _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    onGraph("plexus_graph_grad", g, .reading) { (g) throws(PlexusError) in
        try g.copyGrad(node(n), to: try required(out, "out"))
    }
}

@_cdecl("plexus_graph_set_value")
public func plexus_graph_set_value(_ g: OpaquePointer?, _ n: Int32, _ values: UnsafePointer<Float>?) -> Int32 {
    onGraph("plexus_graph_set_value", g) { (g) throws(PlexusError) in
        try g.setValue(node(n), try required(values, "values"))
    }
}

@_cdecl("plexus_graph_set_sgd")
public func plexus_graph_set_sgd(_ g: OpaquePointer?, _ learningRate: Float, _ momentum: Float) -> Int32 {
    onGraph("plexus_graph_set_sgd", g) { (g) throws(PlexusError) in
        try g.setOptimizer(.sgd(learningRate: learningRate, momentum: momentum))
    }
}

@_cdecl("plexus_graph_set_adam")
public func plexus_graph_set_adam(_ g: OpaquePointer?, _ learningRate: Float, _ beta1: Float, _ beta2: Float,
                                  _ epsilon: Float) -> Int32 {
    onGraph("plexus_graph_set_adam", g) { (g) throws(PlexusError) in
        try g.setOptimizer(.adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon))
    }
}

@_cdecl("plexus_graph_step")
public func plexus_graph_step(_ g: OpaquePointer?) -> Int32 {
    onGraph("plexus_graph_step", g) { (g) throws(PlexusError) in try g.step() }
}
