import ActivationCore
import ActivationFeatures
import ActivationStatistics
import Foundation

/// The accounts to act on now, split by action: an automated nudge today (inside the rule's window, past the
/// segment's nudge day) or a person this week (high ACV for its segment, past the nudge day). The report's tables and
/// `at_risk.csv` are both written from it, so they always agree.
///
/// Whether an account that met the thresholds after the rule's window is safe follows the early-activation finding
/// (`EarlyActivation.lateActivationHelps`): only when late activators renew more than those who never get there are
/// they left out.
package struct ActionLists: Sendable {
    /// What to do about an account.
    package enum Action: String, Sendable, CaseIterable, Comparable {
        /// Inside the rule's window, past its segment's nudge day, not high ACV: the automated nudge, today.
        case nudgeToday = "nudge_today"
        /// High ACV for its segment, past the nudge day, not activated in time: a person this week.
        case csmThisWeek = "csm_this_week"
        /// Inside the rule's window, before its segment's nudge day: nothing to do yet.
        case notDueYet = "not_due_yet"
        /// Past the rule's window, renewal undecided, ordinary ACV: no nudge can help in time; watch the renewal.
        case pastWindow = "past_window"

        package static func < (a: Action, b: Action) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

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
        /// Days since the account's last event, while its first window lasts (the daily counts cover it); nil when
        /// it has no event yet, or when the first window is over (later events carry no day).
        package var daysSinceLastActivity: Int?
        /// Past the window, but has met the thresholds since.
        package var reachedLate: Bool
        package var renewal: RenewalOutcome
        package var action: Action
    }

    /// Whether the customer table has an ACV column with any value.
    package let hasACV: Bool
    /// Per segment, the ACV from which an account is in the segment's top quarter (the playbook's `highACV`).
    package let highACV: [String: Double]
    /// Every account to act on or watch, by action (in `Action` order), then: fewest days left first for the
    /// nudges, highest ACV first for the others; ties by id. This is `at_risk.csv`.
    package let accounts: [Account]
    /// Inside the rule's window at all (whether due or not).
    package let insideWindow: Int
    /// Past the window, renewal undecided, met the thresholds late (whether listed or left out as safe).
    package let lateAccounts: Int
    /// Renewal by when customers first met the rule: the Analysis stage's `EarlyActivation`.
    package let timing: EarlyActivation?

    /// The nudges due today.
    package var nudgeToday: [Account] { accounts.filter { $0.action == .nudgeToday } }
    /// The accounts for a person this week.
    package var csmThisWeek: [Account] { accounts.filter { $0.action == .csmThisWeek } }
    /// Inside the window, before the nudge day.
    package var notDueYet: Int { accounts.filter { $0.action == .notDueYet }.count }
    /// Past the window with an ordinary ACV (in `at_risk.csv` only).
    package var pastWindowOthers: Int { accounts.filter { $0.action == .pastWindow }.count }
    /// Late accounts left out because late activation goes with renewal (`timing.lateActivationHelps == true`).
    package var lateLeftOutAsSafe: Int { timing?.lateActivationHelps == true ? lateAccounts : 0 }

    /// - Parameters:
    ///   - early: the Analysis stage's early-activation figures for the proposal (nil: no finding on late accounts,
    ///     so they are not assumed safe).
    package init(plan: ActionPlan, proposal: ActivationProposal, features: FeatureTable, dataEndDay: Int, early: EarlyActivation?) {
        let customers = features.customers
        hasACV = customers.contains { $0.acv != nil }
        // Each segment's own top-quarter bar, as the playbook defines it.
        let high = Dictionary(plan.playbook.compactMap { step in step.highACV.map { (step.segment, $0) } }, uniquingKeysWith: { a, _ in a })
        highACV = high
        timing = early
        guard let progress = ProposalProgress(proposal: proposal, features: features) else {
            (accounts, insideWindow, lateAccounts) = ([], 0, 0)
            return
        }
        let lateIsSafe = early?.lateActivationHelps == true
        let nudgeDay = Dictionary(plan.playbook.map { ($0.segment, $0.nudgeDay) }, uniquingKeysWith: { a, _ in a })
        let window = progress.rule.windowDays
        var list: [Account] = []
        var inside = 0, late = 0
        for c in customers.indices where !progress.reached(c) {
            let customer = customers[c]
            let since = dataEndDay - customer.signupDay
            guard since >= 0 else { continue }
            let daysLeft = window - 1 - since
            guard daysLeft >= 0 || customer.outcome == .undecided else { continue }
            // Inside the window: the count so far. Past it: the count to the data's end, when the follow-up is known.
            let toDate = daysLeft < 0 && features.hasFollowUp
            let counts = progress.parts.map {
                (behaviour: $0.behaviour.name,
                 count: $0.behaviour.countSinceSignup(withinDays: toDate ? nil : min(window, since + 1), customer: c),
                 threshold: $0.threshold)
            }
            let reachedLate = toDate && counts.allSatisfy { $0.count >= $0.threshold }
            if daysLeft >= 0 { inside += 1 }
            if reachedLate { late += 1 }
            if reachedLate && lateIsSafe { continue }
            var last: Int?
            if since < features.windowDays {
                for b in features.behaviours {
                    // The customer's latest day with events up to `since` (its days are ascending and non-zero).
                    for i in b.daily.cells(of: c).reversed() where Int(b.daily.days[i]) <= since {
                        last = max(last ?? Int(b.daily.days[i]), Int(b.daily.days[i]))
                        break
                    }
                }
            }
            let due = since >= (nudgeDay[customer.segment] ?? 0)
            let isHigh = customer.acv.map { $0 >= (high[customer.segment] ?? .infinity) } ?? false
            let action: Action = isHigh && due ? .csmThisWeek : daysLeft < 0 ? .pastWindow : due ? .nudgeToday : .notDueYet
            list.append(Account(id: customer.id, segment: customer.segment, acv: customer.acv, signupDay: customer.signupDay,
                                daysSinceSignup: since, daysLeft: daysLeft, progress: counts,
                                daysSinceLastActivity: last.map { since - $0 }, reachedLate: reachedLate,
                                renewal: customer.outcome, action: action))
        }
        accounts = list.sorted { a, b in
            if a.action != b.action { return a.action < b.action }
            if a.action == .nudgeToday || a.action == .notDueYet {
                return (a.daysLeft, a.id) < (b.daysLeft, b.id)
            }
            if (a.acv ?? -1) != (b.acv ?? -1) { return (a.acv ?? -1) > (b.acv ?? -1) }
            return a.id < b.id
        }
        (insideWindow, lateAccounts) = (inside, late)
    }
}
