import ActivationStatistics

/// How fast customers reach the activation event, with Kaplan-Meier so that customers who have not reached it
/// *yet* (their first window is still open at the data's end) count as censored rather than as failures.
public struct TimeToValue: Sendable {
    public struct Summary: Sendable {
        public var name: String
        public var customers: Int
        public var reached: Int
        /// Day (0 = signup day) by which 25%, 50%, 75% and 90% have reached it; nil = "not reached" within the
        /// first window: the curve never gets that low.
        public var quantiles: [(share: Double, day: Double?)]
        public var curve: KaplanMeier
    }

    public var overall: Summary
    public var bySegment: [Summary]
    /// Days of follow-up the curve covers (the first window).
    public var horizonDays: Int

    /// - Parameters:
    ///   - reachDay: per customer, the day the rule's thresholds were all met within the first window, or nil.
    ///   - dataEndDay: the last day the data covers; customers whose window is still open are censored there.
    public init(customers: [Customer], reachDay: [Int?], windowDays: Int, dataEndDay: Int) {
        horizonDays = windowDays
        func summary(_ name: String, _ members: [Int]) -> Summary {
            var durations: [Double] = [], observed: [Bool] = []
            var reached = 0
            for c in members {
                let followUp = min(windowDays, dataEndDay - customers[c].signupDay + 1)
                guard followUp > 0 else { continue }
                if let day = reachDay[c], day < followUp {
                    durations.append(Double(day)); observed.append(true); reached += 1
                } else {
                    durations.append(Double(followUp)); observed.append(false)
                }
            }
            let km = KaplanMeier(durations: durations, observed: observed)
            return Summary(name: name, customers: durations.count, reached: reached,
                           quantiles: [0.25, 0.5, 0.75, 0.9].map { ($0, km.quantile($0)) }, curve: km)
        }
        overall = summary("all", Array(customers.indices))
        let segments = Dictionary(grouping: customers.indices) { customers[$0].segment }
        bySegment = segments.keys.sorted().map { summary($0, segments[$0]!) }
    }
}

/// The share of each monthly signup cohort that reached the activation event within D days of signup, and ever (by
/// the data's end), for the horizons the data can answer: a cohort is only measured at D when every one of its
/// customers has D days of data, so a young cohort is never shown as under-activated for lack of time.
public struct CohortActivation: Sendable {
    /// "Within D days of signup", or "ever" (as of the data's end).
    public enum Horizon: Hashable, Sendable, Comparable {
        case days(Int)
        case ever

        public var label: String {
            switch self {
            case .days(let d): return "within \(d) \(d == 1 ? "day" : "days")"
            case .ever: return "ever"
            }
        }
    }

    public struct Row: Sendable {
        /// "2026-03"
        public var cohort: String
        public var signups: Int
        /// Per horizon: customers who reached it and the cohort size, nil when the cohort is too recent (or the
        /// follow-up is unknown).
        public var rates: [Horizon: (reached: Int, of: Int)?]
        /// Fewest days of data any of the cohort's customers has had since signup (what "ever" means for it).
        public var minimumFollowUpDays: Int
    }
    public var horizons: [Horizon]
    public var rows: [Row]

    /// - Parameters:
    ///   - reached: per horizon, per customer, whether the customer reached the event within it; a horizon missing
    ///     here is shown as unknown.
    public init(customers: [Customer], horizons: [Horizon], reached: [Horizon: [Bool]], dataEndDay: Int) {
        self.horizons = horizons
        let cohorts = Dictionary(grouping: customers.indices) { String(TimestampParser.dateString(day: customers[$0].signupDay).prefix(7)) }
        rows = cohorts.keys.sorted().map { cohort in
            let members = cohorts[cohort]!
            let lastSignup = members.map { customers[$0].signupDay }.max()!
            var rates: [Horizon: (reached: Int, of: Int)?] = [:]
            for horizon in horizons {
                guard let flags = reached[horizon] else { rates[horizon] = .some(nil); continue }
                if case .days(let d) = horizon, lastSignup + d - 1 > dataEndDay { rates[horizon] = .some(nil); continue }
                rates[horizon] = (members.filter { flags[$0] }.count, members.count)
            }
            return Row(cohort: cohort, signups: members.count, rates: rates, minimumFollowUpDays: max(0, dataEndDay - lastSignup + 1))
        }
    }
}
