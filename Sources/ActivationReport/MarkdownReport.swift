import ActivationAnalysis
import ActivationCore
import ActivationFeatures
import ActivationPipeline
import ActivationStatistics
import Foundation

/// `activation-report.md`: one screen to decide (the rule, the verdict, this week's actions), then what to do, whom
/// to contact, the evidence, what changed, and the data and method. Every share says its population ("of 1,411
/// decided customers"); names from the data are escaped (`MarkdownText`).
public enum MarkdownReport {
    /// The report, in the order a founder reads it; `previous` is the last run's summary, for "what changed".
    public static func render(_ result: PipelineResult, previous: RunSummary? = nil) -> String {
        let plan = ActionPlan(result)
        return render(result, previous: previous, plan: plan, lists: ActionLists(result, plan: plan))
    }

    package static func render(_ result: PipelineResult, previous: RunSummary?, plan: ActionPlan, lists: ActionLists) -> String {
        let parts = renderParts(result, plan: plan, lists: lists)
        return parts.before + whatChanged(now: RunSummary(result), previous: previous) + parts.after
    }

    /// The report without its one part that depends on the previous run (`whatChanged`): what comes before it and
    /// what comes after it (the report memo keeps these two and renders the middle again).
    package static func renderParts(_ result: PipelineResult, plan: ActionPlan, lists: ActionLists) -> (before: String, after: String) {
        var md = "# Activation report\n\n"
        let decided = result.features.decidedCustomers.count
        md += "*Data through \(TimestampParser.dateString(day: result.dataEndDay)): \(Format.count(result.features.customers.count)) customers, "
        md += "\(Format.count(decided)) of them with a decided renewal; their first \(result.configuration.windowDays) days of usage; "
        md += "\(Format.count(result.features.behaviours.count)) behaviours examined.*\n\n"
        let notes = evidenceNotes(result)
        md += notes.preamble
        md += notes.notEnough ?? summaryCard(result, plan, lists)
        md += whatToDo(result, plan, lists)
        md += accountsToActOn(result, plan, lists)
        md += evidence(result, plan, lists)
        md += decision(result)
        var after = "## Data and method\n\n"
        after += dataSummary(result)
        after += criteriaSection(result)
        after += glossary(result)
        return (md, after)
    }

    /// What the run set aside or could not claim (the run's `checks`), said before the answer; and, when the evidence
    /// is too thin to claim anything, the section that replaces the answer.
    package static func evidenceNotes(_ result: PipelineResult) -> (preamble: String, notEnough: String?) {
        let e = result.evidence
        var notes: [String] = []
        if e.dataEndConfigured { notes.append("Data through \(TimestampParser.dateString(day: result.dataEndDay)), as analysis.data_end sets it.") }
        if e.eventRowsInFuture > 0 { notes.append("\(Format.count(e.eventRowsInFuture)) event rows stamped in the future were rejected (rejects.csv: timestamp_in_future); the data's end is the latest usable event.") }
        if e.signupsAfterDataEnd > 0 { notes.append("\(Format.count(e.signupsAfterDataEnd)) customers signing up after the data's end were rejected (signup_after_data_end).") }
        if e.decidedWindowOpen > 0 { notes.append("\(Format.count(e.decidedWindowOpen)) decided customers whose first window is not over by the data's end were not used to fit.") }
        let first = result.customers.firstFieldWarning
        for (column, n) in e.fieldWarnings.sorted(by: { $0.key < $1.key }) {
            var note = "\(Format.count(n)) \(n == 1 ? "customer has" : "customers have") an unusable \(MarkdownText.escape(column)) value, left blank (the customers are kept)"
            if let first, first.column == column {
                note += "; \(n == 1 ? "it is" : "the first is") \(MarkdownText.escape(first.file)) line \(first.line): \(MarkdownText.escape(first.detail))"
            }
            notes.append(note + ".")
        }
        let preamble = notes.isEmpty ? "" : notes.map { "- \($0)\n" }.joined() + "\n"
        guard e.enough else {
            return (preamble, "## This week\n\n**Not enough evidence to name an activation event, or any warning sign.** Training has \(e.trainingRenewed) renewals and \(e.trainingChurned) churners, the holdout \(e.holdoutRenewed) and \(e.holdoutChurned); each needs at least \(e.minimumOutcomes) (analysis.min_outcomes). Nothing to change in onboarding on this evidence; keep the exports coming.\n\n")
        }
        return (preamble, nil)
    }

    package static func chart(_ name: String, _ alt: String) -> String { "![\(MarkdownText.escape(alt))](\(name))\n\n" }

    /// A behaviour's name as code, escaped when it has to be.
    package static func behaviourName(_ name: String) -> String { MarkdownText.code(name) }

    package static func timesWord(_ n: Int) -> String { n == 1 ? "at least once" : "at least \(n) times" }

    package static func interval(_ r: ClosedRange<Double>?, places: Int = 2) -> String {
        guard let r else { return "–" }
        return "\(Format.decimal(r.lowerBound, places: places))–\(Format.decimal(r.upperBound, places: places))"
    }

    /// "`invite_teammate` at least 2 times within 14 days"
    package static func ruleWords(_ rule: ActivationRule) -> String {
        rule.conditions.map { "\(behaviourName($0.behaviour)) \(timesWord($0.threshold))" }.joined(separator: " and ")
            + " within \(rule.windowDays) \(rule.windowDays == 1 ? "day" : "days")"
    }

    /// "`invite_teammate` ≥ 2 within 14 days", for tables.
    package static func ruleShort(_ rule: ActivationRule) -> String {
        rule.conditions.map { "\(behaviourName($0.behaviour)) ≥ \($0.threshold)" }.joined(separator: " and ")
            + " within \(rule.windowDays) \(rule.windowDays == 1 ? "day" : "days")"
    }

    /// "662 of 1,411 decided customers (47%)": a reach always says its population.
    package static func reachPhrase(_ t: TwoByTwoTable, _ population: String) -> String {
        "reached by \(Format.count(t.reached)) of \(Format.count(t.total)) \(population) customers (\(Format.percent(t.reachRate)))"
    }

    /// The verdict on the proposal against the bar for strong, as the first screen words it.
    package enum VerdictWord: String {
        case strong, weak, undetermined
        init(_ strength: ActivationProposal.Strength?) {
            switch strength {
            case .strong: self = .strong
            case .weak: self = .weak
            case .undetermined, nil: self = .undetermined
            }
        }
    }

    // MARK: - The first screen

