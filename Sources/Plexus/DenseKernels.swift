import CPlexusBLAS

// The three matrix products of a dense layer, forward and backward side by side.
// Legend: B = batch rows, I = inputs of the layer, O = outputs of the layer; all row-major.
//   x: [B][I]   W: [O][I]   b: [O]   z, δ: [B][O]
//
// Large products go to OpenBLAS's sgemm. Below `blasThreshold` multiply-adds the call overhead of
// sgemm (tens of ns) exceeds the work, so plain loops run instead; both paths are deterministic.

/// Products with fewer multiply-adds than this run as plain loops: measured crossover between
/// 256 (loops 262 ns, sgemm 339 ns) and 2048 (loops 1760 ns, sgemm 625 ns); benchmarks/RESULTS.md.
let blasThreshold = 512

/// Whether rows·inputs·outputs is below `blasThreshold` (overflow counts as large).
@inline(__always)
func isSmallProduct(_ rows: Int, _ inputs: Int, _ outputs: Int) -> Bool {
    guard let a = checkedProduct(rows, inputs), let b = checkedProduct(a, outputs) else { return false }
    return b < blasThreshold
}

/// Rows per product in `linearForward`, and per block in `predict`: large enough that sgemm runs
/// at full speed and splits between threads, small enough that a block's activations stay in the
/// caches. OpenBLAS computes a row's outputs with different kernels depending on where the row
/// falls in the product (its edge kernels sum in another order), so a row's result depends on
/// the row count; splitting every forward product at the same 512-row boundaries makes `forward`
/// and `predict` bitwise equal.
let forwardBlockRows = 512

/// z = x·Wᵀ + b   (z_bo = b_o + Σ_i x_bi W_oi), in blocks of `forwardBlockRows` rows.
func linearForward(x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                   z: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
    if rows <= forwardBlockRows {
        linearForwardBlock(x: x, weights: w, bias: bias, z: z, rows: rows, inputs: inputs, outputs: outputs)
        return
    }
    var start = 0
    while start < rows {
        let count = min(forwardBlockRows, rows - start)
        linearForwardBlock(x: x + start * inputs, weights: w, bias: bias, z: z + start * outputs,
                           rows: count, inputs: inputs, outputs: outputs)
        start += count
    }
}

/// One block of `linearForward`: loops or sgemm, chosen by the block's own size.
func linearForwardBlock(x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        z: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
    if isSmallProduct(rows, inputs, outputs) {
        smallLinearForward(x: x, weights: w, bias: bias, z: z, rows: rows, inputs: inputs, outputs: outputs)
        return
    }
    if let bias {
        for r in 0..<rows { (z + r * outputs).update(from: bias, count: outputs) }
    }
    plxs_sgemm(CblasNoTrans, CblasTrans,
                Int32(rows), Int32(outputs), Int32(inputs),
                1, x, Int32(inputs), w, Int32(inputs),
                bias == nil ? 0 : 1, z, Int32(outputs))
}

/// dW += δᵀ·x,  db += Σ_rows δ   (dW_oi += Σ_b δ_bo x_bi)
func linearBackwardParameters(delta: UnsafePointer<Float>, x: UnsafePointer<Float>,
                              weightGrad dw: UnsafeMutablePointer<Float>, biasGrad db: UnsafeMutablePointer<Float>?,
                              rows: Int, inputs: Int, outputs: Int) {
    if let db {
        for r in 0..<rows {
            let dr = delta + r * outputs
            for o in 0..<outputs { db[o] += dr[o] }
        }
    }
    if isSmallProduct(rows, inputs, outputs) {
        smallLinearBackwardParameters(delta: delta, x: x, weightGrad: dw, rows: rows, inputs: inputs, outputs: outputs)
        return
    }
    plxs_sgemm(CblasTrans, CblasNoTrans,
                Int32(outputs), Int32(inputs), Int32(rows),
                1, delta, Int32(outputs), x, Int32(inputs),
                1, dw, Int32(inputs))
}

/// dx = δ·W   (dx_bi = Σ_o δ_bo W_oi): the upstream gradient for the previous layer.
func linearBackwardInput(delta: UnsafePointer<Float>, weights w: UnsafePointer<Float>,
                         inputGrad dx: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, outputs: Int) {
    if isSmallProduct(rows, inputs, outputs) {
        smallLinearBackwardInput(delta: delta, weights: w, inputGrad: dx, rows: rows, inputs: inputs, outputs: outputs)
        return
    }
    plxs_sgemm(CblasNoTrans, CblasNoTrans,
                Int32(rows), Int32(inputs), Int32(outputs),
                1, delta, Int32(outputs), w, Int32(inputs),
                0, dx, Int32(inputs))
}

// MARK: - The loops for small products
// Optimised for size: for a few dozen multiply-adds, the vector loops LLVM otherwise emits (with
// their alias checks and remainders) cost more than the arithmetic. Pointers step by the row
// widths instead of being recomputed from checked products (every size here was validated when
// the network was made). The sums run in the same order as sgemm's reference definition.
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
