/// One behaviour's first-window features, held for the customers who did it only.
///
/// Why sparse: a customer does a few of many behaviours, and one dense vector per feature, behaviour and customer
/// (count, first day, active days, users, two follow-up counts: 48 bytes) was most of a run's memory with hundreds of
/// behaviours (960 MB at 100,000 customers × 200 behaviours, whatever the customers did). Here a behaviour holds its
/// doers' daily cells (`DailyCounts`), their window counts, and the distinct users and follow-up counts of the
/// customers that have them, each list ascending by customer; first day and active days are read off the cells. A
/// customer is found by binary search (`count(customer:)`, …); loops over every customer take a dense copy of one
/// behaviour at a time (`countPerCustomer()`), and loops over doers (`forEachDoer`) skip the zeros altogether.
public struct BehaviourFeatures: Sendable {
    /// The behaviour's name as it appears in the exports.
    public var name: String
    /// Customers in the feature table (the length of the dense copies).
    public let customerCount: Int
    /// The daily counts of the customers who did it, for "reached N by day D" questions (`DailyCounts`).
    package let daily: DailyCounts
    package var windowDays: Int { daily.windowDays }
    /// Per doer (`daily.doers[k]`): its events in the first window.
    package let doerCounts: [Int]
    /// Distinct users per customer, when the exports carry a user column: the customers with a non-zero count
    /// (ascending) and their counts. nil without a user column.
    package let distinctUsers: CustomerValues?
    /// Customers with events after the window (ascending), and per such customer its events up to
    /// `followUpHorizon` and on or after it.
    package let laterCustomers: [Int32]
    package let laterWithin: [UInt32]
    package let laterAfter: [UInt32]
    package let followUpHorizon: Int

    package init(name: String, customerCount: Int, daily: DailyCounts, doerCounts: [Int], distinctUsers: CustomerValues?,
                 laterCustomers: [Int32], laterWithin: [UInt32], laterAfter: [UInt32], followUpHorizon: Int) {
        precondition(doerCounts.count == daily.doers.count)
        precondition(laterWithin.count == laterCustomers.count && laterAfter.count == laterCustomers.count)
        self.name = name
        self.customerCount = customerCount
        self.daily = daily
        self.doerCounts = doerCounts
        self.distinctUsers = distinctUsers
        self.laterCustomers = laterCustomers
        self.laterWithin = laterWithin
        self.laterAfter = laterAfter
        self.followUpHorizon = followUpHorizon
    }

    /// Whether the exports carried a user column (so `users(customer:)` means something).
    public var hasUsers: Bool { distinctUsers != nil }

    /// Customers with at least one event in the window, ascending.
    public var doers: [Int32] { daily.doers }

    /// Events in the first window of `customer` (0 when it did not do it).
    public func count(customer: Int) -> Int {
        guard let k = daily.doerIndex(of: customer) else { return 0 }
        return doerCounts[k]
    }

    /// Day (0-based from signup) of the customer's first occurrence, nil when it never did it in the window.
    public func firstDay(customer: Int) -> Int? {
        guard let k = daily.doerIndex(of: customer) else { return nil }
        return Int(daily.days[Int(daily.cellStart[k])])
    }

    /// Distinct days on which the customer did it at least once.
    public func activeDays(customer: Int) -> Int {
        guard let k = daily.doerIndex(of: customer) else { return 0 }
        return Int(daily.cellStart[k + 1] - daily.cellStart[k])
    }

    /// Distinct users of the customer who did it, nil without a user column.
    public func users(customer: Int) -> Int? {
        distinctUsers.map { $0.value(customer: customer) }
    }

    /// Each doer in ascending order with its count, first day and active days.
    @inline(__always)
    public func forEachDoer(_ body: (_ customer: Int, _ count: Int, _ firstDay: Int, _ activeDays: Int) throws -> Void) rethrows {
        for k in daily.doers.indices {
            let start = Int(daily.cellStart[k]), end = Int(daily.cellStart[k + 1])
            try body(Int(daily.doers[k]), doerCounts[k], Int(daily.days[start]), end - start)
        }
    }

    /// The window count of every customer, dense (0 for those who did not do it): for loops over all customers,
    /// one behaviour at a time.
    public func countPerCustomer() -> [Int] {
        var out = [Int](repeating: 0, count: customerCount)
        for k in daily.doers.indices { out[Int(daily.doers[k])] = doerCounts[k] }
        return out
    }

    /// The first day of every customer, dense (nil for those who did not do it).
    public func firstDayPerCustomer() -> [Int?] {
        var out = [Int?](repeating: nil, count: customerCount)
        forEachDoer { c, _, first, _ in out[c] = first }
        return out
    }

    /// The active days of every customer, dense.
    public func activeDaysPerCustomer() -> [Int] {
        var out = [Int](repeating: 0, count: customerCount)
        forEachDoer { c, _, _, active in out[c] = active }
        return out
    }

    /// The distinct users of every customer, dense; nil without a user column.
    public func usersPerCustomer() -> [Int]? {
        distinctUsers.map { u in
            var out = [Int](repeating: 0, count: customerCount)
            for k in u.customers.indices { out[Int(u.customers[k])] = Int(u.values[k]) }
            return out
        }
    }

    /// The follow-up counts of `customer`: events after the window up to `followUpHorizon`, and on or after it.
    package func laterCounts(customer: Int) -> (within: UInt32, after: UInt32) {
        guard let k = CustomerValues.index(of: customer, in: laterCustomers) else { return (0, 0) }
        return (laterWithin[k], laterAfter[k])
    }

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
        guard let days else {
            let later = laterCounts(customer: customer)
            return count(withinDays: windowDays, customer: customer) + Int(later.within) + Int(later.after)
        }
        if days <= windowDays { return count(withinDays: days, customer: customer) }
        precondition(days == followUpHorizon, "follow-up counts exist for day \(followUpHorizon) only")
        return count(withinDays: windowDays, customer: customer) + Int(laterCounts(customer: customer).within)
    }
}

/// A value for some customers: their ids ascending and one value each; every other customer's is 0.
package struct CustomerValues: Sendable, Equatable {
    package let customers: [Int32]
    package let values: [Int32]

    package init(customers: [Int32], values: [Int32]) {
        precondition(customers.count == values.count)
        self.customers = customers
        self.values = values
    }

    /// The customer's value, 0 when it has none.
    package func value(customer: Int) -> Int {
        guard let k = Self.index(of: customer, in: customers) else { return 0 }
        return Int(values[k])
    }

    /// Where `customer` is in `ids` (ascending), nil when it is not.
    @inline(__always)
    package static func index(of customer: Int, in ids: [Int32]) -> Int? {
        ids.withUnsafeBufferPointer { ids in
            let c = Int32(truncatingIfNeeded: customer)
            var lo = 0, hi = ids.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if ids[mid] < c { lo = mid + 1 } else { hi = mid }
            }
            return lo < ids.count && ids[lo] == c ? lo : nil
        }
    }
}