    package static func summaryCard(_ result: PipelineResult, _ plan: ActionPlan, _ lists: ActionLists) -> String {
        var md = "## This week\n\n"
        let warnings = dataWarnings(result)
        guard let chosen = result.proposal.chosen else {
            md += "**No behaviour qualifies as the activation event yet.** "
            if result.proposal.evaluations.isEmpty {
                md += "No behaviour goes with renewal more than chance would give.\n\n"
            } else {
                md += "Every rule that goes with renewal fails at least one criterion:\n\n"
                for e in result.proposal.evaluations.prefix(5) {
                    md += "- \(ruleWords(e.candidate.definition)): "
                    md += e.failures.map { "fails *\($0.name)* (\(MarkdownText.escape($0.detail)))" }.joined(separator: "; ") + "\n"
                }
                md += "\n"
            }
            md += "**This week:** nothing to change in onboarding on this evidence; keep the exports coming and look again next week.\n\n"
            if !warnings.isEmpty { md += "> **Data warnings:** " + warnings.joined(separator: " ") + "\n\n" }
            return md
        }
        let c = chosen.candidate, t = c.table, d = chosen.diagnostics
        let verdict = VerdictWord(result.proposal.strength)
        md += "**The rule:** get every new customer to do \(ruleWords(c.definition)) of signing up. "
        md += "Those who do renew \(Format.percent(t.renewRateReached)) of the time, against \(Format.percent(t.renewRateNotReached)) for those who do not; "
        md += "today it is \(reachPhrase(t, "decided")).\n\n"
        let bar = Format.decimal(result.proposal.criteria.strongAUC)
        let score = Format.decimal(d.holdoutAUC.auc, against: result.proposal.criteria.strongAUC)
        md += "**Verdict: \(verdict.rawValue).** "
        let check = "On the \(Format.count(result.split.holdout.count)) most recent decided customers, kept aside while the rule was chosen, "
            + "it scores \(score) at telling renewals from churns (0.50 is a coin flip, 1.00 perfect; the bar for strong is \(bar))"
        switch verdict {
        case .strong: md += check + ".\n\n"
        case .weak:
            if let interval = result.proposal.verdict?.interval, interval.lowerBound <= 0.5 {
                // An interval that reaches a coin flip is no evidence that the rule tells anything.
                md += check + ", but its 95% interval (\(Format.decimal(interval.lowerBound))–\(Format.decimal(interval.upperBound))) "
                md += "reaches 0.50: **this data cannot tell** whether the rule goes with renewal at all. Do not build onboarding around it; test it, or wait for more decided customers.\n\n"
            } else {
                md += check + ": promising, not proven. Test it before building onboarding around it.\n\n"
            }
        case .undetermined: md += check + ", too close to the bar to call: test it first.\n\n"
        }
        md += "**Do this week:**\n\n"
        switch verdict {
        case .strong:
            md += "1. **Onboarding:** make the rule the goal of the welcome flow, the first emails and the first call; "
            md += "nudge every account that is not there by its segment's nudge day (playbook below).\n"
        case .weak, .undetermined:
            if let experiment = experimentPlan(result), experiment.longerThanAYear, let weeks = experiment.weeks {
                // A test that cannot finish within a year is no plan for this week: say so rather than prescribe it.
                md += "1. **Do not build onboarding around it yet:** the gap is too small for a test to settle soon: it would take "
                md += "\(Format.count(experiment.perArm ?? 0)) customers per half, about \(Format.count(Int(weeks.rounded(.up)))) weeks of signups (plan below). "
                md += "On this data, whether the rule causes renewal cannot be told; look again as more customers decide.\n"
            } else if let experiment = experimentPlan(result) {
                md += "1. **Test it:** nudge a random half of new signups towards the rule and compare with the other half: "
                md += "\(Format.count(experiment.perArm ?? 0)) customers per half"
                md += experiment.weeks.map { ", about \(Format.count(Int($0.rounded(.up)))) weeks of signups" } ?? ""
                md += " (plan below).\n"
            } else {
                md += "1. **Test it:** nudge a random half of new signups towards the rule and compare with the other half (plan below).\n"
            }
        }
        md += "2. **Accounts:** " + accountsLine(result, lists) + "\n\n"
        md += chart(ReportCharts.renewalBySegment, "Renewal of customers who reach the rule against those who do not, per segment, with 95% intervals")
        if !warnings.isEmpty { md += "> **Data warnings:** " + warnings.joined(separator: " ") + "\n\n" }
        return md
    }

    /// "3 to nudge today, 12 for a CSM this week (lists below)."
    package static func accountsLine(_ result: PipelineResult, _ lists: ActionLists) -> String {
        var parts: [String] = []
        if lists.insideWindow == 0 {
            parts.append("no account is inside its window, so no nudge is due today")
        } else {
            parts.append("\(Format.count(lists.nudgeToday.count)) to nudge today")
        }
        if lists.hasACV { parts.append("\(Format.count(lists.csmThisWeek.count)) high-ACV \(lists.csmThisWeek.count == 1 ? "account" : "accounts") for a CSM this week") }
        return parts.joined(separator: "; ") + " (lists below)."
    }

    /// The experiment for a rule that is not yet strong: the Analysis stage's plan over all customers, when it has
    /// a sample size.
    package static func experimentPlan(_ result: PipelineResult) -> ExperimentPlan.Arm? {
        guard let arm = result.experiment?.overall, arm.perArm != nil else { return nil }
        return arm
    }

    /// What changes how the report should be read, said before the evidence.
    package static func dataWarnings(_ result: PipelineResult) -> [String] {
        var out: [String] = []
        let outcomeLike = OutcomeLikeNames.among(result.features.behaviours.map(\.name))
        if !outcomeLike.isEmpty {
            let names = outcomeLike.map { "`\(MarkdownText.escape($0))`" }.joined(separator: ", ")
            let one = outcomeLike.count == 1
            var warning = "\(names) \(one ? "looks like a billing, renewal or cancellation event, which records" : "look like billing, renewal or cancellation events, which record") "
            warning += "the outcome rather than cause it: exclude \(outcomeLike.count == 1 ? "it" : "them") (events.exclude, --exclude-event) unless \(outcomeLike.count == 1 ? "it is a product action" : "they are product actions")."
            if let chosen = result.proposal.chosen, chosen.candidate.definition.behaviours.contains(where: outcomeLike.contains) {
                warning += " **The proposed rule uses one: do not act on it before checking.**"
            }
            out.append(warning)
        }
        if let cohorts = result.cohortActivation, cohorts.rows.count >= 3 {
            let sizes = cohorts.rows.map(\.signups).sorted()
            let median = Double(sizes[sizes.count / 2])
            for row in cohorts.rows where Double(row.signups) > 3 * median {
                out.append("\(row.cohort) had \(Format.count(row.signups)) signups against about \(Format.count(Int(median))) in a typical month: that month weighs heavily in every figure; check whether it was a migration or an import.")
            }
        }
        let (renewed, churned, _) = result.customers.table.outcomeCounts
        if churned < 50 || renewed < 50 {
            out.append("Only \(Format.count(min(renewed, churned))) \(churned < renewed ? "churned" : "renewed") customers so far: every difference below is uncertain, and the intervals are wide.")
        }
        if let chosen = result.proposal.chosen {
            let judged = chosen.diagnostics.quarters.filter(\.enoughCustomers).count
            if judged < 2 {
                out.append("Fewer than two signup quarters have enough decided customers (\(QuarterEffect.minimumCustomers)+), so whether the rule holds over time is not checked.")
            }
        }
        if let ttv = result.timeToValue {
            let open = result.features.customers.filter { result.dataEndDay - $0.signupDay + 1 < ttv.horizonDays }.count
            if 2 * open > result.features.customers.count {
                out.append("Most customers (\(Format.count(open)) of \(Format.count(result.features.customers.count))) are still inside their first \(ttv.horizonDays) days: time to value and activation rates will move.")
            }
        }
        return out
    }

    // MARK: - What to do

