// The code export: a trained network as dependency-free C99, `NAME.h` and `NAME.c`, in float32
// (FloatCode.swift) or int8 (QuantizedCode.swift, from a `QuantizedNetwork`).

/// What `exportC` writes beside the float32 forward pass.
public struct CExportOptions: Sendable {
    /// The int8 model to write instead of float32 code (`QuantizedNetwork(network:calibration:rows:)`);
    /// nil: float32.
    public var quantized: QuantizedNetwork?
    /// Also write `NAME_train_step` (float32 only): forward, backward and plain SGD at batch 1 on
    /// static buffers, bitwise `trainStep` with SGD for networks that take the row passes.
    public var trainStep: Bool
    /// The most parameters the export writes; a larger network is refused with a size message
    /// (a million-wide layer would make a gigabyte of source). 0: `defaultMaxParameters`.
    public var maxParameters: Int

    /// 1,000,000 parameters: about 15 MB of float32 source.
    public static let defaultMaxParameters = 1_000_000

    public init(quantized: QuantizedNetwork? = nil, trainStep: Bool = false, maxParameters: Int = 0) {
        self.quantized = quantized
        self.trainStep = trainStep
        self.maxParameters = maxParameters
    }
}

/// The two generated files.
public struct CExportFiles: Sendable {
    public let header: String
    public let source: String
}

extension Network {
    /// The network as C99 source: `NAME.h` declares `NAME_predict(const float *x, float *y)` and
    /// `NAME_predict_batch`, `NAME.c` holds the weights as static arrays and the forward pass.
    ///
    /// - Throws: `.argument` for a name that is not a C identifier of at most 17 characters, a
    ///   network over `options.maxParameters`, a training step asked of int8 code, or a quantized
    ///   model made from a network of another shape; `.busy` while another thread writes.
    public func cExport(name: String, options: CExportOptions = CExportOptions()) throws(PlexusError) -> CExportFiles {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        /// "340 bytes", "12 kB", "15 MB": a size as a reader would say it.
        func sourceSize(bytes: Int) -> String {
            bytes < 1_000 ? "\(bytes) bytes" : bytes < 1_000_000 ? "\(bytes / 1_000) kB" : "\(bytes / 1_000_000) MB"
        }
        try checkCName(name)
        let limit = options.maxParameters == 0 ? CExportOptions.defaultMaxParameters : options.maxParameters
        guard limit > 0 else { throw .argument("max_parameters is \(options.maxParameters); pass 0 for the default limit or a positive count") }
        guard parameterCount <= limit else {
            throw .argument("the network has \(parameterCount) parameters (widest layer \(sizes.max()!)), over the export's limit of \(limit): its C source would take about \(sourceSize(bytes: parameterCount * 15)) (15 bytes per weight); raise max_parameters in the options to export it anyway")
        }
        if let quantized = options.quantized {
            guard !options.trainStep else {
                throw .argument("int8 code has no training step; export float32 code (no quantized model) for train_step")
            }
            guard quantized.sizes == sizes, quantized.activations == activations, quantized.hasBias == hasBias else {
                throw .argument("the quantized model has layers \(quantized.sizes) (\(quantized.activations.map(\.description).joined(separator: ", "))) but the network \(sizes) (\(activations.map(\.description).joined(separator: ", "))); quantize this network")
            }
            return QuantizedCode(model: quantized, name: name).files()
        }
        return FloatCode(network: self, name: name, trainStep: options.trainStep).files()
    }

    /// Writes `cExport(name:options:)` to `directory/NAME.h` and `directory/NAME.c`, atomically
    /// as `save` does: both are written to temporaries first, and neither is replaced unless
    /// both were written.
    ///
    /// - Throws: as `cExport`; `.io` naming the folder and the system's reason.
    public func exportC(to directory: String, name: String, options: CExportOptions = CExportOptions()) throws(PlexusError) {
        guard !directory.isEmpty else { throw .argument("the folder is empty; pass a folder such as \".\"") }
        let files = try cExport(name: name, options: options)
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        try writeFilesAtomically([(Array(files.header.utf8), folder + name + ".h"),
                                  (Array(files.source.utf8), folder + name + ".c")])
    }
}

/// What both generated files say first.
/// The lines that keep a generated file's multiplies and adds apart wherever the source does not
/// call fmaf, under each compiler's defaults: gcc contracts a*b + c into one rounding unless told
/// (its default dialect is gnu, with -ffp-contract=fast) and ignores the standard pragma, so it
/// gets its own; clang and any other C99 compiler honour `#pragma STDC FP_CONTRACT OFF`; MSVC
/// spells it `fp_contract`.
let cContractionOff = """
    /* Plexus's order keeps a multiply and an add apart where it does not call fmaf: no compiler may
       fuse them (contract) into one rounding, whatever its defaults or flags such as -march=native. */
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC optimize ("fp-contract=off")
    #elif defined(_MSC_VER)
    #pragma fp_contract (off)
    #else
    #pragma STDC FP_CONTRACT OFF
    #endif
    """

