import ActivationCore
import ActivationFeatures
import ActivationStatistics
import Foundation

/// How stable the whole selection is: the proposal chosen again on seeded bootstrap resamples of decided customers
/// (training and holdout resampled separately, with replacement), each resample running the same selection:
/// behaviours ordered by within-segment AUC, each behaviour's plateau, its simplest rule that passes the criteria the
/// 2×2 tables decide (reach, week 1, renews more at BH q < significance), the first behaviour that has one; then the
/// chosen rule's AUC on the resampled holdout against the bar. Efron & Tibshirani 1993, *An Introduction to the
/// Bootstrap*, ch. 17 (the bootstrap of a model selection).
///
/// What a resample leaves out, for speed (each is stated in the report): the adjusted-model and quarter criteria
/// and combinations are not re-run (roles from the full-data joint model still exclude harmful behaviours), and
/// "renews more" uses the two-proportion z-test's p-value (the normal approximation of Fisher's test, which the
/// full run uses) before Benjamini-Hochberg. Work per resample is proportional to customers × behaviours: each
/// behaviour's customers are tallied by their reach-day profile and by (segment, count), and rules are read from the
/// tallies.
public struct SelectionStability: Sendable {
    public var resamples: Int
    public var seed: UInt64
    /// Shares of resamples whose selection chose the proposal's behaviour, a rule on the proposal's plateau (or the
    /// proposal itself), exactly the proposal, and no rule at all.
    public var sameBehaviour: Double
    public var sameRuleOrPlateau: Double
    public var sameRule: Double
    public var noProposal: Double
    /// Share of resamples whose chosen rule was strong on the resampled holdout (95% lower bound at the bar).
    public var strong: Double
    /// Behaviours chosen, with their shares, most often first.
    public var behaviourShares: [(behaviour: String, share: Double)]

    public static let defaultSeed: UInt64 = 20_261_201

    public init(features: FeatureTable, split: CohortSplit, chosen: ThresholdCandidate, plateau: [ActivationRule],
                scanner: RuleScanner, criteria: ProposalCriteria, harmful: Set<String>,
                seed: UInt64 = SelectionStability.defaultSeed) {
        resamples = criteria.bootstrapResamples
        self.seed = seed
        let customers = features.customers
        let training = split.training, holdout = split.holdout
        let renewedT = training.map { customers[$0].outcome == .renewed }
        let renewedH = holdout.map { customers[$0].outcome == .renewed }
        let window = features.windowDays
        let windows = scanner.windows.filter { $0 <= window }
        let decided = (training + holdout).sorted()
        // Segments of training customers, as indices.
        let segmentNames = Array(Set(training.map { customers[$0].segment })).sorted()
        let segmentIndex = Dictionary(uniqueKeysWithValues: segmentNames.enumerated().map { ($1, $0) })
        let segmentOf = training.map { segmentIndex[customers[$0].segment]! }
        let candidates = features.behaviours.filter { !harmful.contains($0.name) }
        let tallies = parallelMap(candidates) { b in
            BehaviourTally(b, training: training, holdout: holdout, segmentOf: segmentOf, segments: segmentNames.count,
                           maximum: scanner.thresholds(counts: decided.map { b.counts[$0] }).upperBound)
        }
        let plateauSet = Set(plateau + [chosen.definition])
        let settings = (windows: windows, criteria: criteria, standardError: RuleScanner.standardErrorOfJ)
        // Each resample's own seed, drawn from one stream: seeds `seed + k·γ` would start SplitMix64 one step apart
        // on the same sequence (its state advances by γ), so neighbouring resamples would share all but one draw.
        var master = SplitMix64(seed: seed)
        let seeds = (0..<resamples).map { _ in master.next() }
        let outcomes = parallelMap(seeds) { resampleSeed -> (behaviour: String?, rule: ActivationRule?, strong: Bool) in
            var rng = SplitMix64(seed: resampleSeed)
            var weightT = [Int32](repeating: 0, count: training.count)
            for _ in training.indices { weightT[Bootstrap.index(below: training.count, using: &rng)] += 1 }
            var weightH = [Int32](repeating: 0, count: holdout.count)
            for _ in holdout.indices { weightH[Bootstrap.index(below: holdout.count, using: &rng)] += 1 }
            let rules = tallies.map { $0.rules(weights: weightT, renewed: renewedT, windows: settings.windows) }
            // Benjamini-Hochberg over every rule of the resample.
            let p = rules.flatMap { $0.map { Self.twoProportionP($0.table) } }
            var q = BenjaminiHochberg.adjust(p)[...]
            var best: (auc: Double, tally: Int, rule: ActivationRule)?
            for (k, list) in rules.enumerated() {
                let qs = Array(q.prefix(list.count)); q = q.dropFirst(list.count)
                let auc = tallies[k].auc(weights: weightT, renewed: renewedT)
                guard auc.pooled >= 0.5 else { continue }
                guard let top = list.max(by: { ($0.table.youdenJ ?? 0) < ($1.table.youdenJ ?? 0) }), let topJ = top.table.youdenJ, topJ > 0 else { continue }
                let floor = topJ - settings.standardError(top.table)
                let plateau = list.indices.filter { (list[$0].table.youdenJ ?? 0) >= floor && (list[$0].table.youdenJ ?? 0) > 0 }
                    .sorted { (list[$0].threshold, list[$0].windowDays) < (list[$1].threshold, list[$1].windowDays) }
                guard let pick = plateau.first(where: { i in
                    let t = list[i].table, reach = t.reachRate ?? 0
                    return reach >= criteria.minimumReach && reach <= criteria.maximumReach
                        && (list[i].medianDay ?? .infinity) <= criteria.maximumMedianDay
                        && (t.renewRateReached ?? 0) > (t.renewRateNotReached ?? 0) && qs[i] < criteria.significance
                }) else { continue }
                if best == nil || auc.stratified > best!.auc {
                    best = (auc.stratified, k, ActivationRule(conditions: [.init(behaviour: tallies[k].name, threshold: list[pick].threshold)],
                                                             windowDays: list[pick].windowDays))
                }
            }
            guard let best else { return (nil, nil, false) }
            let roc = tallies[best.tally].holdoutROC(best.rule, weights: weightH, renewed: renewedH)
            return (tallies[best.tally].name, best.rule, roc.map { $0.confidenceInterval().lowerBound >= criteria.strongAUC } ?? false)
        }
        let n = Double(max(resamples, 1))
        sameBehaviour = Double(outcomes.filter { $0.behaviour == chosen.behaviour && !chosen.definition.isCombination }.count) / n
        sameRuleOrPlateau = Double(outcomes.filter { $0.rule.map(plateauSet.contains) ?? false }.count) / n
        sameRule = Double(outcomes.filter { $0.rule == chosen.definition }.count) / n
        noProposal = Double(outcomes.filter { $0.rule == nil }.count) / n
        strong = Double(outcomes.filter(\.strong).count) / n
        var shares: [String: Int] = [:]
        for o in outcomes { if let b = o.behaviour { shares[b, default: 0] += 1 } }
        behaviourShares = shares.map { ($0.key, Double($0.value) / n) }.sorted { ($0.share, $1.behaviour) > ($1.share, $0.behaviour) }
    }

