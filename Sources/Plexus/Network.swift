import CPlexusSupport

/// A dense (fully-connected) feed-forward network trained by backpropagation.
///
/// `sizes[0]` is the number of inputs and `sizes[L]` the number of outputs. Layer l (1…L) computes
/// `z = W·a_prev + b` and `a = f(z)` with `W` stored row-major as `[sizes[l]][sizes[l-1]]` (one row
/// per neuron, like PyTorch's `Linear.weight`) and `b` as `[sizes[l]]`.
///
/// Parameters, gradients and optimizer state are each one flat buffer in the order
/// W1, b1, W2, b2, …; that order serves `parameters`, `gradients`, the optimizers and model files.
///
/// Thread rule, enforced (Access.swift): any number of concurrent readers (predict, evaluate,
/// save, the exports and every getter) or exactly one writer (training, the passes, every setter),
/// never both. A call that would break it throws `.busy` at once and changes nothing, so a
/// network may be shared between threads and tasks (`Sendable`). Distinct networks are
/// independent.
public final class Network: CustomStringConvertible, @unchecked Sendable {
    /// Layer widths, input layer first.
    public let sizes: [Int]
    /// The activation of each non-input layer: `activations[l-1]` belongs to layer l.
    public let activations: [Activation]
    /// Whether the layers have biases (seed 004's network has none).
    public let hasBias: Bool
    /// The loss `backward` computes (`loss`). Default: `.mse`.
    var activeLoss: Loss = .mse
    /// Whether `train` is running on this network (so a nested call is its epoch callback's).
    var trainingNow = false
    /// The update `step` applies (`optimizer`). Default: SGD, learning rate 0.01, no momentum.
    var activeOptimizer: Optimizer = .standard
    /// Number of floats in W1, b1, W2, b2, … together.
    public let parameterCount: Int
    /// `step` first scales the gradients so that their global L2 norm is at most this; 0: off.
    var clipNorm: Float = 0
    /// The L2 penalty on weights, λ (Network+Regularization.swift); 0: none.
    var weightPenalty: Float = 0
    /// λ for each weight and 0 for each bias, in parameter order; nil without a penalty.
    var penaltyCoefficients: FloatBuffer?
    /// The dropout probability of each layer's output, 0…L (only hidden layers may be above 0).
    var layerDropout: [Float]
    /// The input and output transforms as the passes read them (FeatureTransform.swift; set by
    /// `setInputTransform` / `setOutputTransform`, read as `inputTransform` / `outputTransform`).
    var inputMap: PackedTransform?, outputMap: PackedTransform?
    /// The caller's own notes, saved in the model file (Metadata.swift; read as `metadata`).
    var userMetadata = Metadata()
    /// One writer or many readers (Access.swift): every public method holds it for its call.
    package let access: AccessGate
    /// Whether some layer drops units: `forward` then takes the dropout passes.
    var dropping = false
    /// Whether every gradient is known to be 0 (set by `zeroGrads` and a step, cleared by
    /// `backward` and `setGradients`): `trainStep` then skips zeroing them.
    var gradsAreZero = true
    /// Draws the dropout masks: the generator that drew the initial weights, continued (a loaded
    /// network continues the saved one), so the same seed gives the same run.
    var generator: SeededGenerator

    /// The largest layer width accepted (the C API's `uint32_t` sizes, and the ONNX and C exports,
    /// index with 32-bit integers).
    public static let maxLayerSize = Int(Int32.max)
    /// The largest batch accepted by one call, for the same reason.
    public static let maxBatch = Int(Int32.max)
    /// The most layers (sizes) a network may have: far more than any real network, and a bound
    /// that keeps a garbage count from reading far past a caller's arrays or a file's text.
    public static let maxLayers = 4096

    struct Layer {
        let inputs: Int, outputs: Int
        let weightOffset: Int
        let biasOffset: Int?
        let activation: Activation
    }

    /// One layer's parameters and gradients in place.
    struct LayerView {
        let inputs: Int, outputs: Int
        let weights: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?
        let weightGrad: UnsafeMutablePointer<Float>, biasGrad: UnsafeMutablePointer<Float>?
        let activation: Activation
    }

