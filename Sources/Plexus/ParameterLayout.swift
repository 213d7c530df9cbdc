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

    /// The layout of `sizes` (inputs first).
    /// - Throws: `Overflow` naming the first layer whose floats make the count overflow `Int`.
    init(sizes: [Int], bias: Bool) throws(Overflow) {
        var layers: [Layer] = []
        var offset = 0
        for l in 1..<sizes.count {
            let inputs = sizes[l - 1], outputs = sizes[l]
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

    /// The model file's parameter tensors, in flat order: `layers.{i}.weight` [out, in] and
    /// `layers.{i}.bias` [out] for i from 0.
    var tensors: [TensorSlot] {
        var slots: [TensorSlot] = []
        for (i, layer) in layers.enumerated() {
            slots.append(TensorSlot(name: "layers.\(i).weight", shape: [layer.outputs, layer.inputs], offset: layer.weightOffset))
            if let bias = layer.biasOffset {
                slots.append(TensorSlot(name: "layers.\(i).bias", shape: [layer.outputs], offset: bias))
            }
        }
        return slots
    }

    /// The optimizer-state tensors named with `suffix` (torch.optim's names), one per parameter
    /// tensor, at the same offsets in their own flat buffer.
    func stateTensors(_ suffix: String) -> [TensorSlot] {
        tensors.map { TensorSlot(name: "optimizer.\($0.name).\(suffix)", shape: $0.shape, offset: $0.offset) }
    }
}
