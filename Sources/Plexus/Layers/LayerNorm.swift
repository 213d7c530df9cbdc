#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The layer-normalisation layer's rules, PyTorch's `nn.LayerNorm` over the last dimension: for
/// each group of n = the last extent values x (a row, for a flat input),
///
///     μ = Σ x / n,  v = Σ (x − μ)² / n (biased),  r = 1 / √(v + eps),  x̂ = (x − μ)·r,
///     y = γ·x̂ + β   (γ = 1 and β = 0 at the start; without `affine`, y = x̂),
///
/// and backward, with g = ∂L/∂y and ĝ = γ·g:  ∂L/∂γ += Σ_rows g·x̂,  ∂L/∂β += Σ_rows g,
/// ∂L/∂x = r·((ĝ − Σĝ/n) − x̂·(Σĝx̂/n)).
///
/// The one order of arithmetic: every sum is float32, from 0, in ascending index (the rows of a
/// parameter's gradient in ascending row order, from what was accumulated), each term a
/// multiply then an add (never fused); √ and ÷ are IEEE float32 (correctly rounded). So a row's
/// outputs are the same bits alone or in any batch, at any thread count, and in generated C,
/// which spells the same expressions (`cForward`, `cBackward`).
///
/// Its tensors are `layers.{i}.weight` (γ) and `layers.{i}.bias` (β), each [n], with `affine`.
enum LayerNorm {
    static let name = "layer_norm"

    static func describe(eps: Float, affine: Bool) -> String {
        "LayerNorm(eps: \(eps)\(affine ? "" : ", affine: false"))"
    }

    static func outputShape(eps: Float, input: [Int], number: Int, of count: Int) throws(PlexusError) -> [Int] {
        guard eps.isFinite && eps > 0 else {
            throw .argument("layer \(number) (layer_norm) has eps \(eps); pass a small positive number, such as 1e-5")
        }
        guard number < count else {
            throw .argument("layer \(number) (layer_norm) is the last layer; the last layer must be a dense layer (it gives the outputs and meets the loss)")
        }
        return input
    }

    static func fileEntry(eps: Float, affine: Bool) -> String {
        "{\"kind\":\"\(name)\",\"eps\":\(eps),\"elementwise_affine\":\(affine)}"
    }

    static func parse(_ fields: [String: JSONValue], number: Int) throws(PlexusError) -> Layer {
        let place = "plexus.layers[\(number - 1)] (layer_norm)"
        guard let eps = fields["eps"]?.float, eps > 0 else {
            throw PlexusError(.format, "\(place) needs \"eps\", a positive number")
        }
        guard case let .bool(affine)? = fields["elementwise_affine"] else {
            throw PlexusError(.format, "\(place) needs \"elementwise_affine\", true or false")
        }
        return .layerNorm(eps: eps, affine: affine)
    }

    /// `forward` in C for the code export, the same expressions in the same order (so the same
    /// bits, compiled without FMA contraction as the generated file demands), and `backward` at
    /// batch 1 for the training step (the parameters' gradients start at 0).
    static let cForward = """
        /* LayerNorm (torch.nn.LayerNorm over the last dimension) of `groups` groups of n values, x to y (which may
           be x), as Plexus computes it: float sums from 0 in ascending index, the mean and the biased variance
           each divided by n, r = 1 / sqrtf(variance + eps), y = gamma * (x - mean) * r + beta (no gamma, beta: NULL).
           hat ([groups][n]) and rstd ([groups]), when not NULL, keep x-hat and r for layer_norm_backward. */
        static void layer_norm(const float *x, float *y, const float *gamma, const float *beta, size_t n, size_t groups,
                               float eps, float *hat, float *rstd)
        {
            size_t g, i;
            for (g = 0; g < groups; g++, x += n, y += n) {
                float sum = 0.0f, squares = 0.0f, mean, r;
                for (i = 0; i < n; i++) sum += x[i];
                mean = sum / (float)n;
                for (i = 0; i < n; i++) {
                    const float d = x[i] - mean;
                    squares += d * d;
                }
                r = 1.0f / sqrtf(squares / (float)n + eps);
                if (rstd != NULL) rstd[g] = r;
                for (i = 0; i < n; i++) {
                    const float h = (x[i] - mean) * r;
                    if (hat != NULL) hat[g * n + i] = h;
                    y[i] = gamma != NULL ? gamma[i] * h + beta[i] : h;
                }
            }
        }
        """

