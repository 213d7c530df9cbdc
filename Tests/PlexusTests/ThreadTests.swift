@_spi(Testing) import Plexus
import PlexusTestSupport
import Testing

/// Results do not depend on the thread count: the passes cut their work by shapes only, and
/// every product inside a task is single-threaded. (Other tests may run while the count changes;
/// by the same property their results do not change either.)
@Suite(.serialized) struct ThreadTests {
    private struct Run: Equatable {
        var parameters: [UInt32] = []
        var losses: [UInt32] = []
        var forward: [UInt32] = []
        var predictLong: [UInt32] = []
        var predictShort: [UInt32] = []
    }

    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    /// nil when equal, else how many values differ and the first (a short message, not the arrays).
    private func difference(_ a: [UInt32], _ b: [UInt32]) -> String? {
        guard a.count == b.count else { return "\(a.count) values against \(b.count)" }
        let differing = a.indices.filter { a[$0] != b[$0] }
        guard let first = differing.first else { return nil }
        return "\(differing.count) of \(a.count) values differ, first at \(first): " +
            "\(Float(bitPattern: a[first])) against \(Float(bitPattern: b[first]))"
    }

    /// Trains a fresh network (training batches of 64 rows: one block with tiled products), then
    /// runs forward and predict on 1,100 rows (three blocks) and predict on 100 rows (one block).
    private func run(sizes: [Int], activations: [Activation], bias: Bool, loss: Loss, optimizer: Optimizer,
                     threads: Int) throws -> Run {
        try Threads.setCount(threads)
        let net = try Network(sizes: sizes, activations: activations, bias: bias, seed: 21)
        try net.setLoss(loss)
        try net.setOptimizer(optimizer)
        let count = 1100, inputs = sizes[0], outputs = sizes.last!
        let x = uniformData(count: count * inputs, seed: 31)
        var y = [Float](repeating: 0, count: count * outputs)
        for r in 0..<count { y[r * outputs + (r * 7) % outputs] = 1 }
        var result = Run()
        result.losses = bits(try net.train(x: x, y: y, epochs: 2, batchSize: 64, shuffleSeed: 5))
        result.parameters = bits(try net.parameters)
        result.forward = bits(try net.forward(x))
        result.predictLong = bits(try net.predict(x))
        result.predictShort = bits(try net.predict(Array(x[0..<(100 * inputs)])))
        return result
    }

    @Test(.slow, arguments: [
        (sizes: [300, 200, 150, 10], activations: [Activation.relu, .tanh, .softmax], bias: true, loss: Loss.crossEntropy,
         optimizer: Optimizer.adam(learningRate: 1e-3)),
        (sizes: [260, 300, 3], activations: [Activation.sigmoid, .identity], bias: false, loss: Loss.mse,
         optimizer: Optimizer.sgd(learningRate: 0.05, momentum: 0.9)),
    ])
    func resultsDoNotDependOnTheThreadCount(
        _ net: (sizes: [Int], activations: [Activation], bias: Bool, loss: Loss, optimizer: Optimizer)
    ) throws {
        let initial = Threads.count
        defer { try? Threads.setCount(initial) }
        // The work really is cut: tiles in a training batch's products, blocks in the long batch,
        // and more parameters than one chunk of the parallel optimizer pass.
        let probe = try Network(sizes: net.sizes, activations: net.activations, bias: net.bias)
        let training = probe.cuts(batch: 64)
        #expect(training.blocks == 1 && training.forwardTiles.max()! > 1 && training.backwardTiles.max()! > 1)
        #expect(probe.cuts(batch: 1100).blocks == 3)
        #expect(probe.parameterCount > 32768)

        let reference = try run(sizes: net.sizes, activations: net.activations, bias: net.bias, loss: net.loss,
                                optimizer: net.optimizer, threads: 1)
        #expect(reference.parameters.contains { $0 != 0 } && Set(reference.losses).count == 2)
        for threads in [2, 3, 7] {
            let other = try run(sizes: net.sizes, activations: net.activations, bias: net.bias, loss: net.loss,
                                optimizer: net.optimizer, threads: threads)
            for (name, a, b) in [("parameters after training", other.parameters, reference.parameters),
                                 ("epoch losses", other.losses, reference.losses),
                                 ("forward", other.forward, reference.forward),
                                 ("predict (3 blocks)", other.predictLong, reference.predictLong),
                                 ("predict (1 block)", other.predictShort, reference.predictShort)] {
                let found = difference(a, b)
                #expect(found == nil, "\(name) at \(threads) threads against 1: \(found ?? "")")
            }
        }
        #expect(difference(reference.forward, reference.predictLong) == nil)
    }

    @Test func threadSettingRefusesBadCounts() throws {
        // In this serialized suite: no other test changes the count meanwhile.
        let initial = Threads.count
        #expect(initial >= 1)
        #expect(throws: PlexusError.self) { try Threads.setCount(0) }
        #expect(throws: PlexusError.self) { try Threads.setCount(Threads.maxCount + 1) }
        #expect(Threads.count == initial)
    }

    @Test func gemmKernelIsNamed() {
        // The kernel and its tile are part of the name; the thread count follows it.
        let known = ["avx512f 12x32", "avx2-fma 6x16", "neon 8x8", "portable fmaf 4x4"]
        #expect(known.contains { Threads.gemm == "Plexus GEMM " + $0 }, "\(Threads.gemm)")
        #expect(Threads.gemmDescription.hasPrefix(Threads.gemm + ", \(Threads.count) thread"))
    }
}
