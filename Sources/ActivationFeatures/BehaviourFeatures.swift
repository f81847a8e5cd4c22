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
    /// The daily counts of the customers who did it, for "reached N by day D" questions (`DailyCounts`).
    package let daily: DailyCounts
    package var windowDays: Int { daily.windowDays }
    /// Per customer, events after the window: `[2c]` up to `followUpHorizon`, `[2c + 1]` later.
    package let later: [UInt32]
    package let followUpHorizon: Int

    /// The day on which the customer's running count first reaches `threshold`, nil if it never does in the window.
    public func dayReaching(_ threshold: Int, customer: Int) -> Int? {
        daily.dayReaching(threshold, customer: customer)
    }

    /// The count within the first `days` days (a shorter window inside the first window).
    public func count(withinDays days: Int, customer: Int) -> Int {
        daily.count(withinDays: min(days, windowDays), customer: customer)
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
