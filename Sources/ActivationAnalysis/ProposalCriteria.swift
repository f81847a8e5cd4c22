/// What a candidate must satisfy to be proposed as the activation event. Every criterion is checked on the
/// training cohort (where rules are chosen); strength is judged on the holdout cohort.
public struct ProposalCriteria: Sendable, Codable, Equatable {
    /// Reached by at least this share of decided customers (not a rare perfect signal).
    public var minimumReach = 0.15
    /// Reached by at most this share (not "first login").
    public var maximumReach = 0.85
    /// Those who reach it do so by this day (median, 0-based day from signup): "reachable in week 1".
    public var maximumMedianDay = 7.0
    /// Customers who reach it renew more, with a Benjamini-Hochberg q (over every candidate scanned) below this.
    public var significance = 0.05
    /// The holdout AUC at or above which the proposal is called strong.
    public var strongAUC = 0.75
    /// Share of decided customers, the most recent signups, held out to measure the chosen rule.
    public var holdoutShare = 0.30
    /// Fewest renewals and fewest churns, in the training and in the holdout cohort, for any claim: below it the
    /// data cannot tell, and no rule is proposed.
    public var minimumOutcomes = 10
    /// Behaviours whose log1p counts correlate at least this much are one group in the joint driver model.
    public var correlationThreshold = 0.9
    /// Seeded resamples of decided customers for the stability of the whole selection (0: none).
    public var bootstrapResamples = 200
    /// The experiment's target: this share of the observed churn gap (observational gaps overstate causal ones).
    public var experimentEffectShare = 0.5
    public init() {}
}
