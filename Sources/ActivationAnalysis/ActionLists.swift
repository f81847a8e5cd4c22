import ActivationCore
import ActivationFeatures
import ActivationStatistics
import Foundation

// Numbers the second edition of the report needs beyond `ActionPlan`: per-segment high ACV, the accounts to act on
// split by action, and renewal by when customers first met the rule (within the rule's own window) for the lists'
// late-activation finding.

/// Renewal of decided customers by when they first met the rule's thresholds: inside the rule's window (days 0-6,
/// 7-13, 14 to the window's end), after it up to the follow-up horizon, after the horizon, or never (to the data's end).
package struct ReachTiming: Sendable {
    /// When a group of customers first met the thresholds.
    package enum Bucket: Sendable, Hashable {
        /// Reach day (0 = signup day) from `from` through `to`, inside the rule's window.
        case inWindow(from: Int, to: Int)
        /// After the rule's window, before `horizon` (day 90).
        case afterWindow(horizon: Int)
        /// On or after the follow-up horizon.
        case afterHorizon(horizon: Int)
        /// Not by the data's end.
        case never
        /// Not within the first window; later is unknown (a feature table without follow-up rows).
        case notInFirstWindow(firstWindow: Int)

        /// Whether the bucket met the rule in time.
        package var inTime: Bool { if case .inWindow = self { return true } else { return false } }
        /// Whether the bucket met the thresholds, but after the rule's window.
        package var late: Bool {
            switch self {
            case .afterWindow, .afterHorizon: return true
            default: return false
            }
        }
    }

    /// One bucket: decided customers in it and how many renewed.
    package struct Row: Sendable {
        package var bucket: Bucket
        package var customers: Int
        package var renewed: Int
        package var renewalRate: Double? { customers > 0 ? Double(renewed) / Double(customers) : nil }
        /// Wilson 95% interval of the renewal rate.
        package var interval: ClosedRange<Double>? {
            customers > 0 ? ProportionIntervals.wilson(successes: renewed, trials: customers) : nil
        }
    }

    package var rows: [Row]

    /// Customers who met the thresholds late, pooled, and those who never did: the late-activation finding.
    package var late: Row { pooled { $0.late } }
    package var never: Row { pooled { $0 == .never } }
    package var inTime: Row { pooled { $0.inTime } }

    private func pooled(_ keep: (Bucket) -> Bool) -> Row {
        let kept = rows.filter { keep($0.bucket) }
        return Row(bucket: kept.first?.bucket ?? .never, customers: kept.reduce(0) { $0 + $1.customers },
                   renewed: kept.reduce(0) { $0 + $1.renewed })
    }

    /// Late activation is worth something when late customers' renewal interval lies wholly above that of
    /// customers who never meet the thresholds; nil when either group is empty or there is no follow-up.
    package var lateActivationHelps: Bool? {
        guard let a = late.interval, let b = never.interval else { return nil }
        return a.lowerBound > b.upperBound
    }

    package init(rule: ActivationRule, features: FeatureTable) {
        let window = rule.windowDays, first = features.windowDays, horizon = features.followUpHorizon
        let reachDay = rule.reachDays(in: features)
        let byHorizon = features.hasFollowUp ? rule.reached(withinDays: horizon, in: features) : []
        let ever = features.hasFollowUp ? rule.reached(withinDays: nil, in: features) : []
        var buckets: [Bucket] = []
        var start = 0
        for end in [6, 13, window - 1] where end >= start && end < window {
            buckets.append(.inWindow(from: start, to: end))
            start = end + 1
        }
        buckets += features.hasFollowUp ? [.afterWindow(horizon: horizon), .afterHorizon(horizon: horizon), .never]
            : (window < first ? [.afterWindow(horizon: first), .notInFirstWindow(firstWindow: first)] : [.notInFirstWindow(firstWindow: first)])
        var customers = [Int](repeating: 0, count: buckets.count), renewed = customers
        for c in features.decidedCustomers {
            let bucket: Bucket
            if let d = reachDay[c], d < window {
                bucket = buckets.first { if case .inWindow(let a, let b) = $0 { return d >= a && d <= b } else { return false } }!
            } else if features.hasFollowUp {
                bucket = byHorizon[c] || reachDay[c] != nil ? .afterWindow(horizon: horizon) : ever[c] ? .afterHorizon(horizon: horizon) : .never
            } else {
                bucket = reachDay[c] != nil ? .afterWindow(horizon: first) : .notInFirstWindow(firstWindow: first)
            }
            let k = buckets.firstIndex(of: bucket)!
            customers[k] += 1
            if features.customers[c].outcome == .renewed { renewed[k] += 1 }
        }
        rows = buckets.indices.map { Row(bucket: buckets[$0], customers: customers[$0], renewed: renewed[$0]) }
    }
}