    package static func whatToDo(_ result: PipelineResult, _ plan: ActionPlan, _ lists: ActionLists) -> String {
        guard let chosen = result.proposal.chosen else { return "" }
        let verdict = VerdictWord(result.proposal.strength)
        var md = "## What to do\n\n"
        if verdict == .strong {
            md += "Make \(ruleWords(chosen.candidate.definition)) the goal of onboarding: the welcome flow, the first emails and the first call "
            md += "should all lead there. Per segment:\n\n"
        } else {
            md += "### Test it first\n\n"
            md += "The rule is \(verdict.rawValue): it may be a sign of customers who would renew anyway rather than a cause. Before making it the goal of onboarding, "
            if let e = experimentPlan(result) {
                md += "nudge a random half of new signups towards it (emails, in-app prompts, the first call) and leave the other half as they are. "
                md += "Today \(Format.percent(e.controlRenewal)) of new customers renew, those who reach it on their own included; to see the nudged half renew \(Format.percent(e.targetRenewal)) "
                md += "(every nudged customer who would not have reached it gaining half the observed gap: observational gaps overstate causal ones) takes \(Format.count(e.perArm ?? 0)) customers per half (5% significance, 80% power)"
                if let weeks = e.weeks { md += ", about \(Format.count(Int(weeks.rounded(.up)))) weeks at the recent \(Format.count(Int(e.signupsPerWeek.rounded()))) signups a week" }
                md += ". If the nudged half reaches it more often and renews more, make it the goal.\n\n"
            } else {
                md += "nudge a random half of new signups towards it and compare how many reach it and renew.\n\n"
            }
            md += "Meanwhile, the nudge points per segment:\n\n"
        }
        let tables = Dictionary(chosen.diagnostics.segments.segments.map { ($0.name, $0.table) }, uniquingKeysWith: { a, _ in a })
        var headers = ["Segment", "Decided customers", "Reached (of decided)", "Renewal reached / not", "Automated nudge"]
        if lists.hasACV { headers.append("Person steps in (past the nudge day)") }
        var rows: [[String]] = []
        for step in plan.playbook {
            guard let t = tables[step.segment] else { continue }
            var row = [MarkdownText.escape(step.segment), Format.count(t.total), Format.percent(t.reachRate),
                       "\(Format.percent(t.renewRateReached)) / \(Format.percent(t.renewRateNotReached))",
                       "not there by day \(step.nudgeDay)"]
            if lists.hasACV {
                row.append(lists.highACV[step.segment].map { "CSM call if ACV ≥ \(Format.count(Int($0.rounded())))" } ?? "–")
            }
            rows.append(row)
        }
        md += table(headers, align: "l r r l l l", rows, dropConstant: true)
        md += "The nudge day is the day by which three in four of the segment's activated customers got there: an account not there by then is falling behind. "
        if lists.hasACV {
            md += "High ACV is the top quarter of each segment's own annual contract values. "
        } else {
            md += "The customer table has no ACV column, so there is no high-value tier: every account gets the automated nudge. "
        }
        md += "The gap between the two renewal rates is what each activated account is worth.\n\n"
        return md
    }

    // MARK: - Accounts to act on

    package static func progressText(_ a: ActionLists.Account) -> String {
        a.progress.map { "\(min($0.count, $0.threshold)) of \($0.threshold) \(behaviourName($0.behaviour))" }.joined(separator: ", ")
    }

    package static func accountsToActOn(_ result: PipelineResult, _ plan: ActionPlan, _ lists: ActionLists) -> String {
        guard let chosen = result.proposal.chosen else { return "" }
        let window = chosen.candidate.windowDays
        var md = "## Accounts to act on now\n\n"
        md += "**Nudge today** (inside their first \(window) days, past their segment's nudge day, not there yet): "
        if lists.insideWindow == 0 {
            let latest = result.features.customers.map(\.signupDay).max()
            md += "nobody is inside their \(window)-day window at the data's end (\(TimestampParser.dateString(day: result.dataEndDay))"
            md += latest.map { "; the latest signup was on \(TimestampParser.dateString(day: $0))" } ?? ""
            md += "), so no nudge is due today.\n\n"
        } else if lists.nudgeToday.isEmpty {
            md += "none today; \(Format.count(lists.notDueYet)) more \(lists.notDueYet == 1 ? "is" : "are") inside the window but not at the nudge day yet.\n\n"
        } else {
            md += "\(Format.count(lists.nudgeToday.count)) \(lists.nudgeToday.count == 1 ? "account" : "accounts")"
            md += lists.notDueYet > 0 ? " (\(Format.count(lists.notDueYet)) more are not at their nudge day yet)" : ""
            md += ", fewest days left first.\n\n"
            let rows = lists.nudgeToday.prefix(15).map { a in
                [MarkdownText.escape(a.id), MarkdownText.escape(a.segment), Format.count(a.daysLeft), progressText(a),
                 a.daysSinceLastActivity.map { $0 == 0 ? "today" : "\($0) \($0 == 1 ? "day" : "days") ago" } ?? "no activity yet"]
            }
            md += table(["Account", "Segment", "Days left", "Progress", "Last activity"], align: "l l r l l", rows, dropConstant: true)
            if lists.nudgeToday.count > 15 { md += "And \(Format.count(lists.nudgeToday.count - 15)) more in `at_risk.csv`.\n\n" }
        }
        if lists.hasACV {
            md += "**CSM this week** (ACV in the top quarter of their segment, past the nudge day, not activated in time, renewal not decided): "
            if lists.csmThisWeek.isEmpty {
                md += "none.\n\n"
            } else {
                // Each segment has its own high-ACV bar, so each segment's list is shown: highest ACV first across
                // segments would fill the table with the biggest segment's accounts only.
                let bySegment = Dictionary(grouping: lists.csmThisWeek, by: \.segment)
                let segments = bySegment.keys.sorted()
                md += "\(Format.count(lists.csmThisWeek.count)) \(lists.csmThisWeek.count == 1 ? "account" : "accounts")"
                if segments.count > 1 {
                    md += " (" + segments.map { "\(MarkdownText.escape($0)) \(Format.count(bySegment[$0]!.count))" }.joined(separator: ", ") + ")"
                    md += "; the highest ACVs of each segment below.\n\n"
                } else {
                    md += ", highest ACV first.\n\n"
                }
                let quota = max(3, 15 / max(1, segments.count))
                let shown = segments.flatMap { bySegment[$0]!.prefix(quota) }
                let rows = shown.map { a in
                    [MarkdownText.escape(a.id), MarkdownText.escape(a.segment), a.acv.map { Format.count(Int($0.rounded())) } ?? "–",
                     TimestampParser.dateString(day: a.signupDay), a.daysLeft >= 0 ? Format.count(a.daysLeft) : "window over",
                     a.reachedLate ? "met it late" : progressText(a)]
                }
                md += table(["Account", "Segment", "ACV", "Signed up", "Days left", "Progress (to date)"], align: "l l r l r l", rows, dropConstant: true)
                if lists.csmThisWeek.count > shown.count { md += "And \(Format.count(lists.csmThisWeek.count - shown.count)) more in `at_risk.csv`.\n\n" }
            }
        } else {
            md += "**CSM this week:** the customer table has no ACV column, so no account is singled out for a person.\n\n"
        }
        if let timing = lists.timing, lists.lateAccounts > 0 {
            let late = timing.late, never = timing.never
            md += "\(Format.count(lists.lateAccounts)) \(lists.lateAccounts == 1 ? "account" : "accounts") past the window met the thresholds late. "
            if let lr = late.renewalRate, let nr = never.renewalRate {
                md += "Decided customers who met them late renewed \(Format.percent(lr)) (of \(Format.count(late.customers))), against \(Format.percent(nr)) (of \(Format.count(never.customers))) for those who never did: "
                md += timing.lateActivationHelps == true ? "late still helps, so they are left out as safe.\n\n"
                    : "meeting it late is not a sign of safety, so they are treated like the others.\n\n"
            } else {
                md += "\n\n"
            }
        }
        if lists.pastWindowOthers > 0 {
            md += "Not listed: \(Format.count(lists.pastWindowOthers)) accounts past their window with renewal undecided and an ordinary ACV: no nudge can help them in time; they are in `at_risk.csv` as `past_window`, to watch at renewal.\n\n"
        }
        return md
    }