    let layers: [Layer]
    /// The flat order of the parameters (ParameterLayout.swift).
    let layout: ParameterLayout
    /// The layers again, as raw pointers into `params` and `grads`: the passes walk this table,
    /// which costs no reference counting and no optional-offset arithmetic per call (a large
    /// part of a tiny network's time; benchmarks/RESULTS.md).
    let views: UnsafeMutableBufferPointer<LayerView>
    let inputWidth: Int, outputWidth: Int
    let params: FloatBuffer
    let grads: FloatBuffer
    var optimizerState = OptimizerState()
    /// What the last `forward` kept for `backward`.
    var cache: ForwardCache?
    /// Rows kept by the last `forward`; 0 when there is nothing `backward` may use.
    var cachedBatch = 0
    let widest: Int
    /// The widest non-input layer.
    let widestLayer: Int
    /// Batches up to this many rows take the fused row passes (Network+RowPasses.swift).
    var rowPassLimit: Int
    /// `predict`'s scratch, kept so that repeated calls allocate nothing.
    let predictScratch = KeptScratch()

    /// Creates a network whose layers start as their activations' `initialization` says, biases
    /// 0, drawn in parameter order from `SeededGenerator(seed:)`: the same seed gives bitwise the
    /// same network.
    ///
    /// - Throws: `.argument` for fewer than two layers, a zero or too-large width, or an
    ///   activation count other than `sizes.count - 1`; `.memory` when the parameters cannot be
    ///   allocated.
    public init(sizes: [Int], activations: [Activation], bias: Bool = true, seed: UInt64 = 0) throws(PlexusError) {
        guard sizes.count >= 2 else {
            throw .argument("a network needs at least 2 layer sizes (inputs and outputs), got \(sizes.count)")
        }
        guard activations.count == sizes.count - 1 else {
            throw .argument("\(sizes.count) layer sizes need \(sizes.count - 1) activations (one per non-input layer), got \(activations.count)")
        }
        for (index, size) in sizes.enumerated() where size < 1 || size > Network.maxLayerSize {
            throw .argument("sizes[\(index)] is \(size); each layer needs between 1 and \(Network.maxLayerSize) neurons")
        }
        let layout: ParameterLayout
        do {
            layout = try ParameterLayout(sizes: sizes, bias: bias)
        } catch {
            let l = error.layer
            throw .memory("layer \(l) (\(sizes[l - 1]) → \(sizes[l])) makes the parameter count overflow; use smaller layers")
        }
        let layers = zip(layout.layers, activations).map { slot, activation in
            Layer(inputs: slot.inputs, outputs: slot.outputs, weightOffset: slot.weightOffset,
                  biasOffset: slot.biasOffset, activation: activation)
        }
        let offset = layout.count
        self.sizes = sizes
        self.activations = activations
        self.hasBias = bias
        self.layers = layers
        self.layout = layout
        self.parameterCount = offset
        self.widest = sizes.max()!
        self.widestLayer = sizes.dropFirst().max()!
        self.rowPassLimit = Network.rowPassLimit(layers)
        self.layerDropout = Array(repeating: 0, count: sizes.count)
        self.generator = SeededGenerator(seed: seed)
        access = try AccessGate(type: PLXS_HANDLE_NET)
        let params = try FloatBuffer(count: offset, purpose: "\(offset) parameters")
        let grads = try FloatBuffer(count: offset, purpose: "\(offset) gradients")
        self.params = params
        self.grads = grads
        self.inputWidth = sizes[0]
        self.outputWidth = sizes[sizes.count - 1]
        views = .allocate(capacity: layers.count)
        _ = views.initialize(from: layers.map { layer in
            LayerView(inputs: layer.inputs, outputs: layer.outputs,
                      weights: params.pointer + layer.weightOffset, bias: layer.biasOffset.map { params.pointer + $0 },
                      weightGrad: grads.pointer + layer.weightOffset, biasGrad: layer.biasOffset.map { grads.pointer + $0 },
                      activation: layer.activation)
        })
        initializeParameters()
    }

    deinit {
        views.deallocate()
        inputMap?.release()
        outputMap?.release()
    }

    /// Draws every layer's weights in parameter order (WeightInitialization.swift); biases stay 0.
    private func initializeParameters() {
        var generator = self.generator
        defer { self.generator = generator }
        for layer in layers {
            layer.activation.initialization.draw(into: params.pointer + layer.weightOffset, fanIn: layer.inputs,
                                                 fanOut: layer.outputs, from: &generator)
        }
    }

    /// Number of layers including the input layer (L + 1).
    public var layerCount: Int { sizes.count }

    /// The loss `backward` computes. Default: `.mse`. Throws `.busy` while another thread writes.
    public var loss: Loss {
        get throws(PlexusError) { try access.reading { activeLoss } }
    }

