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
/// and combinations are not re-run (roles from the full-data joint model still exclude harmful behaviours and
/// proxies, `JointRoles.excluded`), and
/// "renews more" uses the two-proportion z-test's p-value (the normal approximation of Fisher's test, which the
/// full run uses) before Benjamini-Hochberg. Work per resample is proportional to customers × behaviours: one pass
/// adds each customer's weight to its key (its counts over the scan's windows, its segment and count) for every
/// behaviour, and every rule's table and AUC is read from those tallies (`BehaviourTally`).
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
                scanner: RuleScanner, criteria: ProposalCriteria, excluded: Set<String>,
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
        let candidates = features.behaviours.filter { !excluded.contains($0.name) }
        let tallies = parallelMap(candidates) { b in
            let perCustomer = b.countPerCustomer()
            return BehaviourTally(b, training: training, renewed: renewedT, holdout: holdout, segmentOf: segmentOf, segments: segmentNames.count,
                           maximum: scanner.thresholds(counts: decided.map { perCustomer[$0] }).upperBound, windows: windows,
                           medianDayBound: criteria.maximumMedianDay)
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
            // The resample's training totals by outcome, the same for every behaviour.
            var all = 0, renewedWeight = 0
            for i in weightT.indices { all += Int(weightT[i]); if renewedT[i] { renewedWeight += Int(weightT[i]) } }
            let totals = (churned: all - renewedWeight, renewed: renewedWeight)
            let weights = tallies.map { $0.tally(weightT, totals: totals) }
            let rules = tallies.indices.map { tallies[$0].rules(weights[$0]) }
            // Benjamini-Hochberg over every rule of the resample.
            let p = rules.flatMap { $0.map { Self.twoProportionP($0.table) } }
            var q = BenjaminiHochberg.adjust(p)[...]
            var best: (auc: Double, tally: Int, rule: ActivationRule)?
            for (k, list) in rules.enumerated() {
                let qs = Array(q.prefix(list.count)); q = q.dropFirst(list.count)
                let auc = tallies[k].auc(weights[k])
                guard auc.pooled >= 0.5 else { continue }
                guard let top = list.max(by: { ($0.table.youdenJ ?? 0) < ($1.table.youdenJ ?? 0) }), let topJ = top.table.youdenJ, topJ > 0 else { continue }
                let floor = topJ - settings.standardError(top.table)
                let plateau = list.indices.filter { (list[$0].table.youdenJ ?? 0) >= floor && (list[$0].table.youdenJ ?? 0) > 0 }
                    .sorted { (list[$0].threshold, list[$0].windowDays) < (list[$1].threshold, list[$1].windowDays) }
                guard let pick = plateau.first(where: { i in
                    let t = list[i].table, reach = t.reachRate ?? 0
                    return reach >= criteria.minimumReach && reach <= criteria.maximumReach
                        && (t.renewRateReached ?? 0) > (t.renewRateNotReached ?? 0) && qs[i] < criteria.significance
                        && tallies[k].medianDayAtMost(criteria.maximumMedianDay, list[i], weights[k])
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

/// One behaviour's training customers tallied for the bootstrap, so a resample's rules and AUCs are sums over
/// tallies rather than passes over customers per rule.
///
/// A rule "≥ n within D days" is reached exactly when the count over the first D days is at least n, so every
/// rule's table comes from a histogram of those counts (capped at `maximum`) per scan window, by suffix sums. The
/// customers are grouped by their *key*: those capped counts over every scan window, and their (segment, count)
/// level for the AUCs. A resample adds each customer's weight to its key's once, then spreads the keys' weights
/// over the histograms: a few thousand keys, not one histogram update per customer and window (which, for
/// customers falling into the same cells one after another, waits on the previous store every time). Only the
/// median reach day needs the day itself, and only when the tallies cannot decide it.
private struct BehaviourTally: Sendable {
    struct Rule { var threshold: Int; var windowDays: Int; var table: TwoByTwoTable }
    /// A resample's tallies: per outcome o (1 renewed) and tallied window k, the weight whose capped count over the
    /// window is c at `histogram[(o · (windows + 1) + k) · (maximum + 1) + c]`; the weight per level (renewed at
    /// level · 2, churned at level · 2 + 1); the totals; and the customers' weights themselves.
    struct Weights { var weights: [Int32]; var histogram: [Int]; var level: [Double]; var totals: (churned: Int, renewed: Int) }
    let name: String
    let maximum: Int
    let windowDays: Int
    /// The scan's windows D, ascending.
    let windows: [Int]
    /// Days within which a customer reached a threshold by the median-day bound M (day ⌊M⌋ at the latest); tallied
    /// after the scan's windows.
    let weekEnd: Int
    /// Per training customer, its key's slot in a resample's weights per key and outcome: `key · 2 + 1` when it
    /// renewed, `key · 2` when it churned; per key, its counts over each scan window and `weekEnd`, capped at
    /// `maximum` (`windows.count + 1` a key), and its level.
    let keySlot: [Int32]
    let keyWindowCounts: [Int16]
    let keyLevel: [Int32]
    /// The levels of each segment in count order, and each level's count (levels of a segment are distinct counts).
    let levelsBySegment: [[Int32]]
    let levelCounts: [Int]
    /// The levels of each distinct count, counts ascending: the pooled AUC's rows (segments merged).
    let levelsByCount: [[Int32]]
    var levelCount: Int { levelCounts.count }
    /// Per holdout customer, its reach days (`Int16.max`: never within the window).
    let holdoutDays: [[Int16]]
    /// The behaviour and the training customers, for the median day the tallies leave open.
    let features: BehaviourFeatures
    let training: [Int]

    init(_ b: BehaviourFeatures, training: [Int], renewed: [Bool], holdout: [Int], segmentOf: [Int], segments: Int, maximum: Int, windows: [Int],
         medianDayBound: Double) {
        name = b.name
        self.maximum = maximum
        windowDays = b.windowDays
        self.windows = windows
        features = b
        self.training = training
        // Reached by day ⌊M⌋ ⟺ reached within ⌊M⌋ + 1 days: one more window for the median-day criterion.
        weekEnd = medianDayBound >= Double(b.windowDays) ? b.windowDays : max(0, Int(medianDayBound.rounded(.down)) + 1)
        let tallied = windows + [weekEnd]
        struct Level: Hashable { var segment: Int; var count: Int }
        var levelIndex: [Level: Int32] = [:], levels: [Level] = []
        struct Key: Hashable { var counts: [Int16]; var level: Int32 }
        var keyIndex: [Key: Int32] = [:], keyWindowCounts: [Int16] = [], keyLevel: [Int32] = []
        // The capped counts packed into one word when they fit (each in 0...maximum, `bits` wide: the packing is
        // one-to-one), so that a customer's key is neither an array allocated nor one hashed; keys are numbered in
        // order of first appearance either way, which depends on their equality alone.
        struct PackedKey: Hashable { var counts: UInt64; var level: Int32 }
        var packedIndex: [PackedKey: Int32] = [:]
        let bits = max(1, Int.bitWidth - maximum.leadingZeroBitCount)
        let packable = tallied.count * bits <= UInt64.bitWidth
        var counts = [Int16](repeating: 0, count: tallied.count)
        var cumulative = [Int](repeating: 0, count: b.windowDays + 1)
        let perCustomer = b.countPerCustomer()
        let keyOf = training.indices.map { i -> Int32 in
            let c = training[i]
            let l = Level(segment: segmentOf[i], count: perCustomer[c])
            let level: Int32
            if let k = levelIndex[l] { level = k } else {
                level = Int32(levels.count); levelIndex[l] = level; levels.append(l)
            }
            let cells = b.daily.cells(of: c)
            var cell = cells.lowerBound
            for day in 0..<b.windowDays {
                var n = 0
                if cell < cells.upperBound && Int(b.daily.days[cell]) == day { n = Int(b.daily.events[cell]); cell += 1 }
                cumulative[day + 1] = cumulative[day] + n
            }
            for (t, d) in tallied.enumerated() { counts[t] = Int16(min(cumulative[min(d, b.windowDays)], maximum)) }
            if packable {
                var packed: UInt64 = 0
                for n in counts { packed = packed << UInt64(bits) | UInt64(n) }
                let key = PackedKey(counts: packed, level: level)
                if let k = packedIndex[key] { return k }
                packedIndex[key] = Int32(keyLevel.count)
            } else {
                let key = Key(counts: counts, level: level)
                if let k = keyIndex[key] { return k }
                keyIndex[key] = Int32(keyLevel.count)
            }
            keyWindowCounts += counts
            keyLevel.append(level)
            return Int32(keyLevel.count - 1)
        }
        keySlot = zip(keyOf, renewed).map { $0 &* 2 &+ ($1 ? 1 : 0) }
        self.keyWindowCounts = keyWindowCounts
        self.keyLevel = keyLevel
        holdoutDays = holdout.map { Self.reachDays(b, customer: $0, maximum: maximum) }
        levelCounts = levels.map(\.count)
        let distinctCounts = Array(Set(levelCounts)).sorted()
        let countIndex = Dictionary(uniqueKeysWithValues: distinctCounts.enumerated().map { ($1, $0) })
        var levelsByCount = [[Int32]](repeating: [], count: distinctCounts.count)
        for l in levels.indices { levelsByCount[countIndex[levels[l].count]!].append(Int32(l)) }
        self.levelsByCount = levelsByCount
        levelsBySegment = (0..<segments).map { s in
            levels.indices.filter { levels[$0].segment == s }.sorted { levels[$0].count < levels[$1].count }.map { Int32($0) }
        }
    }

    /// The day on which the customer's running count first reached 1, 2, … `maximum` (`Int16.max`: not within the
    /// window).
    static func reachDays(_ b: BehaviourFeatures, customer c: Int, maximum: Int) -> [Int16] {
        var out = [Int16](repeating: .max, count: maximum)
        b.daily.forEachDayReaching(upTo: maximum, customer: c) { n, day in out[n - 1] = Int16(day) }
        return out
    }

    /// The resample's tallies: one pass over the training customers with weight, then one over the keys; `totals`
    /// the resample's training weight by outcome.
    func tally(_ weights: [Int32], totals: (churned: Int, renewed: Int)) -> Weights {
        let width = maximum + 1, w = windows.count + 1, keys = keyLevel.count
        // Two tallies, the even and the odd customers, added at the end (whole numbers: the same totals): customers
        // in a row often share a key, and each addition would otherwise wait on the previous one's store. Without
        // branches: a weight of 0 (a third of the customers, at random) adds nothing, and a test for it would be
        // mispredicted every third customer.
        var keyWeight = [Int](repeating: 0, count: keys * 4)
        keyWeight.withUnsafeMutableBufferPointer { kw in
            keySlot.withUnsafeBufferPointer { slot in
                weights.withUnsafeBufferPointer { weights in
                    let odd = keys * 2
                    var i = 0
                    while i + 2 <= weights.count {
                        kw[Int(slot[i])] &+= Int(weights[i])
                        kw[odd &+ Int(slot[i + 1])] &+= Int(weights[i + 1])
                        i += 2
                    }
                    if i < weights.count { kw[Int(slot[i])] &+= Int(weights[i]) }
                    for k in 0..<odd { kw[k] &+= kw[odd &+ k] }
                }
            }
        }
        var histogram = [Int](repeating: 0, count: 2 * w * width)
        var level = [Int](repeating: 0, count: levelCount * 2)
        histogram.withUnsafeMutableBufferPointer { h in
            level.withUnsafeMutableBufferPointer { lv in
                keyWeight.withUnsafeBufferPointer { kw in
                    keyWindowCounts.withUnsafeBufferPointer { kc in
                        keyLevel.withUnsafeBufferPointer { kl in
                            for key in 0..<keys {
                                let counts = key &* w
                                for o in 0..<2 {
                                    let weight = kw[key &* 2 &+ o]
                                    guard weight > 0 else { continue }
                                    let base = o &* w &* width
                                    for k in 0..<w { h[base &+ k &* width &+ Int(kc[counts &+ k])] &+= weight }
                                    lv[Int(kl[key]) &* 2 &+ 1 &- o] &+= weight
                                }
                            }
                        }
                    }
                }
            }
        }
        return Weights(weights: weights, histogram: histogram, level: level.map(Double.init), totals: totals)
    }

    /// The weight of outcome o (1 renewed) whose count over the k-th tallied window is at least n.
    func weight(_ o: Int, window k: Int, atLeast n: Int, _ weights: Weights) -> Int {
        let width = maximum + 1, base = (o * (windows.count + 1) + k) * width
        var total = 0
        for c in n...maximum { total += weights.histogram[base + c] }
        return total
    }

    /// Every "≥ n within D days" rule's training table on the resample, in (window, threshold) order.
    func rules(_ weights: Weights) -> [Rule] {
        let width = maximum + 1, w = windows.count + 1
        var out: [Rule] = []
        out.reserveCapacity(w * maximum)
        var atLeast = [[Int]](repeating: [Int](repeating: 0, count: width + 1), count: 2)
        for k in windows.indices {
            // Suffix sums: weight with a count of at least n.
            for o in 0..<2 {
                for c in stride(from: maximum, through: 0, by: -1) {
                    atLeast[o][c] = atLeast[o][c + 1] + weights.histogram[(o * w + k) * width + c]
                }
            }
            for n in 1...maximum {
                let t = TwoByTwoTable(reachedRenewed: atLeast[1][n], reachedChurned: atLeast[0][n],
                                      notReachedRenewed: weights.totals.renewed - atLeast[1][n],
                                      notReachedChurned: weights.totals.churned - atLeast[0][n])
                out.append(Rule(threshold: n, windowDays: windows[k], table: t))
            }
        }
        return out
    }

    /// Whether the median day on which the resample's customers who reached the rule reached it
    /// (`RuleScanner.quantile(histogram:0.5)`, nil counted as never) is at most `bound`, read from the tallies.
    ///
    /// Of the N reached, E reached by day ⌊M⌋: the k-th smallest reach day (from 0) is ≤ M exactly when E > k. The
    /// median is the order statistic at ⌊(N − 1)/2⌋, or the mean of it and the next when N is even; only when those
    /// two straddle M does the exact value decide, and it is then computed from the customers.
    func medianDayAtMost(_ bound: Double, _ rule: Rule, _ weights: Weights) -> Bool {
        guard let k = windows.firstIndex(of: rule.windowDays) else { return (medianDay(rule, weights) ?? .infinity) <= bound }
        let n = rule.threshold
        let reached = weight(0, window: k, atLeast: n, weights) + weight(1, window: k, atLeast: n, weights)
        guard reached > 0, bound >= 0 else { return false }
        let early = weekEnd >= rule.windowDays ? reached
            : weight(0, window: windows.count, atLeast: n, weights) + weight(1, window: windows.count, atLeast: n, weights)
        let h = Double(reached - 1) * 0.5
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, reached - 1)
        if h == Double(lo) || early > hi { return early > lo }
        if early <= lo { return false }
        return (medianDay(rule, weights) ?? .infinity) <= bound
    }

    /// The median day (`RuleScanner.quantile`) on which the resample's customers who reached the rule reached it.
    func medianDay(_ rule: Rule, _ weights: Weights) -> Double? {
        var byDay = [Int](repeating: 0, count: rule.windowDays)
        let n = rule.threshold - 1
        for i in weights.weights.indices where weights.weights[i] > 0 {
            // The day of the customer's n-th event (from 1), if within the rule's window.
            let c = training[i]
            var total = 0
            for cell in features.daily.cells(of: c) where Int(features.daily.days[cell]) < rule.windowDays {
                total += Int(features.daily.events[cell])
                if total > n { byDay[Int(features.daily.days[cell])] += Int(weights.weights[i]); break }
            }
        }
        return RuleScanner.quantile(histogram: byDay, 0.5)
    }

    /// Pooled and within-segment AUC of the count against renewal on the resample.
    func auc(_ weights: Weights) -> (pooled: Double, stratified: Double) {
        let w = weights.level
        let strata = levelsBySegment.map { $0.map { (positive: w[Int($0) * 2], negative: w[Int($0) * 2 + 1]) } }
        // Pooled: all segments' levels merged by count (sums of whole numbers: exact in any order).
        let merged = levelsByCount.map { levels -> (positive: Double, negative: Double) in
            var positive = 0.0, negative = 0.0
            for level in levels { positive += w[Int(level) * 2]; negative += w[Int(level) * 2 + 1] }
            return (positive, negative)
        }
        let pooled = FrequencyAUC.stratified([merged])
        return (pooled, FrequencyAUC.stratified(strata))
    }

    /// The rule's AUC (0/1 score) on the resampled holdout, with its DeLong interval; nil with one class only.
    func holdoutROC(_ rule: ActivationRule, weights: [Int32], renewed: [Bool]) -> ROCArea? {
        let n = rule.conditions[0].threshold
        // Each holdout customer's 0/1 score, repeated by its weight (`ROCArea(binary:)`: the AUC of the expanded
        // rows, without laying them out).
        let reached = holdoutDays.map { days -> Bool in
            let day = n <= maximum ? days[n - 1] : .max
            return day != .max && Int(day) < rule.windowDays
        }
        let roc = ROCArea(binary: reached, labels: renewed, repeats: weights)
        guard roc.positives > 0, roc.negatives > 0 else { return nil }
        return roc
    }
}
