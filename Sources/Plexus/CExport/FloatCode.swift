// The float32 code export: the forward pass in Plexus's one order of arithmetic (a layer's sums,
// bias first and then the inputs in order, each term a multiply then an add in a small layer and
// one fmaf in a larger one, as `isSmallLayer` decides in DenseKernels.swift; then its activation
// through the rule's C twin from Activation.swift), and optionally the training step of
// `trainStep` at batch 1 with SGD (the output gradient from Loss.swift, then each layer's
// gradients in the same order).

struct FloatCode {
    let network: Network, name: String, trainStep: Bool

    private var upper: String { name.uppercased() }
    private var layerCount: Int { network.sizes.count - 1 }
    private func inputs(_ l: Int) -> Int { network.sizes[l - 1] }
    private func outputs(_ l: Int) -> Int { network.sizes[l] }
    private func activation(_ l: Int) -> Activation { network.activations[l - 1] }
    /// The widest hidden layer (0 without hidden layers).
    private var widestHidden: Int { network.sizes.dropFirst().dropLast().max() ?? 0 }

    func files() -> CExportFiles { CExportFiles(header: header(), source: source()) }

    private func header() -> String {
        var h = CSource()
        h.lines(cBanner("\(name).h", sizes: network.sizes, activations: network.activations,
                        kind: trainStep ? "float32 with a training step" : "float32"))
        h.lines(cHeaderOpening(upper: upper, inputs: network.sizes[0], outputs: network.sizes.last!, includes: ["stddef.h"]))
        if trainStep {
            h.line("#define \(upper)_ERR_NUMERIC 7")
            h.line("/* W1, b1, W2, b2, ... as in Plexus (weights row-major [outputs][inputs]). */")
            h.line("#define \(upper)_PARAMETERS \(network.parameterCount)")
            h.line()
        }
        h.lines("""
            /* y[\(upper)_OUTPUTS] = the network's outputs for x[\(upper)_INPUTS]: bitwise plexus_predict's, in Plexus's
               one order of arithmetic (fmaf in layers with inputs x outputs >= 512). Compile without -ffast-math and
               without FMA contraction (gcc's -std=c99 default; -ffp-contract=off otherwise) for the same bits; link -lm.
               x and y must not overlap. Returns \(upper)_OK, or \(upper)_ERR_ARGUMENT, writing nothing, for a NULL
               pointer or a non-finite input.
               \(trainStep ? "Reads the parameters that \(name)_train_step changes: not reentrant with it." : "Reentrant: no state, no allocation; the stack holds two rows of the widest layer.") */
            int \(name)_predict(const float *x, float *y);

            /* \(name)_predict for n rows, x[n][\(upper)_INPUTS] to y[n][\(upper)_OUTPUTS]; every row is checked before any is written. */
            int \(name)_predict_batch(const float *x, float *y, size_t n);
            """)
        if trainStep {
            h.line()
            h.lines("""
                /* One update from one sample (x, y): forward, backward with the network's loss (\(network.activeLoss)), then plain SGD,
                   theta -= lr * gradient (no momentum, weight decay, clipping or dropout), on static buffers:
                   bitwise plexus_train_step at batch 1 with SGD.
                   Returns \(upper)_OK; \(upper)_ERR_ARGUMENT for a NULL pointer, a non-finite x or y, or lr not finite and > 0;
                   \(upper)_ERR_NUMERIC when an updated parameter would not be finite (then nothing changes). */
                int \(name)_train_step(const float *x, const float *y, float lr);

                /* Copies the \(upper)_PARAMETERS parameters to out (nothing for NULL). */
                void \(name)_get_params(float *out);

                /* Replaces the parameters from in; \(upper)_ERR_ARGUMENT, changing nothing, for NULL or a non-finite value. */
                int \(name)_set_params(const float *in);
                """)
        }
        h.lines(cHeaderClosing(upper: upper))
        return h.text
    }

