import ActivationAnalysis
import ActivationCore
import ActivationPipeline

/// The proposal's criteria in words: their names with the thresholds, what was measured, and the verdict for tables.
extension CriterionResult {
    /// "reach 15%–85%", with the configured thresholds.
    public var name: String {
        switch criterion {
        case .reach: "reach \(Format.percent(criteria.minimumReach))–\(Format.percent(criteria.maximumReach))"
        case .reachedInWeekOne: "reached in week 1 (median day ≤ \(Format.day(criteria.maximumMedianDay)))"
        case .renewsMore: "renews more when reached (BH q < \(Format.decimal(criteria.significance, places: 2)))"
        case .holdsUpAfterAdjustment: "holds up after adjusting for activity and segment"
        case .stableAcrossQuarters: "stable across signup quarters (odds ratio > 1 in each)"
        case .notHarmful: "not harmful once the other behaviours are known (joint model)"
        case .ownEffect: "an effect of its own once the other behaviours are known (joint model)"
        }
    }

    /// "✓ pass", "✗ fail", or "– not checked" for the quarter criterion with fewer than two quarters to judge (it
    /// does not block the proposal, but it was not shown either).
    public var mark: String {
        if criterion == .stableAcrossQuarters && diagnostics.quarters.filter(\.enoughCustomers).count < 2 { return "– not checked" }
        return passed ? "✓ pass" : "✗ fail"
    }

    /// What was measured, in plain words ("reached by 52% of training customers").
    public var detail: String {
        let c = diagnostics.candidate, t = c.training
        switch criterion {
        case .reach:
            return "reached by \(Format.percent(t.reachRate ?? 0)) of training customers"
        case .reachedInWeekOne:
            return c.medianDayReached.map { "median day reached: \(Format.day($0))" } ?? "never reached"
        case .renewsMore:
            return "renewal \(Format.percent(t.renewRateReached)) reached vs \(Format.percent(t.renewRateNotReached)) not (Fisher \(Format.pPhrase(t.fisherExactPValue)), q \(Format.pValue(c.qValue)))"
        case .holdsUpAfterAdjustment:
            guard let adjusted = diagnostics.adjusted else { return "" }
            var detail = "adjusted odds ratio \(Format.decimal(adjusted.oddsRatio))"
            if let ci = adjusted.interval {
                detail += " (\(Format.decimal(ci.lowerBound))–\(Format.decimal(ci.upperBound)))"
                if !passed {
                    detail += Self.tooWide(ci) ? ": this data cannot estimate the adjusted effect (the interval spans more than a hundredfold), so it is not shown to hold up"
                        : ": mostly a proxy for overall activity"
                }
            } else {
                detail += " (penalised): the adjusted effect cannot be estimated, because the rule splits renewal perfectly in the adjusted model"
            }
            return detail
        case .stableAcrossQuarters:
            let judged = diagnostics.quarters.filter(\.enoughCustomers)
            let weak = judged.filter { $0.oddsRatio <= 1 }
            if judged.count < 2 {
                return "not checked: \(judged.isEmpty ? "no" : "only one") signup quarter has \(QuarterEffect.minimumCustomers)+ decided customers"
            }
            return judged.isEmpty ? "no quarter has \(QuarterEffect.minimumCustomers)+ decided customers"
                : weak.isEmpty ? "odds ratio above 1 in all \(judged.count) quarters with enough customers"
                : "odds ratio ≤ 1 in " + weak.map(\.quarter).joined(separator: ", ")
        case .notHarmful:
            return passed ? "no part of it lowers renewal in the joint model"
                : "the joint model finds it lowers renewal once the other behaviours are known"
        case .ownEffect:
            return passed ? "the joint model does not find it riding on the other behaviours"
                : "it goes with renewal alone, but once the other behaviours are known the joint model shows no effect of its own: it may only ride on them (or the data is too small to tell), so pushing customers to it may change nothing"
        }
    }

    /// An adjusted odds ratio interval spanning more than a hundredfold: too few customers to tell a proxy from a
    /// driver, not evidence of a proxy.
    static func tooWide(_ interval: ClosedRange<Double>) -> Bool {
        interval.upperBound > 100 * max(interval.lowerBound, .leastNormalMagnitude)
    }

    /// The verdict when it fails, in a few words for tables ("too late", "proxy for activity").
    public var failure: String {
        switch criterion {
        case .reach: "reach"
        case .reachedInWeekOne: "too late"
        case .renewsMore: "no real difference"
        case .holdsUpAfterAdjustment:
            diagnostics.adjusted?.interval.map(Self.tooWide) ?? true ? "not estimable after adjustment" : "proxy for activity"
        case .stableAcrossQuarters: "unstable"
        case .notHarmful: "harmful"
        case .ownEffect: "proxy (joint model)"
        }
    }
}

extension FunnelStep {
    /// The step as the funnel table names it.
    public var label: String {
        switch kind {
        case .signedUp: "signed up"
        case .anyAction(let window): "any action in the first \(window) days"
        case .behaviour(let name, let medianDay): "\(name) (usually day \(Format.day(medianDay)))"
        case .activated(let rule): "activated: \(rule.text)"
        }
    }
}

extension ActionPlan {
    /// The plan for a run's proposal.
    package init(_ result: PipelineResult) {
        self.init(proposal: result.proposal, features: result.features, dataEndDay: result.dataEndDay, drivers: result.drivers)
    }
}

extension ActionLists {
    /// The accounts to act on for a run's proposal, with the run's early-activation finding.
    package init(_ result: PipelineResult, plan: ActionPlan) {
        self.init(plan: plan, proposal: result.proposal, features: result.features, dataEndDay: result.dataEndDay,
                  early: result.earlyActivation)
    }
}
