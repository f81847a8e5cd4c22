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
        guard let parts = parts(in: features) else { return [Int?](repeating: nil, count: features.customers.count) }
        // The parts' daily counts taken out once: going through the parts per customer copied each behaviour's
        // struct (seven arrays retained and released) for every customer.
        let daily = parts.map(\.behaviour.daily), thresholds = parts.map(\.threshold)
        return (0..<features.customers.count).map { c in
            var latest = 0
            for k in daily.indices {
                guard let day = daily[k].dayReaching(thresholds[k], customer: c) else {
                    return nil
                }
                latest = max(latest, day)
            }
            return latest
        }
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