    private func source() -> String {
        var c = CSource()
        c.lines(cBanner("\(name).c", sizes: network.sizes, activations: network.activations,
                        kind: trainStep ? "float32 with a training step" : "float32"))
        c.line("#include \"\(name).h\"")
        c.line()
        c.line("#include <math.h>")
        c.line()
        c.lines(cContractionOff)
        c.line()
        let storage = trainStep ? "static float" : "static const float"
        c.line("/* Layer l's weights are stored transposed, [inputs][outputs] (W^T; Plexus keeps W as [outputs][inputs]),")
        c.line("   so that several outputs' sums advance together over contiguous weights without reordering any sum. */")
        for l in 1...layerCount {
            let view = network.views[l - 1]
            let transposed = (0..<(view.inputs * view.outputs)).map { k in view.weights[(k % view.outputs) * view.inputs + k / view.outputs] }
            c.array("\(storage) layer\(l)_weights", transposed, perLine: 8, cFloat)
            if let bias = view.bias {
                c.array("\(storage) layer\(l)_bias", Array(UnsafeBufferPointer(start: bias, count: view.outputs)), perLine: 8, cFloat)
            }
        }
        for (k, norm) in network.norms.enumerated() {
            if let weight = norm.weightOffset, let bias = norm.biasOffset {
                c.array("\(storage) norm\(k + 1)_weight", Array(UnsafeBufferPointer(start: network.params.pointer + weight, count: norm.width)), perLine: 8, cFloat)
                c.array("\(storage) norm\(k + 1)_bias", Array(UnsafeBufferPointer(start: network.params.pointer + bias, count: norm.width)), perLine: 8, cFloat)
            }
        }
        c.lines(cTransformArrays(network.inputMap?.transform, network.outputMap?.transform))
        c.line()
        let forward = forwardFunction(), training = trainStep ? trainingCode() : ""
        c.lines(helpers(calledBy: forward + training))
        if forward.hasText("layer_norm(") { c.lines("\n" + LayerNorm.cForward) }
        c.lines("\n" + denseFunctions(used: forward + training) + "\n")
        c.line()
        c.lines(forward)
        c.line()
        c.lines(cPredictFunctions(name: name, upper: upper, row: "forward", inputTransform: network.inputMap?.transform != nil))
        c.lines(training)
        return c.text
    }

    /// The helper functions that `code` calls, and those they call (silu calls sigmoid), in an
    /// order where each comes after what it calls: values, then derivatives, then softmax's rows.
    private func helpers(calledBy code: String) -> String {
        var candidates: [(name: String, text: String)] = []
        for f in Activation.allCases {
            if let functions = f.cFunctions { candidates.append(("act_\(f)", functions.value)) }
        }
        for f in Activation.allCases {
            if let functions = f.cFunctions { candidates.append(("act_\(f)_grad", functions.gradient)) }
        }
        candidates.append(("softmax_row", cSoftmaxRows))
        candidates.append(("softmax_backward_row", cSoftmaxBackwardRow))
        var used = Set<String>(), text = code
        while let next = candidates.first(where: { !used.contains($0.name) && text.hasText($0.name + "(") }) {
            used.insert(next.name)
            text += next.text
        }
        return candidates.filter { used.contains($0.name) }.map(\.text).joined(separator: "\n")
    }