    static let cBackward = """
        /* g = dL/dy ([groups][n]) becomes dL/dx (when input_gradient); the weight's and bias's gradients are
           0 + g * x-hat and 0 + g, as Plexus sums them for one row: with gh = gamma * g, the sums of gh and of
           gh * x-hat in ascending index, then dx = r * ((gh - sum / n) - x-hat * (dot / n)). */
        static void layer_norm_backward(float *g, const float *hat, const float *rstd, const float *gamma, float *gamma_grads,
                                        float *beta_grads, size_t n, size_t groups, int input_gradient)
        {
            size_t k, i;
            if (gamma_grads != NULL) for (i = 0; i < n; i++) { gamma_grads[i] = 0.0f; beta_grads[i] = 0.0f; }
            if (gamma_grads != NULL) for (k = 0; k < groups; k++) for (i = 0; i < n; i++) {
                gamma_grads[i] += g[k * n + i] * hat[k * n + i];
                beta_grads[i] += g[k * n + i];
            }
            if (!input_gradient) return;
            for (k = 0; k < groups; k++, g += n, hat += n) {
                float sum = 0.0f, dot = 0.0f, mean_gradient, mean_dot;
                for (i = 0; i < n; i++) {
                    const float scaled = gamma != NULL ? gamma[i] * g[i] : g[i];
                    sum += scaled;
                    dot += scaled * hat[i];
                }
                mean_gradient = sum / (float)n;
                mean_dot = dot / (float)n;
                for (i = 0; i < n; i++) {
                    const float scaled = gamma != NULL ? gamma[i] * g[i] : g[i];
                    g[i] = rstd[k] * ((scaled - mean_gradient) - hat[i] * mean_dot);
                }
            }
        }
        """

    /// The statistics of one group of `n` values: its mean and 1/√(variance + eps).
    @inline(__always)
    static func statistics(_ x: UnsafePointer<Float>, n: Int, eps: Float) -> (mean: Float, rstd: Float) {
        var sum: Float = 0
        for i in 0..<n { sum += x[i] }
        let mean = sum / Float(n)
        var squares: Float = 0
        for i in 0..<n {
            let d = x[i] - mean
            squares += d * d
        }
        return (mean, 1 / sqrtf(squares / Float(n) + eps))
    }

    /// y = γ·x̂ + β for `groups` groups of `n` values (y may be x). `normalized` and `rstd`, when
    /// given, keep x̂ ([groups][n]) and r ([groups]) for `backward`. Eight groups' statistics are
    /// summed side by side, each in its own lane and its own ascending order (a float sum is a
    /// chain of dependent adds; eight chains keep the adder busy), so every group's bits are
    /// those of `statistics` alone.
    static func forward(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, groups: Int, n: Int, eps: Float,
                        gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                        normalized: UnsafeMutablePointer<Float>?, rstd: UnsafeMutablePointer<Float>?) {
        var group = 0
        while group + 8 <= groups {
            let (means, rs) = statistics8(x + group * n, n: n, eps: eps)
            for lane in 0..<8 {
                normalize(x + (group + lane) * n, to: y + (group + lane) * n, n: n, mean: means[lane], r: rs[lane],
                          gamma: gamma, beta: beta, normalized: normalized.map { $0 + (group + lane) * n })
                rstd?[group + lane] = rs[lane]
            }
            group += 8
        }
        while group < groups {
            let (mean, r) = statistics(x + group * n, n: n, eps: eps)
            normalize(x + group * n, to: y + group * n, n: n, mean: mean, r: r, gamma: gamma, beta: beta,
                      normalized: normalized.map { $0 + group * n })
            rstd?[group] = r
            group += 1
        }
    }

