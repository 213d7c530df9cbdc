// Parameters by tensor name: `layers.{i}.weight` and `layers.{i}.bias` with i the layer's number
// (1…L, the API's numbering, as version 5 of the model file names them), in PyTorch's shapes:
// a dense layer's weight [units, inputs], a layer norm's weight and bias [features].

extension Network {
    /// Every parameter tensor's name and shape, in parameter order.
    public var tensorShapes: [(name: String, shape: [Int])] {
        layout.tensors(numbers: entryNumbers).map { ($0.name, $0.shape) }
    }

    /// The tensor called `name`, or `.argument` naming the tensors there are.
    func tensorSlot(named name: String) throws(PlexusError) -> TensorSlot {
        let slots = layout.tensors(numbers: entryNumbers)
        if let slot = slots.first(where: { $0.name == name }) { return slot }
        let listed = slots.prefix(8).map(\.name).joined(separator: ", ") + (slots.count > 8 ? ", …" : "")
        throw .argument("no tensor is called \"\(name.prefix(80))\"; this network's are \(listed) (layers.{i} with i the layer's number, 1…\(places.count))")
    }

    /// Copies tensor `name`'s floats (row-major) into `out`, which holds at least its count.
    /// - Throws: `.argument` for an unknown name or a buffer of fewer than `count` floats
    ///   (`needed` still receives the count); `.busy`.
    package func copyTensor(named name: String, to out: UnsafeMutablePointer<Float>?, capacity: Int,
                            needed: (Int) -> Void) throws(PlexusError) {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let slot = try tensorSlot(named: name)
        needed(slot.count)
        guard let out else { return }
        guard capacity >= slot.count else {
            throw .argument("tensor \"\(name)\" has \(slot.count) floats but the buffer holds \(capacity); *needed says how many")
        }
        out.update(from: params.pointer + slot.offset, count: slot.count)
    }

    /// Replaces tensor `name` from `values` (exactly its count). Drops the kept forward pass.
    /// - Throws: `.argument`, changing nothing, for an unknown name, another count or a
    ///   non-finite value; `.busy`.
    package func setTensor(named name: String, from values: UnsafePointer<Float>, count: Int) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        let slot = try tensorSlot(named: name)
        guard count == slot.count else {
            throw .argument("tensor \"\(name)\" has shape \(slot.shape), \(slot.count) floats, but \(count) were given")
        }
        for i in 0..<count where !values[i].isFinite {
            throw .argument("values[\(i)] is \(values[i]); values must be finite")
        }
        (params.pointer + slot.offset).update(from: values, count: count)
        cachedBatch = 0
    }

    /// Tensor `name`'s floats, row-major in its shape (`tensorShapes`).
    public func tensor(named name: String) throws(PlexusError) -> [Float] {
        var values: [Float] = []
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let slot = try tensorSlot(named: name)
        values = [Float](UnsafeBufferPointer(start: params.pointer + slot.offset, count: slot.count))
        return values
    }

    /// Replaces tensor `name` from `values`, row-major in its shape.
    public func setTensor(named name: String, _ values: [Float]) throws(PlexusError) {
        try values.withUnsafeBufferPointer { (buffer) throws(PlexusError) in
            guard let base = buffer.baseAddress else {
                throw PlexusError.argument("no values were given for tensor \"\(name.prefix(80))\"")
            }
            try setTensor(named: name, from: base, count: buffer.count)
        }
    }
}
