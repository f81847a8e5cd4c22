import ActivationStatistics

/// What a candidate must satisfy to be proposed as the activation event.
public struct ProposalCriteria: Sendable, Codable, Equatable {
    /// Reached by at least this share of decided customers (not a rare perfect signal).
    public var minimumReach = 0.10
    /// Reached by at most this share (not "first login").
    public var maximumReach = 0.90
    /// Those who reach it do so by this day (median, 0-based day from signup): "reachable in week 1".
    public var maximumMedianDay = 7.0
    /// Customers who reach it renew more, with a two-sided Fisher exact p below this.
    public var significance = 0.05
    /// The rule's AUC at or above which the proposal is called strong.
    public var strongAUC = 0.75
    public init() {}
}

/// One criterion checked on one candidate.
public struct CriterionResult: Sendable {
    public var name: String
    public var passed: Bool
    /// What was measured, in plain words ("reached by 52% of decided customers").
    public var detail: String
}

/// A behaviour's best threshold checked against every criterion.
public struct CandidateEvaluation: Sendable {
    public var evidence: BehaviourEvidence
    public var candidate: ThresholdCandidate
    public var criteria: [CriterionResult]
    public var qualifies: Bool { criteria.allSatisfy(\.passed) }
    public var failures: [CriterionResult] { criteria.filter { !$0.passed } }
}

/// Stage 5: the proposed activation event, or the reason there is none.
public struct ActivationProposal: Sendable {
    public enum Strength: String, Sendable { case strong, weak }

    /// The first ranked behaviour whose best threshold meets every criterion.
    public var chosen: CandidateEvaluation?
    public var strength: Strength?
    /// Every ranked behaviour's best threshold with its criteria, in rank order.
    public var evaluations: [CandidateEvaluation]
    public var criteria: ProposalCriteria

    public init(ranking: BehaviourRanking, criteria: ProposalCriteria = ProposalCriteria()) {
        self.criteria = criteria
        evaluations = ranking.candidates.compactMap { evidence in
            guard let candidate = evidence.best else { return nil }
            return CandidateEvaluation(evidence: evidence, candidate: candidate,
                                       criteria: Self.check(candidate, criteria))
        }
        chosen = evaluations.first { $0.qualifies }
        if let chosen {
            strength = (chosen.candidate.table.binaryAUC ?? 0) >= criteria.strongAUC ? .strong : .weak
        }
    }

    static func check(_ c: ThresholdCandidate, _ criteria: ProposalCriteria) -> [CriterionResult] {
        let reach = c.table.reachRate ?? 0
        let reachText = "reached by \(Format.percent(reach)) of decided customers"
        let dayText = c.medianDayReached.map { "median day reached: \(Format.day($0))" } ?? "never reached"
        let p = c.table.fisherExactPValue
        let renewsMore = (c.table.renewRateReached ?? 0) > (c.table.renewRateNotReached ?? 0) && p < criteria.significance
        let renewText = "renewal \(Format.percent(c.table.renewRateReached)) reached vs \(Format.percent(c.table.renewRateNotReached)) not (Fisher \(Format.pPhrase(p)))"
        return [
            CriterionResult(name: "reach \(Format.percent(criteria.minimumReach))–\(Format.percent(criteria.maximumReach))",
                            passed: reach >= criteria.minimumReach && reach <= criteria.maximumReach, detail: reachText),
            CriterionResult(name: "reached in week 1 (median day ≤ \(Format.day(criteria.maximumMedianDay)))",
                            passed: (c.medianDayReached ?? .infinity) <= criteria.maximumMedianDay, detail: dayText),
            CriterionResult(name: "renews more when reached (p < \(Format.decimal(criteria.significance, places: 2)))",
                            passed: renewsMore, detail: renewText),
        ]
    }
}