    // MARK: - Evidence

    package static func evidence(_ result: PipelineResult, _ plan: ActionPlan, _ lists: ActionLists) -> String {
        let proposal = result.proposal
        guard !proposal.evaluations.isEmpty else { return "" }
        var md = "## The evidence\n\n"
        if let chosen = proposal.chosen {
            md += earlyActivation(result, chosen)
            md += "### How often, and the threshold\n\n"
            md += chart(ReportCharts.renewalByCount, "Renewal rate by how often decided customers did the proposed behaviour, with 95% intervals, counts and the threshold")
            md += "### The proposed rule by segment\n\n"
            let d = chosen.diagnostics
            var rows: [[String]] = []
            for (name, t) in [("all decided", chosen.candidate.table)] + d.segments.segments.map({ ($0.name, $0.table) }) {
                let or = t.correctedOddsRatio()
                rows.append([name == "all decided" ? "**all decided**" : MarkdownText.escape(name), Format.count(t.total), Format.percent(t.reachRate),
                             "\(Format.percent(t.renewRateReached)) / \(Format.percent(t.renewRateNotReached))", Format.times(t.churnRatio),
                             "\(Format.decimal(or.estimate)) (\(Format.decimal(or.low))–\(Format.decimal(or.high)))"])
            }
            md += table(["Segment", "Decided customers", "Reached", "Renewal reached / not", "Churn ratio", "Odds ratio (95%)"], align: "l r r l r l", rows)
            if let bd = d.segments.breslowDay {
                md += bd.pValue < 0.05
                    ? "**The effect differs between segments** (Breslow-Day \(Format.pPhrase(bd.pValue))): plan onboarding per segment."
                    : "This data shows no difference in the effect between segments (Breslow-Day \(Format.pPhrase(bd.pValue))), which is not proof that it is the same in each: read the rows above."
            }
            if !d.segments.segmentsWhereItFails.isEmpty {
                md += " It does not work in: " + d.segments.segmentsWhereItFails.map(MarkdownText.escape).joined(separator: ", ") + "."
            }
            md += "\n\n"
        }
        md += candidates(result)
        if let chosen = proposal.chosen {
            md += chart(ReportCharts.heatMap, "Rule AUC of the proposed behaviour for every threshold and window, plateau outlined")
            md += "### Stability by signup quarter\n\n"
            let rows = chosen.diagnostics.quarters.map { q in
                [q.quarter, Format.count(q.table.total), Format.percent(q.table.reachRate),
                 "\(Format.percent(q.table.renewRateReached)) / \(Format.percent(q.table.renewRateNotReached))",
                 Format.decimal(q.oddsRatio), Format.decimal(q.auc) + (q.enoughCustomers ? "" : " (few customers)")]
            }
            md += table(["Quarter", "Decided customers", "Reached", "Renewal reached / not", "Odds ratio", "AUC"], align: "l r r l r r", rows)
        }
        md += timeToValue(result)
        md += cohortSection(result)
        md += funnel(result, plan)
        md += whyNotOthers(result)
        md += warningSigns(result)
        return md
    }

    package static func earlyActivation(_ result: PipelineResult, _ chosen: CandidateEvaluation) -> String {
        guard let timing = result.earlyActivation, timing.rows.filter({ $0.customers > 0 }).count >= 2 else { return "" }
        var md = "### Does activating early matter?\n\n"
        md += chart(ReportCharts.earlyActivation, "Renewal by when decided customers first met the rule, with 95% intervals and counts")
        let inTime = timing.inTime, late = timing.late, never = timing.never
        let shown = inTime.customers + late.customers + never.customers
        md += "Of the \(Format.count(shown)) decided customers\(timing.excluded > 0 ? " whose follow-up shows when they got there" : ""), those who met the rule within its \(chosen.candidate.windowDays) days renewed \(Format.percent(inTime.renewalRate)) (\(Format.count(inTime.customers)) customers)"
        if late.customers > 0 { md += ", those who met it later \(Format.percent(late.renewalRate)) (\(Format.count(late.customers)))" }
        if never.customers > 0 { md += ", those who never did \(Format.percent(never.renewalRate)) (\(Format.count(never.customers)))" }
        md += ". "
        switch timing.lateActivationHelps {
        case true?: md += "Meeting it late still goes with more renewal, but less than meeting it in time.\n\n"
        case false?: md += "Meeting it late is worth little: what goes with renewal is reaching it within the window, so the nudge has to come early.\n\n"
        case nil: md += "\n\n"
        }
        md += earlyActivationLimits(timing)
        return md
    }

