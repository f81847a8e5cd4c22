import ActivationAnalysis
import ActivationCore
import ActivationPipeline
import Foundation

/// `activation-report.md`: the answer first, in a founder's words, then the evidence and the data behind it.
public enum MarkdownReport {
    /// The report, in the order a founder reads it: the answer, what to do, whom to call, the evidence, what
    /// changed since `previous`, and the data and method.
    public static func render(_ result: PipelineResult, previous: RunSummary? = nil) -> String {
        render(result, previous: previous, plan: ActionPlan(result))
    }

    package static func render(_ result: PipelineResult, previous: RunSummary?, plan: ActionPlan) -> String {
        var md = "# Activation report\n\n"
        let decided = result.features.decidedCustomers.count
        let window = result.configuration.windowDays
        md += "_Data through \(TimestampParser.dateString(day: result.dataEndDay)): \(Format.count(decided)) customers with a decided renewal, their first \(window) days of usage, "
        md += "\(Format.count(result.features.behaviours.count)) behaviours examined._\n\n"
        md += evidenceNotes(result) ?? answer(result)
        md += whatToDo(result, plan)
        md += accountsToActOn(result, plan)
        md += evidence(result)
        md += decision(result)
        md += funnel(result, plan)
        md += whyNotOthers(result)
        md += ranked(result)
        md += warningSigns(result)
        md += whatChanged(result, previous: previous)
        md += "## Data and method\n\n"
        md += dataSummary(result)
        md += criteriaSection(result)
        md += glossary(result)
        return md
    }

    /// What the run set aside or could not claim (the run's `checks`): printed in place of the answer when the
    /// evidence is too thin to claim anything, and before it otherwise; nil when there is nothing to say.
    package static func evidenceNotes(_ result: PipelineResult) -> String? {
        let e = result.evidence
        var notes: [String] = []
        notes.append("Data through \(TimestampParser.dateString(day: result.dataEndDay)), " + (e.dataEndConfigured ? "as analysis.data_end sets it." : "the day of the latest usable event."))
        if e.eventRowsInFuture > 0 { notes.append("\(Format.count(e.eventRowsInFuture)) event rows stamped in the future were rejected (rejects.csv: timestamp_in_future).") }
        if e.signupsAfterDataEnd > 0 { notes.append("\(Format.count(e.signupsAfterDataEnd)) customers signing up after the data's end were rejected (signup_after_data_end).") }
        if e.decidedWindowOpen > 0 { notes.append("\(Format.count(e.decidedWindowOpen)) decided customers whose first window is not over by the data's end were not used to fit.") }
        for (column, n) in e.fieldWarnings.sorted(by: { $0.key < $1.key }) { notes.append("\(Format.count(n)) customers have an unusable \(column) value, left blank (the customers are kept).") }
        let body = notes.count == 1 && e.enough && !e.dataEndConfigured ? "" : notes.map { "- \($0)\n" }.joined() + "\n"
        guard e.enough else {
            return "## The answer\n\n**Not enough evidence to name an activation event, or any warning sign.** Training has \(e.trainingRenewed) renewals and \(e.trainingChurned) churners, the holdout \(e.holdoutRenewed) and \(e.holdoutChurned); each needs at least \(e.minimumOutcomes) (analysis.min_outcomes).\n\n" + body
        }
        return body.isEmpty ? nil : body + answer(result)
    }

    package static func chart(_ name: String, _ alt: String) -> String { "![\(alt)](\(name))\n\n" }

    package static func behaviourName(_ name: String) -> String { "`\(name)`" }

    package static func timesWord(_ n: Int) -> String { n == 1 ? "at least once" : "at least \(n) times" }

    package static func interval(_ r: ClosedRange<Double>?, places: Int = 2) -> String {
        guard let r else { return "–" }
        return "\(Format.decimal(r.lowerBound, places: places))–\(Format.decimal(r.upperBound, places: places))"
    }

    package static func ruleWords(_ rule: ActivationRule) -> String {
        rule.conditions.map { "\(behaviourName($0.behaviour)) \(timesWord($0.threshold))" }.joined(separator: " and ")
            + " within \(rule.windowDays) \(rule.windowDays == 1 ? "day" : "days")"
    }

