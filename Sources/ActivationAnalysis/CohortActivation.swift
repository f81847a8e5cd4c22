import ActivationCore

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
