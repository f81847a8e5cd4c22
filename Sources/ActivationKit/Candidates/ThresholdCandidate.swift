import ActivationStatistics

/// "Did the behaviour at least `threshold` times in the first window", as a candidate activation event.
public struct ThresholdCandidate: Sendable {
    public var behaviour: String
    public var threshold: Int
    public var windowDays: Int
    /// The rule against renewal, over decided customers.
    public var table: TwoByTwoTable
    /// Median day (0-based from signup) on which customers who reached it got there.
    public var medianDayReached: Double?
    /// Day by which three in four of the customers who reached it had got there (75th percentile, linear).
    public var day75Reached: Double?

    public var youdenJ: Double { table.youdenJ ?? 0 }

    /// "invite_teammate ≥ 2 in the first 30 days"
    public var rule: String { "\(behaviour) ≥ \(threshold) in the first \(windowDays) days" }
}

/// Scans "at least N times" thresholds for a behaviour.
public struct ThresholdScanner: Sendable {
    /// Largest threshold scanned.
    public var maximumThreshold = 20
    /// Thresholds go up to this quantile of decided customers' counts.
    public var countQuantile = 0.95
    public init() {}

    /// Thresholds to scan: 1 up to the 95th percentile of counts (rounded down), at least 1, at most 20.
    public func thresholds(counts: [Int]) -> ClosedRange<Int> {
        guard !counts.isEmpty else { return 1...1 }
        let sorted = counts.sorted().map(Double.init)
        let top = Int(Descriptive.quantile(sorted: sorted, countQuantile).rounded(.down))
        return 1...max(1, min(maximumThreshold, top))
    }

    /// Every threshold's candidate, in threshold order.
    public func scan(_ features: BehaviourFeatures, customers: [Customer], decided: [Int]) -> [ThresholdCandidate] {
        let counts = decided.map { features.counts[$0] }
        return thresholds(counts: counts).map { n in
            var a = 0, b = 0, c = 0, d = 0
            var days: [Int] = []
            for (k, customer) in decided.enumerated() {
                let renewed = customers[customer].outcome == .renewed
                if counts[k] >= n {
                    if renewed { a += 1 } else { b += 1 }
                    if let day = features.dayReaching(n, customer: customer) { days.append(day) }
                } else {
                    if renewed { c += 1 } else { d += 1 }
                }
            }
            return ThresholdCandidate(behaviour: features.name, threshold: n, windowDays: features.windowDays,
                                      table: TwoByTwoTable(reachedRenewed: a, reachedChurned: b, notReachedRenewed: c, notReachedChurned: d),
                                      medianDayReached: Descriptive.median(days),
                                      day75Reached: days.isEmpty ? nil : Descriptive.quantile(sorted: days.sorted().map(Double.init), 0.75))
        }
    }

    /// The threshold with the largest Youden's J (the smallest threshold among ties).
    public func best(_ candidates: [ThresholdCandidate]) -> ThresholdCandidate? {
        var best: ThresholdCandidate?
        for candidate in candidates where best == nil || candidate.youdenJ > best!.youdenJ + 1e-12 { best = candidate }
        return best
    }
}