    /// `static void forward(const float *x, float *y)`: the row pass of `predictRows`, between
    /// the transforms when the network has them.
    private func forwardFunction() -> String {
        var body: [String] = []
        let hidden = layerCount > 1
        let mapsInputs = network.inputMap?.transform != nil, mapsOutputs = network.outputMap?.transform != nil
        if hidden { body.append("float h[2][\(widestHidden)];") }
        if mapsInputs { body.append("float t[\(upper)_INPUTS];") }
        let inputNorms = normCalls(at: 0)
        if !inputNorms.isEmpty { body.append("float u[\(upper)_INPUTS];") }
        if mapsInputs || mapsOutputs || network.activations.contains(where: { $0.isElementwise && $0 != .identity }) {
            body.append("size_t k;")
        }
        if mapsInputs { body.append(cMapInputs(into: "t", from: "x", count: "\(upper)_INPUTS")) }
        var first = mapsInputs ? "t" : "x"
        for call in inputNorms {
            body.append(call(first, "u"))
            first = "u"
        }
        for l in 1...layerCount {
            let input = l == 1 ? first : "h[\((l - 2) % 2)]"
            let output = l == layerCount ? "y" : "h[\((l - 1) % 2)]"
            body.append("\(dense(l))(\(input), \(output), layer\(l)_weights, \(biasName(l)), \(inputs(l)), \(outputs(l)));")
            body.append(contentsOf: applyActivation(l, to: output))
            body.append(contentsOf: normCalls(at: l).map { $0(output, output) })
        }
        if mapsOutputs { body.append(cMapOutputs("y", count: "\(upper)_OUTPUTS")) }
        return "static void forward(const float *x, float *y)\n{\n" + body.map { "    " + $0 }.joined(separator: "\n") + "\n}\n"
    }

    private func biasName(_ l: Int) -> String { hasBias(l) ? "layer\(l)_bias" : "NULL" }

    /// The training step's layer norms after dense layer `l` (0: on the inputs): from `source`
    /// into `o{l}`, keeping x̂ and 1/σ.
    private func normTrainingCalls(at l: Int, from source: String) -> [String] {
        var input = source
        return normsAt(l).map { k in
            let norm = network.norms[k]
            let parameters = norm.weightOffset == nil ? "NULL, NULL" : "norm\(k + 1)_weight, norm\(k + 1)_bias"
            defer { input = "o\(l)" }
            return "layer_norm(\(input), o\(l), \(parameters), \(norm.width), \(norm.groups), \(cFloat(norm.eps)), norm\(k + 1)_hat, norm\(k + 1)_rstd);"
        }
    }

    /// The calls of the layer norms after dense layer `l` (0: on the inputs), in order, each
    /// from its source to its destination (which may be the same array).
    private func normCalls(at l: Int) -> [(String, String) -> String] {
        network.builtOperations[l].compactMap { operation -> ((String, String) -> String)? in
            guard case let .norm(k) = operation else { return nil }
            let norm = network.norms[k]
            let parameters = norm.weightOffset == nil ? "NULL, NULL" : "norm\(k + 1)_weight, norm\(k + 1)_bias"
            return { source, destination in
                "layer_norm(\(source), \(destination), \(parameters), \(norm.width), \(norm.groups), \(cFloat(norm.eps)), NULL, NULL);"
            }
        }
    }

    /// Whether dense layer `l` (1…L in the chain) has biases.
    private func hasBias(_ l: Int) -> Bool { network.denseLayers[l - 1].biasOffset != nil }

    /// Whether layer `l` sums with fused multiply-adds (Plexus's GEMM) rather than a multiply then an add.
    private func fused(_ l: Int) -> Bool { !isSmallLayer(inputs: inputs(l), outputs: outputs(l)) }
    private func dense(_ l: Int) -> String { fused(l) ? "dense_fma" : "dense" }
    private func backwardLayer(_ l: Int) -> String { fused(l) ? "backward_layer_fma" : "backward_layer" }

