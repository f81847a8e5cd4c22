import ActivationStatistics

/// Stage 5: the proposed activation event, or the reason there is none.
///
/// Everything that chooses uses the training cohort only: behaviours are taken in the order of their
/// within-segment AUC, each behaviour's rule is the simplest one on its plateau that meets every criterion, and a
/// combination replaces the single rule only when its training J is higher by `simplerPreference`. The holdout
/// then measures the chosen rule and the runner-up once: the verdict compares its holdout AUC's 95% interval with
/// the bar.
public struct ActivationProposal: Sendable {
    public enum Strength: String, Sendable, Codable {
        /// The holdout AUC's 95% lower bound reaches the bar.
        case strong
        /// Its upper bound is below the bar.
        case weak
        /// The interval straddles the bar: more decided customers would settle it.
        case undetermined
    }

    /// The chosen candidate (see the type's summary).
    public var chosen: CandidateEvaluation?
    public var strength: Strength?
    public var verdict: Verdict?
    /// The next qualifying candidate on behaviours outside the chosen one's correlation group (or, if none, the
    /// strongest other one), and the paired DeLong test of the two rules' holdout AUCs on the same customers.
    public var runnerUp: CandidateEvaluation?
    public var comparison: PairedDeLongTest?
    /// Every diagnosed candidate with its criteria, by training J (largest first).
    public var evaluations: [CandidateEvaluation]
    /// The same candidates by adjusted odds ratio (largest lower bound first): the view that discounts busy customers.
    public var adjustedOrder: [CandidateEvaluation]
    public var criteria: ProposalCriteria
    /// Too few renewals or churns in a cohort to claim anything (`ProposalCriteria.minimumOutcomes`): nothing is
    /// proposed, whatever the candidates show.
    public var notEnoughEvidence: Bool

