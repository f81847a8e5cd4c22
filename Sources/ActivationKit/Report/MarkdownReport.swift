import ActivationStatistics
import Foundation

/// `activation-report.md`: the answer first, in a founder's words, then the evidence and the data behind it.
public enum MarkdownReport {
    public static func render(_ result: PipelineResult) -> String {
        var md = "# Activation report\n\n"
        let decided = result.features.decidedCustomers.count
        let window = result.configuration.windowDays
        md += "_\(Format.count(decided)) customers with a decided renewal, their first \(window) days of usage, "
        md += "\(Format.count(result.features.behaviours.count)) behaviours examined._\n\n"
        md += answer(result)
        md += ranked(result)
        md += whyNotOthers(result)
        md += warningSigns(result)
        md += dataSummary(result)
        md += glossary(result)
        return md
    }

    static func behaviourName(_ name: String) -> String { "`\(name)`" }

    static func timesWord(_ n: Int) -> String { n == 1 ? "at least once" : "at least \(n) times" }

    static func answer(_ result: PipelineResult) -> String {
        var md = "## The answer\n\n"
        let proposal = result.proposal
        guard let chosen = proposal.chosen else {
            md += "**No behaviour qualifies as the activation event yet.** "
            if proposal.evaluations.isEmpty {
                md += "No behaviour goes with renewal more than chance would give.\n\n"
            } else {
                md += "Every behaviour that goes with renewal fails at least one criterion:\n\n"
                for e in proposal.evaluations.prefix(5) {
                    md += "- \(behaviourName(e.candidate.behaviour)) \(timesWord(e.candidate.threshold)): "
                    md += e.failures.map { "fails *\($0.name)* (\($0.detail))" }.joined(separator: "; ") + "\n"
                }
                md += "\n"
            }
            return md
        }
        let c = chosen.candidate, t = c.table, m = chosen.evidence.model
        md += "**Customers who do \(behaviourName(c.behaviour)) \(timesWord(c.threshold)) in their first \(c.windowDays) days "
        md += "renew \(Format.percent(t.renewRateReached)) of the time, against \(Format.percent(t.renewRateNotReached)) "
        md += "for those who do not.** That is the proposed activation event.\n\n"
        md += "- **How many get there:** \(Format.count(t.reached)) of \(Format.count(t.total)) decided customers "
        md += "(\(Format.percent(t.reachRate))).\n"
        md += "- **How fast:** half of those who get there do so by day \(Format.day(c.medianDayReached)) after signup.\n"
        md += "- **How big the difference is:** customers who do not reach it churn \(Format.times(t.churnRatio)) as often "
        let or = t.correctedOddsRatio()
        md += "(\(Format.percent(1 - (t.renewRateNotReached ?? 0))) against \(Format.percent(1 - (t.renewRateReached ?? 0)))); "
        md += "the odds of renewal are \(Format.times(or.estimate)) higher for those who reach it "
        md += "(95% interval \(Format.decimal(or.low, places: 1))–\(Format.decimal(or.high, places: 1))).\n"
        let strength = proposal.strength == .strong ? "strong" : "weak"
        md += "- **How reliable:** as a yes/no rule it separates renewals from churn with an AUC of \(Format.decimal(t.binaryAUC, against: proposal.criteria.strongAUC)): "
        md += "**\(strength)** (the bar for strong is \(Format.decimal(proposal.criteria.strongAUC))). "
        let ci = m.auc.confidenceInterval()
        md += "The behaviour's count alone has an AUC of \(Format.decimal(m.auc.auc)) (95% interval \(Format.decimal(ci.lowerBound))–\(Format.decimal(ci.upperBound))), "
        md += "\(Format.decimal(m.crossValidatedAUC)) on customers the model did not see (\(result.configuration.folds)-fold cross-validation).\n\n"
        md += "Criteria, all met:\n\n"
        for r in chosen.criteria { md += "- ✅ \(r.name): \(r.detail)\n" }
        md += "\n"
        if proposal.strength == .weak {
            md += "> The rule is weak: it is the best that meets the criteria, but it misclassifies many customers. "
            md += "Treat it as a hypothesis to test in onboarding, not as a target yet.\n\n"
        }
        md += "_What to do with it:_ steer every new customer towards \(behaviourName(c.behaviour)) \(timesWord(c.threshold)) "
        let nudgeDay = (c.day75Reached ?? c.medianDayReached ?? 0).rounded(.up)
        md += "in their first week. Three in four of the customers who get there have done so by day \(Format.day(nudgeDay)): "
        md += "a customer who has not by then is falling behind and worth a nudge.\n\n"
        return md
    }

