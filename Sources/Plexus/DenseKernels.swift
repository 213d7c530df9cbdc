import CPlexusKernels

// The three matrix products of a dense layer, forward and backward side by side.
// Legend: B = batch rows, I = inputs of the layer, O = outputs of the layer; all row-major.
//   x: [B][I]   W: [O][I]   b: [O]   z, δ: [B][O]
//
// One order of arithmetic (include/plexus.h): every output starts from its bias (or 0, or the
// gradient accumulated so far) and adds its terms in ascending order. A layer with fewer than
// `smallLayerWeights` weights runs its products as plain loops, each term a multiply then an add;
// a larger layer runs them in Plexus's GEMM (plexus_gemm.h), each term one fused multiply-add.
// The choice depends on the layer's shape alone, so a row's outputs are the same bits alone or in
// any batch, at any thread count, on any CPU, and the generated C (CExport/FloatCode.swift) makes
// the same choice per layer.

/// Layers with fewer weights (inputs·outputs) than this sum in plain loops: for a few dozen
/// multiply-adds the GEMM's packing costs more than the arithmetic (benchmarks/RESULTS.md).
let smallLayerWeights = 512

/// Whether a layer of `inputs`·`outputs` weights runs as plain loops (sizes are at most 2³¹ − 1,
/// so the product cannot overflow).
@inline(__always)
func isSmallLayer(inputs: Int, outputs: Int) -> Bool { inputs * outputs < smallLayerWeights }

/// Rows per block in the forward passes (`forward`, `predict`, `train`): the unit of parallel
/// work for large batches, small enough that a block's activations stay in the caches. Results do
/// not depend on it.
let forwardBlockRows = 512

/// How a product is cut into column tiles that run in parallel. A batch that fits one block (a
/// training batch) has no blocks to spread, so its products are cut instead: the forward product
/// by output columns, the backward ones by input columns. Cutting costs a repacking of the shared
/// operand per tile and narrower products; measured on one thread (benchmarks/RESULTS.md), W3's
/// step is 0-5% slower in tiles of about 128 columns (0% with AVX2 kernels, 4-5% with AVX-512
/// ones), while wider tiles leave W3's second layer uncut and cost more at 2 threads than they
/// save at 1.
struct Tiling {
    /// Columns per tile at most.
    let width: Int

    static let forward = Tiling(width: 128)
    static let backward = Tiling(width: 128)

    /// Products with fewer multiply-adds than this are never cut (2¹⁸: a 64×64×64 product), nor
    /// are a small layer's loops.
    static let threshold = 1 << 18

    /// How many tiles the `columns` of a `rows`·`inputs`·`outputs` product are cut into (1: not
    /// cut). Depends only on the shape, never on the thread count, so results do not either.
    @inline(__always)
    func count(rows: Int, inputs: Int, outputs: Int, columns: Int) -> Int {
        guard columns > width, !isSmallLayer(inputs: inputs, outputs: outputs),
              let a = checkedProduct(rows, inputs), let b = checkedProduct(a, outputs), b >= Tiling.threshold
        else { return 1 }
        return (columns + evenWidth(columns) - 1) / evenWidth(columns)
    }

    /// The columns of tile `tile` of `columns`: `first ..< first + count`.
    @inline(__always)
    func range(_ tile: Int, of columns: Int) -> (first: Int, count: Int) {
        let even = evenWidth(columns), first = tile * even
        return (first, min(even, columns - first))
    }

    /// Tiles of equal width (784 columns: 7 of 112, not 6 of 128 and one of 16), so that threads
    /// finish together.
    @inline(__always)
    private func evenWidth(_ columns: Int) -> Int {
        let tiles = (columns + width - 1) / width
        return (columns + tiles - 1) / tiles
    }
}

/// z = x·Wᵀ + b   (z_bo = b_o + Σ_i x_bi W_oi) for one block: loops or the GEMM, chosen by the
/// layer's shape.
func linearForwardBlock(x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        z: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
    if isSmallLayer(inputs: inputs, outputs: outputs) {
        smallLinearForward(x: x, weights: w, bias: bias, z: z, rows: rows, inputs: inputs, outputs: outputs)
        return
    }
    linearForwardTile(x: x, weights: w, bias: bias, z: z, rows: rows, inputs: inputs, outputs: outputs,
                      first: 0, count: outputs)
}

/// Output columns `first ..< first + count` of `linearForwardBlock` for a layer that is not
/// small: the GEMM, from the bias.
func linearForwardTile(x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                       z: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int, first: Int, count: Int) {
    if let bias {
        for r in 0..<rows { (z + r * outputs + first).update(from: bias + first, count: count) }
    }
    gemm(x, lda: inputs, transposeA: false, w + first * inputs, ldb: inputs, transposeB: true,
         m: rows, n: count, k: inputs, into: z + first, ldc: outputs, accumulate: bias != nil)
}

/// dW += δᵀ·x,  db += Σ_rows δ   (dW_oi += Σ_b δ_bo x_bi)
func linearBackwardParameters(delta: UnsafePointer<Float>, x: UnsafePointer<Float>,
                              weightGrad dw: UnsafeMutablePointer<Float>, biasGrad db: UnsafeMutablePointer<Float>?,
                              rows: Int, inputs: Int, outputs: Int) {
    if let db { biasGradient(delta: delta, biasGrad: db, rows: rows, outputs: outputs) }
    if isSmallLayer(inputs: inputs, outputs: outputs) {
        smallLinearBackwardParameters(delta: delta, x: x, weightGrad: dw, rows: rows, inputs: inputs, outputs: outputs)
        return
    }
    linearBackwardWeightsTile(delta: delta, x: x, weightGrad: dw, rows: rows, inputs: inputs, outputs: outputs,
                              first: 0, count: inputs)
}