    /// The one table of behaviours: each behaviour's best rule as the proposal judged it (and the combinations that
    /// beat both their parts), with the behaviour's role in the joint driver model, in six columns; the joint odds
    /// ratio, the within-segment and pooled AUC, the adjusted odds ratio and the rest in a collapsed block, and in
    /// `thresholds.csv`, `behaviours.csv` and `drivers.csv`. Behaviours without a rule worth the full checks are
    /// named under it with their role, so every behaviour's role is said once.
    package static func candidates(_ result: PipelineResult) -> String {
        let proposal = result.proposal, drivers = result.drivers
        let chosen = proposal.chosen?.candidate.definition
        var md = "### Behaviours and their best rules, strongest first\n\n"
        md += "Every behaviour × threshold (1 to 20) × window (\(result.configuration.scanWindows.filter { $0 <= result.configuration.windowDays }.map(String.init).joined(separator: ", ")) days) "
        md += "was scanned on the \(Format.count(result.split.training.count)) training customers (the earlier decided signups); each behaviour's best rule is listed, "
        md += "with the combinations that beat both their parts, and measured on the \(Format.count(result.split.holdout.count)) held-out customers (the most recent).\n\n"
        md += "*Role* is what the behaviour is once every other behaviour is known: one logistic regression of renewal on every behaviour's first-\(drivers.windowDays)-day count "
        md += "(log(1 + count))\(drivers.segmentsAdjusted > 0 ? " and segment" : "") at once, on the training customers. "
        md += "A **driver** goes with renewal beyond what the others tell; a **harmful** behaviour lowers renewal once the others are known, even if it looks good alone, and is never proposed; "
        md += "*no effect of its own*: it goes with renewal only alone, riding on overall activity; a *copy* has counts that correlate \(Format.decimal(drivers.correlationThreshold)) or more with another behaviour's and is judged through it. "
        md += "A role is claimed only when the effect clears a 5% error rate across all \(Format.count(drivers.estimates.filter { $0.jointCoefficient != nil }.count)) modelled behaviours at once (Holm).\n\n"
        if drivers.penalised {
            md += "> The joint model could not be estimated exactly (some behaviours separate renewal perfectly): its coefficients are penalised and have no intervals, so no role is claimed.\n\n"
        }
        func verdict(_ e: CandidateEvaluation) -> String {
            if chosen == e.candidate.definition { return "**proposed**" }
            return e.qualifies ? "qualifies" : "fails: " + e.failures.map(\.failure).joined(separator: ", ")
        }
        func adjusted(_ e: CandidateEvaluation) -> String {
            guard let a = e.diagnostics.adjusted else { return "–" }
            return a.interval.map { "\(Format.decimal(a.oddsRatio)) (\(interval($0)))" } ?? "\(Format.decimal(a.oddsRatio)) (no interval: perfect split)"
        }
        func role(_ e: CandidateEvaluation) -> String {
            e.candidate.definition.behaviours.map { b in drivers.estimate(b).map(roleWords) ?? "–" }.joined(separator: " / ")
        }
        // One row per behaviour (or combination): the proposed rule for its behaviour, otherwise its strongest.
        var shown: [CandidateEvaluation] = []
        var index: [String: Int] = [:]
        for e in proposal.evaluations {
            let key = e.candidate.definition.behaviours.joined(separator: "\u{1F}")
            if let i = index[key] {
                if e.candidate.definition == chosen { shown[i] = e }
            } else {
                index[key] = shown.count
                shown.append(e)
            }
        }
        let listed = Array(shown.prefix(15))
        let training = result.split.training.count
        var rows: [[String]] = []
        for e in listed {
            let t = e.candidate.training, d = e.diagnostics
            rows.append([ruleShort(e.candidate.definition), role(e), Format.percent(t.reachRate),
                         "\(Format.percent(t.renewRateReached)) / \(Format.percent(t.renewRateNotReached))",
                         "\(Format.decimal(d.holdoutAUC.auc)) (\(interval(d.holdoutAUC.confidenceInterval())))", verdict(e)])
        }
        md += table(["Behaviour: its best rule", "Role, once the others are known", "Reached (of \(Format.count(training)) training)",
                     "Renewal reached / not (training)", "Holdout AUC (95%)", "Verdict"], align: "l l r l l l", rows)
        let inTable = Set(listed.flatMap(\.candidate.definition.behaviours))
        let rest = drivers.estimates.filter { !inTable.contains($0.behaviour) }
            .sorted { ($0.stratifiedAUC, $1.behaviour) > ($1.stratifiedAUC, $0.behaviour) }
        if !rest.isEmpty {
            md += "No rule worth the full checks (too rare or too common, too late, or no clear link; warning signs are below): "
            md += rest.map { "\(behaviourName($0.behaviour)) (\(roleWords($0)))" }.joined(separator: ", ") + ".\n\n"
        }
        if shown.count > listed.count {
            md += "\(Format.count(shown.count - listed.count)) weaker \(shown.count - listed.count == 1 ? "rule is" : "rules are") in `thresholds.csv`.\n\n"
        }
        md += "<details><summary>More columns: joint odds ratio, AUC within segments, adjusted odds ratio, q, median day</summary>\n\n"
        var more: [[String]] = []
        for e in listed {
            let d = e.diagnostics
            let estimate = e.candidate.definition.isCombination ? nil : drivers.estimate(e.candidate.behaviour)
            var joint = "–"
            if let coef = estimate?.jointCoefficient {
                // Per doubling of (1 + count): the odds multiply by 2^coef.
                joint = Format.decimal(pow(2, coef))
                if let ci = estimate?.jointInterval { joint += " (\(Format.decimal(pow(2, ci.lowerBound)))–\(Format.decimal(pow(2, ci.upperBound))))" }
            }
            more.append([ruleShort(e.candidate.definition), joint,
                         estimate.map { "\(Format.decimal($0.stratifiedAUC)) / \(Format.decimal($0.pooledAUC.auc))" } ?? "–",
                         adjusted(e), Format.pValue(e.candidate.qValue),
                         "\(Format.decimal(d.trainingAUC.auc)) (\(interval(d.trainingAUC.confidenceInterval())))",
                         Format.day(e.candidate.medianDayReached)])
        }
        md += table(["Behaviour: its best rule", "Joint odds ratio per doubling (95%)", "Count AUC within segments / pooled",
                     "Adjusted odds ratio (training)", "q", "Rule AUC (training, 95%)", "Median day reached"], align: "l l l l r l r", more)
        md += "The *joint odds ratio* is how much the odds of renewal multiply when the behaviour's count (plus one) doubles and every other behaviour stays the same (the role's model; a copy has none of its own). "
        md += "The *count AUC* is how well the behaviour's count ranks renewals above churns, within segments (the order in which behaviours are tried for the proposal) and pooled: "
        md += "a behaviour that is only more common in segments that renew more ranks well pooled and not within segments. "
        md += "The *adjusted odds ratio* is the rule's, once overall activity and segment are accounted for: a rule whose interval reaches 1 is a *proxy for activity*. "
        md += "*q* is the Fisher p adjusted (Benjamini-Hochberg) for all \(Format.count(result.ranking.all.reduce(0) { $0 + $1.scan.count } + result.combinations.count)) rules scanned. "
        md += "The full scan is in `thresholds.csv`, one row per behaviour in `behaviours.csv` and `drivers.csv`.\n\n</details>\n\n"
        return md
    }

    package static func timeToValue(_ result: PipelineResult) -> String {
        guard let ttv = result.timeToValue, let chosen = result.proposal.chosen else { return "" }
        let ruleWindow = chosen.candidate.windowDays
        var md = "### Time to value\n\n"
        md += "Days from signup until the rule's thresholds are met, over all customers (decided or not), by Kaplan-Meier: a customer whose first "
        md += "\(ttv.horizonDays) days are not over yet counts only as far as the data goes (\(TimestampParser.dateString(day: result.dataEndDay))).\n\n"
        let days = Array(Set([7, ruleWindow, ttv.horizonDays])).sorted().filter { $0 <= ttv.horizonDays }
        func share(_ s: TimeToValue.Summary, _ d: Int) -> String { Format.percent(1 - s.curve.survival(at: Double(d) - 0.5)) }
        func median(_ s: TimeToValue.Summary) -> String {
            s.quantiles.first { $0.share == 0.5 }?.day.map { "day \(Format.day($0))" } ?? "not by day \(ttv.horizonDays - 1)"
        }
        var rows: [[String]] = []
        for s in [ttv.overall] + ttv.bySegment {
            rows.append([s.name == "all" ? "**all customers**" : MarkdownText.escape(s.name), Format.count(s.customers)]
                        + days.map { share(s, $0) } + [median(s)])
        }
        md += table(["", "Customers (all)"] + days.map { "Within \($0) days" + ($0 == ruleWindow ? " (the rule)" : "") } + ["Half there by"],
                    align: "l r" + String(repeating: " r", count: days.count) + " r", rows)
        md += chart(ReportCharts.timeToValue, "Kaplan-Meier share of customers who met the rule by day since signup, per segment, with the rule's window marked")
        md += timeToValueByMonth(result)
        return md
    }

