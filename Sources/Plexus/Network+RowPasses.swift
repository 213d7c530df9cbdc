#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Fused passes, one row at a time, for small batches of networks whose every layer is small
// (`isSmallLayer`: its products run as plain loops). For a tiny network the work of a call is a few dozen multiply-adds;
// the layered passes spend more than that on per-layer calls, size checks and separate passes
// for the activations. Here one call computes a layer's sums and then its activations, row by row.
// The arithmetic is that of the layered passes (`smallLinearForward`'s summation order, the
// activations' shared rules, rows accumulated into the gradients in ascending order), so the
// results are bitwise the same; a test compares the two paths. benchmarks/RESULTS.md records
// what this bought.
//
// Shapes: x: [inputs], a, z: [outputs] (one row); W: [outputs][inputs], b: [outputs].

extension Network {
    /// The largest batch that runs through the row passes: every layer must be small (the row
    /// passes sum as the small layers' loops do), two rows of the widest layer must fit the stack
    /// scratch, and the batch must be short enough that one row at a time beats a layer at a time
    /// (rows · inputs · outputs below `smallLayerWeights` for every layer, measured with the
    /// layered loops). 0: the network always takes the layered path. Both paths give the same bits.
    static func rowPassLimit(_ layers: [DenseLayer]) -> Int {
        guard layers.allSatisfy({ isSmallLayer(inputs: $0.inputs, outputs: $0.outputs) }),
              2 * (layers.map { max($0.inputs, $0.outputs) }.max() ?? 0) <= stackScratchLimit else { return 0 }
        var limit = Int.max
        for layer in layers {
            limit = min(limit, (smallLayerWeights - 1) / (layer.inputs * layer.outputs))
        }
        return min(limit, forwardBlockRows)
    }

    /// Whether a batch of `batch` rows takes the row passes (the one place forward, backward
    /// and predict decide it).
    @inline(__always)
    func takesRowPasses(_ batch: Int) -> Bool { batch <= rowPassLimit }

    /// Sends every batch through the layered passes from now on, so that tests can compare the
    /// two paths bitwise (not API: an SPI for the tests and benchmarks).
    @_spi(Testing) public func disableRowPasses() { rowPassLimit = 0 }

    /// `predict` for `batch ≤ rowPassLimit` rows, checked by the caller.
    /// (The closures below capture locals, not `self`: capturing it costs a retain and release.)
    func predictRows(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>) {
        let layers = UnsafePointer(views.baseAddress!), widest = widest
        let inputWidth = inputWidth, outputWidth = outputWidth, last = views.count - 1
        // A constant size (rowPassLimit keeps 2 · widest within it) is a plain stack slot.
        withStackScratch(count: stackScratchLimit) { scratch in
            var input = x, y = output
            for _ in 0..<batch {
                var row = input, target = scratch, other = scratch + widest
                for l in 0..<last {
                    forwardLayerRow(layers + l, x: row, a: target, z: nil)
                    row = UnsafePointer(target)
                    swap(&target, &other)
                }
                forwardLayerRow(layers + last, x: row, a: y, z: nil)
                input += inputWidth
                y += outputWidth
            }
        }
    }

    /// `forwardBatch` for `batch ≤ rowPassLimit` rows: fills the cache's activations and the
    /// output layer's pre-activations. The inputs are `input`, or the cache's a_0 when nil.
    func forwardRows(_ cache: ForwardCache.View, input: UnsafePointer<Float>? = nil, batch: Int) {
        let count = views.count, x = input ?? UnsafePointer(cache.activation(0))
        for r in 0..<batch {
            for l in 1...count {
                let layer = UnsafePointer(views.baseAddress! + (l - 1))
                forwardLayerRow(layer, x: (l == 1 ? x : UnsafePointer(cache.activation(l - 1))) + r * layer.pointee.inputs,
                           a: cache.activation(l) + r * layer.pointee.outputs,
                           z: cache.preActivation(l).map { $0 + r * layer.pointee.outputs })
            }
        }
    }

    /// `backwardBatch`'s layers for `batch ≤ rowPassLimit` rows, from ∂L/∂z of the output
    /// layer in `gradZ` ([batch][outputs]); the inputs are `input`, or the cache's a_0 when nil.
    func backwardRows(_ cache: ForwardCache.View, input: UnsafePointer<Float>? = nil, gradZ: UnsafePointer<Float>, batch: Int) {
        let x = input ?? UnsafePointer(cache.activation(0))
        let layers = UnsafePointer(views.baseAddress!), widest = widest
        let inputWidth = inputWidth, outputWidth = outputWidth, count = views.count
        let activations = cache.activations
        withStackScratch(count: stackScratchLimit) { scratch in
            for r in 0..<batch {
                var delta = gradZ + r * outputWidth
                var target = scratch, other = scratch + widest
                var l = count
                while l > 1 {
                    let layer = layers + (l - 1)
                    backwardLayerRow(layer, delta: delta, x: activations[l - 1] + r * layer.pointee.inputs,
                                     z: cache.preActivation(l - 1).map { UnsafePointer($0 + r * layer.pointee.inputs) },
                                     inputGrad: target, inputActivation: layers[l - 2].activation)
                    delta = UnsafePointer(target)
                    swap(&target, &other)
                    l -= 1
                }
                backwardLayerRow(layers, delta: delta, x: x + r * inputWidth, z: nil, inputGrad: nil,
                                 inputActivation: .identity)
            }
        }
    }
}