    /// - Parameters:
    ///   - behaviourOrder: behaviours best first (within-segment training AUC); behaviours not listed come last.
    ///   - groups: each behaviour's correlation group lead (a runner-up comes from another group).
    ///   - roles: what the joint model rules out (`JointRoles`): a rule with a harmful behaviour, or made only of
    ///     proxies, is never proposed; nil when there is no joint model (those two criteria are then not checked).
    public init(diagnostics: [CandidateDiagnostics], criteria: ProposalCriteria = ProposalCriteria(),
                behaviourOrder: [String] = [], groups: [String: String] = [:], roles: JointRoles? = nil,
                split: (training: TwoByTwoTable.Margins, holdout: TwoByTwoTable.Margins)? = nil) {
        self.criteria = criteria
        evaluations = diagnostics
            .map { CandidateEvaluation(diagnostics: $0, criteria: Self.check($0, criteria, roles: roles)) }
            .sorted { ($0.candidate.youdenJ, $1.candidate.rule) > ($1.candidate.youdenJ, $0.candidate.rule) }
        adjustedOrder = evaluations.sorted { a, b in
            func key(_ e: CandidateEvaluation) -> Double { e.diagnostics.adjusted?.interval?.lowerBound ?? 0 }
            return (key(a), b.candidate.rule) > (key(b), a.candidate.rule)
        }
        notEnoughEvidence = split.map { s in
            min(s.training.renewed, s.training.churned, s.holdout.renewed, s.holdout.churned) < criteria.minimumOutcomes
        } ?? false
        guard !notEnoughEvidence else { return }
        let rank = Dictionary(behaviourOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let ordered = Self.order(evaluations, rank: rank)
        chosen = Self.choose(ordered.filter(\.qualifies))
        guard let chosen else { return }
        let verdict = Verdict(holdout: chosen.diagnostics.holdoutAUC, bar: criteria.strongAUC)
        self.verdict = verdict
        strength = verdict.strength
        func group(_ e: CandidateEvaluation) -> Set<String> { Set(e.candidate.definition.behaviours.map { groups[$0] ?? $0 }) }
        let chosenGroups = group(chosen)
        let others = ordered.filter { group($0).isDisjoint(with: chosenGroups) }
        runnerUp = others.first { $0.qualifies } ?? others.max { $0.candidate.youdenJ < $1.candidate.youdenJ }
        if let runnerUp, runnerUp.diagnostics.holdoutAUC.positives == chosen.diagnostics.holdoutAUC.positives {
            comparison = PairedDeLongTest(chosen.diagnostics.holdoutAUC, runnerUp.diagnostics.holdoutAUC)
        }
    }

    /// Training J by which a combination must beat the single-behaviour rule to replace it (2 points of J = 1
    /// point of AUC, below the sampling error of J at a few hundred customers): a combination must earn its extra
    /// complexity.
    public static let simplerPreference = 0.02

    /// Single-behaviour rules first by their behaviour's rank, then simplest first (lowest threshold, then shortest
    /// window); combinations after them by training J.
    package static func order(_ evaluations: [CandidateEvaluation], rank: [String: Int]) -> [CandidateEvaluation] {
        evaluations.sorted { a, b in
            let (ca, cb) = (a.candidate, b.candidate)
            if ca.definition.isCombination != cb.definition.isCombination { return !ca.definition.isCombination }
            if ca.definition.isCombination { return (ca.youdenJ, cb.rule) > (cb.youdenJ, ca.rule) }
            let (ra, rb) = (rank[ca.behaviour] ?? .max, rank[cb.behaviour] ?? .max)
            if ra != rb { return ra < rb }
            if ca.behaviour != cb.behaviour { return ca.behaviour < cb.behaviour }
            return (ca.threshold, ca.windowDays) < (cb.threshold, cb.windowDays)
        }
    }

    /// The first qualifying single-behaviour rule in `order`, unless a qualifying combination's training J is
    /// higher by `simplerPreference`; a combination when no single rule qualifies.
    package static func choose(_ qualifying: [CandidateEvaluation]) -> CandidateEvaluation? {
        let single = qualifying.first { !$0.candidate.definition.isCombination }
        let combination = qualifying.filter(\.candidate.definition.isCombination).max { $0.candidate.youdenJ < $1.candidate.youdenJ }
        guard let single else { return combination }
        if let combination, combination.candidate.youdenJ >= single.candidate.youdenJ + simplerPreference { return combination }
        return single
    }

    /// The criteria a rule can be checked on from its 2×2 tables alone (reach, week 1, renews more): rules that fail
    /// one are not worth the full diagnostics.
    package static func passesCheapCriteria(_ c: ThresholdCandidate, _ criteria: ProposalCriteria) -> Bool {
        let t = c.training, reach = t.reachRate ?? 0
        return reach >= criteria.minimumReach && reach <= criteria.maximumReach
            && (c.medianDayReached ?? .infinity) <= criteria.maximumMedianDay
            && (t.renewRateReached ?? 0) > (t.renewRateNotReached ?? 0) && c.qValue < criteria.significance
    }

    package static func check(_ d: CandidateDiagnostics, _ criteria: ProposalCriteria, roles: JointRoles?) -> [CriterionResult] {
        let c = d.candidate, t = c.training
        let reach = t.reachRate ?? 0
        func result(_ criterion: Criterion, _ passed: Bool) -> CriterionResult {
            CriterionResult(criterion: criterion, passed: passed, criteria: criteria, diagnostics: d)
        }
        var results = [
            result(.reach, reach >= criteria.minimumReach && reach <= criteria.maximumReach),
            result(.reachedInWeekOne, (c.medianDayReached ?? .infinity) <= criteria.maximumMedianDay),
            result(.renewsMore, (t.renewRateReached ?? 0) > (t.renewRateNotReached ?? 0) && c.qValue < criteria.significance),
        ]
        if let adjusted = d.adjusted {
            results.append(result(.holdsUpAfterAdjustment, adjusted.interval.map { $0.lowerBound > 1 } ?? false))
        }
        results.append(result(.stableAcrossQuarters, d.quarters.filter(\.enoughCustomers).allSatisfy { $0.oddsRatio > 1 }))
        if let roles {
            results.append(result(.notHarmful, roles.harmful.isDisjoint(with: c.definition.behaviours)))
            results.append(result(.ownEffect, !c.definition.behaviours.allSatisfy(roles.proxies.contains)))
        }
        return results
    }
}

extension TwoByTwoTable {
    /// How many renewed and churned: what a cohort can tell.
    public struct Margins: Sendable, Equatable {
        public var renewed: Int
        public var churned: Int
        public init(renewed: Int, churned: Int) { self.renewed = renewed; self.churned = churned }
    }
}
