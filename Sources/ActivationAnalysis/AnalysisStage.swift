import ActivationCore
import ActivationFeatures
import ActivationStatistics

/// What steers the analysis: the proposal's criteria, the scan's windows and the models' folds.
public struct AnalysisSettings: Sendable, Equatable {
    public var criteria: ProposalCriteria
    /// Windows D of the "at least N times within D days" scan (those beyond the feature window are dropped).
    public var scanWindows: [Int]
    /// Cross-validation folds for the per-behaviour models.
    public var folds: Int

    public init(criteria: ProposalCriteria = ProposalCriteria(), scanWindows: [Int] = [1, 3, 7, 14, 21, 30], folds: Int = 5) {
        self.criteria = criteria
        self.scanWindows = scanWindows
        self.folds = folds
    }
}

/// Stages 3-5 in order on a feature table: candidates, ranking, the proposal, time to value.
public enum AnalysisStage {
    /// What the stages after Features produce.
    public struct Result: Sendable {
        public var split: CohortSplit
        public var evidence: [BehaviourEvidence]
        public var combinations: [ThresholdCandidate]
        public var ranking: BehaviourRanking
        public var proposal: ActivationProposal
        public var timeToValue: TimeToValue?
        public var cohortActivation: CohortActivation?
        public var timings: [String: Double]
    }

    /// Stages 3-5 on a feature table: per-behaviour models, the rule scan on the training cohort, combinations,
    /// Benjamini-Hochberg, diagnostics, ranking, the proposal, and time to value. Everything after this point works
    /// on one row per customer.
    public static func run(_ features: FeatureTable, settings: AnalysisSettings, dataEndDay: Int) -> Result {
        var timings: [String: Double] = [:]
        var stage = StageClock()
        // Stage 3: Candidates. Rules are scanned and chosen on the earlier signups; the latest are held out.
        let decidedIndices = features.decidedCustomers
        let split = CohortSplit(customers: features.customers, decided: decidedIndices, holdoutShare: settings.criteria.holdoutShare)
        var fitter = BehaviourModelFitter()
        fitter.folds = settings.folds
        var scanner = RuleScanner()
        scanner.windows = settings.scanWindows
        let (fitterCopy, scannerCopy) = (fitter, scanner)
        var evidence = parallelMap(features.behaviours) { behaviour -> BehaviourEvidence in
            let model = fitterCopy.fit(behaviour, customers: features.customers, decided: decidedIndices)
            let scan = scannerCopy.scan(behaviour, customers: features.customers, split: split)
            return BehaviourEvidence(model: model, scan: scan, best: scannerCopy.best(scan))
        }
        var combinations = scanner.combinations(of: evidence.compactMap(\.best), features: features, split: split)
        // Benjamini-Hochberg over every candidate of the run: with hundreds of rules scanned, some look good by luck.
        let pValues = evidence.flatMap { $0.scan.map(\.training.fisherExactPValue) } + combinations.map(\.training.fisherExactPValue)
        var q = BenjaminiHochberg.adjust(pValues)[...]
        for i in evidence.indices {
            for k in evidence[i].scan.indices { evidence[i].scan[k].qValue = q.removeFirst() }
            if let best = evidence[i].best {
                evidence[i].best = evidence[i].scan.first { $0.definition == best.definition }
            }
        }
        for k in combinations.indices { combinations[k].qValue = q.removeFirst() }
        let diagnoser = CandidateDiagnoser(features: features, split: split, windows: settings.scanWindows)
        let shortlist = Self.shortlist(evidence: evidence, combinations: combinations)
        let diagnostics = parallelMap(shortlist) { diagnoser.diagnose($0) }
        timings["candidates"] = stage.lap()

        // Stages 4 and 5: Ranking and proposal, then how fast the proposed event is reached.
        let ranking = BehaviourRanking(evidence)
        let proposal = ActivationProposal(diagnostics: diagnostics, criteria: settings.criteria)
        var timeToValue: TimeToValue?
        var cohortActivation: CohortActivation?
        if let chosen = proposal.chosen {
            let reachDay = chosen.candidate.definition.reachDays(in: features)
            timeToValue = TimeToValue(customers: features.customers, reachDay: reachDay, windowDays: features.windowDays, dataEndDay: dataEndDay)
            // The rule's own window, the first 30 days, 90 days (past the first window: follow-up counts) and ever.
            let rule = chosen.candidate.definition
            var horizons = Set([rule.windowDays, 30].filter { $0 <= features.windowDays }.map(CohortActivation.Horizon.days))
            horizons.insert(.days(features.followUpHorizon))
            horizons.insert(.ever)
            var reached: [CohortActivation.Horizon: [Bool]] = [:]
            for horizon in horizons {
                switch horizon {
                case .days(let d) where d <= features.windowDays: reached[horizon] = reachDay.map { ($0 ?? .max) < d }
                case .days(let d) where features.hasFollowUp: reached[horizon] = rule.reached(withinDays: d, in: features)
                case .ever where features.hasFollowUp: reached[horizon] = rule.reached(withinDays: nil, in: features)
                default: break
                }
            }
            cohortActivation = CohortActivation(customers: features.customers, horizons: horizons.sorted(), reached: reached, dataEndDay: dataEndDay)
        }
        timings["ranking"] = stage.lap()

        return Result(split: split, evidence: evidence, combinations: combinations, ranking: ranking, proposal: proposal,
                        timeToValue: timeToValue, cohortActivation: cohortActivation, timings: timings)
    }

    /// The candidates worth the full diagnostics: each behaviour's best rule and the combinations that beat their
    /// parts, each once.
    package static func shortlist(evidence: [BehaviourEvidence], combinations: [ThresholdCandidate]) -> [ThresholdCandidate] {
        var seen = Set<ActivationRule>()
        return (evidence.compactMap(\.best) + combinations).filter { $0.youdenJ > 0 && seen.insert($0.definition).inserted }
    }
}
