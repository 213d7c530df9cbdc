// The int8 code export of a `QuantizedNetwork`: integer arithmetic only (no <math.h>, no floats
// but in the float wrappers that quantise the inputs and dequantise the outputs). Python's
// `plexus.quantize.simulate` does the same operations; a test holds the two bit-identical.

struct QuantizedCode {
    let model: QuantizedNetwork, name: String

    private var upper: String { name.uppercased() }
    private var widestHidden: Int { model.sizes.dropFirst().dropLast().max() ?? 0 }
    /// Whether layer norms run in float between (or before) the int8 layers.
    private var normalizes: Bool { model.layers.contains { !$0.norms.isEmpty } }

    /// Each layer's norms with their number in the file (1…), in order.
    private var numberedNorms: [[(number: Int, norm: QuantizedNetwork.Norm)]] {
        var next = 1
        return model.layers.map { layer in
            layer.norms.map { norm in
                defer { next += 1 }
                return (next, norm)
            }
        }
    }

    /// The calls of layer `index`'s norms on the float array `values`.
    private func normCalls(_ index: Int, on values: String) -> [String] {
        numberedNorms[index].map { number, norm in
            let parameters = norm.weight == nil ? "NULL, NULL" : "norm\(number)_weight, norm\(number)_bias"
            return "layer_norm(\(values), \(values), \(parameters), \(norm.width), \(norm.groups), \(cFloat(norm.eps)), NULL, NULL);"
        }
    }

    func files() -> CExportFiles { CExportFiles(header: header(), source: source()) }

    private func header() -> String {
        var h = CSource()
        h.lines(cBanner("\(name).h", sizes: model.sizes, activations: model.activations, kind: "int8"))
        h.lines(cHeaderOpening(upper: upper, inputs: model.sizes[0], outputs: model.sizes.last!,
                               includes: ["stddef.h", "stdint.h"]))
        h.lines("""
            /* real = scale * (q - zero_point) for the int8 inputs and outputs. */
            #define \(upper)_INPUT_SCALE \(cFloat(model.inputScale))
            #define \(upper)_INPUT_ZERO_POINT (\(model.inputZeroPoint))
            #define \(upper)_OUTPUT_SCALE \(cFloat(model.outputScale))
            #define \(upper)_OUTPUT_ZERO_POINT (\(model.outputZeroPoint))

            /* The int8 network on int8 inputs, \(normalizes ? "integer arithmetic but for the layer norms, which run in float32 between\n   the int8 layers (dequantised, normalised, quantised at the next layer's input scale)" : "integer arithmetic only"): bit-identical on every C99 target and to
               plexus.quantize.simulate_int8.\(model.layers[0].norms.isEmpty ? "" : " Its inputs are those after the layer norms on the inputs (NAME_predict runs them).") Returns \(upper)_OK, or \(upper)_ERR_ARGUMENT for a NULL pointer.
               Reentrant: no state, no allocation. */
            int \(name)_predict_int8(const int8_t *x, int8_t *y);

            /* Quantises x[\(upper)_INPUTS] (round half away from zero, saturating), runs \(name)_predict_int8 and
               dequantises into y[\(upper)_OUTPUTS]: bit-identical to plexus.quantize.simulate. Returns \(upper)_OK,
               or \(upper)_ERR_ARGUMENT, writing nothing, for a NULL pointer or a non-finite input. */
            int \(name)_predict(const float *x, float *y);

            /* \(name)_predict for n rows; every row is checked before any is written. */
            int \(name)_predict_batch(const float *x, float *y, size_t n);
            """)
        h.lines(cHeaderClosing(upper: upper))
        return h.text
    }

