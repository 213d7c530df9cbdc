#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How `train` changes the learning rate from epoch to epoch, stepped once per epoch as
/// PyTorch's schedulers are (epoch 0 uses the optimizer's learning rate). Raw kinds equal
/// `plexus_lr_schedule`.
public enum LearningRateSchedule: Equatable, Sendable {
    /// The optimizer's learning rate throughout.
    case constant
    /// `torch.optim.lr_scheduler.StepLR`: lr is multiplied by `gamma` every `stepSize` epochs.
    case step(stepSize: Int, gamma: Float)
    /// `torch.optim.lr_scheduler.CosineAnnealingLR`: from the base rate down to `etaMin` over
    /// `tMax` epochs along a half cosine (and back up, periodically, beyond).
    case cosine(tMax: Int, etaMin: Float)

    /// Throws `.argument` naming the first setting outside its range.
    func validate() throws(PlexusError) {
        switch self {
        case .constant: return
        case let .step(stepSize, gamma):
            guard stepSize >= 1 else { throw .argument("step_size is \(stepSize); pass at least 1 epoch") }
            guard gamma.isFinite && gamma > 0 else { throw .argument("gamma is \(gamma); pass a finite value > 0, such as 0.1") }
        case let .cosine(tMax, etaMin):
            guard tMax >= 1 else { throw .argument("t_max is \(tMax); pass at least 1 epoch") }
            guard etaMin.isFinite && etaMin >= 0 else { throw .argument("eta_min is \(etaMin); pass a finite value >= 0") }
        }
    }

    /// The rate of epoch `epoch` ≥ 1 from the previous epoch's `rate`, in double, by torch's own
    /// recursive (chainable) formulas, so the rates equal torch's bit for bit before rounding to
    /// float.
    func next(after rate: Double, epoch: Int, base: Double) -> Double {
        switch self {
        case .constant:
            return rate
        case let .step(stepSize, gamma):
            return epoch % stepSize == 0 ? rate * Double(gamma) : rate
        case let .cosine(tMax, etaMin):
            let t = Double(tMax), eta = Double(etaMin), e = Double(epoch)
            if (epoch - 1 - tMax) % (2 * tMax) == 0 {
                return rate + (base - eta) * (1 - cos(Double.pi / t)) / 2
            }
            return (1 + cos(Double.pi * e / t)) / (1 + cos(Double.pi * (e - 1) / t)) * (rate - eta) + eta
        }
    }

    /// The rates of epochs 0 ..< count from `base`.
    public func rates(base: Float, epochs count: Int) -> [Double] {
        var rates: [Double] = []
        var rate = Double(base)
        for epoch in 0..<count {
            if epoch > 0 { rate = next(after: rate, epoch: epoch, base: Double(base)) }
            rates.append(rate)
        }
        return rates
    }
}