    /// `backward_layer` and `backward_layer_fma`, those of them that `code` calls: one layer's
    /// backward for one row as Plexus sums it at batch 1 (gradients start at 0): db = 0 + delta,
    /// dW = 0 + delta x^T (kept transposed, as the weights are) and, when g is not NULL,
    /// g = W^T delta with each g_i summed over the outputs in order; the `_fma` form sums g with
    /// fmaf, as the GEMM does for layers with inputs x outputs >= 512 (dW's one term, rounded
    /// once, is the same either way).
    private func backwardFunctions(used code: String) -> String {
        [(name: "backward_layer", first: "0.0f + delta[0] * row[0]", term: "sum += delta[o] * row[o];"),
         (name: "backward_layer_fma", first: "fmaf(delta[0], row[0], 0.0f)", term: "sum = fmaf(delta[o], row[o], sum);")]
            .filter { code.hasText($0.name + "(") }
            .map { f in
                """
                /* One layer's backward for one row, as Plexus sums it at batch 1: db = 0 + delta, dW = 0 + delta x^T
                   (kept transposed, as the weights are) and, when g is not NULL, g = W^T delta with each g_i summed
                   over the outputs in order\(f.name.hasSuffix("fma") ? ", each term one fmaf (layers with inputs x outputs >= 512)" : ""). */
                static void \(f.name)(const float *restrict delta, const float *restrict x, const float *restrict wt,
                                           float *restrict gwt, float *restrict gb, float *restrict g, size_t inputs, size_t outputs)
                {
                    size_t o, i;
                    if (gb != NULL) for (o = 0; o < outputs; o++) gb[o] = 0.0f + delta[o];
                    for (i = 0; i < inputs; i++) {
                        const float xi = x[i];
                        float *restrict row = gwt + i * outputs;
                        for (o = 0; o < outputs; o++) row[o] = 0.0f + delta[o] * xi;
                    }
                    if (g == NULL) return;
                    for (i = 0; i < inputs; i++) {
                        const float *restrict row = wt + i * outputs;
                        float sum = \(f.first);
                        for (o = 1; o < outputs; o++) \(f.term)
                        g[i] = sum;
                    }
                }
                """
            }.joined(separator: "\n\n")
    }

    /// `dense` and `dense_fma`, those of them that `code` calls: z = b + W x from W^T
    /// ([inputs][outputs]), each z_o the bias (or 0), then x_i W_oi added for i in order, eight
    /// outputs' sums advancing together in registers.
    private func denseFunctions(used code: String) -> String {
        [(name: "dense", term: { (s: String, w: String) in "\(s) += xi * \(w);" },
          what: "a multiply, then an add (the small layers' loops)"),
         (name: "dense_fma", term: { (s: String, w: String) in "\(s) = fmaf(xi, \(w), \(s));" },
          what: "one fmaf (Plexus's GEMM, layers with inputs x outputs >= 512)")]
            .filter { code.hasText($0.name + "(") }
            .map { f in
                let sums = (0..<8).map { "s\($0)" }
                return """
                    /* z = b + W x from W^T ([inputs][outputs]), summed as Plexus sums: each z_o is the bias (or 0),
                       then x_i W_oi added for i in order, each term \(f.what). Eight outputs at a time keep
                       their sums in registers (vectorised on x86-64 and ARMv8). */
                    static void \(f.name)(const float *restrict x, float *restrict z, const float *restrict wt, const float *restrict b,
                                      size_t inputs, size_t outputs)
                    {
                        const size_t blocked = outputs - outputs % 8;
                        size_t o, i;
                        for (o = 0; o < blocked; o += 8) {
                            const float *restrict w = wt + o;
                            float \(sums.map { "\($0) = 0.0f" }.joined(separator: ", "));
                            if (b != NULL) {
                    \((0..<8).map { "            s\($0) = b[o\($0 == 0 ? "" : " + \($0)")];" }.joined(separator: "\n"))
                            }
                            for (i = 0; i < inputs; i++, w += outputs) {
                                const float xi = x[i];
                    \((0..<8).map { "            " + f.term("s\($0)", "w[\($0)]") }.joined(separator: "\n"))
                            }
                    \((0..<8).map { "        z[o\($0 == 0 ? "" : " + \($0)")] = s\($0);" }.joined(separator: "\n"))
                        }
                        for (o = blocked; o < outputs; o++) {
                            const float *restrict w = wt + o;
                            float sum = b != NULL ? b[o] : 0.0f;
                            for (i = 0; i < inputs; i++, w += outputs) {
                                const float xi = x[i];
                                \(f.term("sum", "w[0]"))
                            }
                            z[o] = sum;
                        }
                    }
                    """
            }.joined(separator: "\n\n")
    }

