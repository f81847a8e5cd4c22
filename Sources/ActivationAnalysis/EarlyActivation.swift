import ActivationFeatures
import ActivationStatistics

/// Does activating early matter? Renewal of decided customers by when they first met the proposal's thresholds:
/// days 0-6, 7-13, 14 to the first window's end, after the window up to the follow-up horizon (day 90), after it,
/// or never (to the data's end). This is where the folklore "customers who activate in week 1 retain 3-5× better
/// than those who take 30+ days" is tested on the user's own data: when most customers renew, a renewal multiple
/// cannot exceed 1 / renewal rate, so the honest comparison is the churn ratio.
///
/// A customer counts only in a bucket its follow-up can show: the in-window buckets need the first window over
/// by the data's end, the later buckets and "never" the follow-up horizon too (a customer 40 days in who has not met
/// the thresholds might still do so by day 90). Without follow-up counts (a feature table made elsewhere) the later
/// buckets are empty and their customers excluded.
public struct EarlyActivation: Sendable {
    public enum Bucket: String, Sendable, CaseIterable {
        case days0to6 = "days_0_6"
        case days7to13 = "days_7_13"
        case day14ToWindowEnd = "day_14_to_window_end"
        case afterWindowToHorizon = "after_window_to_day_90"
        case afterHorizon = "after_day_90"
        case never
    }

    public struct Row: Sendable {
        public var bucket: Bucket
        public var customers: Int
        public var renewed: Int
        public var renewalRate: Double? { customers == 0 ? nil : Double(renewed) / Double(customers) }
        /// Wilson score 95% interval of the renewal rate (nil for an empty bucket).
        public var interval: ClosedRange<Double>?
    }

    public var rows: [Row]
    /// The first window and the follow-up horizon (days since signup) the buckets are cut at.
    public var windowDays: Int
    public var horizonDays: Int
    /// Decided customers left out for want of follow-up.
    public var excluded: Int
    /// Churn rate of week-1 activators over that of everyone later or never (with its log 95% interval): how much
    /// less often early activators churn. Nil when a group is empty or has no churn.
    public var churnRatioWeekOne: (ratio: Double, interval: ClosedRange<Double>)?
    /// Renewal rate over all decided customers counted, and the largest renewal multiple it allows (1 / rate).
    public var overallRenewal: Double?
    public var largestPossibleRenewalMultiple: Double? { overallRenewal.flatMap { $0 > 0 ? 1 / $0 : nil } }

    public init(features: FeatureTable, rule: ActivationRule, reachDay: [Int?], dataEndDay: Int) {
        let window = features.windowDays, horizon = features.followUpHorizon
        windowDays = window
        horizonDays = horizon
        let customers = features.customers
        let within90 = features.hasFollowUp ? rule.reached(withinDays: horizon, in: features) : []
        let ever = features.hasFollowUp ? rule.reached(withinDays: nil, in: features) : []
        var tally: [Bucket: (n: Int, renewed: Int)] = [:]
        var excluded = 0
        for c in features.decidedCustomers {
            let followed = dataEndDay - customers[c].signupDay + 1
            let bucket: Bucket?
            if let day = reachDay[c], day < window, followed >= window {
                bucket = day < 7 ? .days0to6 : day < 14 ? .days7to13 : .day14ToWindowEnd
            } else if features.hasFollowUp, followed >= window, reachDay[c] == nil || reachDay[c]! >= window {
                if within90[c] { bucket = .afterWindowToHorizon } else if followed < horizon { bucket = nil }
                else { bucket = ever[c] ? .afterHorizon : .never }
            } else {
                bucket = nil
            }
            guard let bucket else { excluded += 1; continue }
            tally[bucket, default: (0, 0)].n += 1
            if customers[c].outcome == .renewed { tally[bucket, default: (0, 0)].renewed += 1 }
        }
        self.excluded = excluded
        rows = Bucket.allCases.map { b in
            let t = tally[b] ?? (0, 0)
            return Row(bucket: b, customers: t.n, renewed: t.renewed,
                       interval: t.n == 0 ? nil : ProportionIntervals.wilson(successes: t.renewed, trials: t.n))
        }
        let n = rows.reduce(0) { $0 + $1.customers }, renewed = rows.reduce(0) { $0 + $1.renewed }
        overallRenewal = n == 0 ? nil : Double(renewed) / Double(n)
        let early = rows[0], later = rows.dropFirst()
        let laterN = later.reduce(0) { $0 + $1.customers }, laterRenewed = later.reduce(0) { $0 + $1.renewed }
        if let rr = ProportionIntervals.riskRatio(successes1: early.customers - early.renewed, trials1: early.customers,
                                                   successes2: laterN - laterRenewed, trials2: laterN) {
            churnRatioWeekOne = (rr.ratio, rr.interval)
        }
    }
}