/// db += Σ_rows δ, rows in ascending order.
func biasGradient(delta: UnsafePointer<Float>, biasGrad db: UnsafeMutablePointer<Float>, rows: Int, outputs: Int) {
    for r in 0..<rows {
        let dr = delta + r * outputs
        for o in 0..<outputs { db[o] += dr[o] }
    }
}

/// Input columns `first ..< first + count` of dW += δᵀ·x for a layer that is not small: the GEMM,
/// from the gradients accumulated so far, rows in ascending order.
func linearBackwardWeightsTile(delta: UnsafePointer<Float>, x: UnsafePointer<Float>, weightGrad dw: UnsafeMutablePointer<Float>,
                               rows: Int, inputs: Int, outputs: Int, first: Int, count: Int) {
    gemm(delta, lda: outputs, transposeA: true, x + first, ldb: inputs, transposeB: false,
         m: outputs, n: count, k: rows, into: dw + first, ldc: inputs, accumulate: true)
}

/// dx = δ·W   (dx_bi = Σ_o δ_bo W_oi): the upstream gradient for the previous layer.
func linearBackwardInput(delta: UnsafePointer<Float>, weights w: UnsafePointer<Float>,
                         inputGrad dx: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
    if isSmallLayer(inputs: inputs, outputs: outputs) {
        smallLinearBackwardInput(delta: delta, weights: w, inputGrad: dx, rows: rows, inputs: inputs, outputs: outputs)
        return
    }
    linearBackwardInputTile(delta: delta, weights: w, inputGrad: dx, rows: rows, inputs: inputs, outputs: outputs,
                            first: 0, count: inputs)
}

/// Input columns `first ..< first + count` of dx = δ·W for a layer that is not small: the GEMM,
/// from 0, outputs in ascending order.
func linearBackwardInputTile(delta: UnsafePointer<Float>, weights w: UnsafePointer<Float>, inputGrad dx: UnsafeMutablePointer<Float>,
                             rows: Int, inputs: Int, outputs: Int, first: Int, count: Int) {
    gemm(delta, lda: outputs, transposeA: false, w + first, ldb: inputs, transposeB: false,
         m: rows, n: count, k: outputs, into: dx + first, ldc: inputs, accumulate: false)
}

/// C (m×n) = op(A)·op(B), or C += op(A)·op(B) with `accumulate`; op is the transpose when asked.
/// Row-major; A is m×k after op, B is k×n after op. The computational graph's products (Graph/),
/// always in the GEMM's order.
func matrixProduct(_ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
                   m: Int, n: Int, k: Int, into c: UnsafeMutablePointer<Float>, accumulate: Bool) {
    gemm(a, lda: transposeA ? m : k, transposeA: transposeA, b, ldb: transposeB ? k : n, transposeB: transposeB,
         m: m, n: n, k: k, into: c, ldc: n, accumulate: accumulate)
}

/// C (m×n, row stride ldc) = op(A)·op(B), or C += op(A)·op(B) with `accumulate`; row-major, A
/// m×k and B k×n after op, with row strides lda and ldb as stored. The one call of Plexus's GEMM:
/// every product of a layer that is not small, and every product of a graph.
@inline(__always)
func gemm(_ a: UnsafePointer<Float>, lda: Int, transposeA: Bool, _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
          m: Int, n: Int, k: Int, into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    plxs_gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc, accumulate ? 1 : 0)
}

// MARK: - The loops for small products
// Optimised for size: for a few dozen multiply-adds, the vector loops LLVM otherwise emits (with
// their alias checks and remainders) cost more than the arithmetic. Pointers step by the row
// widths instead of being recomputed from checked products (every size here was validated when
// the network was made). Each term is a multiply, then an add, in ascending order; Swift never
// fuses them (it contracts no floating-point expression).
// benchmarks/RESULTS.md records what this bought.

@_optimize(size) @inline(never)
func smallLinearForward(x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        z: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
    var xr = x, zr = z
    for _ in 0..<rows {
        var wo = w
        for o in 0..<outputs {
            var sum: Float = 0
            if let bias { sum = bias[o] }
            for i in 0..<inputs { sum += xr[i] * wo[i] }
            zr[o] = sum
            wo += inputs
        }
        xr += inputs
        zr += outputs
    }
}

@_optimize(size) @inline(never)
func smallLinearBackwardParameters(delta: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                   weightGrad dw: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
    var xr = x, dr = delta
    for _ in 0..<rows {
        var dwo = dw
        for o in 0..<outputs {
            let d = dr[o]
            for i in 0..<inputs { dwo[i] += d * xr[i] }
            dwo += inputs
        }
        xr += inputs
        dr += outputs
    }
}

@_optimize(size) @inline(never)
func smallLinearBackwardInput(delta: UnsafePointer<Float>, weights w: UnsafePointer<Float>,
                              inputGrad dx: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
    var dxr = dx, dr = delta
    for _ in 0..<rows {
        for i in 0..<inputs { dxr[i] = 0 }
        var wo = w
        for o in 0..<outputs {
            let d = dr[o]
            for i in 0..<inputs { dxr[i] += d * wo[i] }
            wo += inputs
        }
        dxr += inputs
        dr += outputs
    }
}
