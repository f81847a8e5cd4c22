import ActivationCore
import ActivationFeatures
import ActivationStatistics

/// Scans every behaviour × threshold × window, and pairs of the strongest behaviours, into candidates.
public struct RuleScanner: Sendable {
    /// Windows D scanned (days from signup); those longer than the first window are dropped.
    public var windows = [1, 3, 7, 14, 21, 30]
    public var maximumThreshold = 20
    /// Thresholds go up to this quantile of decided customers' counts.
    public var countQuantile = 0.95
    /// Behaviours (by best training J) whose best rules are combined pairwise.
    public var combinationParts = 4
    /// A shorter window is preferred when its J is within this of the best (2 points of J = 1 point of AUC,
    /// below the sampling error of J at a few hundred customers): earlier is more actionable.
    public var windowPreference = 0.02
    /// How much a combination's holdout AUC must exceed each part's.
    public var combinationMargin = 0.01
    public init() {}

    /// Thresholds to scan: 1 up to the 95th percentile of counts (rounded down), at least 1, at most 20.
    public func thresholds(counts: [Int]) -> ClosedRange<Int> {
        guard !counts.isEmpty else { return 1...1 }
        let top = Int(Self.quantile(counts: counts, countQuantile).rounded(.down))
        return 1...max(1, min(maximumThreshold, top))
    }

    /// `Descriptive.quantile(sorted:)` of the counts sorted, from a tally per count when the counts are small
    /// (the order statistics it interpolates between are the same whole numbers, so the same bits), by sorting
    /// otherwise.
    package static func quantile(counts: [Int], _ q: Double) -> Double {
        let n = counts.count
        var smallest = Int.max, largest = Int.min
        for c in counts { smallest = min(smallest, c); largest = max(largest, c) }
        guard smallest >= 0, largest < max(1024, 2 * n) else {
            return Descriptive.quantile(sorted: counts.sorted().map(Double.init), q)
        }
        var tally = [Int](repeating: 0, count: largest + 1)
        tally.withUnsafeMutableBufferPointer { t in for c in counts { t[c] += 1 } }
        func orderStatistic(_ k: Int) -> Double {
            var seen = 0
            for (value, count) in tally.enumerated() {
                seen += count
                if seen > k { return Double(value) }
            }
            return Double(largest)
        }
        let h = Double(n - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, n - 1)
        let low = orderStatistic(lo)
        return low + (h - Double(lo)) * (orderStatistic(hi) - low)
    }

    /// Every single-behaviour candidate, ordered by behaviour (byte order), window, threshold.
    public func scan(_ features: BehaviourFeatures, customers: [Customer], split: CohortSplit) -> [ThresholdCandidate] {
        let decided = (split.training + split.holdout).sorted()
        let perCustomer = features.countPerCustomer()
        let range = thresholds(counts: decided.map { perCustomer[$0] })
        let maximum = range.upperBound, window = features.windowDays
        // One pass over the customers: for each group (cohort × outcome), threshold n and day d, how many customers'
        // running count first reached n on day d. Every rule's 2×2 tables and reach-day quantiles are then sums over
        // days of this histogram: O(customers × window) per behaviour, not a pass over customers per rule.
        var reached = [Int](repeating: 0, count: 4 * maximum * window)
        var totals = [0, 0, 0, 0]
        // Each decided customer's group; then the doers in order (`DailyCounts.forEachDayReaching(upTo:doer:)`, without a search
        // per customer: the others reach nothing). Whole counts: the same tallies in any order.
        var groupOf = [Int8](repeating: -1, count: customers.count)
        for (cohort, group) in [split.training, split.holdout].enumerated() {
            for c in group {
                let g = cohort * 2 + (customers[c].outcome == .renewed ? 1 : 0)
                totals[g] += 1
                groupOf[c] = Int8(g)
            }
        }
        let daily = features.daily
        reached.withUnsafeMutableBufferPointer { reached in
            for k in daily.doers.indices {
                let g = Int(groupOf[Int(daily.doers[k])])
                guard g >= 0 else { continue }
                daily.forEachDayReaching(upTo: maximum, doer: k) { n, day in reached[(g * maximum + n - 1) * window + day] += 1 }
            }
        }
        var candidates: [ThresholdCandidate] = []
        for days in windows where days <= window {
            for n in range {
                var within = [0, 0, 0, 0]
                // Reach-day quantiles over training customers only: the criteria they feed choose the rule.
                var byDay = [Int](repeating: 0, count: days)
                for g in 0..<4 {
                    let base = (g * maximum + n - 1) * window
                    for d in 0..<days {
                        within[g] += reached[base + d]
                        if g < 2 { byDay[d] += reached[base + d] }
                    }
                }
                let training = TwoByTwoTable(reachedRenewed: within[1], reachedChurned: within[0],
                                             notReachedRenewed: totals[1] - within[1], notReachedChurned: totals[0] - within[0])
                let holdout = TwoByTwoTable(reachedRenewed: within[3], reachedChurned: within[2],
                                            notReachedRenewed: totals[3] - within[3], notReachedChurned: totals[2] - within[2])
                let all = TwoByTwoTable(reachedRenewed: within[1] + within[3], reachedChurned: within[0] + within[2],
                                        notReachedRenewed: totals[1] + totals[3] - within[1] - within[3],
                                        notReachedChurned: totals[0] + totals[2] - within[0] - within[2])
                candidates.append(ThresholdCandidate(
                    definition: ActivationRule(conditions: [.init(behaviour: features.name, threshold: n)], windowDays: days),
                    table: all, training: training, holdout: holdout,
                    medianDayReached: Self.quantile(histogram: byDay, 0.5), day75Reached: Self.quantile(histogram: byDay, 0.75)))
            }
        }
        return candidates
    }

