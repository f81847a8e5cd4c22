import ActivationStatistics

/// Stage 5: the proposed activation event, or the reason there is none.
public struct ActivationProposal: Sendable {
    public enum Strength: String, Sendable { case strong, weak }

    /// The qualifying candidate with the largest training Youden's J, preferring (within `simplerPreference` of
    /// that J) a single behaviour over a combination, then a shorter window.
    public var chosen: CandidateEvaluation?
    public var strength: Strength?
    /// The next qualifying candidate on other behaviours (or, if none, the strongest other one), and the paired
    /// DeLong test of the two rules' holdout AUCs on the same customers.
    public var runnerUp: CandidateEvaluation?
    public var comparison: PairedDeLongTest?
    /// Every shortlisted candidate with its criteria, by training J (largest first).
    public var evaluations: [CandidateEvaluation]
    /// The same candidates by adjusted odds ratio (largest lower bound first): the view that discounts busy customers.
    public var adjustedOrder: [CandidateEvaluation]
    public var criteria: ProposalCriteria

    public init(diagnostics: [CandidateDiagnostics], criteria: ProposalCriteria = ProposalCriteria()) {
        self.criteria = criteria
        evaluations = diagnostics
            .map { CandidateEvaluation(diagnostics: $0, criteria: Self.check($0, criteria)) }
            .sorted { ($0.candidate.youdenJ, $1.candidate.rule) > ($1.candidate.youdenJ, $0.candidate.rule) }
        adjustedOrder = evaluations.sorted { a, b in
            func key(_ e: CandidateEvaluation) -> Double { e.diagnostics.adjusted?.interval?.lowerBound ?? 0 }
            return (key(a), b.candidate.rule) > (key(b), a.candidate.rule)
        }
        let qualifying = evaluations.filter(\.qualifies)
        if let top = qualifying.first?.candidate.youdenJ {
            chosen = qualifying.filter { $0.candidate.youdenJ >= top - Self.simplerPreference }.min { a, b in
                (a.candidate.definition.conditions.count, a.candidate.windowDays, -a.candidate.youdenJ)
                    < (b.candidate.definition.conditions.count, b.candidate.windowDays, -b.candidate.youdenJ)
            }
        }
        guard let chosen else { return }
        strength = chosen.diagnostics.holdoutAUC.auc >= criteria.strongAUC ? .strong : .weak
        let chosenBehaviours = Set(chosen.candidate.definition.behaviours)
        let others = evaluations.filter { Set($0.candidate.definition.behaviours) != chosenBehaviours }
        runnerUp = others.first { $0.qualifies } ?? others.first
        if let runnerUp, runnerUp.diagnostics.holdoutAUC.positives == chosen.diagnostics.holdoutAUC.positives {
            comparison = PairedDeLongTest(chosen.diagnostics.holdoutAUC, runnerUp.diagnostics.holdoutAUC)
        }
    }

    /// Training J within which a simpler rule is preferred (as `RuleScanner.windowPreference`).
    public static let simplerPreference = 0.02

    package static func check(_ d: CandidateDiagnostics, _ criteria: ProposalCriteria) -> [CriterionResult] {
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
        return results
    }
}
