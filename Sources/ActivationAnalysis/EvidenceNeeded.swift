import ActivationStatistics

/// How much more data a candidate rule would need before its renewal gap could be told from chance: when nothing
/// is proposed, the honest answer is often "not enough churners yet", not "no behaviour goes with renewal".
///
/// From the rule's training table: renewal p₁ among those who reached it and p₂ among the rest, a share r reaching
/// it. Equal arms need n per arm for a two-sided 5% test with 80% power (`SampleSize.twoProportionsPerArm`); arms in
/// the ratio k = (1 − r)/r need (1 + k)²/(4k) times the 2n customers of equal arms (Fleiss, Levin & Paik 2003,
/// §4.4, the usual approximation for unequal arms), so N = 2n (1 + k)² / (4k) decided customers in all, of whom N × (observed churn rate) churn. Both are
/// compared with the training cohort the rule was chosen on.
public struct EvidenceNeeded: Sendable, Equatable {
    /// Decided training customers and churners needed to detect the observed gap.
    public var customers: Int
    public var churners: Int
    /// The training cohort's customers and churners now.
    public var customersNow: Int
    public var churnersNow: Int
    /// The observed renewal rates, reached and not.
    public var renewReached: Double
    public var renewNotReached: Double

    public var moreChurners: Int { max(0, churners - churnersNow) }
    public var moreCustomers: Int { max(0, customers - customersNow) }

    /// nil when the rule does not renew more than the rest (no gap to detect), or when either rate is 0 or 1.
    public init?(_ candidate: ThresholdCandidate) { self.init(training: candidate.training) }

    /// From a rule's training table (see the type's documentation).
    public init?(training t: TwoByTwoTable) {
        guard t.reached > 0, t.notReached > 0, t.total > 0, let p1 = t.renewRateReached, let p2 = t.renewRateNotReached,
              p1 > p2, p1 < 1, p2 > 0 else { return nil }
        let r = Double(t.reached) / Double(t.total)
        let k = (1 - r) / r
        let perArm = SampleSize.twoProportionsPerArm(p1: p1, p2: p2).n
        let total = 2 * perArm * (1 + k) * (1 + k) / (4 * k)
        customers = Int(total.rounded(.up))
        churners = Int((total * Double(t.churned) / Double(t.total)).rounded(.up))
        customersNow = t.total
        churnersNow = t.churned
        renewReached = p1
        renewNotReached = p2
    }
}