    private func source() -> String {
        var c = CSource()
        c.lines(cBanner("\(name).c", sizes: model.sizes, activations: model.activations, kind: "int8"))
        c.line("#include \"\(name).h\"")
        c.line()
        if normalizes {
            c.line("#include <math.h>")
            c.line()
        }
        c.lines(cContractionOff)
        c.line()
        for (number, norm) in numberedNorms.joined() {
            if let weight = norm.weight, let bias = norm.bias {
                c.array("static const float norm\(number)_weight", weight, perLine: 8, cFloat)
                c.array("static const float norm\(number)_bias", bias, perLine: 8, cFloat)
            }
        }
        for (index, layer) in model.layers.enumerated() {
            let l = index + 1
            c.line("/* Layer \(l), \(layer.activation): inputs scale \(cFloat(layer.inputScale)) zero point \(layer.inputZeroPoint), "
                   + "outputs scale \(cFloat(layer.outputScale)) zero point \(layer.outputZeroPoint). */")
            c.array("static const int8_t layer\(l)_weights", layer.weights, perLine: 16) { "\($0)" }
            if let bias = layer.bias { c.array("static const int32_t layer\(l)_bias", bias, perLine: 8, cInt32) }
            c.array("static const int32_t layer\(l)_multipliers", layer.multipliers, perLine: 8, cInt32)
            c.array("static const int8_t layer\(l)_shifts", layer.shifts, perLine: 16) { "\($0)" }
            if let table = layer.table { c.array("static const int8_t layer\(l)_table", table, perLine: 16) { "\($0)" } }
            if let exps = layer.softmaxExp { c.array("static const uint16_t layer\(l)_softmax_exp", exps, perLine: 12) { "\($0)" } }
            c.line()
        }
        c.lines("""
            /* floor(v / 2^s) without shifting a negative value (implementation-defined in C99). */
            static int64_t floor_shift(int64_t v, int s)
            {
                return v >= 0 ? v >> s : ~(~v >> s);
            }

            /* clamp(round(acc * multiplier * 2^(shift - 31)) + zero_point, low, high), rounding half up once
               (TFLite's single-rounding MultiplyByQuantizedMultiplier); shift is in -31..30. */
            static int8_t requantize(int32_t acc, int32_t multiplier, int shift, int32_t zero_point, int32_t low, int32_t high)
            {
                const int total = 31 - shift;
                int64_t v = floor_shift((int64_t)acc * multiplier + ((int64_t)1 << (total - 1)), total) + zero_point;
                if (v < low) v = low;
                if (v > high) v = high;
                return (int8_t)v;
            }

            /* out = requantize(bias + W (x - input_zero_point)) per output, summed in int32. */
            static void dense_int8(const int8_t *x, int8_t *out, const int8_t *w, const int32_t *bias,
                                   const int32_t *multipliers, const int8_t *shifts, int32_t input_zero_point,
                                   int32_t zero_point, int32_t low, int32_t high, size_t inputs, size_t outputs)
            {
                size_t o, i;
                for (o = 0; o < outputs; o++) {
                    const int8_t *wo = w + o * inputs;
                    int32_t acc = bias != NULL ? bias[o] : 0;
                    for (i = 0; i < inputs; i++) acc += (int32_t)wo[i] * ((int32_t)x[i] - input_zero_point);
                    out[o] = requantize(acc, multipliers[o], shifts[o], zero_point, low, high);
                }
            }

            """)
        if model.layers.contains(where: { $0.table != nil }) {
            c.lines("""
                static void lookup(int8_t *v, const int8_t *table, size_t n)
                {
                    size_t k;
                    for (k = 0; k < n; k++) v[k] = table[(int32_t)v[k] + 128];
                }

                """)
        }
        if model.layers.contains(where: { $0.softmaxExp != nil }) {
            c.lines("""
                /* Softmax on int8 logits: e_k = exps[max - q_k] (0 past the table), then round(256 e_k / sum) - 128,
                   saturating at 127 (scale 1/256, zero point -128). */
                static void softmax_int8(int8_t *v, const uint16_t *exps, int32_t count, size_t n)
                {
                    int32_t maximum = v[0], sum = 0;
                    size_t k;
                    for (k = 1; k < n; k++) if (v[k] > maximum) maximum = v[k];
                    for (k = 0; k < n; k++) {
                        const int32_t d = maximum - v[k];
                        sum += d < count ? (int32_t)exps[d] : 0;
                    }
                    for (k = 0; k < n; k++) {
                        const int32_t d = maximum - v[k];
                        const int32_t e = d < count ? (int32_t)exps[d] : 0;
                        const int32_t p = (e * 256 + sum / 2) / sum;
                        v[k] = (int8_t)(p > 255 ? 127 : p - 128);
                    }
                }

                """)
        }
        if normalizes { c.lines(LayerNorm.cForward) }
        c.lines("""

            /* round(x / scale) + zero_point, half away from zero, saturating to int8. */
            static int8_t quantize_to(float x, float scale, int32_t zero_point)
            {
                float v = x / scale, r;
                int32_t t;
                if (v > 512.0f) v = 512.0f;
                if (v < -512.0f) v = -512.0f;
                t = (int32_t)v;
                r = v - (float)t;
                if (r >= 0.5f) t += 1;
                else if (r <= -0.5f) t -= 1;
                t += zero_point;
                return (int8_t)(t < -128 ? -128 : (t > 127 ? 127 : t));
            }

            """)
        c.line()
        c.lines(cTransformArrays(model.inputTransform, model.outputTransform))
        c.lines(forwardFunction())
        c.lines("""

            int \(name)_predict_int8(const int8_t *x, int8_t *y)
            {
                if (x == NULL || y == NULL) return \(upper)_ERR_ARGUMENT;
                forward(x, y);
                return \(upper)_OK;
            }

            /* The network's inputs as int8 (after the input transform, and the layer norms on the inputs). */
            static int8_t quantize_input(float x)
            {
                return quantize_to(x, \(upper)_INPUT_SCALE, \(upper)_INPUT_ZERO_POINT);
            }

            static void predict_row(const float *x, float *y)
            {
                int8_t qx[\(upper)_INPUTS], qy[\(upper)_OUTPUTS];
                size_t k;
            \(inputQuantisation())
                forward(qx, qy);
                for (k = 0; k < \(upper)_OUTPUTS; k++) y[k] = (float)((int32_t)qy[k] - \(upper)_OUTPUT_ZERO_POINT) * \(upper)_OUTPUT_SCALE;
            \(model.outputTransform == nil ? "" : "    " + cMapOutputs("y", count: "\(upper)_OUTPUTS"))
            }

            """)
        c.line()
        c.lines(cPredictFunctions(name: name, upper: upper, row: "predict_row", inputTransform: model.inputTransform != nil))
        return c.text
    }

