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
    /// The widths of the dense chain the passes run: the inputs' (the input shape's features
    /// together), then each dense layer's units. For a network of dense layers only, as
    /// `init(sizes:…)` builds, these are its layers; dropout layers take no place here (`layers`
    /// and `places` number every layer).
    public let sizes: [Int]
    /// The activation of each dense layer: `activations[l-1]` belongs to `sizes[l]`.
    public let activations: [Activation]
    /// Whether every dense layer has biases (seed 004's network has none).
    public let hasBias: Bool
    /// The shape of one input row, channels first (a row is it flattened).
    public let inputShape: [Int]
    /// The layers as built, their settings as created (`layers` gives the current ones).
    let builtLayers: [Layer]
    /// Where layer k (1…L) lives in the dense chain: `places[k-1]`.
    let places: [Place]
    /// The `i` of each dense layer's tensors (`layers.{i}.weight`) in model and ONNX files, in
    /// chain order: its layer number (1…L) in version 5; in versions 1 to 4, which hold only
    /// networks of dense layers, its index from 0, as they always did.
    var fileTensorNumbers: [Int] { namesLayersByNumber ? entryNumbers : Array(0..<denseLayers.count) }
    /// `fileTensorNumbers` of the dense layers alone, in chain order.
    var denseFileNumbers: [Int] { namesLayersByNumber ? denseLayerNumbers : Array(0..<denseLayers.count) }
    /// Each layer norm's layer number (1…L), by norm.
    var normLayerNumbers: [Int] {
        places.indices.compactMap { i in if case .norm = places[i] { i + 1 } else { nil } }
    }
    /// Each dense layer's number (1…L), in chain order: the `i` of its tensors' names in the API.
    var denseLayerNumbers: [Int] { places.indices.filter { places[$0].denseIndex != nil }.map { $0 + 1 } }
    /// The output shape of each layer, the input's first (0…L).
    let shapes: [[Int]]
    /// Whether the model file must name tensors by layer number and list the layers (version 5):
    /// a dropout or layer-norm layer, or biases on some dense layers only, which older versions
    /// cannot hold.
    let namesLayersByNumber: Bool
    /// The number of each layer that holds tensors, in parameter order.
    let entryNumbers: [Int]
    /// The layers after each position's dense layer, as built (`Chain.operations`).
    let builtOperations: [[Operation]]
    /// What each position 0…L runs after its dense layer (`activeOperations`), kept in step with
    /// the dropout rates by `setDropout`.
    var runOperations: [[Operation]] {
        didSet { hasOperations = runOperations.contains { !$0.isEmpty } }
    }
    /// Whether some position runs layers after its dense layer (the passes skip all of that
    /// otherwise, so a plain network's passes are what they were).
    private(set) var hasOperations = false
    /// The layer norms, in layer order.
    let norms: [NormSlot]
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
    /// The most dimensions an input shape may have.
    public static let maxRank = 8
    /// The most layers (sizes) a network may have: far more than any real network, and a bound
    /// that keeps a garbage count from reading far past a caller's arrays or a file's text.
    public static let maxLayers = 4096

    /// A dense layer as the passes see it (numbered 1… in `sizes`, which a network built with
    /// dropout layers numbers differently from its layers: `places`).
    struct DenseLayer {
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

    let denseLayers: [DenseLayer]
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

    /// Creates a dense network: `sizes[0]` inputs, then one dense layer of `sizes[l]` units and
    /// activation `activations[l-1]` per l, all with biases or none. The same network as
    /// `init(inputShape: [sizes[0]], layers: [.dense(sizes[1], activation: activations[0],
    /// bias: bias), …], seed: seed)`, bitwise.
    ///
    /// - Throws: `.argument` for fewer than two layers, a zero or too-large width, or an
    ///   activation count other than `sizes.count - 1`; `.memory` when the parameters cannot be
    ///   allocated.
    public convenience init(sizes: [Int], activations: [Activation], bias: Bool = true, seed: UInt64 = 0) throws(PlexusError) {
        guard sizes.count >= 2 else {
            throw .argument("a network needs at least 2 layer sizes (inputs and outputs), got \(sizes.count)")
        }
        guard activations.count == sizes.count - 1 else {
            throw .argument("\(sizes.count) layer sizes need \(sizes.count - 1) activations (one per non-input layer), got \(activations.count)")
        }
        for (index, size) in sizes.enumerated() where size < 1 || size > Network.maxLayerSize {
            throw .argument("sizes[\(index)] is \(size); each layer needs between 1 and \(Network.maxLayerSize) neurons")
        }
        try self.init(inputShape: [sizes[0]], layers: zip(sizes.dropFirst(), activations).map { .dense($0, activation: $1, bias: bias) },
                      seed: seed)
    }

    /// Creates a network from its layers, in order, for rows of `inputShape` (channels first; a
    /// row is the input flattened). Each dense layer's weights start as its activation's
    /// `initialization` says, biases 0, drawn in parameter order from `SeededGenerator(seed:)`:
    /// the same seed gives bitwise the same network.
    ///
    /// - Throws: `.argument` naming the layer for settings out of range or a layer that cannot
    ///   take its input or its place (Layer.swift and each kind's file say which), for no
    ///   layers, more than `maxLayers`, or no dense layer; `.memory` when the parameters cannot
    ///   be allocated.
    public init(inputShape: [Int], layers built: [Layer], seed: UInt64 = 0) throws(PlexusError) {
        let chain = try Chain(inputShape: inputShape, layers: built)
        let (sizes, activations, biases, places) = (chain.sizes, chain.activations, chain.biases, chain.places)
        let layout: ParameterLayout
        do {
            layout = try ParameterLayout(entries: chain.entries)
        } catch {
            throw .memory("layer \(chain.entryNumbers[error.layer - 1]) makes the parameter count overflow; use smaller layers")
        }
        let layers = zip(layout.layers, activations).map { slot, activation in
            DenseLayer(inputs: slot.inputs, outputs: slot.outputs, weightOffset: slot.weightOffset,
                       biasOffset: slot.biasOffset, activation: activation)
        }
        let offset = layout.count
        self.inputShape = inputShape
        self.builtLayers = built
        self.places = places
        self.shapes = chain.shapes
        self.sizes = sizes
        self.activations = activations
        self.hasBias = !biases.contains(false)
        self.namesLayersByNumber = places.contains { $0.denseIndex == nil } || Set(biases).count > 1
        self.entryNumbers = chain.entryNumbers
        self.builtOperations = chain.operations
        self.norms = zip(chain.norms, layout.norms).map { spec, slot in
            NormSlot(position: spec.position, width: spec.width, groups: spec.groups, eps: spec.eps,
                     weightOffset: slot.weightOffset, biasOffset: slot.biasOffset)
        }
        self.denseLayers = layers
        self.layout = layout
        self.parameterCount = offset
        self.widest = sizes.max()!
        // A layer norm on the inputs writes them into predict's scratch, which then holds them too.
        self.widestLayer = chain.operations[0].isEmpty ? sizes.dropFirst().max()! : sizes.max()!
        // The fused row passes know dense layers and dropout only.
        self.rowPassLimit = chain.norms.isEmpty ? Network.rowPassLimit(layers) : 0
        self.layerDropout = chain.dropout
        self.dropping = chain.dropout.contains { $0 > 0 }
        self.runOperations = Network.activeOperations(chain.operations, dropout: chain.dropout)
        self.hasOperations = runOperations.contains { !$0.isEmpty }
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
        for norm in norms {
            if let weight = norm.weightOffset { (params.pointer + weight).update(repeating: 1, count: norm.width) }
        }
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
        for layer in denseLayers {
            layer.activation.initialization.draw(into: params.pointer + layer.weightOffset, fanIn: layer.inputs,
                                                 fanOut: layer.outputs, from: &generator)
        }
    }

    /// Number of layers including the input layer (L + 1).
    public var layerCount: Int { places.count + 1 }

    /// The dense chain the passes run for a list of layers: the widths, activations and biases
    /// of its dense layers, the dropout rate on each one's outputs, where each layer lives in it
    /// and each layer's output shape. The one reading of a layer list, for `init` and the model
    /// file's reader.
    struct Chain {
        var sizes: [Int], activations: [Activation] = [], biases: [Bool] = []
        var dropout: [Float] = [0], places: [Place] = [], shapes: [[Int]]
        /// The layers that hold tensors, in layer order, and each one's number.
        var entries: [ParameterLayout.Entry] = [], entryNumbers: [Int] = []
        /// The layers after each position's dense layer (position 0: the input), in order.
        var operations: [[Operation]] = [[]]
        /// Each layer norm's place and settings.
        var norms: [NormSpec] = []

        struct NormSpec { let position: Int, width: Int, groups: Int, eps: Float }

        /// - Throws: `.argument` as `init(inputShape:layers:seed:)` says.
        init(inputShape: [Int], layers built: [Layer]) throws(PlexusError) {
            guard !built.isEmpty else { throw .argument("a network needs at least one layer") }
            guard built.count < Network.maxLayers else {
                throw .argument("\(built.count) layers; at most \(Network.maxLayers - 1) are supported")
            }
            guard !inputShape.isEmpty, inputShape.count <= Network.maxRank, let inputFeatures = featureCount(inputShape) else {
                throw .argument("input shape \(inputShape) is not a shape: give 1 to \(Network.maxRank) extents, each at least 1, whose product is at most \(Network.maxLayerSize)")
            }
            sizes = [inputFeatures]
            shapes = [inputShape]
            for (i, layer) in built.enumerated() {
                shapes.append(try layer.outputShape(input: shapes[i], number: i + 1, of: built.count, after: i > 0 ? built[i - 1] : nil))
                switch layer {
                case let .dense(units, activation, bias):
                    entries.append(.dense(inputs: sizes.last!, outputs: units, bias: bias))
                    entryNumbers.append(i + 1)
                    sizes.append(units)
                    activations.append(activation)
                    biases.append(bias)
                    dropout.append(0)
                    operations.append([])
                    places.append(.dense(sizes.count - 1))
                case let .dropout(rate):
                    dropout[sizes.count - 1] = rate
                    operations[sizes.count - 1].append(.dropout)
                    places.append(.dropout(sizes.count - 1))
                case let .layerNorm(eps, affine):
                    let shape = shapes[i], width = sizes.last!
                    entries.append(.norm(width: shape.last!, affine: affine))
                    entryNumbers.append(i + 1)
                    operations[sizes.count - 1].append(.norm(norms.count))
                    places.append(.norm(sizes.count - 1, norms.count))
                    norms.append(NormSpec(position: sizes.count - 1, width: shape.last!, groups: width / shape.last!, eps: eps))
                }
            }
            guard case .dense? = built.last else {
                throw .argument("layer \(built.count) is \(built.last!); the last layer must be a dense layer (it gives the outputs)")
            }
        }
    }

    /// Where a layer lives in the dense chain the passes run.
    enum Place: Equatable {
        /// Dense layer `sizes[index]`.
        case dense(Int)
        /// Dropout on the outputs of dense layer `sizes[index]` (its rate: `layerDropout[index]`).
        case dropout(Int)
        /// Layer norm `norm` (in `norms`) after dense layer `sizes[index]` (0: on the input).
        case norm(Int, Int)

        var denseIndex: Int? { if case let .dense(index) = self { index } else { nil } }
        var chainIndex: Int { switch self { case let .dense(index), let .dropout(index), let .norm(index, _): index } }
    }

    /// A layer after a position's dense layer, as the passes run it.
    enum Operation: Equatable {
        /// The dropout on that position (`layerDropout`), drawn in training only.
        case dropout
        /// Layer norm k of `norms`.
        case norm(Int)
    }

    /// A layer norm as the passes run it: after dense layer `sizes[position]` (0: on the inputs),
    /// `groups` groups of `width` values per row, its γ and β in the parameters.
    struct NormSlot {
        let position: Int, width: Int, groups: Int
        let eps: Float
        let weightOffset: Int?, biasOffset: Int?
    }

    /// The operations each position runs: its layers' (a dropout of rate 0 left out), or, after a
    /// dense layer that no other layer follows, the dropout `setDropout` put on it.
    static func activeOperations(_ built: [[Operation]], dropout: [Float]) -> [[Operation]] {
        built.indices.map { p in
            let operations = built[p].filter { $0 != .dropout || dropout[p] > 0 }
            return built[p].isEmpty && dropout[p] > 0 ? [.dropout] : operations
        }
    }

    /// Brings what the passes run in step with `layerDropout` after it changed.
    func dropoutChanged() {
        dropping = layerDropout.contains { $0 > 0 }
        runOperations = Network.activeOperations(builtOperations, dropout: layerDropout)
    }

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
        try loss.checkCompatible(withOutput: denseLayers.last!.activation)
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

    /// The activation of dense layer `layer` (1…L).
    /// - Throws: `.argument` unless `layer` names a dense layer.
    public func activation(ofLayer layer: Int) throws(PlexusError) -> Activation {
        activations[try denseIndex(ofLayer: layer) - 1]
    }

    /// The layers in the order built, with their current settings (a dropout layer's rate as
    /// `setDropout` last set it).
    public var layers: [Layer] {
        get throws(PlexusError) { try access.reading { currentLayers } }
    }

    /// `layers` for a caller that holds the network.
    var currentLayers: [Layer] {
        zip(builtLayers, places).map { layer, place in
            if case let .dropout(index) = place { return .dropout(layerDropout[index]) }
            return layer
        }
    }

    /// The shape of layer `layer`'s output (0 is the input: `inputShape`).
    /// - Throws: `.argument` for a layer outside 0…L.
    public func outputShape(ofLayer layer: Int) throws(PlexusError) -> [Int] {
        guard layer >= 0 && layer < shapes.count else {
            throw .argument("layer \(layer) does not exist; layers are numbered 0…\(shapes.count - 1) (0 is the input)")
        }
        return shapes[layer]
    }

    /// Throws `.argument` unless `layer` names a non-input layer (1…L): the one check of a
    /// layer's number, for the Swift API and the C API alike.
    func checkLayer(_ layer: Int) throws(PlexusError) {
        guard layer >= 1 && layer <= places.count else { throw missingLayer("\(layer)") }
    }

    /// The index in `sizes` of layer `layer` (1…L), which must be a dense layer.
    /// - Throws: `.argument` for a layer that does not exist or is of another kind.
    func denseIndex(ofLayer layer: Int) throws(PlexusError) -> Int {
        try checkLayer(layer)
        guard let index = places[layer - 1].denseIndex else {
            let kind = builtLayers[layer - 1].kind
            throw .argument("layer \(layer) is a \(kind) layer, which has no \(kind == .layerNorm ? "activation" : "weights or activation"); the dense layers are \(denseLayerList)")
        }
        return index
    }

    /// "1, 3 and 5": the numbers of the dense layers, for messages.
    private var denseLayerList: String {
        let numbers = denseLayerNumbers.map(String.init)
        return numbers.count == 1 ? numbers[0] : numbers.dropLast().joined(separator: ", ") + " and " + numbers.last!
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

    /// A layer's number as C passes it (a `size_t`), checked as `checkLayer` does, the message
    /// naming the value as given however large.
    public func checkedLayer(_ layer: UInt) throws(PlexusError) -> Int {
        guard layer >= 1 && layer <= UInt(places.count) else { throw missingLayer("\(layer)") }
        return Int(layer)
    }

    private func missingLayer(_ layer: String) -> PlexusError {
        .argument("layer \(layer) does not exist; \(places.count == sizes.count - 1 ? "weight " : "")layers are numbered 1…\(places.count) (layer 0 is the input)")
    }
}
