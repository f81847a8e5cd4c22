/// One behaviour's first-window features for every customer.
public struct BehaviourFeatures: Sendable {
    /// The behaviour's name as it appears in the exports.
    public var name: String
    /// Events in the first window, per customer.
    public var counts: [Int]
    /// Day (0-based from signup) of the first occurrence, nil when the customer never did it in the window.
    public var firstDay: [Int?]
    /// Distinct days with at least one occurrence.
    public var activeDays: [Int]
    /// Distinct users who did it, when the exports carry a user column.
    public var users: [Int]?
    /// Per customer, `windowDays` daily counts (row-major), for "reached N by day D" questions.
    let daily: [UInt32]
    let windowDays: Int
    /// Per customer, events after the window: `[2c]` up to `followUpHorizon`, `[2c + 1]` later.
    let later: [UInt32]
    let followUpHorizon: Int

    /// The day on which the customer's running count first reaches `threshold`, nil if it never does in the window.
    public func dayReaching(_ threshold: Int, customer: Int) -> Int? {
        Self.dayReaching(threshold, customer: customer, daily: daily, windowDays: windowDays)
    }

    /// `dayReaching` on a behaviour's daily counts taken out of it (loops over customers take the array out once
    /// rather than copy the behaviour, with its seven arrays, per customer).
    @inline(__always)
    static func dayReaching(_ threshold: Int, customer: Int, daily: [UInt32], windowDays: Int) -> Int? {
        var total = 0
        let base = customer * windowDays
        for day in 0..<windowDays {
            total += Int(daily[base + day])
            if total >= threshold { return day }
        }
        return nil
    }

    /// The count within the first `days` days (a shorter window inside the first window).
    public func count(withinDays days: Int, customer: Int) -> Int {
        var total = 0
        let base = customer * windowDays
        for day in 0..<min(days, windowDays) { total += Int(daily[base + day]) }
        return total
    }

    /// The count since signup within `days` days, which may reach past the first window up to the follow-up horizon
    /// (day 90), or with `days == nil` ever (to the data's end).
    ///
    /// - Precondition: `days` is nil, at most `windowDays`, or exactly the follow-up horizon: the follow-up counts
    ///   have no daily detail.
    public func countSinceSignup(withinDays days: Int?, customer: Int) -> Int {
        guard let days else { return count(withinDays: windowDays, customer: customer) + Int(later[2 * customer]) + Int(later[2 * customer + 1]) }
        if days <= windowDays { return count(withinDays: days, customer: customer) }
        precondition(days == followUpHorizon, "follow-up counts exist for day \(followUpHorizon) only")
        return count(withinDays: windowDays, customer: customer) + Int(later[2 * customer])
    }
}

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
        behaviours = Pipeline.parallelMap(order) { b in
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
