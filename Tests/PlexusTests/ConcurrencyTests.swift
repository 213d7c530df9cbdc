import Foundation
import Plexus
import PlexusTestSupport
import Testing

/// The Swift API under Swift 6's data-race checks (this target is compiled in Swift 6 language
/// mode): a Network is shared by tasks without `@unchecked`, a conflicting call is refused with
/// `.busy`, an async training run stops when its Task is cancelled, and every form that takes
/// arrays or buffers counts its rows from their lengths and refuses a wrong one with `.shape`.
/// Codes collected on another thread (a lock makes the class Sendable honestly).
private final class Codes: Sendable {
    private let lock = NSLock()
    nonisolated(unsafe) private var stored: [PlexusError.Code?] = []
    func append(_ code: PlexusError.Code?) { lock.lock(); stored.append(code); lock.unlock() }
    var values: [PlexusError.Code?] { lock.lock(); defer { lock.unlock() }; return stored }
}

@Suite struct ConcurrencyTests {
    private static func xor() throws -> Network {
        let net = try Network(sizes: [2, 8, 1], activations: [.tanh, .sigmoid], seed: 3)
        try net.setLoss(.binaryCrossEntropy)
        try net.setOptimizer(.adam(learningRate: 0.05))
        return net
    }

    @Test func sixtyFourTasksPredictFromOneNetwork() async throws {
        let net = try Network(sizes: [4, 32, 3], activations: [.relu, .softmax], seed: 7)
        let rows = uniformData(count: 40 * 4, seed: 1)
        let expected = try net.predict(rows)
        let results = try await withThrowingTaskGroup(of: [Float].self) { group in
            for _ in 0..<64 {
                group.addTask { try net.predict(rows) }
            }
            var all: [[Float]] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 64)
        #expect(results.allSatisfy { $0.map(\.bitPattern) == expected.map(\.bitPattern) })
    }

    @Test func readersAndWritersAreRefusedWhileTrainingRuns() throws {
        let net = try ConcurrencyTests.xor()
        let x: [Float] = [0, 0, 0, 1, 1, 0, 1, 1], y: [Float] = [0, 1, 1, 0]
        var seen: [PlexusError.Code?] = []
        try net.train(x: x, y: y, epochs: 2, batchSize: 4) { epoch, _ in
            guard epoch == 0 else { return .proceed }
            // On another thread the training holds the network: reads and writes are refused at once.
            // (async, not sync: a sync block may run on the calling thread, which holds the network.)
            let box = Codes()
            let done = DispatchGroup()
            DispatchQueue.global().async(group: done) {
                for attempt in [{ _ = try net.predict([0, 1]) }, { try net.setLoss(.mse) }, { _ = try net.loss }] {
                    do { try attempt(); box.append(nil) } catch let error as PlexusError { box.append(error.code) } catch { box.append(nil) }
                }
            }
            done.wait()
            seen = box.values
            return .proceed
        }
        #expect(seen == [.busy, .busy, .busy])
        let error = PlexusError(.busy, "refused")
        #expect(error.code.description == "PLEXUS_ERR_BUSY" && PlexusError.Code.misuse.description == "PLEXUS_ERR_MISUSE")
    }

    @Test func cancellingTheTaskStopsAnAsyncRun() async throws {
        let net = try ConcurrencyTests.xor()
        let x = uniformData(count: 2 * 400, seed: 4), y = (0..<400).map { Float($0 % 2) }
        let started = AsyncStream<Void>.makeStream()
        let task = Task {
            try await net.train(x: x, y: y, options: TrainingOptions(epochs: 1_000_000, batchSize: 4)) { report in
                if report.epoch == 0 { started.continuation.yield() }
                return .proceed
            }
        }
        for await _ in started.stream { break }
        task.cancel()
        do {
            let report = try await task.value
            Issue.record("the run finished instead of stopping: \(report.epochsRun) epochs")
        } catch is CancellationError {
            // Stopped within a batch; the network is usable again at once.
            #expect(try net.predict([0, 1]).count == 1)
            #expect(try net.optimizerSteps > 0)
        }
    }

    @Test func theErrorSaysItsMessage() {
        let error = PlexusError(.shape, "x has 3 floats")
        #expect(error.localizedDescription == "x has 3 floats")
        #expect(error.description.contains("PLEXUS_ERR_SHAPE") && error.description.contains("x has 3 floats"))
    }

    private func expectShape(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(what): no error", sourceLocation: sourceLocation)
        } catch let error as PlexusError {
            #expect(error.code == .shape, "\(what): \(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(what): \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func everyArrayFormRefusesAWrongLength() throws {
        let net = try Network(sizes: [3, 4, 2], activations: [.tanh, .identity], seed: 1)
        let three: [Float] = [1, 2, 3], five: [Float] = [1, 2, 3, 4, 5], two: [Float] = [1, 2], one: [Float] = [1]
        expectShape("predict") { _ = try net.predict(five) }
        expectShape("forward") { _ = try net.forward(five) }
        try net.forward(three)
        expectShape("backward") { _ = try net.backward(one) }
        expectShape("trainStep x") { _ = try net.trainStep(x: five, y: two) }
        expectShape("trainStep rows") { _ = try net.trainStep(x: three + three, y: two) }
        expectShape("train") { _ = try net.train(x: five, y: two, epochs: 1) }
        expectShape("train(options:)") { _ = try net.train(x: three, y: one, options: TrainingOptions(epochs: 1)) }
        expectShape("train validation") {
            _ = try net.train(x: three, y: two, options: TrainingOptions(epochs: 1, validation: (x: five, y: two)))
        }
        expectShape("train sample weights") {
            _ = try net.train(x: three, y: two, options: TrainingOptions(epochs: 1, sampleWeights: [1, 1]))
        }
        expectShape("evaluate") { _ = try net.evaluate(x: three, y: one) }
        expectShape("fitInputTransform") { try net.fitInputTransform(x: five) }
        expectShape("fitOutputTransform") { try net.fitOutputTransform(y: three) }
        expectShape("setParameters") { try net.setParameters(five) }
        expectShape("setGradients") { try net.setGradients(five) }
        expectShape("setWeights") { try net.setWeights(layer: 1, weights: five) }
        expectShape("QuantizedNetwork") { _ = try QuantizedNetwork(network: net, calibration: five) }
        five.withUnsafeBufferPointer { x in
            var out = [Float](repeating: 0, count: 3)
            out.withUnsafeMutableBufferPointer { y in
                expectShape("predict(buffer)") { try net.predict(x, into: y) }
                expectShape("copyParameters(into:)") { try net.copyParameters(into: y) }
            }
        }
        var order = try EpochOrder(seed: 1, count: 4)
        var indices = [Int](repeating: 0, count: 3)
        indices.withUnsafeMutableBufferPointer { buffer in
            expectShape("EpochOrder.next(into:)") { try order.next(into: buffer) }
        }
        #expect(order.next().sorted() == [0, 1, 2, 3])
        let graph = try Graph()
        let node = try graph.input(rows: 2, cols: 2)
        expectShape("Graph.setValue") { try graph.setValue(node, three) }
        expectShape("Graph.constant") { _ = try graph.constant(rows: 2, cols: 2, values: three) }
    }
}
