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

/// Stages 3-5 in order on a feature table: candidates, the joint driver model, ranking, the proposal, its stability,
/// and what it means in time (time to value, activation by cohort, does activating early matter, the experiment).
public enum AnalysisStage {
    /// What the stages after Features produce.
    public struct Result: Sendable {
        public var split: CohortSplit
        public var evidence: [BehaviourEvidence]
        public var combinations: [ThresholdCandidate]
        public var drivers: DriverModel
        public var ranking: BehaviourRanking
        public var proposal: ActivationProposal
        public var stability: SelectionStability?
        public var timeToValue: TimeToValue?
        public var cohortActivation: CohortActivation?
        public var earlyActivation: EarlyActivation?
        public var experiment: ExperimentPlan?
        public var timings: [String: Double]
    }

    /// Rules diagnosed at most per behaviour: its plateau's simplest rules that pass the cheap criteria, until one
    /// meets every criterion.
    public static let diagnosedPerBehaviour = 3
    /// Combinations diagnosed at most (those with the largest training J).
    public static let diagnosedCombinations = 3

    /// Stages 3-5 on a feature table. Everything that chooses uses the training cohort; the holdout measures the
    /// chosen rule and the runner-up once. Everything after this point works on one row per customer.
    public static func run(_ features: FeatureTable, settings: AnalysisSettings, dataEndDay: Int) -> Result {
        var timings: [String: Double] = [:]
        var stage = StageClock()
        let criteria = settings.criteria
        // Stage 3: Candidates. Rules are scanned and chosen on the earlier signups; the latest are held out.
        let decidedIndices = features.decidedCustomers
        let split = CohortSplit(customers: features.customers, decided: decidedIndices, holdoutShare: criteria.holdoutShare)
        var fitter = BehaviourModelFitter()
        fitter.folds = settings.folds
        var scanner = RuleScanner()
        scanner.windows = settings.scanWindows
        let (fitterCopy, scannerCopy) = (fitter, scanner)
        // Each behaviour's evidence with its rules' Fisher p-values (for Benjamini-Hochberg below), on both cores.
        let scanned = parallelMap(features.behaviours) { behaviour -> (BehaviourEvidence, [Double]) in
            let model = fitterCopy.fit(behaviour, customers: features.customers, decided: decidedIndices)
            let scan = scannerCopy.scan(behaviour, customers: features.customers, split: split)
            let perCustomer = behaviour.countPerCustomer()
            let didIt = TwoByTwoTable(tallying: decidedIndices, reached: { perCustomer[$0] > 0 },
                                      renewed: { features.customers[$0].outcome == .renewed })
            return (BehaviourEvidence(model: model, scan: scan, best: scannerCopy.best(scan), didItAtAll: didIt),
                    scan.map(\.training.fisherExactPValue))
        }
        var evidence = scanned.map(\.0)
        timings["candidates"] = stage.lap()
        let drivers = DriverModel(features: features, split: split, correlationThreshold: criteria.correlationThreshold)
        timings["drivers"] = stage.lap()
        let roles = JointRoles(drivers)
        let harmful = roles.harmful
        var combinations = scanner.combinations(of: evidence.compactMap(\.best).filter { !harmful.contains($0.behaviour) },
                                                features: features, split: split)
        // Benjamini-Hochberg over every candidate of the run: with hundreds of rules scanned, some look good by luck.
        let pValues = scanned.flatMap(\.1) + parallelMap(combinations) { $0.training.fisherExactPValue }
        var q = BenjaminiHochberg.adjust(pValues)[...]
        for i in evidence.indices {
            for k in evidence[i].scan.indices { evidence[i].scan[k].qValue = q.removeFirst() }
            if let best = evidence[i].best {
                evidence[i].best = evidence[i].scan.first { $0.definition == best.definition }
            }
            evidence[i].plateau = scanner.plateau(evidence[i].scan)
            evidence[i].driver = drivers.estimate(evidence[i].name)
        }
        for k in combinations.indices { combinations[k].qValue = q.removeFirst() }
        timings["candidates", default: 0] += stage.lap()
        let diagnoser = CandidateDiagnoser(features: features, split: split, windows: settings.scanWindows)
        // Each behaviour's plateau, simplest first: rules that pass the cheap criteria are diagnosed until one meets
        // every criterion; with none passing them, the simplest is diagnosed so the report can say why it fails.
        // Behaviours' plateaus and the combinations with the largest training J, in one pool of tasks so that both
        // cores stay busy to the end.
        enum Diagnosis: Sendable { case plateau([ThresholdCandidate]), combination(ThresholdCandidate) }
        let shortCombinations = combinations.filter { $0.youdenJ > 0 }.sorted { ($0.youdenJ, $1.rule) > ($1.youdenJ, $0.rule) }
            .prefix(diagnosedCombinations)
        let work = evidence.map { Diagnosis.plateau($0.plateau) } + shortCombinations.map { Diagnosis.combination($0) }
        // Handed out combinations first: a rule of two behaviours is the likeliest to separate the outcome in its
        // adjusted model, whose maximum-likelihood fit then takes dozens of Newton steps before the penalised refit;
        // started last, it would leave the other core idle. The results keep the order of `work`.
        let dispatchOrder = Array(evidence.count..<work.count) + Array(0..<evidence.count)
        let done = parallelMap(dispatchOrder.map { work[$0] }) { item -> [CandidateDiagnostics] in
            switch item {
            case .combination(let candidate):
                return [diagnoser.diagnose(candidate)]
            case .plateau(let plateau):
                let cheap = plateau.filter { ActivationProposal.passesCheapCriteria($0, criteria) }
                var diagnosed: [CandidateDiagnostics] = []
                for candidate in (cheap.isEmpty ? Array(plateau.prefix(1)) : cheap).prefix(diagnosedPerBehaviour) {
                    let d = diagnoser.diagnose(candidate)
                    diagnosed.append(d)
                    if ActivationProposal.check(d, criteria, roles: roles).allSatisfy(\.passed) { break }
                }
                return diagnosed
            }
        }
        var byItem = [[CandidateDiagnostics]](repeating: [], count: work.count)
        for (position, i) in dispatchOrder.enumerated() { byItem[i] = done[position] }
        let diagnostics = byItem.flatMap { $0 }
        timings["diagnostics"] = stage.lap()

        // Stages 4 and 5: Ranking and proposal, then its stability and how fast it is reached.
        let ranking = BehaviourRanking(evidence)
        let order = ranking.candidates.map(\.name)
        let groups = Dictionary(drivers.estimates.map { ($0.behaviour, $0.groupLead) }, uniquingKeysWith: { a, _ in a })
        func margins(_ group: [Int]) -> TwoByTwoTable.Margins {
            let renewed = group.filter { features.customers[$0].outcome == .renewed }.count
            return TwoByTwoTable.Margins(renewed: renewed, churned: group.count - renewed)
        }
        let proposal = ActivationProposal(diagnostics: diagnostics, criteria: criteria, behaviourOrder: order, groups: groups,
                                          roles: roles, split: (margins(split.training), margins(split.holdout)))
        timings["proposal"] = stage.lap()
        var stability: SelectionStability?
        if let chosen = proposal.chosen, criteria.bootstrapResamples > 0 {
            stability = SelectionStability(features: features, split: split, chosen: chosen.candidate,
                                           plateau: evidence.first { $0.name == chosen.candidate.behaviour }?.plateau.map(\.definition) ?? [],
                                           scanner: scanner, criteria: criteria, excluded: roles.excluded)
        }
        timings["bootstrap"] = stage.lap()
        var timeToValue: TimeToValue?
        var cohortActivation: CohortActivation?
        var earlyActivation: EarlyActivation?
        var experiment: ExperimentPlan?
        if let chosen = proposal.chosen {
            let rule = chosen.candidate.definition
            let reachDay = rule.reachDays(in: features)
            // The four views of the rule in time are independent: one task each, on both cores.
            enum View: Sendable {
                case timeToValue(TimeToValue), cohort(CohortActivation), early(EarlyActivation), experiment(ExperimentPlan)
            }
            let views = parallelMap([0, 1, 2, 3]) { task -> View in
                switch task {
                case 0:
                    return .timeToValue(TimeToValue(customers: features.customers, reachDay: reachDay, windowDays: features.windowDays,
                                                    ruleWindowDays: rule.windowDays, dataEndDay: dataEndDay))
                case 1:
                    // The rule's own window, the first 30 days, 90 days (past the first window: follow-up counts) and ever.
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
                    return .cohort(CohortActivation(customers: features.customers, horizons: horizons.sorted(), reached: reached,
                                                    dataEndDay: dataEndDay))
                case 2:
                    return .early(EarlyActivation(features: features, rule: rule, reachDay: reachDay, dataEndDay: dataEndDay))
                default:
                    return .experiment(ExperimentPlan(features: features, rule: rule, reachDay: reachDay, dataEndDay: dataEndDay,
                                                      effectShare: criteria.experimentEffectShare))
                }
            }
            for view in views {
                switch view {
                case .timeToValue(let v): timeToValue = v
                case .cohort(let v): cohortActivation = v
                case .early(let v): earlyActivation = v
                case .experiment(let v): experiment = v
                }
            }
        }
        timings["ranking"] = stage.lap()

        return Result(split: split, evidence: evidence, combinations: combinations, drivers: drivers, ranking: ranking,
                      proposal: proposal, stability: stability, timeToValue: timeToValue, cohortActivation: cohortActivation,
                      earlyActivation: earlyActivation, experiment: experiment, timings: timings)
    }
}
