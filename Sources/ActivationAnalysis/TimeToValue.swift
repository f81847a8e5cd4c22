import ActivationCore
import ActivationStatistics

/// How fast customers reach the activation event, with Kaplan-Meier so that customers who have not reached it
/// *yet* (their first window is still open at the data's end) count as censored rather than as failures.
public struct TimeToValue: Sendable {
    public struct Summary: Sendable {
        public var name: String
        public var customers: Int
        /// Customers who met the thresholds within the rule's own window (the activated ones); the curve goes on to
        /// the end of the first window, so a later day shows as a step past the rule's window.
        public var reached: Int
        /// Day (0 = signup day) by which 25%, 50%, 75% and 90% have reached it; nil = "not reached" within the
        /// first window: the curve never gets that low.
        public var quantiles: [(share: Double, day: Double?)]
        public var curve: KaplanMeier
    }

    /// One signup month's time to value: is onboarding getting faster?
    public struct Month: Sendable {
        /// "2026-03"
        public var month: String
        /// The month's curve; `name` is the month, `customers` its signups with at least a day of data.
        public var summary: Summary
        /// Customers of the month whose first window is not over at the data's end: the curve stops early for them,
        /// so its later quantiles may still move.
        public var firstWindowOpen: Int
        /// Customers of the month whose rule window is not over at the data's end: `summary.reached` may still grow.
        public var ruleWindowOpen: Int
    }

    public var overall: Summary
    public var bySegment: [Summary]
    /// Per signup month, oldest first: the same Kaplan-Meier estimate over the month's customers.
    public var bySignupMonth: [Month]
    /// Days of follow-up the curve covers (the first window).
    public var horizonDays: Int
    /// The rule's own window: reaching the thresholds later is not activation.
    public var ruleWindowDays: Int

    /// - Parameters:
    ///   - reachDay: per customer, the day the rule's thresholds were all met within the first window, or nil.
    ///   - dataEndDay: the last day the data covers; customers whose window is still open are censored there.
    ///   - ruleWindowDays: the rule's window (`reached` counts customers who got there before it closed).
    public init(customers: [Customer], reachDay: [Int?], windowDays: Int, ruleWindowDays: Int, dataEndDay: Int) {
        horizonDays = windowDays
        self.ruleWindowDays = ruleWindowDays
        func summary(_ name: String, _ members: [Int]) -> Summary {
            var durations: [Double] = [], observed: [Bool] = []
            var reached = 0
            for c in members {
                let followUp = min(windowDays, dataEndDay - customers[c].signupDay + 1)
                guard followUp > 0 else { continue }
                if let day = reachDay[c], day < followUp {
                    durations.append(Double(day)); observed.append(true)
                    if day < ruleWindowDays { reached += 1 }
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
        let months = Dictionary(grouping: customers.indices) { String(TimestampParser.dateString(day: customers[$0].signupDay).prefix(7)) }
        bySignupMonth = months.keys.sorted().map { month in
            let members = months[month]!
            func open(_ days: Int) -> Int { members.filter { dataEndDay - customers[$0].signupDay + 1 < days }.count }
            return Month(month: month, summary: summary(month, members), firstWindowOpen: open(windowDays), ruleWindowOpen: open(ruleWindowDays))
        }
    }
}