    /// `statistics` of eight consecutive groups of `n` values, lane by lane.
    @inline(__always)
    private static func statistics8(_ x: UnsafePointer<Float>, n: Int, eps: Float) -> (SIMD8<Float>, SIMD8<Float>) {
        @inline(__always) func column(_ i: Int) -> SIMD8<Float> {
            SIMD8(x[i], x[n + i], x[2 * n + i], x[3 * n + i], x[4 * n + i], x[5 * n + i], x[6 * n + i], x[7 * n + i])
        }
        var sum = SIMD8<Float>(repeating: 0)
        for i in 0..<n { sum += column(i) }
        let count = SIMD8<Float>(repeating: Float(n))
        let mean = sum / count
        var squares = SIMD8<Float>(repeating: 0)
        for i in 0..<n {
            let d = column(i) - mean
            squares += d * d
        }
        return (mean, 1 / (squares / count + SIMD8(repeating: eps)).squareRoot())
    }

    /// One group's y = γ·((x − mean)·r) + β, and x̂ kept when asked. One loop per case, so that
    /// each is a plain loop the compiler vectorises (the arithmetic is the same in all four).
    @inline(__always)
    private static func normalize(_ input: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>, n: Int, mean: Float, r: Float,
                                  gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, normalized: UnsafeMutablePointer<Float>?) {
        switch (gamma, beta, normalized) {
        case let (gamma?, beta?, normalized?):
            for i in 0..<n {
                let hat = (input[i] - mean) * r
                normalized[i] = hat
                output[i] = gamma[i] * hat + beta[i]
            }
        case let (gamma?, beta?, nil):
            for i in 0..<n { output[i] = gamma[i] * ((input[i] - mean) * r) + beta[i] }
        case let (_, _, normalized?):
            for i in 0..<n {
                let hat = (input[i] - mean) * r
                normalized[i] = hat
                output[i] = hat
            }
        default:
            for i in 0..<n { output[i] = (input[i] - mean) * r }
        }
    }

    /// Replaces g (∂L/∂y, [groups][n]) by ∂L/∂x, and adds the parameters' gradients (when
    /// `gamma` is given). `normalized` and `rstd`: what `forward` kept.
    static func backward(_ g: UnsafeMutablePointer<Float>, groups: Int, n: Int,
                         normalized: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                         gamma: UnsafePointer<Float>?, gammaGrad: UnsafeMutablePointer<Float>?,
                         betaGrad: UnsafeMutablePointer<Float>?, inputGradient: Bool) {
        if let gammaGrad, let betaGrad {
            parameterGradients(g, groups: groups, n: n, normalized: normalized, gammaGrad: gammaGrad, betaGrad: betaGrad,
                               features: 0..<n)
        }
        guard inputGradient else { return }
        inputGradients(g, groups: 0..<groups, n: n, normalized: normalized, rstd: rstd, gamma: gamma)
    }

    /// The weight's and bias's gradients of `features`: each feature's sums over the groups in
    /// ascending order, from what was accumulated (so any split of the features gives the same bits).
    static func parameterGradients(_ g: UnsafePointer<Float>, groups: Int, n: Int, normalized: UnsafePointer<Float>,
                                   gammaGrad: UnsafeMutablePointer<Float>, betaGrad: UnsafeMutablePointer<Float>,
                                   features: Range<Int>) {
        for group in 0..<groups {
            let gradient = g + group * n, hat = normalized + group * n
            for i in features {
                gammaGrad[i] += gradient[i] * hat[i]
                betaGrad[i] += gradient[i]
            }
        }
    }

    /// ∂L/∂x of `groups` in place of their ∂L/∂y (each group alone decides its bits).
    static func inputGradients(_ g: UnsafeMutablePointer<Float>, groups: Range<Int>, n: Int, normalized: UnsafePointer<Float>,
                               rstd: UnsafePointer<Float>, gamma: UnsafePointer<Float>?) {
        let count = Float(n)
        for group in groups {
            let gradient = g + group * n, hat = normalized + group * n
            var sum: Float = 0, dot: Float = 0
            for i in 0..<n {
                let scaled = gamma.map { $0[i] * gradient[i] } ?? gradient[i]
                sum += scaled
                dot += scaled * hat[i]
            }
            let meanGradient = sum / count, meanDot = dot / count, r = rstd[group]
            for i in 0..<n {
                let scaled = gamma.map { $0[i] * gradient[i] } ?? gradient[i]
                gradient[i] = r * ((scaled - meanGradient) - hat[i] * meanDot)
            }
        }
    }
}
