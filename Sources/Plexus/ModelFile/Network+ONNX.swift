// Export to ONNX (opset 17): the protobuf encoding of the small subset an MLP needs is written by
// hand (about 100 lines) rather than through swift-protobuf, which would add a dependency, its
// runtime in the library and a code generator to the build for a dozen message fields.
//
// The graph: input "input" [batch, sizes[0]] (batch is the symbolic dimension "batch"), per layer
// i from 0 one Gemm (transB = 1, weights "layers.{i}.weight" [out, in], bias "layers.{i}.bias"
// when present) and its activation node, output "output" [batch, sizes[L]]. A network with an input
// transform starts with Sub and Mul nodes (x - shift, then * scale, initializers
// "transform.input.shift" and "transform.input.scale"); one with an output transform ends with Mul
// and Add (y' * scale, then + shift): the same two roundings as `predict`.

/// Appends protobuf wire-format fields to a byte array.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    private mutating func key(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    mutating func int(_ field: Int, _ value: Int64) { key(field, 0); varint(UInt64(bitPattern: value)) }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func bytes(_ field: Int, _ data: [UInt8]) { key(field, 2); varint(UInt64(data.count)); bytes.append(contentsOf: data) }

    mutating func string(_ field: Int, _ text: String) { bytes(field, Array(text.utf8)) }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }
}

/// What an activation contributes to an ONNX graph (Activation.swift says what for each): nodes,
/// and scalar float constants the nodes read by name (written as initializers).
struct ONNXSubgraph {
    struct Node {
        let op: String
        let inputs: [String]
        let outputs: [String]
        var intAttributes: [(name: String, value: Int64)] = []
        var floatAttributes: [(name: String, value: Float)] = []
    }

    var nodes: [Node] = []
    var constants: [(name: String, value: Float)] = []

    /// One node applying `op` to `input`, writing `output`.
    static func single(_ op: String, _ input: String, _ output: String, ints: [(String, Int64)] = [],
                       floats: [(String, Float)] = []) -> ONNXSubgraph {
        ONNXSubgraph(nodes: [Node(op: op, inputs: [input], outputs: [output],
                                  intAttributes: ints.map { (name: $0.0, value: $0.1) },
                                  floatAttributes: floats.map { (name: $0.0, value: $0.1) })])
    }
}

extension Network {
    /// The ONNX names of the model's input and output.
    public static let onnxInputName = "input"
    public static let onnxOutputName = "output"