    package static func answer(_ result: PipelineResult) -> String {
        var md = "## The answer\n\n"
        let proposal = result.proposal
        guard let chosen = proposal.chosen else {
            md += "**No behaviour qualifies as the activation event yet.** "
            if proposal.evaluations.isEmpty {
                md += "No behaviour goes with renewal more than chance would give.\n\n"
            } else {
                md += "Every rule that goes with renewal fails at least one criterion:\n\n"
                for e in proposal.evaluations.prefix(5) {
                    md += "- \(ruleWords(e.candidate.definition)): "
                    md += e.failures.map { "fails *\($0.name)* (\($0.detail))" }.joined(separator: "; ") + "\n"
                }
                md += "\n"
            }
            return md
        }
        let c = chosen.candidate, t = c.table, d = chosen.diagnostics
        md += "**Customers who do \(ruleWords(c.definition)) of signing up renew \(Format.percent(t.renewRateReached)) of the time, "
        md += "against \(Format.percent(t.renewRateNotReached)) for those who do not.** That is the proposed activation event.\n\n"
        md += "- **How many get there:** \(Format.count(t.reached)) of \(Format.count(t.total)) decided customers (\(Format.percent(t.reachRate))).\n"
        md += "- **How fast:** half of those who get there do so by day \(Format.day(c.medianDayReached)) after signup"
        if let ttv = result.timeToValue, let p50 = ttv.overall.quantiles.first(where: { $0.share == 0.5 })?.day {
            md += "; counting everyone (Kaplan-Meier, customers still inside their window censored), half of all customers have by day \(Format.day(p50))"
        }
        md += ".\n"
        let or = t.correctedOddsRatio()
        md += "- **How big the difference is:** customers who miss it churn \(Format.times(t.churnRatio)) as often "
        md += "(\(Format.percent(1 - (t.renewRateNotReached ?? 0))) against \(Format.percent(1 - (t.renewRateReached ?? 0)))); "
        md += "the odds of renewal are \(Format.times(or.estimate)) higher for those who reach it (95% interval \(Format.decimal(or.low, places: 1))–\(Format.decimal(or.high, places: 1)))"
        if let adjusted = d.adjusted {
            md += ", and still \(Format.times(adjusted.oddsRatio)) (\(interval(adjusted.interval, places: 1))) after adjusting for how active the customer is otherwise and for segment"
        }
        md += ".\n"
        let strength = proposal.strength == .undetermined ? "not yet determined" : (proposal.strength?.rawValue ?? "–")
        let hci = d.holdoutAUC.confidenceInterval()
        md += "- **How reliable:** chosen on the \(Format.count(result.split.training.count)) earlier signups and measured on the "
        md += "\(Format.count(result.split.holdout.count)) most recent (held out, signed up from \(result.split.holdoutFromDay.map(TimestampParser.dateString) ?? "–")): "
        md += "holdout AUC **\(Format.decimal(d.holdoutAUC.auc))** (95% interval \(interval(hci))), training AUC \(Format.decimal(d.trainingAUC.auc)): "
        md += "**\(strength)** (the bar for strong is \(Format.decimal(proposal.criteria.strongAUC)) on the holdout).\n"
        if d.holdoutDisagrees {
            md += "\n> Training and holdout AUC differ by more than the holdout's interval: the rule worked differently on the most recent signups. Check what changed in onboarding.\n"
        }
        md += "\n"
        if proposal.strength == .weak {
            md += "> The rule is weak: its holdout AUC is \(Format.decimal(proposal.criteria.strongAUC - d.holdoutAUC.auc)) short of \(Format.decimal(proposal.criteria.strongAUC)). "
            md += "It is the best rule that meets the criteria, but it misclassifies many customers: treat it as a hypothesis to test in onboarding, not as a target yet.\n\n"
        }
        if let runner = proposal.runnerUp, let test = proposal.comparison {
            let rd = runner.diagnostics
            md += "- **Runner-up:** \(ruleWords(runner.candidate.definition)), holdout AUC \(Format.decimal(rd.holdoutAUC.auc)) (\(interval(rd.holdoutAUC.confidenceInterval())))"
            md += runner.qualifies ? "" : " (fails " + runner.failures.map(\.failure).joined(separator: ", ") + ")"
            if test.pValue >= 0.05 && runner.qualifies {
                md += ". The two are **not distinguishable** on the holdout (paired DeLong test, difference \(Format.decimal(test.difference)), \(Format.pPhrase(test.pValue))): either would do; the proposal is the one with the better training fit.\n\n"
            } else if test.pValue >= 0.05 {
                md += ". On the holdout the two are not distinguishable (paired DeLong test, difference \(Format.decimal(test.difference)), \(Format.pPhrase(test.pValue))), but the runner-up fails a criterion, so it is not an alternative.\n\n"
            } else {
                md += ". The proposal is better on the holdout (paired DeLong test, difference \(Format.decimal(test.difference)), \(Format.pPhrase(test.pValue))).\n\n"
            }
        }
        md += "It meets all \(chosen.criteria.count) criteria (listed under *Data and method*).\n\n"
        return md
    }