/// One layer's backward for one row, as `linearBackwardParameters`, `linearBackwardInput` and the
/// previous layer's `Activation.backward` compute it, in one pass over W:
///   db += δ;  dW += δ xᵀ;  and when `inputGrad` is not nil, g = Wᵀδ then g ← g ⊙ f′ of the
///   layer below (`inputActivation`, whose outputs are `x`).
/// Each sum runs in the layered passes' order (over o ascending for g), so results are bitwise equal.
@_optimize(size) @inline(never)
private func backwardLayerRow(_ layer: UnsafePointer<Network.LayerView>, delta: UnsafePointer<Float>, x: UnsafePointer<Float>,
                              z: UnsafePointer<Float>?, inputGrad g: UnsafeMutablePointer<Float>?, inputActivation: Activation) {
    let layer = layer.pointee
    let inputs = layer.inputs
    var wo = UnsafePointer(layer.weights), dwo = layer.weightGrad
    for o in 0..<layer.outputs {
        let d = delta[o]
        layer.biasGrad?[o] += d
        for i in 0..<inputs { dwo[i] += d * x[i] }
        if let g {
            // The layered pass zeroes g, then adds; `0 + …` keeps its rounding and sign of zero
            // without a separate zeroing pass (a memset call here cost more than the sums).
            if o == 0 {
                for i in 0..<inputs { g[i] = 0 + d * wo[i] }
            } else {
                for i in 0..<inputs { g[i] += d * wo[i] }
            }
        }
        wo += inputs
        dwo += inputs
    }
    guard let g else { return }
    inputActivation.accept(RowGradient(a: x, z: z, g: g, count: inputs))
}

/// g ← g ⊙ f′ over one row, from the outputs a = f(z) (softmax: its row Jacobian).
private struct RowGradient: ActivationVisitor {
    let a: UnsafePointer<Float>, z: UnsafePointer<Float>?, g: UnsafeMutablePointer<Float>, count: Int

    @inline(__always) func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) {
        if Rule.self == IdentityRule.self { return }
        if Rule.readsPreActivation, let z {
            for i in 0..<count { g[i] = Rule.gradient(g[i], z: z[i], a: a[i]) }
        } else {
            for i in 0..<count { g[i] = Rule.gradient(g[i], z: 0, a: a[i]) }
        }
    }

    @inline(__always) func visitSoftmax() { softmaxBackwardRow(a, g, count: count) }
}

/// One layer for one row: a = f(b + W·x), and z = b + W·x when `z` is not nil.
@_optimize(size) @inline(never)
private func forwardLayerRow(_ layer: UnsafePointer<Network.LayerView>, x: UnsafePointer<Float>, a: UnsafeMutablePointer<Float>,
                        z: UnsafeMutablePointer<Float>?) {
    let layer = layer.pointee
    layer.activation.accept(RowForward(layer: layer, x: x, a: a, z: z))
}

/// One row of one layer through its activation's rule.
private struct RowForward: ActivationVisitor {
    let layer: Network.LayerView, x: UnsafePointer<Float>, a: UnsafeMutablePointer<Float>, z: UnsafeMutablePointer<Float>?

    @inline(__always) func visit<Rule: ElementwiseRule>(_ rule: Rule.Type) { layerRowOutputs(layer, x, a, z, Rule.value) }

    @inline(__always) func visitSoftmax() {
        layerRowOutputs(layer, x, a, z) { $0 }
        softmaxRow(a, count: layer.outputs)
    }
}

/// a_o = f(b_o + Σ_i x_i W_oi), summed in `smallLinearForward`'s order. The sums first, then the
/// activations: with no call (expf) between sums, their loop keeps its values in registers
/// (W1: 664 → 662 instructions, 0.730 → 0.716 of FANN's time).
@inline(__always)
private func layerRowOutputs(_ layer: Network.LayerView, _ x: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>,
                      _ z: UnsafeMutablePointer<Float>?, _ f: (Float) -> Float) {
    let inputs = layer.inputs
    var wo = UnsafePointer(layer.weights)
    for o in 0..<layer.outputs {
        var sum: Float = 0
        if let bias = layer.bias { sum = bias[o] }
        for i in 0..<inputs { sum += x[i] * wo[i] }
        z?[o] = sum
        a[o] = sum
        wo += inputs
    }
    for o in 0..<layer.outputs { a[o] = f(a[o]) }
}