    /// Is onboarding getting faster? Per signup month, the Analysis stage's Kaplan-Meier quarter and median days to
    /// the rule's thresholds, with the month's signups and how many met the rule in time; young months marked.
    package static func timeToValueByMonth(_ result: PipelineResult) -> String {
        guard let ttv = result.timeToValue, ttv.bySignupMonth.count >= 2 else { return "" }
        let ruleWindow = ttv.ruleWindowDays, last = ttv.horizonDays - 1
        var md = "### Time to value by signup month\n\n"
        md += "Is onboarding getting faster? Per signup month (all customers): how many met the rule within its \(ruleWindow) days, and the day by which a quarter "
        md += "and half of the month had met its thresholds (Kaplan-Meier, as above; \"not by day \(last)\": fewer got there in the first \(ttv.horizonDays) days). "
        md += "When little more than half get there, the median jumps from month to month: read it beside the share. "
        var young: [String] = []
        var rows: [[String]] = []
        for m in ttv.bySignupMonth {
            let s = m.summary
            let isYoung = m.firstWindowOpen > 0
            if isYoung { young.append(m.month) }
            func day(_ share: Double) -> String {
                if let d = s.quantiles.first(where: { $0.share == share })?.day { return "day \(Format.day(d))" }
                return isYoung ? "not yet" : "not by day \(last)"
            }
            let reached = "\(Format.count(s.reached)) (\(Format.percent(Double(s.reached) / Double(max(1, s.customers)))))"
            rows.append([isYoung ? "\(m.month) (young)" : m.month, Format.count(s.customers),
                         m.ruleWindowOpen > 0 ? "\(reached) so far" : reached, day(0.25), day(0.5)])
        }
        if !young.isEmpty {
            md += "*Young*: some of the month's customers are still inside their first \(ttv.horizonDays) days, so its figures can still change"
            md += young.count == ttv.bySignupMonth.count ? " (every month is young)." : "."
        }
        md += "\n\n"
        md += table(["Signup month", "Signups", "Met the rule within \(ruleWindow) days", "A quarter there by", "Half there by"],
                    align: "l r r r r", rows)
        return md
    }

    package static func cohortSection(_ result: PipelineResult) -> String {
        guard let cohorts = result.cohortActivation else { return "" }
        let window = result.features.windowDays
        var md = "### Activation rate by signup month\n\n"
        md += "Share of each month's signups (all customers) that met the rule's thresholds within D days of signup, and ever (by \(TimestampParser.dateString(day: result.dataEndDay))); "
        md += "a month is shown at D only once all its customers have had D days, so a young month never looks under-activated for lack of time. "
        md += "Counts past day \(window) come from events after the first window, which the rest of the analysis does not use. "
        if !result.features.hasFollowUp {
            md += "This feature table has no rows after the first window (it was made by an older `activation sql`), so rates past day \(window) are unknown (–). "
        }
        md += "\"Ever\" depends on how long the month has had: the last column."
        // The months' signups and the rule's own window are in the time-to-value table just above, for the same
        // months: not repeated here.
        var horizons = cohorts.horizons, lead: [String] = ["Signups"]
        if let ttv = result.timeToValue, ttv.bySignupMonth.count >= 2 {
            horizons.removeAll { $0 == .days(ttv.ruleWindowDays) }
            lead = []
            md += " Signups and the share within the rule's \(ttv.ruleWindowDays) days are in the table above."
        }
        md += "\n\n"
        let headers = ["Signup month"] + lead + horizons.map { $0.label.prefix(1).uppercased() + $0.label.dropFirst() } + ["Days of data"]
        let rows: [[String]] = cohorts.rows.map { row -> [String] in
            let rates: [String] = horizons.map { h -> String in
                guard let rate = row.rates[h] ?? nil else { return "–" }
                return Format.percent(Double(rate.reached) / Double(max(1, rate.of)))
            }
            return [row.cohort] + (lead.isEmpty ? [] : [Format.count(row.signups)]) + rates + ["\(Format.count(row.minimumFollowUpDays))+"]
        }
        md += table(headers, align: "l" + String(repeating: " r", count: lead.count + horizons.count) + " r", rows)
        if cohorts.rows.count >= 2 {
            md += chart(ReportCharts.cohorts, "Activation rate by signup month, with signups per month")
            let same = ReportCharts.cohortSeries(cohorts).same
            if !same.isEmpty {
                md += "Not drawn separately: " + same.map { "\($0.0.label) is within 3 points of \($0.1.label) in every month" }.joined(separator: "; ") + ". \"Ever\" is in the table only.\n\n"
            }
        }
        return md
    }

    package static func funnel(_ result: PipelineResult, _ plan: ActionPlan) -> String {
        let steps = plan.funnel
        guard steps.count >= 3, let chosen = result.proposal.chosen else { return "" }
        // Only steps that lose someone are steps; the funnel is shown with two or more of them in the middle.
        var kept = [steps[0]]
        for step in steps.dropFirst().dropLast() where step.customers < kept.last!.customers { kept.append(step) }
        guard kept.count - 1 >= 2 else { return "" }
        kept.append(steps.last!)
        var md = "### Onboarding funnel\n\nAccounts whose first \(chosen.candidate.windowDays) days are over, step by step towards the rule "
        md += "(each step counts those who also did every step above it; the middle steps are what activated accounts usually do first):\n\n"
        var rows: [[String]] = []
        var biggest: (name: String, lost: Double)?
        for (i, step) in kept.enumerated() {
            var share = "–"
            if i > 0, kept[i - 1].customers > 0 {
                let k = Double(step.customers) / Double(kept[i - 1].customers)
                share = Format.percent(k)
                if biggest == nil || 1 - k > biggest!.lost { biggest = ("from \"\(MarkdownText.escape(kept[i - 1].label))\" to \"\(MarkdownText.escape(step.label))\"", 1 - k) }
            }
            rows.append([MarkdownText.escape(step.label), Format.count(step.customers), Format.percent(step.share), share])
        }
        md += table(["Step", "Accounts", "Of accounts signed up", "Kept from the step above"], align: "l r r r", rows)
        if let biggest { md += "The biggest drop is \(biggest.name): \(Format.percent(biggest.lost)) of accounts are lost there. That is where onboarding should push first.\n\n" }
        if let all = kept.last?.allReached, all > kept.last!.customers {
            md += "In all \(Format.count(all)) accounts (\(Format.percent(Double(all) / Double(max(1, kept[0].customers))))) reached the rule; \(Format.count(all - kept.last!.customers)) of them skipped a step above, so the steps are a usual path, not the only one.\n\n"
        }
        return md
    }

    package static func whyNotOthers(_ result: PipelineResult) -> String {
        let chosen = result.proposal.chosen?.candidate.definition
        let rejected = result.proposal.evaluations.prefix { $0.candidate.definition != chosen }.filter { !$0.qualifies }
        guard !rejected.isEmpty else { return "" }
        var md = "### Why not the stronger-looking rules\n\n"
        var seen = Set<String>()
        for e in rejected where seen.insert(e.candidate.definition.behaviours.joined(separator: "+")).inserted {
            md += "- \(ruleWords(e.candidate.definition)): "
            md += e.failures.map { "fails *\($0.name)*: \(MarkdownText.escape($0.detail))" }.joined(separator: "; ") + ".\n"
        }
        md += "\n"
        return md
    }

    // MARK: - What changed

    package static func whatChanged(_ result: PipelineResult, previous: RunSummary?) -> String {
        whatChanged(now: RunSummary(result), previous: previous)
    }