    package static func whatToDo(_ result: PipelineResult, _ plan: ActionPlan) -> String {
        guard let chosen = result.proposal.chosen else { return "" }
        let c = chosen.candidate
        var md = "## What to do\n\n"
        md += "Make \(ruleWords(c.definition)) the goal of onboarding: the welcome flow, the first emails and the first call "
        md += "should all lead there. The playbook per segment (nudge point: the day by which three in four of the segment's activated "
        md += "customers got there; a customer who has not by then is falling behind):\n\n"
        let steps = plan.playbook
        md += "| Segment | Customers | Activated | Renewal activated / not | Automated nudge | Person steps in |\n|---|---:|---:|---|---|---|\n"
        for step in steps {
            let high = step.highACV.map { "ACV ≥ \(Format.count(Int($0)))" } ?? "high-ACV"
            md += "| \(step.segment) | \(Format.count(step.customers)) | \(Format.percent(step.activationRate)) "
            md += "| \(Format.percent(step.renewalReached)) / \(Format.percent(step.renewalNotReached)) "
            md += "| not activated by day \(step.nudgeDay) | \(high) account not activated by day \(step.outreachDay): CSM outreach |\n"
        }
        md += "\nHigh ACV means the top quarter of annual contract values. Renewal is what is at stake: the gap between the two "
        md += "renewal rates is what each activated account is worth to the segment.\n\n"
        return md
    }

    package static func accountsToActOn(_ result: PipelineResult, _ plan: ActionPlan) -> String {
        guard result.proposal.chosen != nil else { return "" }
        let list = plan.atRisk
        var md = "## Accounts to act on now\n\n"
        guard !list.isEmpty else { return md + "None: every account inside its window has reached the event.\n\n" }
        let inside = list.filter { $0.daysLeft >= 0 }
        md += "\(Format.count(list.count)) accounts have not reached the event and can still be helped: \(Format.count(inside.count)) are inside "
        md += "their window, \(Format.count(list.count - inside.count)) are past it with renewal not decided yet. "
        if plan.reachedLate > 0 {
            md += "\(Format.count(plan.reachedLate)) more are past their window but have met the thresholds since (late), so they are left out; past the window, progress counts to the data's end. "
        }
        md += "Highest ACV first; the full list, with the suggested action, is in `at_risk.csv`.\n\n"
        md += "| Account | Segment | ACV | Signed up | Days left | Progress |\n|---|---|---:|---|---:|---|\n"
        for a in list.prefix(15) {
            md += "| \(a.id) | \(a.segment) | \(a.acv.map { Format.count(Int($0)) } ?? "–") | \(TimestampParser.dateString(day: a.signupDay)) "
            md += "| \(a.daysLeft >= 0 ? Format.count(a.daysLeft) : "window over") | \(a.progress) |\n"
        }
        md += "\n"
        return md
    }