    /// Two-sided p-value of the pooled two-proportion z-test of renewal, reached against not reached.
    package static func twoProportionP(_ t: TwoByTwoTable) -> Double {
        guard t.reached > 0, t.notReached > 0, let a = t.renewRateReached, let b = t.renewRateNotReached else { return 1 }
        let pooled = Double(t.renewed) / Double(t.total)
        let se = (pooled * (1 - pooled) * (1 / Double(t.reached) + 1 / Double(t.notReached))).squareRoot()
        guard se > 0 else { return a == b ? 1 : 0 }
        return NormalDistribution.twoSidedPValue(z: (a - b) / se)
    }
}

/// One behaviour's training customers tallied for the bootstrap: by reach-day profile (the day the running count
/// first reached 1, 2, … `maximum`) and by (segment, count), so a resample's rules and AUCs are sums over tallies.
private struct BehaviourTally: Sendable {
    struct Rule { var threshold: Int; var windowDays: Int; var table: TwoByTwoTable; var medianDay: Double? }
    let name: String
    let maximum: Int
    let windowDays: Int
    /// Per training customer, its profile; per profile, its reach days (`Int16.max`: never within the window).
    let profileOf: [Int32]
    let profiles: [[Int16]]
    /// Per training customer, its (segment, count) level; the levels of each segment in count order.
    let levelOf: [Int32]
    let levelsBySegment: [[Int32]]
    /// Each level's count (levels of a segment are distinct counts).
    let levelCounts: [Int]
    var levelCount: Int { levelCounts.count }
    /// Per holdout customer, its reach days.
    let holdoutDays: [[Int16]]

