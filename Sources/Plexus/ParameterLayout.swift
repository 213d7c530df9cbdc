/// Where each layer's floats live in a network's flat buffers: the layers' tensors in layer
/// order, weight before bias: W1, b1, (γ, β of a layer norm), W2, b2, …, W_l as
/// [sizes[l]][sizes[l−1]]. The one computation of that order: `Network.init` lays out its
/// parameters, gradients and optimizer state with it, and the model file's encoder and decoder
/// name and check their tensors with it.
struct ParameterLayout {
    /// One dense layer l (1…L in the chain): its widths and where its weights and biases start.
    struct Layer {
        let inputs: Int, outputs: Int
        let weightOffset: Int
        let biasOffset: Int?
    }

    /// One layer norm: its width and where its weight (γ) and bias (β) start (nil without affine).
    struct Norm {
        let width: Int
        let weightOffset: Int?, biasOffset: Int?
    }

    /// A layer that holds tensors, in layer order.
    enum Entry {
        case dense(inputs: Int, outputs: Int, bias: Bool)
        case norm(width: Int, affine: Bool)
    }

    let layers: [Layer]
    let norms: [Norm]
    /// Each entry's kind and index in `layers` or `norms`, in layer order.
    let order: [(dense: Bool, index: Int)]
    /// Floats in every tensor together.
    let count: Int

    /// The entry (1…, in layer order) at which the float count overflows `Int`.
    struct Overflow: Error { let layer: Int }

    /// The layout of `sizes` (inputs first), every layer with biases or none.
    init(sizes: [Int], bias: Bool) throws(Overflow) {
        try self.init(sizes: sizes, biases: Array(repeating: bias, count: sizes.count - 1))
    }

    /// The layout of `sizes` (inputs first), layer l with biases when `biases[l-1]`.
    init(sizes: [Int], biases: [Bool]) throws(Overflow) {
        try self.init(entries: (1..<sizes.count).map { .dense(inputs: sizes[$0 - 1], outputs: sizes[$0], bias: biases[$0 - 1]) })
    }

    /// The layout of `entries`, in order.
    /// - Throws: `Overflow` naming the first entry whose floats make the count overflow `Int`.
    init(entries: [Entry]) throws(Overflow) {
        var layers: [Layer] = [], norms: [Norm] = [], order: [(dense: Bool, index: Int)] = []
        var offset = 0
        func reserve(_ floats: Int?, _ entry: Int) throws(Overflow) -> Int {
            guard let floats, case let (end, false) = offset.addingReportingOverflow(floats) else { throw Overflow(layer: entry) }
            defer { offset = end }
            return offset
        }
        for (i, entry) in entries.enumerated() {
            switch entry {
            case let .dense(inputs, outputs, bias):
                let weights = try reserve(checkedProduct(outputs, inputs), i + 1)
                let biases = bias ? try reserve(outputs, i + 1) : nil
                order.append((true, layers.count))
                layers.append(Layer(inputs: inputs, outputs: outputs, weightOffset: weights, biasOffset: biases))
            case let .norm(width, affine):
                let weights = affine ? try reserve(width, i + 1) : nil
                let biases = affine ? try reserve(width, i + 1) : nil
                order.append((false, norms.count))
                norms.append(Norm(width: width, weightOffset: weights, biasOffset: biases))
            }
        }
        self.layers = layers
        self.norms = norms
        self.order = order
        count = offset
    }

    /// The parameter tensors, in flat order: a dense layer's `layers.{i}.weight` [out, in] and
    /// `layers.{i}.bias` [out], a layer norm's `layers.{i}.weight` and `layers.{i}.bias` [width],
    /// i being `numbers[k]` for entry k: its layer number (1…L) as the API and version 5 of the
    /// model file name it, or the dense layer's index from 0 in the files of versions 1 to 4.
    func tensors(numbers: [Int]) -> [TensorSlot] {
        var slots: [TensorSlot] = []
        for ((dense, index), i) in zip(order, numbers) {
            if dense {
                let layer = layers[index]
                slots.append(TensorSlot(name: "layers.\(i).weight", shape: [layer.outputs, layer.inputs], offset: layer.weightOffset))
                if let bias = layer.biasOffset {
                    slots.append(TensorSlot(name: "layers.\(i).bias", shape: [layer.outputs], offset: bias))
                }
            } else {
                let norm = norms[index]
                if let weight = norm.weightOffset { slots.append(TensorSlot(name: "layers.\(i).weight", shape: [norm.width], offset: weight)) }
                if let bias = norm.biasOffset { slots.append(TensorSlot(name: "layers.\(i).bias", shape: [norm.width], offset: bias)) }
            }
        }
        return slots
    }

    /// The optimizer-state tensors named with `suffix` (torch.optim's names), one per parameter
    /// tensor, at the same offsets in their own flat buffer.
    func stateTensors(_ suffix: String, numbers: [Int]) -> [TensorSlot] {
        tensors(numbers: numbers).map { TensorSlot(name: "optimizer.\($0.name).\(suffix)", shape: $0.shape, offset: $0.offset) }
    }
}
