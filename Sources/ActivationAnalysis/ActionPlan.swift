import ActivationCore
import ActivationFeatures
import ActivationStatistics
import Foundation

/// The proposal's conditions and, per customer, the day it was reached (computed once).
package struct ProposalProgress {
    package let rule: ActivationRule
    package let parts: [(behaviour: BehaviourFeatures, threshold: Int)]
    private let reachDays: [Int?]

    package init?(proposal: ActivationProposal, features: FeatureTable) {
        guard let rule = proposal.chosen?.candidate.definition, let parts = rule.parts(in: features) else { return nil }
        self.rule = rule
        self.parts = parts
        reachDays = rule.reachDays(in: features)
    }

    package func reachDay(_ c: Int) -> Int? { reachDays[c] }
    package func reached(_ c: Int) -> Bool { (reachDays[c] ?? .max) < rule.windowDays }
}

/// The onboarding playbook per segment: when to nudge, when a person should step in.
public struct PlaybookStep: Sendable {
    public var segment: String
    public var customers: Int
    public var activationRate: Double?
    public var renewalReached: Double?
    public var renewalNotReached: Double?
    /// Day by which three in four of the segment's activated customers got there.
    public var nudgeDay: Int
    /// Day by which a high-ACV account that is still not activated gets a person: a week after the nudge, and before
    /// the rule's window closes.
    public var outreachDay: Int
    /// ACV at which the segment's top quarter starts (nil without ACVs): the accounts a person steps in for.
    public var highACV: Double?
}

/// One step of the onboarding funnel.
public struct FunnelStep: Sendable {
    /// What the customers of a step did.
    public enum Kind: Sendable, Equatable {
        case signedUp
        /// Any behaviour within the rule's window.
        case anyAction(windowDays: Int)
        /// A behaviour most activated customers do before the event, usually on `medianDay`.
        case behaviour(name: String, medianDay: Double)
        case activated(rule: ActivationRule)
    }
    public var kind: Kind
    /// Customers who took this step and every step above it.
    public var customers: Int
    /// `customers` over the customers who signed up (the first step's).
    public var share: Double
    /// For the last step (`activated`): every customer who reached the rule, whether or not they took the steps
    /// above; nil for the other steps.
    public var allReached: Int?
}