    static func ranked(_ result: PipelineResult) -> String {
        var md = "## Behaviours ranked by how well they predict renewal\n\n"
        guard !result.ranking.candidates.isEmpty else { return md + "No behaviour goes with renewal.\n\n" }
        md += "| # | Behaviour | AUC (95% interval) | AUC out of sample | Best rule | Reached by | Renewal if reached / not | Median day | Verdict |\n"
        md += "|---:|---|---|---:|---|---:|---|---:|---|\n"
        for (i, e) in result.ranking.candidates.enumerated() {
            let m = e.model
            let ci = m.auc.confidenceInterval()
            var verdict = "–"
            if let evaluation = result.proposal.evaluations.first(where: { $0.candidate.behaviour == e.name }) {
                if result.proposal.chosen?.candidate.behaviour == e.name { verdict = "**proposed**" }
                else if evaluation.qualifies { verdict = "qualifies" }
                else { verdict = "fails: " + evaluation.failures.map { shortName($0.name) }.joined(separator: ", ") }
            }
            if !m.flags.isEmpty { verdict += " (" + m.flags.map(plainWords).joined(separator: ", ") + ")" }
            let rule = e.best.map { "≥ \($0.threshold)" } ?? "–"
            md += "| \(i + 1) | \(behaviourName(e.name)) | \(Format.decimal(m.auc.auc)) (\(Format.decimal(ci.lowerBound))–\(Format.decimal(ci.upperBound))) "
            md += "| \(Format.decimal(m.crossValidatedAUC)) | \(rule) | \(Format.percent(e.best?.table.reachRate)) "
            md += "| \(Format.percent(e.best?.table.renewRateReached)) / \(Format.percent(e.best?.table.renewRateNotReached)) "
            md += "| \(Format.day(e.best?.medianDayReached)) | \(verdict) |\n"
        }
        md += "\n"
        return md
    }

    /// A model flag as a founder would say it.
    static func plainWords(_ flag: BehaviourFlag) -> String {
        switch flag {
        case .separation: return "perfect split: model coefficients are only indicative"
        case .neverDone: return "never done"
        case .constant: return "done the same by everyone"
        case .fewCustomers: return "fewer than 10 customers did it"
        case .notConverged: return "model did not converge"
        }
    }

    static func shortName(_ criterion: String) -> String {
        if criterion.hasPrefix("reach ") { return "reach" }
        if criterion.hasPrefix("reached in week 1") { return "too late" }
        if criterion.hasPrefix("renews more") { return "no real difference" }
        return criterion
    }

    static func whyNotOthers(_ result: PipelineResult) -> String {
        let rejected = result.proposal.evaluations.prefix { $0.candidate.behaviour != result.proposal.chosen?.candidate.behaviour }
            .filter { !$0.qualifies }
        guard !rejected.isEmpty else { return "" }
        var md = "## Why not the behaviours ranked above it\n\n"
        for e in rejected {
            let c = e.candidate
            md += "- \(behaviourName(c.behaviour)) \(timesWord(c.threshold)) (AUC \(Format.decimal(e.evidence.model.auc.auc))): "
            md += e.failures.map { "fails *\($0.name)*: \($0.detail)" }.joined(separator: "; ") + ".\n"
        }
        md += "\n"
        return md
    }

    static func warningSigns(_ result: PipelineResult) -> String {
        var md = "## Warning signs: behaviours that go with churn\n\n"
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

    static func dataSummary(_ result: PipelineResult) -> String {
        let table = result.customers.table.customers
        let (renewed, churned, undecided) = result.customers.table.outcomeCounts
        var md = "## The data\n\n"
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
        md += "**Events**: \(Format.count(result.eventFiles.count)) export files, \(Format.count(result.eventRowsRead)) rows read:\n\n"
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

    static func glossary(_ result: PipelineResult) -> String {
        let window = result.configuration.windowDays
        return """
        ## How to read this report

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