    /// predict_row's quantisation of x into qx: through the input transform and the layer norms
    /// on the inputs, in float, when there are some.
    private func inputQuantisation() -> String {
        let value = model.inputTransform == nil ? "x[k]" : "(x[k] - input_shift[k]) * input_scale[k]"
        let norms = normCalls(0, on: "t")
        guard !norms.isEmpty else { return "    for (k = 0; k < \(upper)_INPUTS; k++) qx[k] = quantize_input(\(value));" }
        return (["{", "    float t[\(upper)_INPUTS];", "    for (k = 0; k < \(upper)_INPUTS; k++) t[k] = \(value);"]
                + norms.map { "    " + $0 }
                + ["    for (k = 0; k < \(upper)_INPUTS; k++) qx[k] = quantize_input(t[k]);", "}"])
            .map { "    " + $0 }.joined(separator: "\n")
    }

    private func forwardFunction() -> String {
        var body: [String] = []
        let count = model.layers.count
        if count > 1 { body.append("int8_t h[2][\(widestHidden)];") }
        if model.layers.dropFirst().contains(where: { !$0.norms.isEmpty }) {
            body.append("float f[\(widestHidden)];")
            body.append("size_t k;")
        }
        for (index, layer) in model.layers.enumerated() {
            let l = index + 1
            let input = l == 1 ? "x" : "h[\((l - 2) % 2)]"
            let output = l == count ? "y" : "h[\((l - 1) % 2)]"
            if l > 1 && !layer.norms.isEmpty {
                // Float between the int8 layers: dequantise, normalise, quantise at this layer's input.
                let before = model.layers[index - 1], width = layer.inputs
                body.append("for (k = 0; k < \(width); k++) f[k] = (float)((int32_t)\(input)[k] - (\(before.outputZeroPoint))) * \(cFloat(before.outputScale));")
                body.append(contentsOf: normCalls(index, on: "f"))
                body.append("for (k = 0; k < \(width); k++) \(input)[k] = quantize_to(f[k], \(cFloat(layer.inputScale)), \(layer.inputZeroPoint));")
            }
            body.append("dense_int8(\(input), \(output), layer\(l)_weights, \(layer.bias == nil ? "NULL" : "layer\(l)_bias"), "
                        + "layer\(l)_multipliers, layer\(l)_shifts, \(layer.inputZeroPoint), \(layer.requantZeroPoint), "
                        + "\(layer.clampMin), \(layer.clampMax), \(layer.inputs), \(layer.outputs));")
            if layer.table != nil { body.append("lookup(\(output), layer\(l)_table, \(layer.outputs));") }
            if let exps = layer.softmaxExp { body.append("softmax_int8(\(output), layer\(l)_softmax_exp, \(exps.count), \(layer.outputs));") }
        }
        return "static void forward(const int8_t *x, int8_t *y)\n{\n" + body.map { "    " + $0 }.joined(separator: "\n") + "\n}\n"
    }
}
