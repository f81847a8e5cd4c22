import ActivationAnalysis
import ActivationCore
import ActivationPipeline

/// The decision's doubt in words: the verdict against the bar, how often resamples choose the same rule, what each
/// behaviour is once the others are known (a column of the behaviours table), whether activating early matters, and the
/// experiment that would prove it.
extension MarkdownReport {
    package static func decision(_ result: PipelineResult) -> String {
        var md = "## How sure, and what would prove it\n\n"
        let proposal = result.proposal
        let drivers = result.drivers
        if proposal.notEnoughEvidence {
            md += "**This data cannot tell yet.** A claim needs at least \(proposal.criteria.minimumOutcomes) renewals and \(proposal.criteria.minimumOutcomes) churns "
            md += "among the earlier signups and among the most recent ones; this data has fewer, so no rule is proposed"
            let e = result.evidence
            let short = [(e.trainingChurned, "churners among the earlier signups"), (e.holdoutChurned, "churners among the most recent signups"),
                         (e.trainingRenewed, "renewals among the earlier signups"), (e.holdoutRenewed, "renewals among the most recent signups")]
                .filter { $0.0 < proposal.criteria.minimumOutcomes }
                .map { "\(Format.count(proposal.criteria.minimumOutcomes - $0.0)) more \($0.1)" }
            md += short.isEmpty ? ".\n\n" : " (it needs \(short.joined(separator: ", "))).\n\n"
        }
        if let chosen = proposal.chosen, let verdict = proposal.verdict {
            md += verdictWords(verdict, rule: chosen.candidate.definition)
            if let s = result.stability {
                md += "- **Stability:** in \(s.resamples) bootstrap resamples of the decided customers, the selection chose "
                md += "\(behaviourName(chosen.candidate.behaviour)) \(Format.percent(s.sameBehaviour)) of the time, "
                md += "this rule or an equally good neighbour (its plateau) \(Format.percent(s.sameRuleOrPlateau)), exactly this rule \(Format.percent(s.sameRule)); "
                md += "the chosen rule was strong on the resampled holdout in \(Format.percent(s.strong)).\n"
                if s.sameBehaviour < 0.5 {
                    md += "\n> The proposal is chosen in fewer than half of the resamples: another sample of customers would likely point elsewhere"
                    if let other = s.behaviourShares.first(where: { $0.behaviour != chosen.candidate.behaviour }) {
                        md += " (most often \(behaviourName(other.behaviour)), \(Format.percent(other.share)))"
                    }
                    md += ". Treat it as a lead, not an answer.\n"
                }
            }
        }
        if let best = drivers.holdoutAUC {
            md += "- **What early usage can tell at best:** all behaviours' first-\(drivers.windowDays)-day counts together predict renewal on the holdout with AUC \(Format.decimal(best.auc)) "
            md += "(\(Format.decimal(best.confidenceInterval().lowerBound))–\(Format.decimal(best.confidenceInterval().upperBound)))"
            if let d = proposal.chosen?.diagnostics { md += ", against \(Format.decimal(d.holdoutAUC.auc)) for the one rule" }
            md += ".\n"
        }
        md += "\n"
        if let plan = result.experiment, let chosen = proposal.chosen { md += experiment(plan, rule: chosen.candidate.definition) }
        if proposal.chosen == nil { md += cannotTell(result) }
        return md
    }

    package static func verdictWords(_ v: Verdict, rule: ActivationRule) -> String {
        var md = "- **Verdict: \(v.strength.rawValue == "undetermined" ? "not yet determined" : v.strength.rawValue).** "
        md += "On the \(Format.count(v.holdoutCustomers)) most recent decided signups (\(Format.count(v.holdoutChurners)) churned), the rule's AUC is \(Format.decimal(v.auc)), "
        md += "95% interval \(Format.decimal(v.interval.lowerBound))–\(Format.decimal(v.interval.upperBound)), against a bar of \(Format.decimal(v.bar)). "
        switch v.strength {
        case .strong: md += "Even the interval's low end reaches the bar.\n"
        case .weak: md += "Even the interval's high end is below the bar: the rule misclassifies many customers. Test it before making it the goal.\n"
        case .undetermined:
            md += "The interval straddles the bar, so this data cannot yet say whether the rule is strong. "
            if let more = v.additionalCustomers, more > 10 * v.holdoutCustomers {
                md += "The AUC sits so close to the bar that only a far larger sample (about \(Format.count(more)) more decided customers) would settle it: read the rule as borderline.\n"
            } else if let more = v.additionalCustomers, let churners = v.additionalChurners {
                md += "About \(Format.count(more)) more decided customers (\(Format.count(churners)) more churners) would settle it if the AUC stays where it is.\n"
            } else {
                md += "The AUC sits on the bar, where no sample size settles it.\n"
            }
        }
        return md
    }

