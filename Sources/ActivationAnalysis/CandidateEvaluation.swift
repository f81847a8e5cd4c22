/// The criteria a candidate must meet to be proposed (`ProposalCriteria` holds their thresholds).
public enum Criterion: String, Sendable, CaseIterable {
    /// Reached by a share of training customers inside [minimumReach, maximumReach].
    case reach
    /// Median day reached at most `maximumMedianDay`.
    case reachedInWeekOne
    /// Reached customers renew more, with a Benjamini-Hochberg q below `significance`.
    case renewsMore
    /// The adjusted odds ratio's 95% interval lies above 1.
    case holdsUpAfterAdjustment
    /// The odds ratio is above 1 in every signup quarter with enough customers.
    case stableAcrossQuarters
    /// None of its behaviours is harmful in the joint driver model (lowers renewal once the others are known).
    case notHarmful
    /// Not every one of its behaviours is a proxy in the joint driver model (goes with renewal alone, no effect of
    /// its own once the others are known): a rule of proxies would change nothing if every customer were pushed to it.
    case ownEffect
}

/// One criterion checked on one candidate, with what it was checked on (the Report stage puts it in words).
public struct CriterionResult: Sendable {
    public var criterion: Criterion
    public var passed: Bool
    /// The thresholds it was checked against and the measurements it was checked on.
    public var criteria: ProposalCriteria
    public var diagnostics: CandidateDiagnostics
}

/// A candidate rule checked against every criterion.
public struct CandidateEvaluation: Sendable {
    public var diagnostics: CandidateDiagnostics
    public var criteria: [CriterionResult]
    public var candidate: ThresholdCandidate { diagnostics.candidate }
    public var qualifies: Bool { criteria.allSatisfy(\.passed) }
    public var failures: [CriterionResult] { criteria.filter { !$0.passed } }
}