    private func applyActivation(_ l: Int, to values: String) -> [String] {
        let f = activation(l)
        if f == .identity { return [] }
        if f == .softmax { return ["softmax_row(\(values), \(outputs(l)));"] }
        return ["for (k = 0; k < \(outputs(l)); k++) \(values)[k] = act_\(f)(\(values)[k]);"]
    }

    // MARK: - The training step

    private func trainingCode() -> String {
        var c = CSource()
        c.line()
        c.line("/* The training step's buffers: z and a of every layer, the gradients, and two rows of deltas. */")
        for l in 1...layerCount {
            c.line("static float z\(l)[\(outputs(l))], a\(l)[\(outputs(l))];")
            c.line("static float layer\(l)_weight_grads[\(inputs(l) * outputs(l))];")
            if hasBias(l) { c.line("static float layer\(l)_bias_grads[\(outputs(l))];") }
        }
        for l in 0..<layerCount where !normsAt(l).isEmpty {
            c.line("static float o\(l)[\(l == 0 ? inputs(1) : outputs(l))];")
        }
        for (k, norm) in network.norms.enumerated() {
            c.line("static float norm\(k + 1)_hat[\(norm.width * norm.groups)], norm\(k + 1)_rstd[\(norm.groups)];")
            if norm.weightOffset != nil {
                c.line("static float norm\(k + 1)_weight_grads[\(norm.width)], norm\(k + 1)_bias_grads[\(norm.width)];")
            }
        }
        c.line("static float output_delta[\(network.sizes.last!)];")
        if deltaWidth > 0 { c.line("static float deltas[2][\(deltaWidth)];") }
        let step = trainStepFunction()
        c.line()
        c.lines(backwardFunctions(used: step))
        if step.hasText("layer_norm_backward(") { c.lines("\n" + LayerNorm.cBackward) }
        c.lines("""

            /* Whether theta + rate * g stays finite for every value (Plexus checks before it writes). */
            static int sgd_finite(const float *theta, const float *g, size_t n, float rate)
            {
                size_t i;
                for (i = 0; i < n; i++) {
                    const float v = theta[i] + rate * g[i];
                    if (v - v != 0.0f) return 0;
                }
                return 1;
            }

            static void sgd_apply(float *theta, const float *g, size_t n, float rate)
            {
                size_t i;
                for (i = 0; i < n; i++) theta[i] = theta[i] + rate * g[i];
            }

            """)
        c.line()
        c.lines(step)
        c.lines(parameterFunctions())
        return c.text
    }

    /// The parameter arrays in Plexus's order, with their gradients and counts.
    private var parameterArrays: [(values: String, grads: String, count: Int)] {
        network.layout.order.flatMap { entry -> [(values: String, grads: String, count: Int)] in
            if !entry.dense {
                let k = entry.index + 1, width = network.norms[entry.index].width
                guard network.norms[entry.index].weightOffset != nil else { return [] }
                return [(values: "norm\(k)_weight", grads: "norm\(k)_weight_grads", count: width),
                        (values: "norm\(k)_bias", grads: "norm\(k)_bias_grads", count: width)]
            }
            let l = entry.index + 1
            var arrays = [(values: "layer\(l)_weights", grads: "layer\(l)_weight_grads", count: inputs(l) * outputs(l))]
            if hasBias(l) { arrays.append((values: "layer\(l)_bias", grads: "layer\(l)_bias_grads", count: outputs(l))) }
            return arrays
        }
    }

    /// The layer norms after dense layer `l` (0: on the inputs), by index in `network.norms`.
    private func normsAt(_ l: Int) -> [Int] {
        network.builtOperations[l].compactMap { if case let .norm(k) = $0 { k } else { nil } }
    }

