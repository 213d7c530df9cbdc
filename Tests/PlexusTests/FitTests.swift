import Foundation
@_spi(Testing) import Plexus
import PlexusTestSupport
import Testing

/// Training for real data through the Swift API: trainStep, train(options:), the schedules,
/// restore-best, and dropout (its thread independence and the model file).
@Suite(.serialized) struct FitTests {
    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    private func data(_ rows: Int, _ width: Int, seed: UInt64) -> [Float] { uniformData(count: rows * width, seed: seed) }

    @Test func trainStepIsForwardBackwardStep() throws {
        let a = try Network(sizes: [3, 6, 2], activations: [.silu, .identity], seed: 4)
        let b = try Network(sizes: [3, 6, 2], activations: [.silu, .identity], seed: 4)
        for net in [a, b] { try net.setOptimizer(.adamw(learningRate: 0.01)); try net.setGradClip(0.5) }
        let x = data(5, 3, seed: 1), y = data(5, 2, seed: 2)
        for _ in 0..<4 {
            let loss = try x.withUnsafeBufferPointer { xs in
                try y.withUnsafeBufferPointer { ys in try a.trainStep(x: xs.baseAddress!, y: ys.baseAddress!, batch: 5) }
            }
            try b.forward(x)
            #expect(try b.backward(y) == loss)
            try b.step()
        }
        #expect(try bits(a.parameters) == bits(b.parameters))
    }

    @Test func defaultOptionsTrainAsThePlainLoop() throws {
        let x = data(37, 4, seed: 3), y = data(37, 3, seed: 4)
        let a = try Network(sizes: [4, 9, 3], activations: [.elu, .tanh], seed: 2)
        let b = try Network(sizes: [4, 9, 3], activations: [.elu, .tanh], seed: 2)
        let losses = try a.train(x: x, y: y, epochs: 3, batchSize: 8, shuffleSeed: 9)
        var reported: [Float] = []
        let report = try b.train(x: x, y: y, options: TrainingOptions(epochs: 3, batchSize: 8, shuffleSeed: 9)) { epoch in
            reported.append(epoch.trainLoss)
            #expect(epoch.validationLoss.isNaN && epoch.validationAccuracy.isNaN)
            return .proceed
        }
        #expect(try bits(a.parameters) == bits(b.parameters) && bits(losses) == bits(reported))
        #expect(report.epochsRun == 3 && !report.stoppedEarly && report.bestValidationLoss.isNaN)
    }

    @Test func schedulesFollowTorchsClosedForms() {
        let step = LearningRateSchedule.step(stepSize: 3, gamma: 0.5).rates(base: 0.1, epochs: 10)
        let cosine = LearningRateSchedule.cosine(tMax: 4, etaMin: 0.01).rates(base: 0.1, epochs: 12)
        for (e, rate) in step.enumerated() {
            #expect(abs(rate - Double(Float(0.1)) * pow(0.5, Double(e / 3))) < 1e-12)
        }
        for (e, rate) in cosine.enumerated() {
            let base = Double(Float(0.1)), eta = Double(Float(0.01))
            let angle: Double = Double.pi * Double(e) / 4
            let expected: Double = eta + (base - eta) * (1 + cos(angle)) / 2
            #expect(abs(rate - expected) < 1e-12, "epoch \(e): \(rate) against \(expected)")
        }
        #expect(LearningRateSchedule.constant.rates(base: 0.25, epochs: 3) == [0.25, 0.25, 0.25])
    }