    init(_ b: BehaviourFeatures, training: [Int], holdout: [Int], segmentOf: [Int], segments: Int, maximum: Int) {
        name = b.name
        self.maximum = maximum
        windowDays = b.windowDays
        func days(_ c: Int) -> [Int16] {
            var out = [Int16](repeating: .max, count: maximum)
            var total = 0, next = 1
            for day in 0..<b.windowDays where next <= maximum {
                total += Int(b.daily[c * b.windowDays + day])
                while next <= maximum && total >= next { out[next - 1] = Int16(day); next += 1 }
            }
            return out
        }
        var index: [[Int16]: Int32] = [:], profiles: [[Int16]] = []
        profileOf = training.map { c in
            let d = days(c)
            if let i = index[d] { return i }
            index[d] = Int32(profiles.count); profiles.append(d)
            return Int32(profiles.count - 1)
        }
        self.profiles = profiles
        holdoutDays = holdout.map(days)
        struct Level: Hashable { var segment: Int; var count: Int }
        var levelIndex: [Level: Int32] = [:], levels: [Level] = []
        levelOf = training.indices.map { i in
            let l = Level(segment: segmentOf[i], count: b.counts[training[i]])
            if let k = levelIndex[l] { return k }
            levelIndex[l] = Int32(levels.count); levels.append(l)
            return Int32(levels.count - 1)
        }
        levelCounts = levels.map(\.count)
        levelsBySegment = (0..<segments).map { s in
            levels.indices.filter { levels[$0].segment == s }.sorted { levels[$0].count < levels[$1].count }.map { Int32($0) }
        }
    }

    /// Every "≥ n within D days" rule's training table on the resample, in (window, threshold) order.
    func rules(weights: [Int32], renewed: [Bool], windows: [Int]) -> [Rule] {
        var profileWeight = [Int](repeating: 0, count: profiles.count * 2)
        var totals = [0, 0]
        for i in weights.indices where weights[i] > 0 {
            let o = renewed[i] ? 1 : 0
            profileWeight[Int(profileOf[i]) * 2 + o] += Int(weights[i])
            totals[o] += Int(weights[i])
        }
        // reached[(o * maximum + n - 1) * window + day]: weight whose count first reached n on that day.
        var reached = [Int](repeating: 0, count: 2 * maximum * windowDays)
        for (p, days) in profiles.enumerated() {
            for o in 0..<2 {
                let w = profileWeight[p * 2 + o]
                guard w > 0 else { continue }
                for n in 0..<maximum where days[n] != .max { reached[(o * maximum + n) * windowDays + Int(days[n])] += w }
            }
        }
        var out: [Rule] = []
        for d in windows {
            for n in 1...maximum {
                var within = [0, 0]
                var byDay = [Int](repeating: 0, count: d)
                for o in 0..<2 {
                    let base = (o * maximum + n - 1) * windowDays
                    for day in 0..<d { within[o] += reached[base + day]; byDay[day] += reached[base + day] }
                }
                let t = TwoByTwoTable(reachedRenewed: within[1], reachedChurned: within[0],
                                      notReachedRenewed: totals[1] - within[1], notReachedChurned: totals[0] - within[0])
                out.append(Rule(threshold: n, windowDays: d, table: t, medianDay: RuleScanner.quantile(histogram: byDay, 0.5)))
            }
        }
        return out
    }

    /// Pooled and within-segment AUC of the count against renewal on the resample.
    func auc(weights: [Int32], renewed: [Bool]) -> (pooled: Double, stratified: Double) {
        var w = [Double](repeating: 0, count: levelCount * 2)
        for i in weights.indices where weights[i] > 0 { w[Int(levelOf[i]) * 2 + (renewed[i] ? 0 : 1)] += Double(weights[i]) }
        let strata = levelsBySegment.map { $0.map { (positive: w[Int($0) * 2], negative: w[Int($0) * 2 + 1]) } }
        // Pooled: all segments' levels merged by count.
        var merged: [Int: (Double, Double)] = [:]
        for (s, levels) in levelsBySegment.enumerated() {
            for (k, level) in levels.enumerated() {
                let count = levelCounts[Int(level)]
                var m = merged[count] ?? (0, 0)
                m.0 += strata[s][k].positive; m.1 += strata[s][k].negative
                merged[count] = m
            }
        }
        let pooled = FrequencyAUC.stratified([merged.keys.sorted().map { (positive: merged[$0]!.0, negative: merged[$0]!.1) }])
        return (pooled, FrequencyAUC.stratified(strata))
    }

    /// The rule's AUC (0/1 score) on the resampled holdout, with its DeLong interval; nil with one class only.
    func holdoutROC(_ rule: ActivationRule, weights: [Int32], renewed: [Bool]) -> ROCArea? {
        let n = rule.conditions[0].threshold
        var scores: [Double] = [], labels: [Bool] = []
        for i in weights.indices where weights[i] > 0 {
            let day = n <= maximum ? holdoutDays[i][n - 1] : .max
            let score = day != .max && Int(day) < rule.windowDays ? 1.0 : 0.0
            for _ in 0..<weights[i] { scores.append(score); labels.append(renewed[i]) }
        }
        guard labels.contains(true), labels.contains(false) else { return nil }
        return ROCArea(scores: scores, labels: labels)
    }
}