    /// `Descriptive.quantile(sorted:)` of the values a histogram (`histogram[v]` = how many equal v) stands for:
    /// the same linear interpolation between order statistics; nil when it is empty.
    package static func quantile(histogram: [Int], _ q: Double) -> Double? {
        let n = histogram.reduce(0, +)
        guard n > 0 else { return nil }
        func orderStatistic(_ k: Int) -> Double {
            var seen = 0
            for (value, count) in histogram.enumerated() {
                seen += count
                if seen > k { return Double(value) }
            }
            return Double(histogram.count - 1)
        }
        let h = Double(n - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, n - 1)
        let low = orderStatistic(lo)
        return low + (h - Double(lo)) * (orderStatistic(hi) - low)
    }

    package func candidate(_ rule: ActivationRule, customers: [Customer], split: CohortSplit, reachDay: (Int) -> Int?) -> ThresholdCandidate {
        // Reach days are counted per day (they lie in 0..<windowDays), and sorted by laying the counts out in order.
        var perDay = [Int](repeating: 0, count: max(rule.windowDays, 0))
        func table(_ group: [Int]) -> TwoByTwoTable {
            TwoByTwoTable(tallying: group, reached: { i in
                guard let day = reachDay(i), day >= 0, day < rule.windowDays else { return false }
                perDay[day] += 1
                return true
            }, renewed: { customers[$0].outcome == .renewed })
        }
        let training = table(split.training)
        // Reach days of training customers only (the holdout measures, it never shapes a criterion).
        let trainingPerDay = perDay
        let holdout = table(split.holdout)
        perDay = trainingPerDay
        var sorted: [Double] = []
        sorted.reserveCapacity(perDay.reduce(0, +))
        for (day, n) in perDay.enumerated() where n > 0 { sorted.append(contentsOf: repeatElement(Double(day), count: n)) }
        let all = TwoByTwoTable(reachedRenewed: training.reachedRenewed + holdout.reachedRenewed,
                                reachedChurned: training.reachedChurned + holdout.reachedChurned,
                                notReachedRenewed: training.notReachedRenewed + holdout.notReachedRenewed,
                                notReachedChurned: training.notReachedChurned + holdout.notReachedChurned)
        return ThresholdCandidate(definition: rule, table: all, training: training, holdout: holdout,
                                  medianDayReached: sorted.isEmpty ? nil : Descriptive.quantile(sorted: sorted, 0.5),
                                  day75Reached: sorted.isEmpty ? nil : Descriptive.quantile(sorted: sorted, 0.75))
    }

    /// The behaviour's best rule: the largest training J, preferring the shortest window whose J is within
    /// `windowPreference` of it, then the smallest threshold.
    public func best(_ candidates: [ThresholdCandidate]) -> ThresholdCandidate? {
        guard let top = candidates.map(\.youdenJ).max(), top > 0 else {
            return candidates.max { $0.youdenJ < $1.youdenJ }
        }
        return candidates.filter { $0.youdenJ >= top - windowPreference }
            .min { ($0.windowDays, -$0.youdenJ, $0.threshold) < ($1.windowDays, -$1.youdenJ, $1.threshold) }
    }

