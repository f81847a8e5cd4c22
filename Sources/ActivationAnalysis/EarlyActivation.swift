import ActivationFeatures
import ActivationStatistics

/// Does activating early matter? Renewal of decided customers by when they first met the proposal's thresholds:
/// days 0-6, 7-13 and 14 to the first window's end (also cut at the rule's own window, so that every group is either
/// in time or late), after the first window up to the follow-up horizon (day 90), after it, or never (to the data's
/// end). This is where the folklore "customers who activate in week 1 retain 3-5× better than those who take 30+
/// days" is tested on the user's own data: when most customers renew, a renewal multiple cannot exceed
/// 1 / renewal rate, so the honest comparison is the churn ratio.
///
/// A customer counts only in a bucket its follow-up can show: the in-window buckets need the first window over
/// by the data's end, the later buckets and "never" the follow-up horizon too (a customer 40 days in who has not met
/// the thresholds might still do so by day 90). Without follow-up counts (a feature table made elsewhere) the later
/// buckets are missing and their customers excluded.
///
/// The one computation of "when customers got there": the report's chart, its late-activation finding and the
/// accounts to act on (`ActionLists`) all read it.
public struct EarlyActivation: Sendable {
    /// When a group of customers first met the thresholds.
    public enum Bucket: Sendable, Hashable {
        /// On a day from `first` through `last` (0 = the signup day): inside the first window, or after it and before
        /// the follow-up horizon.
        case days(first: Int, last: Int)
        /// On or after `day` (the follow-up horizon), by the data's end.
        case from(day: Int)
        /// Not by the data's end.
        case never
    }

    /// Decided customers in a group and how many of them renewed.
    public struct Tally: Sendable, Equatable {
        public var customers: Int
        public var renewed: Int
        public init(customers: Int, renewed: Int) { self.customers = customers; self.renewed = renewed }
        /// Nil for an empty group.
        public var renewalRate: Double? { customers == 0 ? nil : Double(renewed) / Double(customers) }
        /// Wilson score 95% interval of the renewal rate (nil for an empty group).
        public var interval: ClosedRange<Double>? {
            customers == 0 ? nil : ProportionIntervals.wilson(successes: renewed, trials: customers)
        }
    }

    /// One bucket and its customers.
    public struct Row: Sendable {
        public var bucket: Bucket
        public var tally: Tally
        public var customers: Int { tally.customers }
        public var renewed: Int { tally.renewed }
        public var renewalRate: Double? { tally.renewalRate }
        /// Wilson score 95% interval of the renewal rate (nil for an empty bucket).
        public var interval: ClosedRange<Double>? { tally.interval }
    }

    /// Every bucket, in time order, "never" last; empty buckets included.
    public var rows: [Row]
    /// The first window and the follow-up horizon (days since signup) the buckets are cut at.
    public var windowDays: Int
    public var horizonDays: Int
    /// The rule's own window: a bucket ending before it met the rule in time.
    public var ruleWindowDays: Int
    /// Decided customers left out for want of follow-up.
    public var excluded: Int
    /// Churn rate of week-1 activators over that of everyone later or never (with its log 95% interval): how much
    /// less often early activators churn. Nil when a group is empty or has no churn.
    public var churnRatioWeekOne: (ratio: Double, interval: ClosedRange<Double>)?
    /// Renewal rate over all decided customers counted, and the largest renewal multiple it allows (1 / rate).
    public var overallRenewal: Double?
    public var largestPossibleRenewalMultiple: Double? { overallRenewal.flatMap { $0 > 0 ? 1 / $0 : nil } }

    /// Whether customers of `bucket` met the rule within its window.
    public func inTime(_ bucket: Bucket) -> Bool {
        if case .days(_, let last) = bucket { return last < ruleWindowDays }
        return false
    }

    /// Whether customers of `bucket` met the thresholds, but after the rule's window.
    public func late(_ bucket: Bucket) -> Bool { bucket != .never && !inTime(bucket) }

    /// The customers who met the rule in time, pooled.
    public var inTime: Tally { pooled(inTime) }
    /// The customers who met the thresholds after the rule's window, pooled.
    public var late: Tally { pooled(late) }
    /// The customers who never met them.
    public var never: Tally { pooled { $0 == .never } }

    /// Late activation is worth something when late customers' renewal interval lies wholly above that of customers
    /// who never meet the thresholds; nil when either group is empty (or there is no follow-up).
    public var lateActivationHelps: Bool? {
        guard let a = late.interval, let b = never.interval else { return nil }
        return a.lowerBound > b.upperBound
    }

    private func pooled(_ keep: (Bucket) -> Bool) -> Tally {
        rows.filter { keep($0.bucket) }.reduce(Tally(customers: 0, renewed: 0)) {
            Tally(customers: $0.customers + $1.customers, renewed: $0.renewed + $1.renewed)
        }
    }

    /// - Parameters:
    ///   - reachDay: per customer, the day the rule's thresholds were all met within the first window, or nil.
    ///   - dataEndDay: the last day the data covers.
    public init(features: FeatureTable, rule: ActivationRule, reachDay: [Int?], dataEndDay: Int) {
        let window = features.windowDays, horizon = features.followUpHorizon
        windowDays = window
        horizonDays = horizon
        ruleWindowDays = rule.windowDays
        let customers = features.customers
        let followUp = features.hasFollowUp && horizon > window
        let within90 = followUp ? rule.reached(withinDays: horizon, in: features) : []
        let ever = followUp ? rule.reached(withinDays: nil, in: features) : []
        // Cut at week 1, week 2 and the rule's own window, inside the first window.
        var buckets: [Bucket] = []
        var start = 0
        for end in Set([7, 14, rule.windowDays].filter { $0 > 0 && $0 < window } + [window]).sorted() {
            buckets.append(.days(first: start, last: end - 1))
            start = end
        }
        let inWindow = buckets.count
        if followUp { buckets += [.days(first: window, last: horizon - 1), .from(day: horizon), .never] }
        var tally = [Tally](repeating: Tally(customers: 0, renewed: 0), count: buckets.count)
        var excluded = 0
        for c in features.decidedCustomers {
            let followed = dataEndDay - customers[c].signupDay + 1
            var k: Int?
            if followed >= window, let day = reachDay[c], day < window {
                k = buckets.prefix(inWindow).firstIndex { if case .days(let a, let b) = $0 { a <= day && day <= b } else { false } }
            } else if followUp, followed >= window {
                if within90[c] { k = inWindow } else if followed >= horizon { k = ever[c] ? inWindow + 1 : inWindow + 2 }
            }
            guard let k else { excluded += 1; continue }
            tally[k].customers += 1
            if customers[c].outcome == .renewed { tally[k].renewed += 1 }
        }
        self.excluded = excluded
        rows = zip(buckets, tally).map { Row(bucket: $0, tally: $1) }
        let all = tally.reduce(Tally(customers: 0, renewed: 0)) { Tally(customers: $0.customers + $1.customers, renewed: $0.renewed + $1.renewed) }
        overallRenewal = all.renewalRate
        var weekOne = Tally(customers: 0, renewed: 0)
        for row in rows { if case .days(_, let last) = row.bucket, last < 7 { weekOne.customers += row.customers; weekOne.renewed += row.renewed } }
        let laterN = all.customers - weekOne.customers, laterRenewed = all.renewed - weekOne.renewed
        if let rr = ProportionIntervals.riskRatio(successes1: weekOne.customers - weekOne.renewed, trials1: weekOne.customers,
                                                   successes2: laterN - laterRenewed, trials2: laterN) {
            churnRatioWeekOne = (rr.ratio, rr.interval)
        }
    }
}
