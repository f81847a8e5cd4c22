import ActivationStatistics
import Foundation

/// The proposal's holdout AUC against the bar, knowing its doubt: strong only when the 95% interval's lower bound
/// reaches the bar, weak when its upper bound is below it, otherwise not yet determined, with how many more decided
/// holdout customers would settle it if the AUC stayed where it is.
public struct Verdict: Sendable {
    public var strength: ActivationProposal.Strength
    public var auc: Double
    public var interval: ClosedRange<Double>
    public var bar: Double
    public var holdoutCustomers: Int
    public var holdoutChurners: Int
    /// Undetermined only: more decided holdout customers, and churners among them at the observed churn rate, at
    /// which the interval would no longer straddle the bar (the DeLong variance shrinks as 1/n); nil when the AUC
    /// sits on the bar, where no sample settles it.
    public var additionalCustomers: Int?
    public var additionalChurners: Int?

    public init(holdout: ROCArea, bar: Double, level: Double = 0.95) {
        auc = holdout.auc
        interval = holdout.confidenceInterval(level: level)
        self.bar = bar
        holdoutCustomers = holdout.positives + holdout.negatives
        holdoutChurners = holdout.negatives
        if interval.lowerBound >= bar {
            strength = .strong
        } else if interval.upperBound < bar {
            strength = .weak
        } else {
            strength = .undetermined
            let z = NormalDistribution.quantile(0.5 + level / 2)
            let gap = abs(auc - bar)
            if gap > 0, holdout.standardError > 0 {
                // Half-width z·SE·√(n/n′) ≤ gap  ⇔  n′ ≥ n·(z·SE/gap)².
                let factor = pow(z * holdout.standardError / gap, 2)
                additionalCustomers = max(1, Int((Double(holdoutCustomers) * factor).rounded(.up)) - holdoutCustomers)
                additionalChurners = max(1, Int((Double(holdoutChurners) * factor).rounded(.up)) - holdoutChurners)
            }
        }
    }
}
