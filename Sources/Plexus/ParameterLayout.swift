/// Where each layer's floats live in a network's flat buffers: W1, b1, W2, b2, … (no b's without
/// biases), W_l as [sizes[l]][sizes[l−1]]. The one computation of that order: `Network.init`
/// lays out its parameters, gradients and optimizer state with it, and the model file's encoder
/// and decoder name and check their tensors with it.
struct ParameterLayout {
    /// One weight layer l (1…L): its widths and where its weights and biases start.
    struct Layer {
        let inputs: Int, outputs: Int
        let weightOffset: Int
        let biasOffset: Int?
    }

    let layers: [Layer]
    /// Floats in W1, b1, W2, b2, … together.
    let count: Int

    /// The layer (1…L) at which the float count overflows `Int`.
    struct Overflow: Error { let layer: Int }

    /// The layout of `sizes` (inputs first), every layer with biases or none.
    init(sizes: [Int], bias: Bool) throws(Overflow) {
        try self.init(sizes: sizes, biases: Array(repeating: bias, count: sizes.count - 1))
    }

    /// The layout of `sizes` (inputs first), layer l with biases when `biases[l-1]`.
    /// - Throws: `Overflow` naming the first layer whose floats make the count overflow `Int`.
    init(sizes: [Int], biases: [Bool]) throws(Overflow) {
        var layers: [Layer] = []
        var offset = 0
        for l in 1..<sizes.count {
            let inputs = sizes[l - 1], outputs = sizes[l], bias = biases[l - 1]
            guard let weights = checkedProduct(outputs, inputs),
                  case let (afterWeights, false) = offset.addingReportingOverflow(weights),
                  case let (afterBias, false) = afterWeights.addingReportingOverflow(bias ? outputs : 0)
            else { throw Overflow(layer: l) }
            layers.append(Layer(inputs: inputs, outputs: outputs, weightOffset: offset, biasOffset: bias ? afterWeights : nil))
            offset = afterBias
        }
        self.layers = layers
        count = offset
    }

    /// The parameter tensors, in flat order: `layers.{i}.weight` [out, in] and `layers.{i}.bias`
    /// [out], i being `numbers[l-1]` for dense layer l: its layer number (1…L) as the API and
    /// version 5 of the model file name it, or l − 1 in the files of versions 1 to 4.
    func tensors(numbers: [Int]) -> [TensorSlot] {
        var slots: [TensorSlot] = []
        for (layer, i) in zip(layers, numbers) {
            slots.append(TensorSlot(name: "layers.\(i).weight", shape: [layer.outputs, layer.inputs], offset: layer.weightOffset))
            if let bias = layer.biasOffset {
                slots.append(TensorSlot(name: "layers.\(i).bias", shape: [layer.outputs], offset: bias))
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