    /// The network as an ONNX model (opset 17, IR version 8) that ONNX Runtime runs with outputs
    /// equal to `predict`'s within float32 rounding. Throws `.busy` while another thread writes.
    public func onnxModel() throws(PlexusError) -> [UInt8] {
        let token = try access.beginReading()
        defer { access.endReading(token) }
        let inputTransform = inputMap?.transform, outputTransform = outputMap?.transform
        var model = ProtobufWriter()
        model.int(1, 8)                                   // ModelProto.ir_version
        model.string(2, "plexus")                         // producer_name
        model.string(3, "\(PlexusVersion.string)")        // producer_version
        model.message(8) { $0.string(1, ""); $0.int(2, 17) }   // opset_import: ai.onnx 17
        model.message(7) { graph in                       // graph
            var current = Network.onnxInputName
            var constants: [(name: String, value: Float)] = []
            var vectors: [(name: String, values: [Float])] = []
            func emit(_ spec: ONNXSubgraph.Node, name: String) {
                graph.message(1) { node in
                    for input in spec.inputs { node.string(1, input) }
                    for output in spec.outputs { node.string(2, output) }
                    node.string(3, name)
                    node.string(4, spec.op)
                    for (name, value) in spec.intAttributes {
                        node.message(5) { $0.string(1, name); $0.int(3, value); $0.int(20, 2) }
                    }
                    for (name, value) in spec.floatAttributes {
                        node.message(5) { $0.string(1, name); $0.float(2, value); $0.int(20, 1) }
                    }
                }
            }
            if let inputTransform {
                emit(.init(op: "Sub", inputs: [current, "transform.input.shift"], outputs: ["transform.input.centered"]),
                     name: "transform.input.sub")
                emit(.init(op: "Mul", inputs: ["transform.input.centered", "transform.input.scale"], outputs: ["transform.input.output"]),
                     name: "transform.input.mul")
                vectors += [("transform.input.shift", inputTransform.shift), ("transform.input.scale", inputTransform.scale)]
                current = "transform.input.output"
            }
            // Each layer norm: LayerNormalization over the last axis (opset 17), its weight and
            // bias as [width] initializers (ones and no bias without affine).
            let normNumbers = normLayerNumbers
            func emitNorms(at position: Int) {
                for case let .norm(k) in builtOperations[position] {
                    let norm = norms[k], i = normNumbers[k]
                    let weight = norm.weightOffset.map { Array(UnsafeBufferPointer(start: params.pointer + $0, count: norm.width)) }
                    let bias = norm.biasOffset.map { Array(UnsafeBufferPointer(start: params.pointer + $0, count: norm.width)) }
                    vectors.append(("layers.\(i).weight", weight ?? Array(repeating: 1, count: norm.width)))
                    if let bias { vectors.append(("layers.\(i).bias", bias)) }
                    emit(.init(op: "LayerNormalization", inputs: [current, "layers.\(i).weight"] + (bias == nil ? [] : ["layers.\(i).bias"]),
                               outputs: ["layers.\(i).output"], intAttributes: [("axis", -1)], floatAttributes: [("epsilon", norm.eps)]),
                         name: "layers.\(i).layer_norm")
                    current = "layers.\(i).output"
                }
            }
            emitNorms(at: 0)
            let numbers = denseFileNumbers
            for (index, layer) in denseLayers.enumerated() {
                let i = numbers[index], isLast = index == denseLayers.count - 1
                let output = isLast && outputTransform == nil ? Network.onnxOutputName : "layers.\(i).output"
                let activation = layer.activation.onnx(input: "layers.\(i).linear", output: output,
                                                       prefix: "layers.\(i).\(layer.activation)")
                let linear = activation.nodes.isEmpty ? output : "layers.\(i).linear"
                graph.message(1) { node in                // NodeProto: Gemm
                    node.string(1, current)
                    node.string(1, "layers.\(i).weight")
                    if layer.biasOffset != nil { node.string(1, "layers.\(i).bias") }
                    node.string(2, linear)
                    node.string(3, "layers.\(i).gemm")
                    node.string(4, "Gemm")
                    node.message(5) { $0.string(1, "transB"); $0.int(3, 1); $0.int(20, 2) }   // INT attribute
                }
                for (k, spec) in activation.nodes.enumerated() {
                    emit(spec, name: "layers.\(i).\(layer.activation).\(k)")
                }
                constants += activation.constants
                current = output
                emitNorms(at: index + 1)
            }
            if let outputTransform {
                emit(.init(op: "Mul", inputs: [current, "transform.output.scale"], outputs: ["transform.output.scaled"]),
                     name: "transform.output.mul")
                emit(.init(op: "Add", inputs: ["transform.output.scaled", "transform.output.shift"], outputs: [Network.onnxOutputName]),
                     name: "transform.output.add")
                vectors += [("transform.output.scale", outputTransform.scale), ("transform.output.shift", outputTransform.shift)]
            }
            graph.string(2, "plexus_mlp")
            for (layer, i) in zip(denseLayers, numbers) {       // initializers: TensorProto with raw_data
                graph.message(5) { tensor in
                    tensor.int(1, Int64(layer.outputs)); tensor.int(1, Int64(layer.inputs))
                    tensor.int(2, 1)                      // FLOAT
                    tensor.string(8, "layers.\(i).weight")
                    tensor.bytes(9, littleEndianBytes(offset: layer.weightOffset, count: layer.inputs * layer.outputs))
                }
                if let bias = layer.biasOffset {
                    graph.message(5) { tensor in
                        tensor.int(1, Int64(layer.outputs))
                        tensor.int(2, 1)
                        tensor.string(8, "layers.\(i).bias")
                        tensor.bytes(9, littleEndianBytes(offset: bias, count: layer.outputs))
                    }
                }
            }
            for (name, values) in vectors {               // the transforms' [width] initializers
                graph.message(5) { tensor in
                    tensor.int(1, Int64(values.count))
                    tensor.int(2, 1)
                    tensor.string(8, name)
                    var bytes: [UInt8] = []
                    for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                    tensor.bytes(9, bytes)
                }
            }
            for (name, value) in constants {              // scalar float initializers
                graph.message(5) { tensor in
                    tensor.int(2, 1)                      // FLOAT, no dims: a scalar
                    tensor.string(8, name)
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { tensor.bytes(9, Array($0)) }
                }
            }
            graph.message(11) { valueInfo(&$0, Network.onnxInputName, width: sizes[0]) }
            graph.message(12) { valueInfo(&$0, Network.onnxOutputName, width: sizes.last!) }
        }
        return model.bytes
    }

    private func littleEndianBytes(offset: Int, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count * 4)
        for i in 0..<count {
            withUnsafeBytes(of: params.pointer[offset + i].bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// ValueInfoProto: a float tensor [batch, width] with a symbolic batch dimension.
    private func valueInfo(_ info: inout ProtobufWriter, _ name: String, width: Int) {
        info.string(1, name)
        info.message(2) { type in                         // TypeProto
            type.message(1) { tensor in                   // TypeProto.Tensor
                tensor.int(1, 1)                          // elem_type FLOAT
                tensor.message(2) { shape in              // TensorShapeProto
                    shape.message(1) { $0.string(2, "batch") }
                    shape.message(1) { $0.int(1, Int64(width)) }
                }
            }
        }
    }

    /// Writes `onnxModel()` to `path` atomically. - Throws: `.io` naming the path and the reason.
    public func exportONNX(to path: String) throws(PlexusError) {
        let bytes = try onnxModel()
        try bytes.withUnsafeBufferPointer { (buffer) throws(PlexusError) in
            try writeFileAtomically(UnsafeRawBufferPointer(buffer), to: path)
        }
    }
}