/// The accounts to act on now, split by action: an automated nudge today (inside the rule's window, past the
/// segment's nudge day) or a person this week (high ACV for its segment, past the nudge day).
package struct ActionLists: Sendable {
    /// An account that has not met the rule (in time).
    package struct Account: Sendable {
        package var id: String
        package var segment: String
        package var acv: Double?
        package var signupDay: Int
        package var daysSinceSignup: Int
        /// Days left in the rule's window (negative: it is over).
        package var daysLeft: Int
        /// Per condition: the count so far (inside the window) or to the data's end (past it), and the threshold.
        package var progress: [(behaviour: String, count: Int, threshold: Int)]
        /// Days since the account's last event in its first window (nil: no event at all).
        package var daysSinceLastActivity: Int?
        /// Past the window, but has met the thresholds since.
        package var reachedLate: Bool
    }

    /// Whether the customer table has an ACV column with any value.
    package let hasACV: Bool
    /// Per segment, the ACV from which an account is in the segment's top quarter (75th percentile of its ACVs).
    package let highACV: [String: Double]
    /// Inside the window, past the segment's nudge day, not in `csmThisWeek`: most days left last, then by id.
    package let nudgeToday: [Account]
    /// High ACV for its segment, past the nudge day, not activated (in time): highest ACV first.
    package let csmThisWeek: [Account]
    /// Inside the window, before the nudge day: nothing to do yet.
    package let notDueYet: Int
    /// Inside the window at all (whether due or not).
    package let insideWindow: Int
    /// Past the window, renewal undecided, not met the thresholds, and not high ACV (in `at_risk.csv` only).
    package let pastWindowOthers: Int
    /// Past the window, renewal undecided, met the thresholds late; listed for a person only when late activation
    /// does not help (`timing.lateActivationHelps != true`) and the ACV is high.
    package let lateAccounts: Int
    /// Renewal by when customers first met the rule.
    package let timing: ReachTiming?

    package init(plan: ActionPlan, proposal: ActivationProposal, features: FeatureTable, dataEndDay: Int) {
        let customers = features.customers
        hasACV = customers.contains { $0.acv != nil }
        // Each segment's own top-quarter bar, as the playbook defines it.
        let high = Dictionary(plan.playbook.compactMap { step in step.highACV.map { (step.segment, $0) } }, uniquingKeysWith: { a, _ in a })
        highACV = high
        guard let progress = ProposalProgress(proposal: proposal, features: features) else {
            (nudgeToday, csmThisWeek, notDueYet, insideWindow, pastWindowOthers, lateAccounts, timing) = ([], [], 0, 0, 0, 0, nil)
            return
        }
        let timing = ReachTiming(rule: progress.rule, features: features)
        self.timing = timing
        let lateCounts = timing.lateActivationHelps != true
        let nudgeDay = Dictionary(plan.playbook.map { ($0.segment, $0.nudgeDay) }, uniquingKeysWith: { a, _ in a })
        let window = progress.rule.windowDays
        var nudge: [Account] = [], csm: [Account] = []
        var notDue = 0, inside = 0, others = 0, late = 0
        for c in customers.indices where !progress.reached(c) {
            let customer = customers[c]
            let since = dataEndDay - customer.signupDay
            guard since >= 0 else { continue }
            let daysLeft = window - 1 - since
            guard daysLeft >= 0 || customer.outcome == .undecided else { continue }
            let toDate = daysLeft < 0 && features.hasFollowUp
            let counts = progress.parts.map {
                (behaviour: $0.behaviour.name,
                 count: $0.behaviour.countSinceSignup(withinDays: toDate ? nil : min(window, since + 1), customer: c),
                 threshold: $0.threshold)
            }
            let reachedLate = toDate && counts.allSatisfy { $0.count >= $0.threshold }
            var last: Int?
            for b in features.behaviours {
                for day in stride(from: min(features.windowDays, since + 1) - 1, through: 0, by: -1) where b.daily[c * features.windowDays + day] > 0 {
                    last = max(last ?? day, day)
                    break
                }
            }
            let account = Account(id: customer.id, segment: customer.segment, acv: customer.acv, signupDay: customer.signupDay,
                                  daysSinceSignup: since, daysLeft: daysLeft, progress: counts,
                                  daysSinceLastActivity: last.map { min(since, features.windowDays - 1) - $0 }, reachedLate: reachedLate)
            let due = since >= (nudgeDay[customer.segment] ?? 0)
            let isHigh = customer.acv.map { $0 >= (high[customer.segment] ?? .infinity) } ?? false
            if daysLeft >= 0 { inside += 1 }
            if reachedLate { late += 1 }
            if reachedLate && !lateCounts { continue }
            if isHigh && due {
                csm.append(account)
            } else if daysLeft >= 0 {
                if due { nudge.append(account) } else { notDue += 1 }
            } else if !reachedLate {
                others += 1
            }
        }
        nudgeToday = nudge.sorted { ($0.daysLeft, $0.id) < ($1.daysLeft, $1.id) }
        csmThisWeek = csm.sorted { a, b in
            if (a.acv ?? -1) != (b.acv ?? -1) { return (a.acv ?? -1) > (b.acv ?? -1) }
            return a.id < b.id
        }
        (notDueYet, insideWindow, pastWindowOthers, lateAccounts) = (notDue, inside, others, late)
    }
}