    /// A behaviour's role in the joint driver model, as the behaviours table's *Role* column says it.
    package static func roleWords(_ e: DriverEstimate) -> String {
        switch e.role {
        case .driver: "driver"
        case .harmful: "**harmful**"
        case .proxy: "no effect of its own"
        case .duplicate: "copy of \(behaviourName(e.groupLead))"
        case .unclear: "unclear"
        case .notModelled: "not modelled"
        }
    }

    /// The week-1 churn ratio and the largest renewal multiple the data allows, after the early-activation chart.
    package static func earlyActivationLimits(_ e: EarlyActivation) -> String {
        var md = ""
        if let cr = e.churnRatioWeekOne {
            md += "Customers who got there in their first week churn \(Format.decimal(cr.ratio)) times as often as those who got there later or never "
            md += "(95% interval \(Format.decimal(cr.interval.lowerBound))–\(Format.decimal(cr.interval.upperBound)); decided customers with the follow-up to show their group, \(Format.count(e.excluded)) left out). "
        }
        if let overall = e.overallRenewal, let limit = e.largestPossibleRenewalMultiple {
            md += "With \(Format.percent(overall)) of them renewing, no group can renew more than \(Format.decimal(limit, places: 1)) times as often as another, "
            md += "so a claim like \"week-1 activators retain 3-5× better\" cannot hold here; the churn ratio is the honest comparison."
        }
        return md.isEmpty ? "" : md + "\n\n"
    }

    package static func experiment(_ plan: ExperimentPlan, rule: ActivationRule) -> String {
        var md = "### What would prove it\n\n"
        md += "All of the above is observational: customers who reach the rule may differ in ways the exports do not show. The test is a randomised nudge "
        md += "towards \(ruleWords(rule)) for half of new signups, the other half left as they are: both halves hold customers who would reach it on their own, "
        md += "so only the others can move. To detect the nudge if every one of them reached it and gained \(Format.percent(plan.effectShare)) of the observed renewal gap "
        md += "(observational gaps overstate causal ones) with a two-sided test at 5% and 80% power:\n\n"
        md += "| Segment | Renewal today (all new customers) | Target (nudged) | Customers per arm | Signups per week | Weeks to enrol |\n|---|---:|---:|---:|---:|---:|\n"
        for arm in [plan.overall] + plan.bySegment {
            // Rounded up: fewer weeks would not enrol the customers the arm needs.
            let weeks = arm.weeks.map { $0 > 52 ? "\(Format.count(Int($0.rounded(.up)))) (over a year)" : Format.count(Int($0.rounded(.up))) } ?? "–"
            md += "| \(arm.name) | \(Format.percent(arm.controlRenewal)) | \(Format.percent(arm.targetRenewal)) | \(arm.perArm.map(Format.count) ?? "–") "
            md += "| \(Format.decimal(arm.signupsPerWeek, places: 1)) | \(weeks) |\n"
        }
        md += "\nRenewal is known one term after the last signup enrols.\n\n"
        return md
    }

    package static func cannotTell(_ result: PipelineResult) -> String {
        var md = "### Why nothing is proposed\n\n"
        let evaluations = result.proposal.evaluations.prefix(5)
        if evaluations.isEmpty {
            md += "No rule got as far as the full checks.\n\n"
        } else {
            md += "The best candidates and why each fails:\n\n"
            for e in evaluations {
                md += "- \(ruleWords(e.candidate.definition)): " + (e.failures.isEmpty ? "meets every criterion" : e.failures.map(\.failure).joined(separator: ", ")) + "\n"
            }
            md += "\n"
        }
        // The first of them that renews more than the rest: how much data would tell its gap from chance.
        if let (e, need) = evaluations.lazy.compactMap({ e in EvidenceNeeded(e.candidate).map { (e, $0) } }).first {
            md += "This does not show that no behaviour matters. \(ruleWords(e.candidate.definition)) renews \(Format.percent(need.renewReached)) against \(Format.percent(need.renewNotReached)) for the rest on the earlier signups; "
            md += "telling a gap that size from chance (5% level, 80% power) takes about \(Format.count(need.customers)) decided customers, \(Format.count(need.churners)) of them churners at this churn rate, "
            if need.moreChurners > 0 {
                md += "against \(Format.count(need.churnersNow)) churners now: about \(Format.count(need.moreChurners)) more churners are needed.\n\n"
            } else {
                md += "and there are \(Format.count(need.churnersNow)) churners already: the gap, not the sample, is what falls short.\n\n"
            }
        }
        return md
    }
}
