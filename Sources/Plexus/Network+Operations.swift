// The layers that run after a dense layer (or on the inputs), row by row: dropout and layer
// norms (`runOperations`), forward over a block of rows and backward over a batch. Their
// arithmetic is their kinds' own (Dropout: `Network.drop`, LayerNorm.swift); this file only
// places it in the passes.

extension Network {
    /// Whether layer norms follow dense layer `p` (0: on the inputs).
    func normalizes(at p: Int) -> Bool {
        builtOperations[p].contains { if case .norm = $0 { true } else { false } }
    }

    /// Runs position p's operations over `rows` rows into `a` ([rows][sizes[p]]), reading them
    /// from `input` (which may be `a`). Training (`training` given): the dense outputs are kept
    /// for the activation's derivative (after a dense layer; the inputs have none), dropout masks
    /// are drawn, and each layer norm keeps x̂ and
    /// 1/σ, at row `start` of the batch's buffers. Else (predict, evaluation) dropout is the
    /// identity.
    func operationsForward(at p: Int, _ a: UnsafeMutablePointer<Float>, from input: UnsafePointer<Float>, rows: Int, start: Int,
                       training: ForwardCache.View?, threads: Int? = nil) {
        let width = sizes[p]
        var source = input
        if let training, let kept = training.dropout(p) {
            if source != UnsafePointer(a) { a.update(from: source, count: rows * width) }
            (kept.undropped + start * width).update(from: a, count: rows * width)
            source = UnsafePointer(a)
        }
        for operation in runOperations[p] {
            switch operation {
            case .dropout:
                guard let mask = training?.dropout(p)?.mask else { continue }
                drop(a, layer: p, count: rows * width, mask: mask + start * width)
            case let .norm(k):
                let norm = norms[k]
                let kept = training?.norm(k)
                // Each group alone decides its bits, so cutting the rows among threads changes none.
                let groups = rows * norm.groups
                let tasks = Swift.max(1, Swift.min(threads ?? 1, groups / NormRows.groupsPerTask))
                let work = NormRows(source: source, destination: a, groups: groups, tasks: tasks, norm: norm,
                                    gamma: norm.weightOffset.map { UnsafePointer(params.pointer + $0) },
                                    beta: norm.biasOffset.map { UnsafePointer(params.pointer + $0) },
                                    normalized: kept.map { $0.normalized + start * width },
                                    rstd: kept.map { $0.rstd + start * norm.groups })
                if tasks > 1 {
                    Threads.run(work, tasks: tasks, slots: tasks)
                } else {
                    work.run(0, slot: 0)
                }
            }
            source = UnsafePointer(a)
        }
        if source != UnsafePointer(a) { a.update(from: source, count: rows * width) }
    }

    /// Takes g = ∂L/∂(position p's output) ([rows][sizes[p]]) back through p's operations, in
    /// reverse, adding the layer norms' parameter gradients; g ends as ∂L/∂(the dense layer's
    /// outputs), before the activation's derivative. On the inputs (p = 0) the first operation's
    /// ∂L/∂x is not needed and not computed.
    func operationsBackward(at p: Int, _ g: UnsafeMutablePointer<Float>, rows: Int, cache: ForwardCache.View, threads: Int = 1) {
        let operations = runOperations[p]
        for (index, operation) in operations.enumerated().reversed() {
            switch operation {
            case .dropout:
                if let mask = cache.dropout(p)?.mask {
                    applyDropoutMask(mask, to: g, rows: rows, first: 0, count: sizes[p], stride: sizes[p])
                }
            case let .norm(k):
                let norm = norms[k], kept = cache.norm(k), groups = rows * norm.groups
                let work = NormBackward(g: g, groups: groups, norm: norm, normalized: kept.normalized, rstd: kept.rstd,
                                        gamma: norm.weightOffset.map { UnsafePointer(params.pointer + $0) },
                                        gammaGrad: norm.weightOffset.map { grads.pointer + $0 },
                                        betaGrad: norm.biasOffset.map { grads.pointer + $0 },
                                        tasks: Swift.max(1, Swift.min(threads, groups / NormRows.groupsPerTask)))
                // The parameters' gradients read ∂L/∂y before it becomes ∂L/∂x: two runs, in turn.
                if work.gammaGrad != nil { work.runAll(.parameters) }
                if p > 0 || index > 0 { work.runAll(.inputs) }
            }
        }
    }
}

/// A layer norm over a block's groups, cut into `tasks` runs of whole groups.
private struct NormRows: ParallelTasks {
    /// Fewer groups than this per thread are not worth a thread.
    static let groupsPerTask = 64
    let source: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>
    let groups: Int, tasks: Int, norm: Network.NormSlot
    let gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?
    let normalized: UnsafeMutablePointer<Float>?, rstd: UnsafeMutablePointer<Float>?

    func run(_ task: Int, slot: Int) {
        let first = groups * task / tasks, end = groups * (task + 1) / tasks, n = norm.width
        LayerNorm.forward(source + first * n, to: destination + first * n, groups: end - first, n: n, eps: norm.eps,
                          gamma: gamma, beta: beta, normalized: normalized.map { $0 + first * n }, rstd: rstd.map { $0 + first })
    }
}

/// A layer norm's backward over a batch's groups: the weight's and bias's gradients cut by
/// feature, then ∂L/∂x cut by group, over `tasks` threads (one when small). Every cut keeps
/// each sum's order, so the bits are those of `LayerNorm.backward`.
private struct NormBackward {
    enum Phase { case parameters, inputs }
    let g: UnsafeMutablePointer<Float>, groups: Int, norm: Network.NormSlot
    let normalized: UnsafePointer<Float>, rstd: UnsafePointer<Float>, gamma: UnsafePointer<Float>?
    let gammaGrad: UnsafeMutablePointer<Float>?, betaGrad: UnsafeMutablePointer<Float>?
    let tasks: Int

    struct Run: ParallelTasks {
        let work: NormBackward, phase: Phase, tasks: Int

        func run(_ task: Int, slot: Int) {
            let n = work.norm.width
            switch phase {
            case .parameters:
                guard let gammaGrad = work.gammaGrad, let betaGrad = work.betaGrad else { return }
                LayerNorm.parameterGradients(work.g, groups: work.groups, n: n, normalized: work.normalized,
                                             gammaGrad: gammaGrad, betaGrad: betaGrad,
                                             features: (n * task / tasks)..<(n * (task + 1) / tasks))
            case .inputs:
                LayerNorm.inputGradients(work.g, groups: (work.groups * task / tasks)..<(work.groups * (task + 1) / tasks),
                                         n: n, normalized: work.normalized, rstd: work.rstd, gamma: work.gamma)
            }
        }
    }

    func runAll(_ phase: Phase) {
        // The features are cut only when each thread gets a useful share of them.
        let count = phase == .parameters ? Swift.min(tasks, Swift.max(1, norm.width / 16)) : tasks
        let run = Run(work: self, phase: phase, tasks: count)
        if count > 1 {
            Threads.run(run, tasks: count, slots: count)
        } else {
            run.run(0, slot: 0)
        }
    }
}
