/// The order in which `train` visits the samples of each epoch: epoch e is a Fisher–Yates shuffle
/// of the identity order 0..<count (for i from count−1 down to 1, swap i with
/// `nextIndex(below: i + 1)`), every epoch drawing on from one `SeededGenerator(seed:)`, so an
/// epoch's order depends on the epochs before it. The one implementation of the shuffle: `train`,
/// `plexus_epoch_order` and through it data-parallel training (Python and C) all use it.
public struct EpochOrder: Sendable {
    /// Samples per epoch.
    public let count: Int
    /// The epoch `next(into:)` writes next (0-based).
    public private(set) var epoch = 0
    /// The seed of the generator the epochs draw from.
    public let seed: UInt64
    private var generator: SeededGenerator

    /// Positioned at epoch 0.
    /// - Throws: `.argument` for a count below 1.
    public init(seed: UInt64, count: Int) throws(PlexusError) {
        guard count >= 1 else { throw .argument("count is \(count); an epoch needs at least one sample") }
        self.count = count
        self.seed = seed
        generator = SeededGenerator(seed: seed)
    }

    /// Epoch `epoch`'s order (`count` indices); moves to the next epoch.
    public mutating func next() -> [Int] {
        [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            next(into: buffer.baseAddress!)
            initialized = count
        }
    }

    /// Writes epoch `epoch`'s order into `order`, which holds exactly `count` indices, and moves
    /// to the next epoch.
    /// - Throws: `.shape` for a buffer of another length (nothing is written, the epoch stays).
    public mutating func next(into order: UnsafeMutableBufferPointer<Int>) throws(PlexusError) {
        guard order.count == count else {
            throw .shape("order holds \(order.count) indices, but an epoch of this order has \(count)")
        }
        next(into: order.baseAddress!)
    }

    /// `next(into:)` for `count` indices at `order`, which the caller provides.
    package mutating func next(into order: UnsafeMutablePointer<Int>) {
        for i in 0..<count { order[i] = i }
        var i = count - 1
        while i >= 1 {
            let j = generator.nextIndex(below: i + 1)
            let held = order[i]; order[i] = order[j]; order[j] = held
            i -= 1
        }
        epoch += 1
    }

    /// Moves on to epoch `target` (≥ `epoch`), drawing what the epochs in between would.
    public mutating func skip(to target: Int) {
        while epoch < target {
            var i = count - 1
            while i >= 1 {
                _ = generator.nextIndex(below: i + 1)
                i -= 1
            }
            epoch += 1
        }
    }
}