func cBanner(_ file: String, sizes: [Int], activations: [Activation], kind: String) -> String {
    let shape = sizes.map(String.init).joined(separator: "-")
    let functions = activations.map(\.description).joined(separator: ", ")
    return """
        /* \(file): generated by Plexus \(PlexusVersion.string) from a \(shape) network (\(functions)); \(kind).
           C99 with no allocation; do not edit, export the model again instead. This file belongs to
           whoever generated it: Plexus's MIT licence does not extend to it, and no notice is required. */
        """
}

/// A header's opening: the include guard, `includes`, C++ linkage, the widths and the status values
/// both kinds of code return.
func cHeaderOpening(upper: String, inputs: Int, outputs: Int, includes: [String]) -> String {
    """
    #ifndef \(upper)_H
    #define \(upper)_H

    \(includes.map { "#include <\($0)>" }.joined(separator: "\n"))

    #ifdef __cplusplus
    extern "C" {
    #endif

    #define \(upper)_INPUTS \(inputs)
    #define \(upper)_OUTPUTS \(outputs)
    /* Return values: those of plexus_status. */
    #define \(upper)_OK 0
    #define \(upper)_ERR_ARGUMENT 1

    """
}

/// A header's closing, after its declarations.
func cHeaderClosing(upper: String) -> String {
    """

    #ifdef __cplusplus
    }
    #endif

    #endif /* \(upper)_H */
    """
}

/// `all_finite` and the float entry points `NAME_predict` and `NAME_predict_batch` around the
/// code's own `static void ROW(const float *x, float *y)`: checks first, then one row at a time.
/// The transforms' constant arrays (input_shift, input_scale, output_scale, output_shift), those
/// the network has, and the two loops that apply them to a row in Plexus's order: inputs
/// (x - shift) * scale into `t`, outputs y * scale, then + shift, as two statements.
func cTransformArrays(_ input: FeatureTransform?, _ output: FeatureTransform?) -> String {
    var c = CSource()
    if let input {
        c.line("/* The input transform: x' = (x - input_shift) * input_scale, before the first layer. */")
        c.array("static const float input_shift", input.shift, perLine: 8, cFloat)
        c.array("static const float input_scale", input.scale, perLine: 8, cFloat)
    }
    if let output {
        c.line("/* The output transform: y = y' * output_scale + output_shift, a multiply then an add. */")
        c.array("static const float output_scale", output.scale, perLine: 8, cFloat)
        c.array("static const float output_shift", output.shift, perLine: 8, cFloat)
    }
    return c.text
}

func cMapInputs(into t: String, from x: String, count: String) -> String {
    "for (k = 0; k < \(count); k++) \(t)[k] = (\(x)[k] - input_shift[k]) * input_scale[k];"
}

func cMapOutputs(_ y: String, count: String) -> String {
    "for (k = 0; k < \(count); k++) { const float scaled = \(y)[k] * output_scale[k]; \(y)[k] = scaled + output_shift[k]; }"
}

func cPredictFunctions(name: String, upper: String, row: String, inputTransform: Bool = false) -> String {
    let check = inputTransform ? "input_ok(x)" : "all_finite(x, \(upper)_INPUTS)"
    return """
    /* v - v is 0 exactly for finite v, NaN for infinities and NaN (no <math.h> macro needed). */
    static int all_finite(const float *x, size_t n)
    {
        size_t i;
        for (i = 0; i < n; i++) if (x[i] - x[i] != 0.0f) return 0;
        return 1;
    }
    \(inputTransform ? """

    /* A raw row is taken when it is finite and the input transform keeps it finite (as Plexus checks). */
    static int input_ok(const float *x)
    {
        size_t k;
        if (!all_finite(x, \(upper)_INPUTS)) return 0;
        for (k = 0; k < \(upper)_INPUTS; k++) {
            const float t = (x[k] - input_shift[k]) * input_scale[k];
            if (t - t != 0.0f) return 0;
        }
        return 1;
    }

    """ : "")
    int \(name)_predict(const float *x, float *y)
    {
        if (x == NULL || y == NULL || !\(check)) return \(upper)_ERR_ARGUMENT;
        \(row)(x, y);
        return \(upper)_OK;
    }

    int \(name)_predict_batch(const float *x, float *y, size_t n)
    {
        size_t r;
        if (x == NULL || y == NULL) return \(upper)_ERR_ARGUMENT;
        for (r = 0; r < n; r++) if (!\(inputTransform ? "input_ok(x + r * \(upper)_INPUTS)" : "all_finite(x + r * \(upper)_INPUTS, \(upper)_INPUTS)")) return \(upper)_ERR_ARGUMENT;
        for (r = 0; r < n; r++) \(row)(x + r * \(upper)_INPUTS, y + r * \(upper)_OUTPUTS);
        return \(upper)_OK;
    }

    """
}

extension String {
    /// Whether `text` occurs in this string, compared bytewise. (`String.contains(String)` comes
    /// from the regex engine's module, `_StringProcessing`, which libplexus.so leaves out: the
    /// Makefile's release flags; docs/performance.md has the sizes.)
    func hasText(_ text: String) -> Bool {
        let haystack = Array(utf8), needle = Array(text.utf8)
        guard needle.count <= haystack.count else { return false }
        if needle.isEmpty { return true }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            var matched = true
            for k in 1..<needle.count where haystack[start + k] != needle[k] {
                matched = false
                break
            }
            if matched { return true }
        }
        return false
    }
}