    /// The behaviour's plateau: every rule whose training J is within one standard error of the best J (the
    /// one-standard-error rule of Breiman et al. 1984, *Classification and Regression Trees*, §3.4.3), those with
    /// J > 0 only, simplest first (lowest threshold, then shortest window). J = recall + specificity − 1 has
    /// variance recall(1 − recall)/renewed + specificity(1 − specificity)/churned (two independent proportions). Rules
    /// on a plateau are equally good on this data; the simplest is the one to steer customers towards.
    public func plateau(_ candidates: [ThresholdCandidate]) -> [ThresholdCandidate] {
        guard let best = candidates.max(by: { ($0.youdenJ, $1.rule) < ($1.youdenJ, $0.rule) }), best.youdenJ > 0 else { return [] }
        let floor = best.youdenJ - Self.standardErrorOfJ(best.training)
        return candidates.filter { $0.youdenJ > 0 && $0.youdenJ >= floor }
            .sorted { ($0.threshold, $0.windowDays) < ($1.threshold, $1.windowDays) }
    }

    /// Standard error of Youden's J of a 2×2 table (0 when a class is empty).
    package static func standardErrorOfJ(_ t: TwoByTwoTable) -> Double {
        guard t.renewed > 0, t.churned > 0, let r = t.recall, let s = t.specificity else { return 0 }
        return (r * (1 - r) / Double(t.renewed) + s * (1 - s) / Double(t.churned)).squareRoot()
    }

    /// "A and B within D days" for pairs of the strongest behaviours' best rules, at each scanned window. A pair is
    /// kept only when its training AUC beats the training AUC of each part's own best rule by `combinationMargin`:
    /// a combination must earn its extra complexity, and the holdout never helps choose (it measures the one rule
    /// proposed, once).
    public func combinations(of bests: [ThresholdCandidate], features: FeatureTable, split: CohortSplit) -> [ThresholdCandidate] {
        let parts = bests.filter { !$0.definition.isCombination && $0.youdenJ > 0 }
            .sorted { ($0.youdenJ, $1.behaviour) > ($1.youdenJ, $0.behaviour) }
            .prefix(combinationParts)
        let decided = (split.training + split.holdout).sorted()
        let list = Array(parts)
        // Pairs are independent: both cores take them, and the kept candidates come back in pair order.
        let reachList = parallelMap(list) { part in
            features.behaviours.first(where: { $0.name == part.behaviour }).map { ReachDays($0, customers: decided, maximum: part.threshold) }
        }
        let reach = Dictionary(zip(list, reachList).compactMap { part, days in days.map { (part.behaviour, $0) } },
                               uniquingKeysWith: { first, _ in first })
        let pairs = list.indices.flatMap { i in list.indices.filter { $0 > i }.map { (i, $0) } }
        return parallelMap(pairs) { i, j -> [ThresholdCandidate] in
            let (p, q) = (list[i], list[j])
            let ordered = [p, q].sorted { Array($0.behaviour.utf8).lexicographicallyPrecedes(Array($1.behaviour.utf8)) }
            // The day both parts were reached, per customer, worked out once for the pair's windows (looking
            // the parts up by name per customer and window cost more than the rest of the candidate stage).
            guard let first = reach[ordered[0].behaviour], let second = reach[ordered[1].behaviour] else { return [] }
            var both = [Int32](repeating: -1, count: features.customers.count)
            for c in decided {
                if let a = first.day(ordered[0].threshold, customer: c), let b = second.day(ordered[1].threshold, customer: c) {
                    both[c] = Int32(max(a, b))
                }
            }
            var kept: [ThresholdCandidate] = []
            for window in windows where window <= features.windowDays {
                let rule = ActivationRule(conditions: ordered.map { .init(behaviour: $0.behaviour, threshold: $0.threshold) },
                                          windowDays: window)
                let combined = candidate(rule, customers: features.customers, split: split) { c in
                    both[c] < 0 ? nil : Int(both[c])
                }
                let auc = combined.training.binaryAUC ?? 0
                let parts = max(p.training.binaryAUC ?? 0, q.training.binaryAUC ?? 0)
                if auc >= parts + combinationMargin { kept.append(combined) }
            }
            return kept
        }.flatMap { $0 }
    }
}
