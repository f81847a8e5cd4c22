import ActivationStatistics

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
    public init() {}
}

/// One criterion checked on one candidate.
public struct CriterionResult: Sendable {
    public var name: String
    public var passed: Bool
    /// What was measured, in plain words ("reached by 52% of decided customers").
    public var detail: String
    /// The verdict when it fails, in a few words for tables ("too late", "proxy for activity").
    public var failure: String
}

/// A candidate rule checked against every criterion.
public struct CandidateEvaluation: Sendable {
    public var diagnostics: CandidateDiagnostics
    public var criteria: [CriterionResult]
    public var candidate: ThresholdCandidate { diagnostics.candidate }
    public var qualifies: Bool { criteria.allSatisfy(\.passed) }
    public var failures: [CriterionResult] { criteria.filter { !$0.passed } }
}

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

    static func check(_ d: CandidateDiagnostics, _ criteria: ProposalCriteria) -> [CriterionResult] {
        let c = d.candidate, t = c.training
        let reach = t.reachRate ?? 0
        let renewsMore = (t.renewRateReached ?? 0) > (t.renewRateNotReached ?? 0) && c.qValue < criteria.significance
        var results = [
            CriterionResult(name: "reach \(Format.percent(criteria.minimumReach))–\(Format.percent(criteria.maximumReach))",
                            passed: reach >= criteria.minimumReach && reach <= criteria.maximumReach,
                            detail: "reached by \(Format.percent(reach)) of training customers", failure: "reach"),
            CriterionResult(name: "reached in week 1 (median day ≤ \(Format.day(criteria.maximumMedianDay)))",
                            passed: (c.medianDayReached ?? .infinity) <= criteria.maximumMedianDay,
                            detail: c.medianDayReached.map { "median day reached: \(Format.day($0))" } ?? "never reached",
                            failure: "too late"),
            CriterionResult(name: "renews more when reached (BH q < \(Format.decimal(criteria.significance, places: 2)))",
                            passed: renewsMore,
                            detail: "renewal \(Format.percent(t.renewRateReached)) reached vs \(Format.percent(t.renewRateNotReached)) not (Fisher \(Format.pPhrase(t.fisherExactPValue)), q \(Format.pValue(c.qValue)))",
                            failure: "no real difference"),
        ]
        if let adjusted = d.adjusted {
            let holds = adjusted.interval.map { $0.lowerBound > 1 } ?? false
            var detail = "adjusted odds ratio \(Format.decimal(adjusted.oddsRatio))"
            if let ci = adjusted.interval {
                detail += " (\(Format.decimal(ci.lowerBound))–\(Format.decimal(ci.upperBound)))"
                if !holds { detail += ": mostly a proxy for overall activity" }
            } else {
                detail += " (penalised): the adjusted effect cannot be estimated, because the rule splits renewal perfectly in the adjusted model"
            }
            results.append(CriterionResult(name: "holds up after adjusting for activity and segment", passed: holds, detail: detail,
                                           failure: adjusted.interval == nil ? "not estimable after adjustment" : "proxy for activity"))
        }
        let judged = d.quarters.filter(\.enoughCustomers)
        let weak = judged.filter { $0.oddsRatio <= 1 }
        results.append(CriterionResult(
            name: "stable across signup quarters (odds ratio > 1 in each)",
            passed: weak.isEmpty,
            detail: judged.isEmpty ? "no quarter has \(QuarterEffect.minimumCustomers)+ decided customers"
                : weak.isEmpty ? "odds ratio above 1 in all \(judged.count) quarters with enough customers"
                : "odds ratio ≤ 1 in " + weak.map(\.quarter).joined(separator: ", "),
            failure: "unstable"))
        return results
    }
}