    package static func funnel(_ result: PipelineResult, _ plan: ActionPlan) -> String {
        let steps = plan.funnel
        guard steps.count >= 3, let chosen = result.proposal.chosen else { return "" }
        var md = "### Onboarding funnel\n\nAccounts whose first \(chosen.candidate.windowDays) days are over, step by step towards the event "
        md += "(each middle step counts those who also did every step above it, and the last every activated account; the middle steps are what activated accounts usually do first):\n\n"
        md += "| Step | Accounts | Share of signups | Kept from the step above |\n|---|---:|---:|---:|\n"
        var biggest: (name: String, lost: Double)?
        for (i, step) in steps.enumerated() {
            var kept = "–"
            if i > 0, steps[i - 1].customers > 0 {
                let k = Double(step.customers) / Double(steps[i - 1].customers)
                kept = Format.percent(k)
                if biggest == nil || 1 - k > biggest!.lost { biggest = ("from \"\(steps[i - 1].label)\" to \"\(step.label)\"", 1 - k) }
            }
            md += "| \(step.label) | \(Format.count(step.customers)) | \(Format.percent(step.share)) | \(kept) |\n"
        }
        if let biggest { md += "\nThe biggest drop is \(biggest.name): \(Format.percent(biggest.lost)) of accounts are lost there. That is where onboarding should push first.\n" }
        return md + "\n"
    }