    /// What dense layer `l + 1` reads in the training step: the layer norms' output after layer
    /// `l` when there are some, else its activations (`x` for the inputs).
    private func stepInput(_ l: Int) -> String {
        normsAt(l).isEmpty ? (l == 0 ? "x" : "a\(l)") : "o\(l)"
    }

    /// The width of the training step's two delta rows: every hidden layer, and the inputs when
    /// layer norms on them need ∂L/∂x of the first layer.
    private var deltaWidth: Int { max(widestHidden, normsAt(0).isEmpty ? 0 : inputs(1)) }

    private func trainStepFunction() -> String {
        let last = layerCount, out = network.sizes.last!
        var body: [String] = ["size_t k;", "float rate;"]
        body.append("if (x == NULL || y == NULL || !all_finite(x, \(upper)_INPUTS) || !all_finite(y, \(upper)_OUTPUTS)) return \(upper)_ERR_ARGUMENT;")
        body.append("if (!(lr > 0.0f) || lr - lr != 0.0f) return \(upper)_ERR_ARGUMENT;")
        if network.inputMap?.transform != nil {
            body.append("/* Raw inputs and targets, mapped as Plexus maps them: x' = (x - shift) * scale, y' = (y - shift) / scale. */")
            body.append("{")
            body.append("    static float xt[\(upper)_INPUTS];")
            body.append("    " + cMapInputs(into: "xt", from: "x", count: "\(upper)_INPUTS"))
            body.append("    if (!all_finite(xt, \(upper)_INPUTS)) return \(upper)_ERR_ARGUMENT;")
            body.append("    x = xt;")
            body.append("}")
        }
        if network.outputMap?.transform != nil {
            if network.inputMap?.transform == nil { body.append("/* Raw targets, mapped as Plexus maps them: y' = (y - shift) / scale. */") }
            body.append("{")
            body.append("    static float yt[\(upper)_OUTPUTS];")
            body.append("    for (k = 0; k < \(upper)_OUTPUTS; k++) yt[k] = (y[k] - output_shift[k]) / output_scale[k];")
            body.append("    if (!all_finite(yt, \(upper)_OUTPUTS)) return \(upper)_ERR_ARGUMENT;")
            body.append("    y = yt;")
            body.append("}")
        }
        body.append("/* Forward, keeping every layer's z and a. */")
        body.append(contentsOf: normTrainingCalls(at: 0, from: "x"))
        for l in 1...last {
            body.append("\(dense(l))(\(stepInput(l - 1)), z\(l), layer\(l)_weights, \(biasName(l)), \(inputs(l)), \(outputs(l)));")
            body.append("for (k = 0; k < \(outputs(l)); k++) a\(l)[k] = z\(l)[k];")
            body.append(contentsOf: applyActivation(l, to: "a\(l)"))
            if l < last { body.append(contentsOf: normTrainingCalls(at: l, from: "a\(l)")) }
        }
        body.append("/* The output layer's delta, from the loss (\(network.activeLoss)). */")
        body.append("{")
        body.append("    const float *a = a\(last), *z = z\(last);")
        body.append("    float *g = output_delta;")
        body.append("    (void)a; (void)z;")
        for line in network.activeLoss.cOutputGradient(activation: activation(last), count: out).split(separator: "\n") {
            body.append("    " + line)
        }
        body.append("}")
        body.append("/* Backward, from the last layer to the first. */")
        var delta = "output_delta"
        for l in stride(from: last, through: 1, by: -1) {
            let input = stepInput(l - 1)
            let target = l == 1 && normsAt(0).isEmpty ? "NULL" : "deltas[\((last - l) % 2)]"
            let gb = hasBias(l) ? "layer\(l)_bias_grads" : "NULL"
            body.append("\(backwardLayer(l))(\(delta), \(input), layer\(l)_weights, layer\(l)_weight_grads, \(gb), \(target), \(inputs(l)), \(outputs(l)));")
            for (index, k) in normsAt(l - 1).enumerated().reversed() {
                let norm = network.norms[k]
                let parameters = norm.weightOffset == nil ? "NULL, NULL, NULL" : "norm\(k + 1)_weight, norm\(k + 1)_weight_grads, norm\(k + 1)_bias_grads"
                body.append("layer_norm_backward(\(target), norm\(k + 1)_hat, norm\(k + 1)_rstd, \(parameters), \(norm.width), \(norm.groups), \(l > 1 || index > 0 ? 1 : 0));")
            }
            if l > 1 {
                let below = activation(l - 1), width = outputs(l - 1)
                if below == .softmax {
                    body.append("softmax_backward_row(a\(l - 1), \(target), \(width));")
                } else if below != .identity {
                    body.append("for (k = 0; k < \(width); k++) \(target)[k] = act_\(below)_grad(\(target)[k], z\(l - 1)[k], a\(l - 1)[k]);")
                }
                delta = target
            }
        }
        body.append("/* SGD: theta + (-lr) g, checked everywhere before anything is written. */")
        body.append("rate = -lr;")
        let arrays = parameterArrays
        body.append("if (" + arrays.map { "!sgd_finite(\($0.values), \($0.grads), \($0.count), rate)" }.joined(separator: "\n        || ") + ")")
        body.append("    return \(upper)_ERR_NUMERIC;")
        for array in arrays { body.append("sgd_apply(\(array.values), \(array.grads), \(array.count), rate);") }
        body.append("return \(upper)_OK;")
        return "int \(name)_train_step(const float *x, const float *y, float lr)\n{\n"
            + body.map { "    " + $0 }.joined(separator: "\n") + "\n}\n"
    }