    @Test func restoreBestLeavesTheBestEpochsParametersBitwise() throws {
        let x = data(40, 4, seed: 5), y = data(40, 3, seed: 6), xv = data(25, 4, seed: 7), yv = data(25, 3, seed: 8)
        let net = try Network(sizes: [4, 32, 3], activations: [.tanh, .identity], seed: 2)
        try net.setOptimizer(.adam(learningRate: 0.05))
        var snapshots: [[Float]] = [], losses: [Float] = []
        let options = TrainingOptions(epochs: 300, batchSize: 8, validation: (xv, yv), patience: 4, restoreBest: true)
        let report = try net.train(x: x, y: y, options: options) { epoch in
            snapshots.append((try? net.parameters) ?? [])
            losses.append(epoch.validationLoss)
            return .proceed
        }
        #expect(report.stoppedEarly && report.epochsRun == report.bestEpoch + 5)
        #expect(losses[report.bestEpoch] == losses.min()! && report.bestValidationLoss == losses.min()!)
        #expect(try bits(net.parameters) == bits(snapshots[report.bestEpoch]))
    }

    @Test(.slow) func dropoutResultsDoNotDependOnTheThreadCount() throws {
        let initial = Threads.count
        defer { try? Threads.setCount(initial) }
        let x = data(700, 300, seed: 11), y = data(700, 10, seed: 12)
        func run(threads: Int) throws -> (parameters: [UInt32], forward: [UInt32]) {
            try Threads.setCount(threads)
            let net = try Network(sizes: [300, 260, 200, 10], activations: [.gelu, .relu, .identity], seed: 3)
            try net.setOptimizer(.adamw(learningRate: 1e-3, weightDecay: 0.05))
            try net.setGradClip(1)
            try net.setDropout(layer: 1, probability: 0.3)
            try net.setDropout(layer: 2, probability: 0.1)
            try net.train(x: x, y: y, epochs: 2, batchSize: 64, shuffleSeed: 1)
            return (bits(try net.parameters), bits(try net.forward(x)))   // 700 rows: more than a block
        }
        let one = try run(threads: 1)
        for threads in [2, 3] {
            let other = try run(threads: threads)
            #expect(other.parameters == one.parameters && other.forward == one.forward, "\(threads) threads")
        }
    }

    @Test func settingsAndTheGeneratorSurviveAModelFile() throws {
        let net = try Network(sizes: [3, 7, 5, 2], activations: [.softplus, .gelu, .sigmoid], seed: 8)
        try net.setLoss(.huber)
        try net.setOptimizer(.sgd(learningRate: 0.1, momentum: 0.5, weightDecay: 0.02))
        try net.setGradClip(0.25)
        try net.setDropout(layer: 2, probability: 0.4)
        let x = data(12, 3, seed: 1), y = data(12, 2, seed: 2)
        try net.train(x: x, y: y, epochs: 2, batchSize: 4, shuffleSeed: 3)
        let copy = try Network.load(modelData: try net.modelData())
        #expect(try copy.optimizer == net.optimizer && copy.loss == .huber && copy.gradClip == 0.25)
        let layer2 = try copy.dropout(ofLayer: 2), layer1 = try copy.dropout(ofLayer: 1)
        #expect(layer2 == 0.4 && layer1 == 0)
        try net.train(x: x, y: y, epochs: 2, batchSize: 4, shuffleSeed: 4)
        try copy.train(x: x, y: y, epochs: 2, batchSize: 4, shuffleSeed: 4)
        #expect(try bits(net.parameters) == bits(copy.parameters), "the dropout generator continues in the copy")
    }

    @Test func badSettingsChangeNothing() throws {
        let net = try Network(sizes: [2, 3, 1], activations: [.relu, .identity])
        #expect(throws: PlexusError.self) { try net.setWeightDecay(-1) }
        #expect(throws: PlexusError.self) { try net.setWeightDecay(.nan) }
        #expect(throws: PlexusError.self) { try net.setGradClip(-0.5) }
        #expect(throws: PlexusError.self) { try net.setDropout(layer: 2, probability: 0.5) }
        #expect(throws: PlexusError.self) { try net.setDropout(layer: 1, probability: .nan) }
        #expect(throws: PlexusError.self) { try net.setDropout(layer: 1, probability: 1) }
        let dropout = try net.dropout(ofLayer: 1)
        #expect(try net.optimizer == .standard && net.gradClip == 0 && dropout == 0)
    }
}