    /// "What changed since the last run": this run's summary against the previous run's (nothing else of the run).
    package static func whatChanged(now: RunSummary, previous: RunSummary?) -> String {
        let md = "## What changed since the last run\n\n"
        guard let previous else {
            return md + "This is the first run in this reports folder (or the previous one has no summary): nothing to compare yet.\n\n"
        }
        var lines: [String] = []
        if now.proposal != previous.proposal {
            lines.append("**Proposal changed**: \(previous.proposal.map(MarkdownText.escape) ?? "none") → **\(now.proposal.map(MarkdownText.escape) ?? "none")**.")
        }
        if let a = previous.holdoutAUC, let b = now.holdoutAUC, Format.decimal(a) != Format.decimal(b) || previous.strength != now.strength {
            lines.append("Holdout AUC \(Format.decimal(a)) → \(Format.decimal(b)) (\(b >= a ? "+" : "")\(Format.decimal(b - a))); strength \(previous.strength ?? "–") → \(now.strength ?? "–").")
        }
        if let a = previous.activationRate, let b = now.activationRate, Format.percent(a) != Format.percent(b) {
            lines.append("Activation rate (of decided customers) \(Format.percent(a)) → \(Format.percent(b)).")
        }
        var counts: [String] = []
        if previous.decidedCustomers != now.decidedCustomers { counts.append("decided customers \(Format.count(previous.decidedCustomers)) → \(Format.count(now.decidedCustomers))") }
        if previous.eventRowsRead != now.eventRowsRead { counts.append("event rows \(Format.count(previous.eventRowsRead)) → \(Format.count(now.eventRowsRead))") }
        if let a = previous.eventRowsUsed, let b = now.eventRowsUsed, a != b { counts.append("event rows used \(Format.count(a)) → \(Format.count(b))") }
        if previous.rejectedRows != now.rejectedRows { counts.append("rejected rows \(Format.count(previous.rejectedRows)) → \(Format.count(now.rejectedRows))") }
        if !counts.isEmpty { lines.append(counts.joined(separator: "; ").prefix(1).uppercased() + counts.joined(separator: "; ").dropFirst() + ".") }
        let before = Dictionary(previous.exports.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(now.exports.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        // An export under another path with the same bytes (the run started from another folder, the folder moved)
        // is the same export: neither new nor gone.
        let removedBytes = Set(before.filter { after[$0.key] == nil }.values)
        let addedBytes = Set(after.filter { before[$0.key] == nil }.values)
        let added = after.keys.filter { before[$0] == nil && !removedBytes.contains(after[$0]!) }.sorted()
        let changed = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
        let removed = before.keys.filter { after[$0] == nil && !addedBytes.contains(before[$0]!) }.sorted()
        if !(added.isEmpty && changed.isEmpty && removed.isEmpty) {
            lines.append("Exports: " + [added.isEmpty ? nil : "new " + added.map(MarkdownText.code).joined(separator: ", "),
                                        changed.isEmpty ? nil : "changed " + changed.map(MarkdownText.code).joined(separator: ", "),
                                        removed.isEmpty ? nil : "gone " + removed.map(MarkdownText.code).joined(separator: ", ")]
                .compactMap { $0 }.joined(separator: "; ") + ".")
        }
        if lines.isEmpty { return md + "Nothing changed: the same exports, the same proposal and the same figures as the last run.\n\n" }
        return md + lines.map { "- \($0)\n" }.joined() + "\n"
    }

    // MARK: - Tables

    /// A GitHub-flavoured table; `align` is one letter per column (l, r); with `dropConstant`, columns whose value is
    /// the same in every row (and there are two rows or more) are left out, and a line under the table says what
    /// they held ("Same in every row: segment: enterprise."), so nothing is lost.
    package static func table(_ headers: [String], align: String, _ rows: [[String]], dropConstant: Bool = false) -> String {
        let aligns = align.split(separator: " ").map(String.init)
        var keep = Array(headers.indices)
        if dropConstant && rows.count >= 2 {
            keep = keep.filter { i in i == 0 || Set(rows.map { $0[i] }).count > 1 }
        }
        var md = "| " + keep.map { headers[$0] }.joined(separator: " | ") + " |\n"
        md += "|" + keep.map { (i: Int) -> String in (i < aligns.count && aligns[i] == "r") ? "---:|" : "---|" }.joined() + "\n"
        for row in rows { md += "| " + keep.map { row[$0] }.joined(separator: " | ") + " |\n" }
        let dropped = headers.indices.filter { !keep.contains($0) }
        if !dropped.isEmpty, let first = rows.first {
            md += "\nIn every row shown: " + dropped.map { "\(headers[$0].prefix(1).lowercased() + headers[$0].dropFirst()): \(first[$0])" }.joined(separator: "; ") + ".\n"
        }
        return md + "\n"
    }

    package static func criteriaSection(_ result: PipelineResult) -> String {
        let proposal = result.proposal
        var md = "### Criteria\n\n"
        md += "Rules are scanned and compared on the training cohort (\(Format.count(result.split.training.count)) earlier signups); the holdout "
        md += "(\(Format.count(result.split.holdout.count)) most recent decided signups, \(Format.percent(proposal.criteria.holdoutShare))) only measures. "
        md += "Strong means a holdout AUC of at least \(Format.decimal(proposal.criteria.strongAUC)).\n\n"
        if let chosen = proposal.chosen {
            md += "For the proposal, \(ruleShort(chosen.candidate.definition)):\n\n"
            for r in chosen.criteria { md += "- \(r.mark): \(r.name): \(MarkdownText.escape(r.detail))\n" }
            md += "\n"
        } else {
            md += "No candidate meets all of them; see *Why not the stronger-looking rules*.\n\n"
        }
        return md
    }

    /// A model flag as a founder would say it.
    package static func plainWords(_ flag: BehaviourFlag) -> String {
        switch flag {
        case .separation: return "perfect split: model coefficients are only indicative"
        case .neverDone: return "never done"
        case .constant: return "done the same by everyone"
        case .fewCustomers: return "fewer than 10 customers did it"
        case .notConverged: return "model did not converge"
        }
    }

    package static func warningSigns(_ result: PipelineResult) -> String {
        var md = "### Warning signs: behaviours that go with churn, or lower renewal once the rest is known\n\n"
        let clear = result.ranking.warningSigns, unclear = result.ranking.noClearLink
        if clear.isEmpty {
            md += "None: no behaviour goes clearly with churn.\n\n"
        } else {
            md += "| Behaviour | AUC (95% interval) | Customers who did it | Renewal if done / not |\n|---|---|---:|---|\n"
            for e in clear {
                let m = e.model
                let ci = m.auc.confidenceInterval()
                // "Did it at all" in the first window, over decided customers (not the first rule of the scan).
                let any: TwoByTwoTable? = e.didItAtAll
                md += "| \(behaviourName(e.name)) | \(Format.decimal(m.auc.auc)) (\(Format.decimal(ci.lowerBound))–\(Format.decimal(ci.upperBound))) "
                md += "| \(Format.count(m.reachedAny)) (\(Format.percent(Double(m.reachedAny) / Double(max(1, m.customers))))) "
                md += "| \(Format.percent(any?.renewRateReached)) / \(Format.percent(any?.renewRateNotReached)) |\n"
            }
            let harmful = clear.filter { $0.driver?.role == .harmful && $0.model.auc.auc >= 0.5 }
            let churnSigns = clear.count - harmful.count
            if churnSigns > 0 {
                md += "\n\(harmful.isEmpty ? "The more" : "For those with an AUC below 0.50: the more") customers do these in their first weeks, the less they renew: moments to step in, not to encourage."
            } else {
                md += "\n"
            }
            if !harmful.isEmpty {
                md += (churnSigns > 0 ? " " : "") + harmful.map { behaviourName($0.name) }.joined(separator: ", ")
                md += (harmful.count == 1 ? " looks" : " look") + " harmless or even good alone, because busy customers do more of it; once the rest of their usage is known, it lowers renewal (its role in the behaviours table above): never an onboarding step."
            }
            md += "\n\n"
        }
        if !unclear.isEmpty {
            md += "**No clear link to renewal** (AUC below 0.50, but its 95% interval includes 0.50, so chance explains it): "
            md += unclear.map { "\(behaviourName($0.name)) \(Format.decimal($0.model.auc.auc))" }.joined(separator: ", ") + ".\n\n"
        }
        if !result.ranking.unranked.isEmpty {
            md += "Not ranked (never done by a decided customer, or done identically by all): "
            md += result.ranking.unranked.map { behaviourName($0.name) }.joined(separator: ", ") + ".\n\n"
        }
        return md
    }

    package static func dataSummary(_ result: PipelineResult) -> String {
        let table = result.customers.table.customers
        let (renewed, churned, undecided) = result.customers.table.outcomeCounts
        var md = "### The data\n\n"
        md += "**Customers** (\(MarkdownText.code(result.customerFile.path))): \(Format.count(result.customers.rowsRead)) rows read, "
        md += "\(Format.count(table.count)) customers: \(Format.count(renewed)) renewed, \(Format.count(churned)) churned "
        md += "(\(Format.percent(Double(renewed) / Double(max(1, renewed + churned)))) renewal rate), "
        md += "\(Format.count(undecided)) not decided yet (counted, not used to fit). "
        md += "\(Format.count(result.customers.rejects.count)) rows rejected"
        if result.customers.identicalDuplicates > 0 { md += ", \(Format.count(result.customers.identicalDuplicates)) exact duplicates ignored" }
        md += ".\n\n"
        var segments: [String: Int] = [:]
        for c in table { segments[c.segment, default: 0] += 1 }
        if segments.count > 1 {
            md += "Segments: " + segments.sorted { $0.key < $1.key }.map { "\(MarkdownText.escape($0.key)) \(Format.count($0.value))" }.joined(separator: ", ") + ".\n\n"
        }
        if result.configuration.featureTable {
            md += "**Feature table** (computed outside this tool, e.g. by `activation sql` on a warehouse): \(Format.count(result.eventFiles.count)) "
            md += "file\(result.eventFiles.count == 1 ? "" : "s"), \(Format.count(result.eventRowsRead)) customer-behaviour-day rows read:\n\n"
        } else {
            md += "**Events**: \(Format.count(result.eventFiles.count)) export \(result.eventFiles.count == 1 ? "file" : "files"), \(Format.count(result.eventRowsRead)) rows read:\n\n"
        }
        md += "| | Rows | Share |\n|---|---:|---:|\n"
        let total = max(1, result.eventRowsRead)
        func line(_ label: String, _ n: Int) -> String { "| \(label) | \(Format.count(n)) | \(Format.percent(Double(n) / Double(total))) |\n" }
        md += line("Used (inside a customer's first \(result.configuration.windowDays) days)", result.eventRowsUsed)
        md += line("Outside the first window: before signup (listed in `rejects.csv`)", result.eventRowsBeforeSignup)
        md += line("Outside the first window: after it", result.eventRowsAfterWindow)
        if result.eventRowsExcluded > 0 { md += line("Excluded by the config (`events.exclude`)", result.eventRowsExcluded) }
        if result.configuration.deduplicate { md += line("Exact duplicates of an earlier row, dropped", result.eventRowsDuplicate) }
        md += line("Rejected (see `rejects.csv`)", result.eventRowsRejected)
        md += "| **Total** | **\(Format.count(result.eventRowsRead))** | |\n\n"
        var reasons: [String: Int] = [:]
        for r in result.rejects where r.reason != .eventBeforeSignup { reasons[r.reason.rawValue, default: 0] += 1 }
        if !reasons.isEmpty {
            md += "Rejected rows by reason (customers and events; events before signup are counted above): "
            md += reasons.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.count($0.value))" }.joined(separator: ", ") + ".\n\n"
        }
        let merged = Dictionary(grouping: result.exportNames.compactMap { entry -> (String, String)? in
            if case .behaviour(let b) = entry.resolution, b != entry.name { return (b, entry.name) }
            return nil
        }, by: \.0)
        if !merged.isEmpty {
            md += "Export names merged into one behaviour: "
            md += merged.keys.sorted().map { b in MarkdownText.code(b) + " ← " + merged[b]!.map { MarkdownText.code($0.1) }.sorted().joined(separator: ", ") }.joined(separator: "; ") + ".\n\n"
        }
        let excluded = result.exportNames.compactMap { entry -> String? in
            if case .excluded(let pattern) = entry.resolution { return "\(MarkdownText.code(entry.name)) (\(MarkdownText.escape(pattern)))" }
            return nil
        }
        if !excluded.isEmpty { md += "Events excluded by the config: " + excluded.sorted().joined(separator: ", ") + ".\n\n" }
        if let mapping = result.userAccounts {
            md += "Accounts of user-level events from \(MarkdownText.code(mapping.file)): \(Format.count(mapping.userCount)) users mapped, \(Format.count(mapping.rejects.count)) mapping rows rejected.\n\n"
        }
        if result.eventFiles.count > 1 {
            md += "<details><summary>Per file</summary>\n\n| File | Rows | Used | Outside window | Excluded | Duplicates | Rejected |\n|---|---:|---:|---:|---:|---:|---:|\n"
            for f in result.eventFiles {
                md += "| \(MarkdownText.code(f.path)) | \(Format.count(f.rowsRead)) | \(Format.count(f.used)) | \(Format.count(f.beforeSignup + f.afterWindow)) | \(Format.count(f.excluded)) | \(Format.count(f.duplicates)) | \(Format.count(f.rejectedTotal)) |\n"
            }
            md += "\n</details>\n\n"
        }
        return md
    }

    package static func glossary(_ result: PipelineResult) -> String {
        let window = result.configuration.windowDays
        return """
        ### How to read this report

        - **First window**: a customer's first \(window) days, from 00:00 UTC on the signup date. Only events inside it count,
          so the behaviours are ones a new customer can be steered towards.
        - **AUC**: the chance that a customer who renewed did the behaviour more than one who churned (ties count half).
          0.50 is a coin flip, 1.00 perfect; below 0.50 the behaviour goes with churn. "Out of sample" is the same measure on
          customers the model was not fitted on (\(result.configuration.folds)-fold cross-validation): a large gap means the in-sample figure flatters.
        - **Rule**: "did the behaviour at least N times in the first window". The best N is the one that best separates
          renewals from churn (largest Youden's J = share of renewals reached + share of churns not reached − 1).
        - **Churn ratio**: how many times as often customers who miss the rule churn. Unlike "renewal lift", it is not capped
          when most customers renew.
        - **Odds ratio**: how many times higher the odds of renewal are for customers who reach the rule (0.5 added to each
          cell so it stays finite).
        - **Day**: days after signup, counting the signup day as day 0.
        - Files beside this report: `activation-report.html` (this report as one page, to open offline or mail),
          `at_risk.csv` (the accounts to act on, each with its action), `behaviours.csv` (one row per behaviour),
          `drivers.csv` (the joint driver model), `thresholds.csv` (every rule scanned),
          `features.csv` (every customer's first-window counts), `rejects.csv` (every row not used, and why), `run.json`
          (inputs with checksums, options, row accounting, timings).

        """
    }
}
