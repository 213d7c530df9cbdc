#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Forward and backward of every node kind, side by side. Shapes: each node is rows×cols row-major;
// a 1×1 operand of an elementwise operation broadcasts, and its gradient is the sum over the result.

extension Graph {
    /// Computes every node's value in creation order.
    /// Throws `.busy` while another thread uses the graph.
    public func forward() throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        for n in nodes {
            let out = n.value.pointer
            switch n.kind {
            case .input, .constant, .parameter:
                continue
            case let .binary(op, a, b):
                let x = nodes[a], y = nodes[b]
                let xs = x.count == 1 ? 0 : 1, ys = y.count == 1 ? 0 : 1
                let xv = x.value.pointer, yv = y.value.pointer
                switch op {
                case .add: for i in 0..<n.count { out[i] = xv[i * xs] + yv[i * ys] }
                case .subtract: for i in 0..<n.count { out[i] = xv[i * xs] - yv[i * ys] }
                case .multiply: for i in 0..<n.count { out[i] = xv[i * xs] * yv[i * ys] }
                case .divide: for i in 0..<n.count { out[i] = xv[i * xs] / yv[i * ys] }
                }
            case let .matmul(a, b):
                let x = nodes[a], y = nodes[b]
                matrixProduct(x.value.pointer, transposeA: false, y.value.pointer, transposeB: false,
                              m: x.rows, n: y.cols, k: x.cols, into: out, accumulate: false)
            case let .unary(op, a):
                let x = nodes[a], xv = x.value.pointer
                switch op {
                case .sum, .mean:
                    var total: Double = 0
                    for i in 0..<x.count { total += Double(xv[i]) }
                    out[0] = Float(op == .sum ? total : total / Double(x.count))
                case .square: for i in 0..<n.count { out[i] = xv[i] * xv[i] }
                case .exp: for i in 0..<n.count { out[i] = expf(xv[i]) }
                case .log: for i in 0..<n.count { out[i] = logf(xv[i]) }
                }
            case let .activation(f, a):
                out.update(from: nodes[a].value.pointer, count: n.count)
                f.forward(out, rows: n.rows, cols: n.cols)
            case let .loss(kind, p, t):
                out[0] = Float(evaluateLoss(kind, prediction: nodes[p], target: nodes[t], scratch: n.scratch!))
            }
        }
        forwardDone = true
        backwardDone = false
    }

    /// The loss, leaving ∂loss/∂prediction in the first half of `scratch` (the second half holds the
    /// activated prediction for the logit losses).
    private func evaluateLoss(_ kind: Loss, prediction p: NodeData, target t: NodeData, scratch: FloatBuffer) -> Double {
        let gradient = scratch.pointer, activated = scratch.pointer + p.count
        let activation: Activation
        if kind.isPointwise {
            activated.update(from: p.value.pointer, count: p.count)
            activation = .identity
        } else if kind == .crossEntropy {
            activated.update(from: p.value.pointer, count: p.count)
            Activation.softmax.forward(activated, rows: p.rows, cols: p.cols)
            activation = .softmax
        } else {
            for i in 0..<p.count { activated[i] = stableSigmoid(p.value.pointer[i]) }
            activation = .sigmoid
        }
        return kind.evaluate(outputs: activated, preActivations: p.value.pointer, targets: t.value.pointer,
                             activation: activation, rows: p.rows, cols: p.cols, gradZ: gradient)
    }

    /// Computes the gradient of the 1×1 node `root` with respect to every node (nodes that `root`
    /// does not depend on get 0). Needs a `forward` since the last change.
    public func backward(from root: Node) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let r = try node(root)
        guard r.count == 1 else { throw .shape("backward starts from a 1×1 node; node \(root.index) is \(r.rows)×\(r.cols) (use sum or mean)") }
        guard forwardDone else { throw .state("backward needs current values: call forward first") }
        for n in nodes { n.grad.zero() }
        r.grad.pointer[0] = 1
        for index in stride(from: root.index, through: 0, by: -1) {
            let n = nodes[index], g = n.grad.pointer
            switch n.kind {
            case .input, .constant, .parameter:
                continue
            case let .binary(op, a, b):
                let x = nodes[a], y = nodes[b]
                let xv = x.value.pointer, yv = y.value.pointer, dx = x.grad.pointer, dy = y.grad.pointer
                let xs = x.count == 1 ? 0 : 1, ys = y.count == 1 ? 0 : 1
                for i in 0..<n.count {
                    let (u, v) = (xv[i * xs], yv[i * ys])
                    switch op {
                    case .add: dx[i * xs] += g[i]; dy[i * ys] += g[i]                    // passes g on unchanged
                    case .subtract: dx[i * xs] += g[i]; dy[i * ys] -= g[i]
                    case .multiply: dx[i * xs] += g[i] * v; dy[i * ys] += g[i] * u       // times the other input
                    case .divide: dx[i * xs] += g[i] / v; dy[i * ys] -= g[i] * u / (v * v)
                    }
                }
            case let .matmul(a, b):
                let x = nodes[a], y = nodes[b]
                // dA += dC·Bᵀ,  dB += Aᵀ·dC
                matrixProduct(g, transposeA: false, y.value.pointer, transposeB: true,
                              m: x.rows, n: x.cols, k: n.cols, into: x.grad.pointer, accumulate: true)
                matrixProduct(x.value.pointer, transposeA: true, g, transposeB: false,
                              m: y.rows, n: y.cols, k: x.rows, into: y.grad.pointer, accumulate: true)
            case let .unary(op, a):
                let x = nodes[a], xv = x.value.pointer, dx = x.grad.pointer
                switch op {
                case .sum: for i in 0..<x.count { dx[i] += g[0] }
                case .mean: let share = g[0] / Float(x.count); for i in 0..<x.count { dx[i] += share }
                case .square: for i in 0..<x.count { dx[i] += 2 * xv[i] * g[i] }
                case .exp: for i in 0..<x.count { dx[i] += g[i] * n.value.pointer[i] }
                case .log: for i in 0..<x.count { dx[i] += g[i] / xv[i] }
                }
            case let .activation(f, a):
                let scratch = n.scratch!.pointer, dx = nodes[a].grad.pointer
                scratch.update(from: g, count: n.count)
                f.backward(outputs: n.value.pointer, preActivations: nodes[a].value.pointer, gradient: scratch,
                           rows: n.rows, cols: n.cols)
                for i in 0..<n.count { dx[i] += scratch[i] }
            case let .loss(kind, p, t):
                let pred = nodes[p], target = nodes[t], upstream = g[0]
                let gradient = n.scratch!.pointer
                for i in 0..<pred.count { pred.grad.pointer[i] += upstream * gradient[i] }
                addTargetGradient(kind, prediction: pred, target: target, upstream: upstream, gradient: gradient)
            }
        }
        backwardDone = true
    }

    /// ∂loss/∂target: −∂loss/∂prediction for the pointwise losses (MSE, quadratic, L1, Huber); −log softmax(z)/B for cross-entropy;
    /// −z/(B·O) for binary cross-entropy.
    private func addTargetGradient(_ kind: Loss, prediction p: NodeData, target t: NodeData, upstream: Float,
                                   gradient: UnsafePointer<Float>) {
        let dt = t.grad.pointer, z = p.value.pointer
        if kind.isPointwise {
            for i in 0..<t.count { dt[i] -= upstream * gradient[i] }
            return
        }
        switch kind {
        case .crossEntropy:
            for r in 0..<p.rows {
                let row = z + r * p.cols
                let logSumExp = Plexus.logSumExp(row, count: p.cols)
                for k in 0..<p.cols { dt[r * p.cols + k] += upstream * Float((logSumExp - Double(row[k])) / Double(p.rows)) }
            }
        default:   // binary cross-entropy
            for i in 0..<t.count { dt[i] -= upstream * z[i] / Float(t.count) }
        }
    }
}