    /// Chooses the loss. Throws `.argument` when the output activation does not fit it, `.state`
    /// from an epoch callback, `.busy` while another thread uses the network.
    public func setLoss(_ loss: Loss) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        try checkNotTraining()
        try loss.checkCompatible(withOutput: layers.last!.activation)
        activeLoss = loss
    }

    /// The update `step` applies. Default: SGD, learning rate 0.01, no momentum.
    public var optimizer: Optimizer {
        get throws(PlexusError) { try access.reading { activeOptimizer } }
    }

    /// Chooses the optimizer. Changing hyperparameters of the same kind keeps its state (momentum
    /// buffers, moments, averages and step count), as editing `param_groups` does in PyTorch;
    /// switching to another kind starts the new one from scratch.
    /// - Throws: `.argument` for a hyperparameter outside its range.
    public func setOptimizer(_ optimizer: Optimizer) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        try replaceOptimizer(optimizer)
    }

    /// `setOptimizer` as the C API's per-kind setters do it: the weight decay kept when the kind
    /// stays (editing a param group), 0 when it changes (a new torch optimizer's default), both
    /// decided under the same hold as the change.
    package func setOptimizer(keepingWeightDecay optimizer: Optimizer) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let decay = activeOptimizer.kind == optimizer.kind ? activeOptimizer.weightDecay : 0
        try replaceOptimizer(optimizer.with(weightDecay: decay))
    }

    private func replaceOptimizer(_ optimizer: Optimizer) throws(PlexusError) {
        try optimizer.validate()
        if !Optimizer.keepsState(from: activeOptimizer, to: optimizer) { optimizerState.reset() }
        activeOptimizer = optimizer
    }

    /// How many optimizer steps have been applied since the optimizer kind was last chosen.
    public var optimizerSteps: Int {
        get throws(PlexusError) { try access.reading { optimizerState.steps } }
    }

    /// Whether `train` is running on this network; only its own thread (the epoch callback) sees
    /// true, since every other thread's read is refused with `.busy` meanwhile.
    public var isTraining: Bool {
        get throws(PlexusError) { try access.reading { trainingNow } }
    }

    /// The shape, the activations and, unless another thread is writing, the loss and optimizer.
    public var description: String {
        let shape = sizes.map(String.init).joined(separator: "-")
        let functions = activations.map(\.description).joined(separator: ", ")
        guard let token = try? access.beginReading() else {
            return "Network(\(shape), [\(functions)], bias: \(hasBias), busy)"
        }
        defer { access.endReading(token) }
        return "Network(\(shape), [\(functions)], bias: \(hasBias), loss: \(activeLoss), \(activeOptimizer))"
    }

    /// The activation of weight layer `layer` (1…L).
    /// - Throws: `.argument` unless `layer` names a non-input layer.
    public func activation(ofLayer layer: Int) throws(PlexusError) -> Activation {
        try checkLayer(layer)
        return activations[layer - 1]
    }

    /// Throws `.argument` unless `layer` names a non-input layer (1…L): the one check of a weight
    /// layer's number, for the Swift API and the C API alike.
    func checkLayer(_ layer: Int) throws(PlexusError) {
        guard layer >= 1 && layer < sizes.count else { throw missingLayer("\(layer)") }
    }

    /// Throws `.state` while `train` runs on this network, for the calls its epoch callback may
    /// not make: those that run passes of their own or change what the run set up and checked
    /// (training, forward, backward, step, the gradients, the loss, dropout). The callback may
    /// read the network, save or export it, and set the optimizer, the weight decay, gradient
    /// clipping and the parameters (a rate per epoch by hand, a constraint on the weights).
    ///
    /// Called only by a caller that holds the network (as a reader or the writer, counted or
    /// nested): `trainingNow` is then true only when this thread is the training one, so the
    /// plain read races with nothing.
    @inline(__always)
    func checkNotTraining() throws(PlexusError) {
        if trainingNow { throw refusedInCallback() }
    }

    @inline(never)
    private func refusedInCallback() -> PlexusError {
        .state("the net is being trained (this call comes from its epoch callback), and a callback may read it, save or export it, and set its optimizer, weight decay, gradient clipping or parameters, but not run passes or change its gradients, loss or dropout; return nonzero from the callback to stop training first")
    }

    /// A weight layer's number as C passes it (a `size_t`), checked as `checkLayer` does, the
    /// message naming the value as given however large.
    public func checkedLayer(_ layer: UInt) throws(PlexusError) -> Int {
        guard layer >= 1 && layer < UInt(sizes.count) else { throw missingLayer("\(layer)") }
        return Int(layer)
    }

    private func missingLayer(_ layer: String) -> PlexusError {
        .argument("layer \(layer) does not exist; weight layers are numbered 1…\(sizes.count - 1) (layer 0 is the input)")
    }
}
