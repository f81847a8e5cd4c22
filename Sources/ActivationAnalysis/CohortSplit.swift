import ActivationCore

/// The decided customers split by signup date: rules are chosen on the earlier ones and measured on the later.
///
/// A temporal holdout is harder than a random one: the later cohorts signed up under a newer product and
/// onboarding, so a rule that still predicts there is one a team can act on next quarter.
public struct CohortSplit: Sendable {
    public var training: [Int]
    public var holdout: [Int]
    /// First signup day of the holdout (its customers signed up on or after it).
    public var holdoutFromDay: Int?
    public var holdoutShare: Double

    /// The most recent `holdoutShare` of decided customers by signup day (ties kept together, so a signup day is
    /// never split), customer-table order within a day.
    public init(customers: [Customer], decided: [Int], holdoutShare: Double) {
        self.holdoutShare = holdoutShare
        let ordered = decided.sorted { (customers[$0].signupDay, $0) < (customers[$1].signupDay, $1) }
        var cut = ordered.count - Int((Double(ordered.count) * holdoutShare).rounded())
        while cut > 0 && cut < ordered.count && customers[ordered[cut - 1]].signupDay == customers[ordered[cut]].signupDay { cut += 1 }
        training = Array(ordered[..<cut]).sorted()
        holdout = Array(ordered[cut...]).sorted()
        holdoutFromDay = cut < ordered.count ? customers[ordered[cut]].signupDay : nil
    }
}
