/// The buffers `forward` fills for `backward`, sized for up to `capacity` rows and reused while
/// batches fit: a_0 (a copy of x), a_1 … a_L, the output layer's z (the loss reads it), the z of
/// every hidden layer whose activation's derivative reads z, two δ buffers, for each chain
/// position whose dense layer is followed by other layers (`Network.runOperations`) the dense
/// layer's outputs before them and a dropout's mask, and for each layer norm its x̂ and 1/σ.
final class ForwardCache {
    let capacity: Int
    let storage: FloatBuffer
    /// Where each a_l starts (a plain buffer: no reference counting on the hot path).
    private let activations: UnsafeMutableBufferPointer<UnsafeMutablePointer<Float>>
    /// Where each kept z_l starts, nil for the layers that keep none (0 … L).
    private let preActivations: UnsafeMutableBufferPointer<UnsafeMutablePointer<Float>?>
    /// What each position's layers after its dense layer keep, nil where there are none (0 … L).
    private let dropouts: UnsafeMutableBufferPointer<Dropout?>
    /// Each layer norm's x̂ [rows][width] and 1/σ [rows · groups], by norm.
    private let norms: UnsafeMutableBufferPointer<Norm>
    /// The buffers as raw pointers: what the passes take, so that a call holds no reference to
    /// this object (a retain and release per call are a measurable share of a tiny network's step).
    let view: View

    /// A position's [rows][sizes[l]] dense outputs before the layers after it (`undropped`: the
    /// activation's derivative reads them), and the mask (0 or 1/(1−p)) when one is a dropout.
    struct Dropout {
        let mask: UnsafeMutablePointer<Float>?, undropped: UnsafeMutablePointer<Float>
    }

    /// A layer norm's kept x̂ and 1/σ.
    struct Norm {
        let normalized: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
    }

    struct View {
        let activations: UnsafePointer<UnsafeMutablePointer<Float>>
        let dropouts: UnsafePointer<Dropout?>
        let norms: UnsafePointer<Norm>
        let preActivations: UnsafePointer<UnsafeMutablePointer<Float>?>
        /// z_L: [rows][sizes[L]]
        let outputPreActivation: UnsafeMutablePointer<Float>
        /// Two [rows][widest] buffers that backward alternates between.
        let deltas: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)

        /// a_l: [rows][sizes[l]]
        @inline(__always)
        func activation(_ layer: Int) -> UnsafeMutablePointer<Float> { activations[layer] }

        /// z_l: [rows][sizes[l]] when layer l keeps it (the output layer always does), else nil.
        @inline(__always)
        func preActivation(_ layer: Int) -> UnsafeMutablePointer<Float>? { preActivations[layer] }

        /// Position l's kept buffers when layers follow its dense layer, else nil.
        @inline(__always)
        func dropout(_ layer: Int) -> Dropout? { dropouts[layer] }

        /// Layer norm k's kept buffers.
        @inline(__always)
        func norm(_ k: Int) -> Norm { norms[k] }
    }

    init(network: Network, rows: Int) throws(PlexusError) {
        let sizes = network.sizes
        var offsets: [Int] = []
        var total = 0
        func reserve(_ width: Int) throws(PlexusError) -> Int {
            guard let count = checkedProduct(rows, width), case let (end, false) = total.addingReportingOverflow(count) else {
                throw .memory("a batch of \(rows) rows needs more memory than can be addressed; use a smaller batch")
            }
            defer { total = end }
            return total
        }
        for width in sizes { offsets.append(try reserve(width)) }
        let preActivationOffset = try reserve(sizes.last!)
        var hiddenOffsets: [Int?] = [nil]
        for l in 1..<(sizes.count - 1) {
            hiddenOffsets.append(network.activations[l - 1].readsPreActivation ? try reserve(sizes[l]) : nil)
        }
        var dropoutOffsets: [(Int?, Int)?] = []
        for l in 0..<sizes.count {
            // The inputs have no activation whose derivative would read them before their norms.
            let operations = network.runOperations[l]
            guard l > 0 && !operations.isEmpty else { dropoutOffsets.append(nil); continue }
            dropoutOffsets.append((operations.contains(.dropout) ? try reserve(sizes[l]) : nil, try reserve(sizes[l])))
        }
        var normOffsets: [(Int, Int)] = []
        for norm in network.norms {
            normOffsets.append((try reserve(norm.width), try reserve(norm.groups)))
        }
        let deltaOffsets = (try reserve(network.widest), try reserve(network.widest))
        capacity = rows
        let storage = try FloatBuffer(count: total, purpose: "the activations of a \(rows)-row batch")
        self.storage = storage
        activations = .allocate(capacity: offsets.count)
        _ = activations.initialize(from: offsets.map { storage.pointer + $0 })
        preActivations = .allocate(capacity: sizes.count)
        _ = preActivations.initialize(from: hiddenOffsets.map { $0.map { storage.pointer + $0 } } + [storage.pointer + preActivationOffset])
        dropouts = .allocate(capacity: sizes.count)
        _ = dropouts.initialize(from: dropoutOffsets.map { $0.map { Dropout(mask: $0.0.map { storage.pointer + $0 }, undropped: storage.pointer + $0.1) } })
        norms = .allocate(capacity: max(1, normOffsets.count))
        _ = norms.initialize(from: normOffsets.map { Norm(normalized: storage.pointer + $0.0, rstd: storage.pointer + $0.1) })
        view = View(activations: UnsafePointer(activations.baseAddress!), dropouts: UnsafePointer(dropouts.baseAddress!),
                    norms: UnsafePointer(norms.baseAddress!),
                    preActivations: UnsafePointer(preActivations.baseAddress!),
                    outputPreActivation: storage.pointer + preActivationOffset,
                    deltas: (storage.pointer + deltaOffsets.0, storage.pointer + deltaOffsets.1))
    }

    deinit {
        activations.deallocate()
        preActivations.deallocate()
        dropouts.deallocate()
        norms.deallocate()
    }
}
