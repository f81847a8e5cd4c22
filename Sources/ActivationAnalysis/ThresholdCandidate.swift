import ActivationStatistics

/// One scanned rule with its 2×2 tables against renewal.
///
/// The scan and the choice happen on the training cohort (earlier signups); the holdout cohort (the most recent
/// decided signups) only measures. `table` pools both, for plain-words description.
public struct ThresholdCandidate: Sendable {
    public var definition: ActivationRule
    /// All decided customers.
    public var table: TwoByTwoTable
    /// The earlier signups, on which rules are compared and chosen.
    public var training: TwoByTwoTable
    /// The most recent decided signups, never used to choose.
    public var holdout: TwoByTwoTable
    /// Median day (0-based from signup) on which decided customers who reached it got there.
    public var medianDayReached: Double?
    /// Day by which three in four of those customers had got there (75th percentile, linear).
    public var day75Reached: Double?
    /// Benjamini-Hochberg q of the training Fisher p, over every candidate of the run.
    public var qValue: Double = 1

    public var rule: String { definition.text }
    public var behaviour: String { definition.conditions[0].behaviour }
    public var threshold: Int { definition.conditions[0].threshold }
    public var windowDays: Int { definition.windowDays }
    /// Training Youden's J: the choice criterion.
    public var youdenJ: Double { training.youdenJ ?? 0 }
}
