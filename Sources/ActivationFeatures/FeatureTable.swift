import ActivationCore

/// Stage 2's output: each customer's first-window feature vector, per behaviour.
public struct FeatureTable: Sendable {
    public var customers: [Customer]
    /// Behaviours sorted by name (byte order), so output does not depend on file order.
    public var behaviours: [BehaviourFeatures]
    public var windowDays: Int
    public var hasUserColumn: Bool
    /// Days since signup the follow-up counts reach (90, or the window if longer).
    public var followUpHorizon: Int
    /// Whether events after the first window were seen, so that activation "within 90 days" and "ever" can be
    /// told. False for a feature table computed elsewhere without follow-up rows.
    public var hasFollowUp: Bool

    /// Indices of customers whose renewal is decided, in customer-table order.
    public var decidedCustomers: [Int] { customers.indices.filter { customers[$0].outcome != .undecided } }

    /// Builds the table from the streamed daily counts.
    /// - Parameter followUpComplete: whether every event after the window went to the accumulator (true when it
    ///   read the exports themselves); otherwise follow-up is known only if some later event was recorded.
    public init(customers: [Customer], behaviourNames: [String], accumulator: FirstWindowAccumulator, followUpComplete: Bool = true) {
        self.customers = customers
        windowDays = accumulator.windowDays
        hasUserColumn = accumulator.sawUsers
        followUpHorizon = accumulator.followUpHorizon
        hasFollowUp = followUpComplete || accumulator.sawLaterEvents
        let order = behaviourNames.indices.sorted { Array(behaviourNames[$0].utf8).lexicographicallyPrecedes(Array(behaviourNames[$1].utf8)) }
        let window = accumulator.windowDays, horizon = accumulator.followUpHorizon
        // Each behaviour's arrays taken out of the accumulator (a class, not shared across threads), then the
        // behaviours summarised on both cores.
        let dailies = accumulator.daily, laters = behaviourNames.indices.map { accumulator.laterCounts($0) }
        let distinctUsers = accumulator.sawUsers ? behaviourNames.indices.map { accumulator.distinctUserCounts($0) } : nil
        let customerCount = customers.count
        behaviours = parallelMap(order) { b in
            let daily = dailies[b]
            var counts = [Int](repeating: 0, count: customerCount)
            var firstDay = [Int?](repeating: nil, count: customerCount)
            var active = [Int](repeating: 0, count: customerCount)
            for c in 0..<customerCount {
                var total = 0, days = 0
                var first: Int?
                for d in 0..<window {
                    let v = Int(daily[c * window + d])
                    if v > 0 {
                        total += v
                        days += 1
                        if first == nil { first = d }
                    }
                }
                counts[c] = total; firstDay[c] = first; active[c] = days
            }
            let users = distinctUsers.map { $0[b].map(Int.init) }
            return BehaviourFeatures(name: behaviourNames[b], counts: counts, firstDay: firstDay, activeDays: active,
                                     users: users, daily: daily, windowDays: window, later: laters[b],
                                     followUpHorizon: horizon)
        }
    }
}