    package static func whatChanged(_ result: PipelineResult, previous: RunSummary?) -> String {
        var md = "## What changed since the last run\n\n"
        guard let previous else {
            return md + "This is the first run in this reports folder (or the previous one has no summary): nothing to compare yet.\n\n"
        }
        let now = RunSummary(result)
        if now.proposal == previous.proposal {
            md += "- Proposal unchanged: \(now.proposal ?? "none").\n"
        } else {
            md += "- **Proposal changed**: \(previous.proposal ?? "none") → **\(now.proposal ?? "none")**.\n"
        }
        if let a = previous.holdoutAUC, let b = now.holdoutAUC {
            md += "- Holdout AUC \(Format.decimal(a)) → \(Format.decimal(b)) (\(b >= a ? "+" : "")\(Format.decimal(b - a))); strength \(previous.strength ?? "–") → \(now.strength ?? "–").\n"
        }
        if let a = previous.activationRate, let b = now.activationRate {
            md += "- Activation rate \(Format.percent(a)) → \(Format.percent(b)).\n"
        }
        md += "- Decided customers \(Format.count(previous.decidedCustomers)) → \(Format.count(now.decidedCustomers)); event rows \(Format.count(previous.eventRowsRead)) → \(Format.count(now.eventRowsRead)); rejected rows \(Format.count(previous.rejectedRows)) → \(Format.count(now.rejectedRows)).\n"
        let before = Dictionary(previous.exports.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(now.exports.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        let added = after.keys.filter { before[$0] == nil }.sorted()
        let changed = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
        let removed = before.keys.filter { after[$0] == nil }.sorted()
        md += "- Exports: " + (added.isEmpty && changed.isEmpty && removed.isEmpty ? "the same files, unchanged." :
            [added.isEmpty ? nil : "new " + added.map { "`\($0)`" }.joined(separator: ", "),
             changed.isEmpty ? nil : "changed " + changed.map { "`\($0)`" }.joined(separator: ", "),
             removed.isEmpty ? nil : "gone " + removed.map { "`\($0)`" }.joined(separator: ", ")].compactMap { $0 }.joined(separator: "; ") + ".")
        return md + "\n\n"
    }

    package static func criteriaSection(_ result: PipelineResult) -> String {
        let proposal = result.proposal
        var md = "### Criteria\n\n"
        md += "Rules are scanned and compared on the training cohort (\(Format.count(result.split.training.count)) earlier signups); the holdout "
        md += "(\(Format.count(result.split.holdout.count)) most recent decided signups, \(Format.percent(proposal.criteria.holdoutShare))) only measures. "
        md += "Strong means a holdout AUC of at least \(Format.decimal(proposal.criteria.strongAUC)).\n\n"
        if let chosen = proposal.chosen {
            md += "For the proposal, \(chosen.candidate.rule):\n\n"
            for r in chosen.criteria { md += "- \(r.passed ? "✅ pass" : "❌ fail"): \(r.name): \(r.detail)\n" }
            md += "\n"
        } else {
            md += "No candidate meets all of them; see *Why not the stronger-looking rules*.\n\n"
        }
        return md
    }

    package static func evidence(_ result: PipelineResult) -> String {
        let proposal = result.proposal
        guard !proposal.evaluations.isEmpty else { return "" }
        var md = "## The evidence\n\n### Candidate rules, strongest first\n\n"
        md += "Every behaviour × threshold (1 to 20) × window (\(result.configuration.scanWindows.filter { $0 <= result.configuration.windowDays }.map(String.init).joined(separator: ", ")) days) was scanned on the training cohort; "
        md += "each behaviour's best rule is listed with the combinations that beat both their parts on the holdout. "
        md += "\"q\" is the Fisher p adjusted (Benjamini-Hochberg) for all \(Format.count(result.ranking.all.reduce(0) { $0 + $1.scan.count } + result.combinations.count)) rules scanned. The full scan is in `thresholds.csv`.\n\n"
        if proposal.chosen != nil {
            md += chart(ReportCharts.renewalByCount, "Renewal rate by how often customers did the proposed behaviour, with customers per bucket and the threshold marked")
        }
        md += "| Rule | Reached (training) | Renewal reached / not (training) | Odds ratio | Adjusted odds ratio | q | Training AUC (95%) | Holdout AUC (95%) | Verdict |\n"
        md += "|---|---:|---|---:|---:|---:|---:|---|---|\n"
        for e in proposal.evaluations.prefix(15) {
            let c = e.candidate, t = c.training, d = e.diagnostics
            var verdict = e.qualifies ? "qualifies" : "fails: " + e.failures.map(\.failure).joined(separator: ", ")
            if proposal.chosen?.candidate.definition == c.definition { verdict = "**proposed**" }
            let adjusted = d.adjusted.map { "\(Format.decimal($0.oddsRatio)) (\(interval($0.interval)))" } ?? "–"
            md += "| \(c.rule) | \(Format.percent(t.reachRate)) | \(Format.percent(t.renewRateReached)) / \(Format.percent(t.renewRateNotReached)) "
            md += "| \(Format.decimal(t.correctedOddsRatio().estimate)) | \(adjusted) | \(Format.pValue(c.qValue)) "
            md += "| \(Format.decimal(d.trainingAUC.auc)) (\(interval(d.trainingAUC.confidenceInterval()))) | \(Format.decimal(d.holdoutAUC.auc)) (\(interval(d.holdoutAUC.confidenceInterval()))) | \(verdict) |\n"
        }
        md += "\n"
        let proxies = proposal.evaluations.filter { e in
            e.candidate.training.correctedOddsRatio().low > 1 && (e.diagnostics.adjusted?.interval.map { $0.lowerBound <= 1 } ?? false)
        }
        if !proxies.isEmpty {
            md += "**Proxies for activity**: these rules go with renewal only because busy customers do them; once overall activity and segment are accounted for, their effect is gone: "
            md += proxies.map { "\($0.candidate.rule) (odds ratio \(Format.decimal($0.candidate.training.correctedOddsRatio().estimate)), adjusted \(Format.decimal($0.diagnostics.adjusted?.oddsRatio)))" }.joined(separator: "; ") + ".\n\n"
        }
        md += "Ranked by adjusted effect instead (the lower end of the adjusted odds ratio's interval): "
        md += proposal.adjustedOrder.prefix(5).map { "\($0.candidate.rule) \(interval($0.diagnostics.adjusted?.interval))" }.joined(separator: "; ") + ".\n\n"

        if proposal.chosen != nil {
            md += chart(ReportCharts.heatMap, "Rule AUC of the proposed behaviour for every threshold and window")
            md += chart(ReportCharts.roc, "ROC curves of the proposal and the runner-ups on the held-out most recent signups")
        }
        if let chosen = proposal.chosen {
            let d = chosen.diagnostics
            md += "### The proposed rule by segment\n\n| Segment | Customers | Reached | Renewal reached / not | Churn ratio | Odds ratio (95%) |\n|---|---:|---:|---|---:|---|\n"
            for (name, t) in d.segments.segments {
                let or = t.correctedOddsRatio()
                md += "| \(name) | \(Format.count(t.total)) | \(Format.percent(t.reachRate)) | \(Format.percent(t.renewRateReached)) / \(Format.percent(t.renewRateNotReached)) | \(Format.times(t.churnRatio)) | \(Format.decimal(or.estimate)) (\(Format.decimal(or.low))–\(Format.decimal(or.high))) |\n"
            }
            md += "\n"
            if let mh = d.segments.mantelHaenszelOddsRatio {
                md += "Pooled across segments (Mantel-Haenszel): odds ratio \(Format.decimal(mh)) (\(interval(d.segments.mantelHaenszelInterval))). "
            }
            if let bd = d.segments.breslowDay {
                md += bd.pValue < 0.05
                    ? "**The effect differs between segments** (Breslow-Day χ² = \(Format.decimal(bd.statistic)), \(bd.degreesOfFreedom) df, \(Format.pPhrase(bd.pValue))): plan onboarding per segment."
                    : "The effect is similar in every segment (Breslow-Day \(Format.pPhrase(bd.pValue)))."
            }
            if !d.segments.segmentsWhereItFails.isEmpty {
                md += " It does not work in: " + d.segments.segmentsWhereItFails.joined(separator: ", ") + "."
            }
            md += "\n\n### Stability by signup quarter\n\n| Quarter | Customers | Reached | Renewal reached / not | Odds ratio | AUC |\n|---|---:|---:|---|---:|---:|\n"
            for q in d.quarters {
                md += "| \(q.quarter) | \(Format.count(q.table.total)) | \(Format.percent(q.table.reachRate)) | \(Format.percent(q.table.renewRateReached)) / \(Format.percent(q.table.renewRateNotReached)) "
                md += "| \(Format.decimal(q.oddsRatio)) | \(Format.decimal(q.auc))\(q.enoughCustomers ? "" : " (few customers)") |\n"
            }
            md += "\n"
        }
        if let ttv = result.timeToValue {
            md += "### Time to value\n\nDays from signup until the proposed event, by Kaplan-Meier over all customers (decided or not); customers whose first \(ttv.horizonDays) days are not over yet are censored at the data's end (\(TimestampParser.dateString(day: result.dataEndDay))), not counted as failures. \"not reached\": the share never gets there within \(ttv.horizonDays) days.\n\n"
            md += "| | Customers | Reached | P25 | P50 | P75 | P90 |\n|---|---:|---:|---:|---:|---:|---:|\n"
            for s in [ttv.overall] + ttv.bySegment {
                md += "| \(s.name) | \(Format.count(s.customers)) | \(Format.count(s.reached)) | "
                md += s.quantiles.map { $0.day.map { "day \(Format.day($0))" } ?? "not reached" }.joined(separator: " | ") + " |\n"
            }
            md += "\n"
            md += chart(ReportCharts.timeToValue, "Kaplan-Meier share of customers who reached the event by day since signup, per segment")
        }
        if let cohorts = result.cohortActivation {
            let window = result.features.windowDays
            md += "### Activation rate by signup month\n\nShare of each month's signups that reached the proposed event's thresholds within D days of signup, and ever (by the data's end, \(TimestampParser.dateString(day: result.dataEndDay))); a month is shown at D only once all its customers have D days of data, so a young month never looks under-activated for lack of time. "
            md += "Counts past day \(window) come from events after the first window, which the rest of the analysis does not use. "
            if !result.features.hasFollowUp {
                md += "This feature table has no rows after the first window (it was made by an older `activation sql`), so rates past day \(window) are unknown (–). "
            }
            md += "\"Ever\" is as of the data's end: the last column shows how many days of data the month's latest signup has had.\n\n"
            md += "| Signup month | Signups | " + cohorts.horizons.map { $0.label.prefix(1).uppercased() + $0.label.dropFirst() }.joined(separator: " | ") + " | Days of data |\n"
            md += "|---|---:|" + cohorts.horizons.map { _ in "---:|" }.joined() + "---:|\n"
            for row in cohorts.rows {
                md += "| \(row.cohort) | \(Format.count(row.signups)) | "
                md += cohorts.horizons.map { h in
                    guard let rate = row.rates[h] ?? nil else { return "–" }
                    return Format.percent(Double(rate.reached) / Double(max(1, rate.of)))
                }.joined(separator: " | ") + " | \(Format.count(row.minimumFollowUpDays))+ |\n"
            }
            md += "\n"
            if cohorts.rows.count >= 2 { md += chart(ReportCharts.cohorts, "Activation rate by signup month") }
        }
        return md
    }

    package static func ranked(_ result: PipelineResult) -> String {
        var md = "### Behaviours by how well their count predicts renewal\n\n"
        guard !result.ranking.candidates.isEmpty else { return md + "No behaviour goes with renewal.\n\n" }
        md += "| # | Behaviour | AUC (95% interval) | AUC out of sample | Best rule | Reached by | Renewal if reached / not | Median day | Verdict |\n"
        md += "|---:|---|---|---:|---|---:|---|---:|---|\n"
        for (i, e) in result.ranking.candidates.enumerated() {
            let m = e.model
            let ci = m.auc.confidenceInterval()
            var verdict = "–"
            if let evaluation = result.proposal.evaluations.first(where: { $0.candidate.definition == e.best?.definition }) {
                if result.proposal.chosen?.candidate.definition == evaluation.candidate.definition { verdict = "**proposed**" }
                else if evaluation.qualifies { verdict = "qualifies" }
                else { verdict = "fails: " + evaluation.failures.map(\.failure).joined(separator: ", ") }
            }
            if !m.flags.isEmpty { verdict += " (" + m.flags.map(plainWords).joined(separator: ", ") + ")" }
            let rule = e.best.map { "≥ \($0.threshold) within \($0.windowDays) d" } ?? "–"
            md += "| \(i + 1) | \(behaviourName(e.name)) | \(Format.decimal(m.auc.auc)) (\(Format.decimal(ci.lowerBound))–\(Format.decimal(ci.upperBound))) "
            md += "| \(Format.decimal(m.crossValidatedAUC)) | \(rule) | \(Format.percent(e.best?.table.reachRate)) "
            md += "| \(Format.percent(e.best?.table.renewRateReached)) / \(Format.percent(e.best?.table.renewRateNotReached)) "
            md += "| \(Format.day(e.best?.medianDayReached)) | \(verdict) |\n"
        }
        md += "\n"
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

    package static func whyNotOthers(_ result: PipelineResult) -> String {
        let chosen = result.proposal.chosen?.candidate.definition
        let rejected = result.proposal.evaluations.prefix { $0.candidate.definition != chosen }.filter { !$0.qualifies }
        guard !rejected.isEmpty else { return "" }
        var md = "### Why not the stronger-looking rules\n\n"
        var seen = Set<String>()
        for e in rejected where seen.insert(e.candidate.definition.behaviours.joined(separator: "+")).inserted {
            let c = e.candidate
            md += "- \(ruleWords(c.definition)) (training AUC \(Format.decimal(e.diagnostics.trainingAUC.auc))): "
            md += e.failures.map { "fails *\($0.name)*: \($0.detail)" }.joined(separator: "; ") + ".\n"
        }
        md += "\n"
        return md
    }

    package static func warningSigns(_ result: PipelineResult) -> String {
        var md = "### Warning signs: behaviours that go with churn\n\n"
        let clear = result.ranking.warningSigns, unclear = result.ranking.noClearLink
        if clear.isEmpty {
            md += "None: no behaviour goes clearly with churn.\n\n"
        } else {
            md += "| Behaviour | AUC (95% interval) | Customers who did it | Renewal if done / not |\n|---|---|---:|---|\n"
            for e in clear {
                let m = e.model
                let ci = m.auc.confidenceInterval()
                let any = e.scan.first
                md += "| \(behaviourName(e.name)) | \(Format.decimal(m.auc.auc)) (\(Format.decimal(ci.lowerBound))–\(Format.decimal(ci.upperBound))) "
                md += "| \(Format.count(m.reachedAny)) (\(Format.percent(Double(m.reachedAny) / Double(max(1, m.customers))))) "
                md += "| \(Format.percent(any?.table.renewRateReached)) / \(Format.percent(any?.table.renewRateNotReached)) |\n"
            }
            md += "\nThe more customers do these in their first weeks, the less they renew: moments to step in, not to encourage.\n\n"
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
        md += "**Customers** (`\(result.customerFile.path)`): \(Format.count(result.customers.rowsRead)) rows read, "
        md += "\(Format.count(table.count)) customers: \(Format.count(renewed)) renewed, \(Format.count(churned)) churned "
        md += "(\(Format.percent(Double(renewed) / Double(max(1, renewed + churned)))) renewal rate), "
        md += "\(Format.count(undecided)) not decided yet (counted, not used to fit). "
        md += "\(Format.count(result.customers.rejects.count)) rows rejected"
        if result.customers.identicalDuplicates > 0 { md += ", \(Format.count(result.customers.identicalDuplicates)) exact duplicates ignored" }
        md += ".\n\n"
        var segments: [String: Int] = [:]
        for c in table { segments[c.segment, default: 0] += 1 }
        if segments.count > 1 {
            md += "Segments: " + segments.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.count($0.value))" }.joined(separator: ", ") + ".\n\n"
        }
        if result.configuration.featureTable {
            md += "**Feature table** (computed outside this tool, e.g. by `activation sql` on a warehouse): \(Format.count(result.eventFiles.count)) "
            md += "file\(result.eventFiles.count == 1 ? "" : "s"), \(Format.count(result.eventRowsRead)) customer-behaviour-day rows read:\n\n"
        } else {
            md += "**Events**: \(Format.count(result.eventFiles.count)) export files, \(Format.count(result.eventRowsRead)) rows read:\n\n"
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
        for r in result.rejects { reasons[r.reason.rawValue, default: 0] += 1 }
        if !reasons.isEmpty {
            md += "Rejected rows by reason (customers and events): "
            md += reasons.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.count($0.value))" }.joined(separator: ", ") + ".\n\n"
        }
        let merged = Dictionary(grouping: result.exportNames.compactMap { entry -> (String, String)? in
            if case .behaviour(let b) = entry.resolution, b != entry.name { return (b, entry.name) }
            return nil
        }, by: \.0)
        if !merged.isEmpty {
            md += "Export names merged into one behaviour: "
            md += merged.keys.sorted().map { b in "`\(b)` ← " + merged[b]!.map { "`\($0.1)`" }.sorted().joined(separator: ", ") }.joined(separator: "; ") + ".\n\n"
        }
        let excluded = result.exportNames.compactMap { entry -> String? in
            if case .excluded(let pattern) = entry.resolution { return "`\(entry.name)` (\(pattern))" }
            return nil
        }
        if !excluded.isEmpty { md += "Events excluded by the config: " + excluded.sorted().joined(separator: ", ") + ".\n\n" }
        if let mapping = result.userAccounts {
            md += "Accounts of user-level events from `\(mapping.file)`: \(Format.count(mapping.userCount)) users mapped, \(Format.count(mapping.rejects.count)) mapping rows rejected.\n\n"
        }
        if result.eventFiles.count > 1 {
            md += "<details><summary>Per file</summary>\n\n| File | Rows | Used | Outside window | Excluded | Duplicates | Rejected |\n|---|---:|---:|---:|---:|---:|---:|\n"
            for f in result.eventFiles {
                md += "| `\(f.path)` | \(Format.count(f.rowsRead)) | \(Format.count(f.used)) | \(Format.count(f.beforeSignup + f.afterWindow)) | \(Format.count(f.excluded)) | \(Format.count(f.duplicates)) | \(Format.count(f.rejectedTotal)) |\n"
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
        - Files beside this report: `behaviours.csv` (one row per behaviour), `thresholds.csv` (every rule scanned),
          `features.csv` (every customer's first-window counts), `rejects.csv` (every row not used, and why), `run.json`
          (inputs with checksums, options, row accounting, timings).

        """
    }
}
