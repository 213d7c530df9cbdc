import CPlexusSupport

// One writer or many readers per object, enforced without waiting: the rule that makes `Network`
// and `Graph` Sendable. A call that would break it is refused with `.busy` at once and changes
// nothing; no call ever runs beside a conflicting one, so no result is torn.
//
// The gate is one atomic word in a slot of the registry (CPlexusSupport/handles.c), the same
// word that makes the object's C handle live, so that one compare-and-swap both checks a handle
// and takes the object for a C call. A reader's take is that compare-and-swap and its release
// one atomic subtract: with the handle's check, a tiny network's one-row plexus_predict pays
// 30 instructions for both (benchmarks/RESULTS.md). A seqlock would cost less but lets
// readers race with the writer, which ThreadSanitizer rightly reports.
//
// The thread that holds the writer may call again (the epoch callback runs on the training
// thread, and may read the network or set what `checkNotTraining` allows): such a nested call is
// neither counted nor refused. Only the holding thread can find its own id in the slot (a
// thread's own store is the newest value it reads), so the check cannot pass elsewhere.

/// What the writer holding an object is doing, named in the messages of refused calls (3 bits).
package struct WriteActivity: Equatable {
    /// The number the gate's state keeps (plexus_support.h's PLXS_ACTIVITY_*).
    package let rawValue: UInt32

    package static let training = WriteActivity(rawValue: UInt32(PLXS_ACTIVITY_TRAINING))
    package static let trainingStep = WriteActivity(rawValue: UInt32(PLXS_ACTIVITY_TRAINING_STEP))
    package static let passes = WriteActivity(rawValue: UInt32(PLXS_ACTIVITY_PASSES))
    package static let changing = WriteActivity(rawValue: UInt32(PLXS_ACTIVITY_CHANGING))
    package static let fitting = WriteActivity(rawValue: UInt32(PLXS_ACTIVITY_FITTING))

    var phrase: String {
        switch self {
        case .training: return "another thread is training it (train)"
        case .trainingStep: return "another thread is running a training step on it (train_step)"
        case .passes: return "another thread is running forward, backward or step on it"
        case .fitting: return "another thread is fitting its transforms"
        default: return "another thread is changing it (a setter)"
        }
    }
}

/// Whether a take was counted (and so must be ended), or was a nested call on the thread that
/// already holds the writer.
package struct AccessToken {
    package let counted: Bool
    package init(counted: Bool) { self.counted = counted }
}

/// An object's slot in the registry: its gate, and its handle once the C API hands it out.
package struct AccessGate: ~Copyable {
    package let slot: UnsafeMutablePointer<plxs_slot>

    /// - Throws: `.memory` when no slot can be allocated.
    package init(type: Int) throws(PlexusError) {
        guard let slot = plxs_gate_open(UInt32(type)) else {
            throw .memory("cannot allocate an object's slot: out of memory, or 4,194,304 networks, graphs and quantized models exist at once")
        }
        self.slot = slot
    }

    deinit { plxs_gate_close(slot) }

    /// Takes the gate as `activity` (0: a reader): the one take, `plxs_slot_take`, that the C
    /// layer's handles use too.
    @inline(__always)
    private func take(_ activity: UInt32) throws(PlexusError) -> AccessToken {
        let taken = plxs_slot_take(slot, activity, 0, 0)
        if taken.outcome == UInt64(PLXS_TAKEN) { return AccessToken(counted: true) }
        if taken.outcome == UInt64(PLXS_NESTED) { return AccessToken(counted: false) }
        throw AccessGate.busy(state: plxs_slot_state(slot))
    }

    /// A reader's hold: refused with `.busy` while another thread writes.
    @inline(__always)
    package func beginReading() throws(PlexusError) -> AccessToken { try take(0) }

    /// Ends a hold of `beginReading`. A core call on an object the C API handed out always runs
    /// inside the C layer's own take, so its end is never the last of a freed handle.
    @inline(__always)
    package func endReading(_ token: AccessToken) {
        if token.counted { plxs_gate_end_read(slot) }
    }

    /// The writer's hold: refused with `.busy` while any other call holds the object.
    @inline(__always)
    package func beginWriting(_ activity: WriteActivity) throws(PlexusError) -> AccessToken { try take(activity.rawValue) }

    @inline(__always)
    package func endWriting(_ token: AccessToken) {
        if token.counted { _ = plxs_gate_end_write(slot) }
    }

    /// `body`'s value, read under a reader's hold (the getters' one line).
    @inline(__always)
    package func reading<T>(_ body: () -> T) throws(PlexusError) -> T {
        let token = try beginReading()
        defer { endReading(token) }
        return body()
    }

    /// The refusal for a call that met `state`: what holds the object, and what to do.
    @inline(never)
    package static func busy(state: UInt64) -> PlexusError {
        let holder: String
        let readers = plxs_state_readers(state), activity = plxs_state_activity(state)
        if activity != 0 {
            holder = WriteActivity(rawValue: activity).phrase
        } else if readers == 1 {
            holder = "another call is reading it (predict, evaluate, save, export or a getter)"
        } else {
            holder = "\(readers) other calls are reading it (predict, evaluate, save, export or getters)"
        }
        return PlexusError(.busy, "refused, nothing changed: \(holder). An object takes many readers or one writer at a time; retry once that call has returned, or give each thread an object of its own")
    }
}