    /// NAME_get_params and NAME_set_params: Plexus's order, W as [outputs][inputs], to and from the
    /// transposed arrays.
    private func parameterFunctions() -> String {
        var get: [String] = ["size_t i, o;", "if (out == NULL) return;"]
        var set: [String] = ["size_t i, o;", "if (in == NULL || !all_finite(in, \(upper)_PARAMETERS)) return \(upper)_ERR_ARGUMENT;"]
        var offset = 0
        for entry in network.layout.order {
            if !entry.dense {
                let k = entry.index + 1, width = network.norms[entry.index].width
                guard network.norms[entry.index].weightOffset != nil else { continue }
                for array in ["norm\(k)_weight", "norm\(k)_bias"] {
                    get.append("for (o = 0; o < \(width); o++) out[\(offset) + o] = \(array)[o];")
                    set.append("for (o = 0; o < \(width); o++) \(array)[o] = in[\(offset) + o];")
                    offset += width
                }
                continue
            }
            let l = entry.index + 1
            let (n, m) = (inputs(l), outputs(l))
            get.append("for (o = 0; o < \(m); o++) for (i = 0; i < \(n); i++) out[\(offset) + o * \(n) + i] = layer\(l)_weights[i * \(m) + o];")
            set.append("for (o = 0; o < \(m); o++) for (i = 0; i < \(n); i++) layer\(l)_weights[i * \(m) + o] = in[\(offset) + o * \(n) + i];")
            offset += n * m
            if hasBias(l) {
                get.append("for (o = 0; o < \(m); o++) out[\(offset) + o] = layer\(l)_bias[o];")
                set.append("for (o = 0; o < \(m); o++) layer\(l)_bias[o] = in[\(offset) + o];")
                offset += m
            }
        }
        set.append("return \(upper)_OK;")
        return "\nvoid \(name)_get_params(float *out)\n{\n" + get.map { "    " + $0 }.joined(separator: "\n")
            + "\n}\n\nint \(name)_set_params(const float *in)\n{\n" + set.map { "    " + $0 }.joined(separator: "\n") + "\n}\n"
    }
}
