import CPlexusSupport
import Plexus

// The code export and the int8 models it writes: plexus_quantize, its accessors, plexus_export_c.

/// The object behind a plexus_quantized handle: the model, and each layer's arrays copied once into
/// memory that never moves, so that the pointers plexus_quantized_layer_info hands out stay valid
/// as long as the handle.
private final class QuantizedHandle {
    let model: QuantizedNetwork
    let layers: [PinnedLayer]
    /// Its slot: the handle's liveness (the model never changes, so every call reads).
    let access: AccessGate

    init(_ model: QuantizedNetwork) throws(PlexusError) {
        self.model = model
        layers = model.layers.map(PinnedLayer.init)
        access = try AccessGate(type: PLXS_HANDLE_QUANTIZED)
    }
}

private final class PinnedLayer {
    let weights: UnsafeMutableBufferPointer<Int8>, scales: UnsafeMutableBufferPointer<Float>
    let bias: UnsafeMutableBufferPointer<Int32>?, multipliers: UnsafeMutableBufferPointer<Int32>
    let shifts: UnsafeMutableBufferPointer<Int8>, table: UnsafeMutableBufferPointer<Int8>?
    let exps: UnsafeMutableBufferPointer<UInt16>?

    private static func pin<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
        _ = buffer.initialize(from: values)
        return buffer
    }

    init(_ layer: QuantizedNetwork.Layer) {
        weights = PinnedLayer.pin(layer.weights)
        scales = PinnedLayer.pin(layer.weightScales)
        bias = layer.bias.map(PinnedLayer.pin)
        multipliers = PinnedLayer.pin(layer.multipliers)
        shifts = PinnedLayer.pin(layer.shifts)
        table = layer.table.map(PinnedLayer.pin)
        exps = layer.softmaxExp.map(PinnedLayer.pin)
    }

    deinit {
        weights.deallocate(); scales.deallocate(); bias?.deallocate(); multipliers.deallocate()
        shifts.deallocate(); table?.deallocate(); exps?.deallocate()
    }
}

/// `withHandle` for a plexus_quantized.
private func withQuantized(_ handle: OpaquePointer?, _ body: (QuantizedHandle) throws(PlexusError) -> Void) throws(PlexusError) {
    try withHandle(handle, .quantized, as: QuantizedHandle.self, .reading, body)
}

@_cdecl("plexus_quantize")
public func plexus_quantize(_ net: OpaquePointer?, _ calibration: UnsafePointer<Float>?, _ rows: UInt,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    onNetwork("plexus_quantize", net, .reading) { (net) throws(PlexusError) in
        let calibration = try required(calibration, "calibration"), out = try required(out, "out")
        let model = try QuantizedNetwork(network: net, calibration: calibration, rows: try sizeArgument(rows, "rows"))
        let handle = try QuantizedHandle(model)
        out.pointee = makeHandle(handle, slot: handle.access.slot)
    }
}

@_cdecl("plexus_quantized_free")
public func plexus_quantized_free(_ q: OpaquePointer?) {
    freeHandle("plexus_quantized_free", q, .quantized)
}

@_cdecl("plexus_quantized_layer_count")
public func plexus_quantized_layer_count(_ q: OpaquePointer?) -> UInt {
    var count: UInt = 0
    _ = guarded("plexus_quantized_layer_count") { () throws(PlexusError) in
        try withQuantized(q) { (handle) throws(PlexusError) in count = UInt(handle.model.layers.count) }
    }
    return count
}

/// The sizes of the structs as 0.5.0 declared them.
let firstQuantizedLayerSize = MemoryLayout<plexus_quantized_layer>.offset(of: \plexus_quantized_layer.softmax_exp_count)!
    + MemoryLayout<UInt>.size
let firstExportOptionsSize = MemoryLayout<plexus_export_options>.offset(of: \plexus_export_options.max_parameters)!
    + MemoryLayout<UInt>.size

@_cdecl("plexus_quantized_layer_info")
public func plexus_quantized_layer_info(_ q: OpaquePointer?, _ layer: UInt, _ out: UnsafeMutablePointer<plexus_quantized_layer>?) -> Int32 {
    guarded("plexus_quantized_layer_info") { () throws(PlexusError) in try withQuantized(q) { (handle) throws(PlexusError) in
        let out = try required(out, "out")
        let destination = try ReportDestination(out, first: firstQuantizedLayerSize, name: "out", type: "plexus_quantized_layer")
        let count = handle.model.layers.count
        guard layer >= 1 && layer <= UInt(count) else {
            throw argumentError("layer is \(layer); this model's layers are 1 to \(count)")
        }
        let index = Int(layer) - 1
        let model = handle.model.layers[index], pinned = handle.layers[index]
        var info = plexus_quantized_layer()
        info.inputs = model.inputs
        info.outputs = model.outputs
        info.activation = plexus_activation(rawValue: UInt32(model.activation.rawValue))
        info.input_scale = model.inputScale
        info.input_zero_point = model.inputZeroPoint
        info.requant_scale = model.requantScale
        info.requant_zero_point = model.requantZeroPoint
        info.clamp_min = model.clampMin
        info.clamp_max = model.clampMax
        info.output_scale = model.outputScale
        info.output_zero_point = model.outputZeroPoint
        info.weights = UnsafePointer(pinned.weights.baseAddress)
        info.weight_scales = UnsafePointer(pinned.scales.baseAddress)
        info.bias = pinned.bias.map { UnsafePointer($0.baseAddress!) }
        info.multipliers = UnsafePointer(pinned.multipliers.baseAddress)
        info.shifts = UnsafePointer(pinned.shifts.baseAddress)
        info.table = pinned.table.map { UnsafePointer($0.baseAddress!) }
        info.softmax_exp = pinned.exps.map { UnsafePointer($0.baseAddress!) }
        info.softmax_exp_count = model.softmaxExp?.count ?? 0
        destination.write(info)
    } }
}

@_cdecl("plexus_export_c")
public func plexus_export_c(_ net: OpaquePointer?, _ dir: UnsafePointer<CChar>?, _ name: UnsafePointer<CChar>?,
                            _ options: UnsafePointer<plexus_export_options>?) -> Int32 {
    onNetwork("plexus_export_c", net, .reading) { (net) throws(PlexusError) in
        let folder = try text(dir, "dir"), name = try text(name, "name")
        var settings = CExportOptions()
        if let options {
            let given = try readStruct(options, first: firstExportOptionsSize, name: "options", type: "plexus_export_options")
            if let q = given.quantized { try withQuantized(q) { (handle) throws(PlexusError) in settings.quantized = handle.model } }
            settings.trainStep = given.train_step != 0
            settings.maxParameters = countClampedToIntMax(given.max_parameters)
        }
        try net.exportC(to: folder, name: name, options: settings)
    }
}