/// What the report tells a team to do about the proposal: the playbook per segment and the onboarding funnel.
/// Computed once per run (empty without a proposal); the accounts to act on are `ActionLists`, which reads the
/// playbook's nudge days and high-ACV bars.
package struct ActionPlan {
    package let playbook: [PlaybookStep]
    package let funnel: [FunnelStep]

    /// The plan for `proposal` on `features`, with the data ending on day `dataEndDay` (days since 1970-01-01).
    /// `drivers` keeps harmful behaviours and proxies (`JointRoles.excluded`), and near-copies of the rule's own, out
    /// of the funnel's steps.
    package init(proposal: ActivationProposal, features: FeatureTable, dataEndDay: Int, drivers: DriverModel? = nil) {
        guard let progress = ProposalProgress(proposal: proposal, features: features) else {
            (playbook, funnel) = ([], [])
            return
        }
        var notSteps = drivers.map { JointRoles($0).excluded } ?? []
        if let drivers {
            let ownGroups = Set(progress.rule.behaviours.map { drivers.estimate($0)?.groupLead ?? $0 })
            for e in drivers.estimates where ownGroups.contains(e.groupLead) { notSteps.insert(e.behaviour) }
        }
        let run = Run(features: features, dataEndDay: dataEndDay, notSteps: notSteps)
        playbook = Self.playbook(run, progress)
        funnel = Self.funnel(run, progress)
    }

    /// What the plan is computed from.
    package struct Run {
        package let features: FeatureTable
        package let dataEndDay: Int
        /// Behaviours never shown as a step: harmful ones, proxies, and the rule's own correlation group.
        package var notSteps: Set<String> = []
    }

    package static func playbook(_ result: Run, _ progress: ProposalProgress) -> [PlaybookStep] {
        let customers = result.features.customers
        let segments = Dictionary(grouping: customers.indices) { customers[$0].segment }
        return segments.keys.sorted().map { segment in
            let members = segments[segment]!
            // High ACV is the segment's own top quarter: one bar for all would put every enterprise account above it
            // and no self-serve account within reach of it.
            let acvs = members.compactMap { customers[$0].acv }.sorted()
            let highACV = acvs.isEmpty ? nil : Descriptive.quantile(sorted: acvs, 0.75)
            let days = members.compactMap { c -> Double? in
                guard let d = progress.reachDay(c), d < progress.rule.windowDays else { return nil }
                return Double(d)
            }.sorted()
            let decided = members.filter { customers[$0].outcome != .undecided }
            let t = TwoByTwoTable(tallying: decided, reached: progress.reached, renewed: { customers[$0].outcome == .renewed })
            let nudge = max(1, Int((days.isEmpty ? 7 : Descriptive.quantile(sorted: days, 0.75)).rounded(.up)))
            // A week after the nudge, but while the account can still make it: the rule's last day is windowDays - 1.
            let outreach = max(nudge + 1, min(progress.rule.windowDays - 1, nudge + 7))
            return PlaybookStep(segment: segment, customers: members.count, activationRate: t.reachRate,
                                renewalReached: t.renewRateReached, renewalNotReached: t.renewRateNotReached,
                                nudgeDay: nudge, outreachDay: outreach, highACV: highACV)
        }
    }

    /// Signed up → any action → the behaviours activated customers usually do before the event, in their usual
    /// order → activated, within the rule's window, over customers whose window is complete. Each step counts the
    /// customers who did it and every step before it.
    package static func funnel(_ result: Run, _ progress: ProposalProgress) -> [FunnelStep] {
        let window = progress.rule.windowDays
        let customers = result.features.customers
        let complete = customers.indices.filter { customers[$0].signupDay + window - 1 <= result.dataEndDay }
        guard !complete.isEmpty else { return [] }
        let activated = complete.filter { progress.reached($0) }
        let own = Set(progress.rule.behaviours).union(result.notSteps)
        // Behaviours most activated customers did on or before the day they got there.
        var leading: [(name: String, medianDay: Double)] = []
        for b in result.features.behaviours where !own.contains(b.name) {
            var before: [Double] = []
            let firstDay = b.firstDayPerCustomer()
            for c in activated {
                if let first = firstDay[c], let reach = progress.reachDay(c), first <= reach { before.append(Double(first)) }
            }
            if !activated.isEmpty && Double(before.count) >= 0.5 * Double(activated.count) {
                leading.append((b.name, Descriptive.quantile(sorted: before.sorted(), 0.5)))
            }
        }
        leading.sort { ($0.medianDay, $0.name) < ($1.medianDay, $1.name) }
        var steps = [FunnelStep(kind: .signedUp, customers: complete.count, share: 1)]
        var actedInWindow = [Bool](repeating: false, count: customers.count)
        for b in result.features.behaviours { b.forEachDoer { c, _, first, _ in if first < window { actedInWindow[c] = true } } }
        var remaining = complete.filter { actedInWindow[$0] }
        steps.append(FunnelStep(kind: .anyAction(windowDays: window), customers: remaining.count,
                                share: Double(remaining.count) / Double(complete.count)))
        for step in leading.prefix(3) {
            let b = result.features.behaviours.first { $0.name == step.name }!
            let firstDay = b.firstDayPerCustomer()
            remaining = remaining.filter { (firstDay[$0] ?? .max) < window }
            steps.append(FunnelStep(kind: .behaviour(name: step.name, medianDay: step.medianDay), customers: remaining.count,
                                    share: Double(remaining.count) / Double(complete.count)))
        }
        // Nested like every step (so that each step's share of the one above is what that step loses), with every
        // activated customer beside it: the middle steps are what activated customers usually do first, not a gate.
        let activatedAfterSteps = remaining.filter { progress.reached($0) }.count
        steps.append(FunnelStep(kind: .activated(rule: progress.rule), customers: activatedAfterSteps,
                                share: Double(activatedAfterSteps) / Double(complete.count), allReached: activated.count))
        return steps
    }
}
