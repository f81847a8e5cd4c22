import ActivationFeatures

/// "Did X at least N times within D days of signup" (or several such conditions, all met within D days).
public struct ActivationRule: Sendable, Hashable {
    public struct Condition: Sendable, Hashable {
        public var behaviour: String
        public var threshold: Int
        public init(behaviour: String, threshold: Int) { self.behaviour = behaviour; self.threshold = threshold }
    }
    public var conditions: [Condition]
    public var windowDays: Int

    public init(conditions: [Condition], windowDays: Int) {
        self.conditions = conditions
        self.windowDays = windowDays
    }

    public var isCombination: Bool { conditions.count > 1 }
    public var behaviours: [String] { conditions.map(\.behaviour) }

    /// "invite_teammate ≥ 2 within 7 days", "invite_teammate ≥ 2 and connect_integration ≥ 1 within 7 days"
    public var text: String {
        conditions.map { "\($0.behaviour) ≥ \($0.threshold)" }.joined(separator: " and ") + " within \(windowDays) \(windowDays == 1 ? "day" : "days")"
    }
}

extension ActivationRule {
    /// Each condition's behaviour in `features` with its threshold; nil when one of them was never seen.
    package func parts(in features: FeatureTable) -> [(behaviour: BehaviourFeatures, threshold: Int)]? {
        let parts = conditions.compactMap { c in features.behaviours.first { $0.name == c.behaviour }.map { ($0, c.threshold) } }
        return parts.count == conditions.count ? parts : nil
    }

    /// Per customer, the day every condition's threshold was met within the first window (whatever the rule's own
    /// window), or nil: the time to value. The rule is reached when this day is below `windowDays`.
    public func reachDays(in features: FeatureTable) -> [Int?] {
        let count = features.customers.count
        guard let parts = parts(in: features) else { return [Int?](repeating: nil, count: count) }
        // Per part, the day its threshold was reached, from its doers only (in order, without a search per
        // customer: the others never reach a positive threshold), and per customer the latest over the parts so far
        // (-1: some part not reached): what `DailyCounts.dayReaching` gives customer by customer.
        var latest = [Int32](repeating: 0, count: count)
        var day = [Int32](repeating: -1, count: count)
        for (behaviour, threshold) in parts {
            let daily = behaviour.daily
            if threshold <= 0 {
                // Met on day 0 by everyone (within a window of at least a day): the latest day does not move.
                if daily.windowDays <= 0 { return [Int?](repeating: nil, count: count) }
                continue
            }
            for c in 0..<count { day[c] = -1 }
            daily.forEachDoerReaching(threshold) { customer, reached in day[customer] = Int32(reached) }
            for c in 0..<count { latest[c] = latest[c] < 0 || day[c] < 0 ? -1 : max(latest[c], day[c]) }
        }
        return latest.map { $0 < 0 ? nil : Int($0) }
    }

    /// Per customer, whether every condition's threshold was met within `days` days of signup, past the first window
    /// if need be (the follow-up horizon, day 90), or with `days == nil` ever, to the data's end.
    public func reached(withinDays days: Int?, in features: FeatureTable) -> [Bool] {
        if let days, days <= features.windowDays { return reachDays(in: features).map { ($0 ?? .max) < days } }
        guard let parts = parts(in: features) else { return [Bool](repeating: false, count: features.customers.count) }
        return (0..<features.customers.count).map { c in
            parts.allSatisfy { $0.behaviour.countSinceSignup(withinDays: days, customer: c) >= $0.threshold }
        }
    }
}
