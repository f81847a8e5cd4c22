import ActivationFeatures
import ActivationStatistics
import Foundation

/// What would prove the proposal: everything the tool measures is observational (customers who reach the rule may
/// differ in ways no export shows), so the test is a randomised nudge towards the rule for new signups.
///
/// Per arm, the customers a two-sided two-proportion test (α = 0.05, power 0.8; pooled variance under the null,
/// `SampleSize.twoProportionsPerArm`) needs to detect the nudge: both arms are drawn from all new signups, so the
/// control arm renews as today's customers do, those who reach the rule on their own (share r) and those who do
/// not; in the nudged arm only the non-reachers can move, at best every one of them reaching it and gaining
/// `effectShare` of the observed gap (observational gaps overstate causal ones, so half the gap is the default):
///
///     control = r · p_reached + (1 − r) · p_not,    nudged = control + (1 − r) · effectShare · (p_reached − p_not).
///
/// Comparing against non-reachers alone would take the whole arm for movable and ask for a fraction of the
/// customers the test needs. The weeks needed follow from the
/// recent signup rate (the last 13 weeks of signups before the data's end), both arms drawn from new signups; the
/// outcome is then known one renewal term later.
public struct ExperimentPlan: Sendable {
    public struct Arm: Sendable {
        public var name: String
        public var controlRenewal: Double
        public var targetRenewal: Double
        public var perArm: Int?
        public var signupsPerWeek: Double
        /// Weeks of signups to fill both arms (nil without signups or without a detectable gap).
        public var weeks: Double?
        public var longerThanAYear: Bool { (weeks ?? .infinity) > 52 }
    }

    public var effectShare: Double
    /// The test's two-sided significance level and power.
    public static let alpha = 0.05
    public static let power = 0.8
    public var overall: Arm
    public var bySegment: [Arm]

    public init(features: FeatureTable, rule: ActivationRule, reachDay: [Int?], dataEndDay: Int, effectShare: Double) {
        self.effectShare = effectShare
        let customers = features.customers
        let recentFrom = dataEndDay - 13 * 7 + 1
        func arm(_ name: String, _ members: [Int]) -> Arm {
            let group = members.filter { customers[$0].outcome != .undecided }
            let t = TwoByTwoTable(tallying: group, reached: { (reachDay[$0] ?? .max) < rule.windowDays },
                                  renewed: { customers[$0].outcome == .renewed })
            let notReached = t.renewRateNotReached ?? 0, reached = t.renewRateReached ?? 0, r = t.reachRate ?? 0
            let control = r * reached + (1 - r) * notReached
            let target = control + (1 - r) * effectShare * (reached - notReached)
            let recent = members.filter { customers[$0].signupDay >= recentFrom && customers[$0].signupDay <= dataEndDay }.count
            let perWeek = Double(recent) / 13
            var perArm: Int?
            if target > control, control > 0, target < 1 {
                perArm = SampleSize.twoProportionsPerArm(p1: control, p2: target, alpha: Self.alpha, power: Self.power).perArm
            }
            return Arm(name: name, controlRenewal: control, targetRenewal: target, perArm: perArm, signupsPerWeek: perWeek,
                       weeks: perArm.flatMap { perWeek > 0 ? 2 * Double($0) / perWeek : nil })
        }
        overall = arm("all", Array(customers.indices))
        let segments = Dictionary(grouping: customers.indices) { customers[$0].segment }
        bySegment = segments.keys.sorted().map { arm($0, segments[$0]!) }
    }
}
