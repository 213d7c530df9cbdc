#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Writing a network as a model file into memory.

extension Network {
    /// The model file's bytes in a buffer allocated with `malloc`; the caller releases it with `free`.
    /// `weightsOnly` leaves out the optimizer's state (its tensors, and a step count of 0): the
    /// file predicts and exports as the full one does, and training it starts the optimizer
    /// afresh, with the same kind and hyperparameters.
    /// - Throws: `.memory` when the buffer cannot be allocated; `.busy` while another thread writes.
    public func modelDataBuffer(weightsOnly: Bool = false) throws(PlexusError) -> UnsafeMutableRawBufferPointer {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let numbers = fileTensorNumbers
        var tensors: [(slot: TensorSlot, source: UnsafeMutablePointer<Float>)] = layout.tensors(numbers: numbers).map { ($0, params.pointer) }
        let version = ModelFormat.version(of: self)
        var metadata: [(String, String)] = [
            (ModelFormat.Key.format, ModelFormat.name),
            (ModelFormat.Key.formatVersion, "\(version)"),
            (ModelFormat.Key.libraryVersion, "\(PlexusVersion.string)"),
            (ModelFormat.Key.sizes, sizes.map(String.init).joined(separator: ",")),
            (ModelFormat.Key.activations, activations.map(\.description).joined(separator: ",")),
        ]
        if version >= 5 {
            metadata += [(ModelFormat.Key.inputShape, "[\(inputShape.map(String.init).joined(separator: ","))]"),
                         (ModelFormat.Key.layers, "[\(currentLayers.map(\.fileEntry).joined(separator: ","))]")]
        } else {
            metadata.append((ModelFormat.Key.bias, hasBias ? "true" : "false"))
        }
        metadata.append((ModelFormat.Key.loss, activeLoss.description))
        // The optimizer: its kind, its hyperparameters and whichever of its state tensors exist.
        metadata.append((ModelFormat.Key.optimizer, activeOptimizer.kind.description))
        metadata += activeOptimizer.hyperparameters.map { (ModelFormat.Key.hyperparameter($0.name), "\($0.value)") }
        for (index, state) in type(of: activeOptimizer.rule).stateTensors.enumerated() where !weightsOnly {
            if let buffer = optimizerState[index] {
                tensors += layout.stateTensors(state.name, numbers: numbers).map { ($0, buffer.pointer) }
            }
        }
        metadata += [(ModelFormat.Key.weightDecay, "\(activeOptimizer.weightDecay)"),
                     (ModelFormat.Key.gradClip, "\(clipNorm)"),
                     (ModelFormat.Key.dropout, layerDropout.dropFirst().dropLast().map { "\($0)" }.joined(separator: ",")),
                     (ModelFormat.Key.generator, generator.state.map(hex16).joined())]
        if weightPenalty != 0 { metadata.append((ModelFormat.Key.l2Penalty, "\(weightPenalty)")) }
        metadata.append((ModelFormat.Key.steps, weightsOnly ? "0" : "\(optimizerState.steps)"))
        metadata += userMetadata.all.map { ($0.key, $0.value) }

        // The transforms, read where the network keeps them: each block is [shift | scale].
        if let inputMap {
            let w = inputMap.width
            tensors += [(TensorSlot(name: ModelFormat.TransformTensor.inputShift.name, shape: [w], offset: 0), inputMap.values),
                        (TensorSlot(name: ModelFormat.TransformTensor.inputScale.name, shape: [w], offset: w), inputMap.values)]
        }
        if let outputMap {
            let w = outputMap.width
            tensors += [(TensorSlot(name: ModelFormat.TransformTensor.outputScale.name, shape: [w], offset: w), outputMap.values),
                        (TensorSlot(name: ModelFormat.TransformTensor.outputShift.name, shape: [w], offset: 0), outputMap.values)]
        }

        // Tensors tile the data section in this order, each right after the previous one.
        var dataBytes = 0
        var entries: [String] = []
        for (slot, _) in tensors {
            let end = dataBytes + slot.count * 4
            let shape = slot.shape.map(String.init).joined(separator: ",")
            entries.append("\(slot.name.jsonQuoted):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(dataBytes),\(end)]}")
            dataBytes = end
        }
        func header(crc: UInt32) -> [UInt8] {
            let hex = String(crc, radix: 16)
            let fields = metadata + [(ModelFormat.Key.crc32, String(repeating: "0", count: 8 - hex.count) + hex)]
            let meta = fields.map { "\($0.0.jsonQuoted):\($0.1.jsonQuoted)" }.joined(separator: ",")
            var text = Array("{\"__metadata__\":{\(meta)},\(entries.joined(separator: ","))}".utf8)
            // Pad with spaces so the data starts 8-byte aligned, as safetensors' own writer does.
            while (8 + text.count) % 8 != 0 { text.append(0x20) }
            return text
        }
        let headerLength = header(crc: 0).count
        let total = 8 + headerLength + dataBytes
        guard let raw = malloc(total) else {
            throw .memory("cannot allocate \(total) bytes for the model file")
        }
        let out = UnsafeMutableRawBufferPointer(start: raw, count: total)
        var cursor = 8 + headerLength
        for (slot, source) in tensors {
            for i in 0..<slot.count {
                out.storeBytes(of: source[slot.offset + i].bitPattern.littleEndian, toByteOffset: cursor, as: UInt32.self)
                cursor += 4
            }
        }
        let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: out[(8 + headerLength)...]))
        out.storeBytes(of: UInt64(headerLength).littleEndian, toByteOffset: 0, as: UInt64.self)
        let text = header(crc: crc)
        for (k, byte) in text.enumerated() { out[8 + k] = byte }
        return out
    }

    private func hex16(_ word: UInt64) -> String {
        let digits = String(word, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The model file's bytes (docs/model-format.md).
    public func modelData(weightsOnly: Bool = false) throws(PlexusError) -> [UInt8] {
        let buffer = try modelDataBuffer(weightsOnly: weightsOnly)
        defer { free(buffer.baseAddress) }
        return [UInt8](buffer)
    }
}
