import ActivationCore
import ActivationPipeline
import ActivationStatistics
import Foundation

/// The report's five charts, as SVG files beside `activation-report.md`. Each is nil when there is nothing to draw
/// (no proposal, no time to value).
package enum ReportCharts {
    package static let renewalByCount = "chart-renewal-by-count.svg"
    package static let roc = "chart-roc-holdout.svg"
    package static let heatMap = "chart-threshold-window.svg"
    package static let timeToValue = "chart-time-to-value.svg"
    package static let cohorts = "chart-activation-by-cohort.svg"

    package static func all(_ result: PipelineResult) -> [(name: String, contents: String)] {
        [(renewalByCount, renewalByCountChart(result)), (roc, rocChart(result)), (heatMap, heatMapChart(result)),
         (timeToValue, timeToValueChart(result)), (cohorts, cohortChart(result))]
            .compactMap { name, svg in svg.map { (name, $0) } }
    }

    /// Renewal rate by how many times customers did the proposal's behaviour (and the next two candidates') within
    /// the proposal's window, with the number of customers per bucket; the threshold is marked.
    package static func renewalByCountChart(_ result: PipelineResult) -> String? {
        guard let chosen = result.proposal.chosen else { return nil }
        let rule = chosen.candidate.definition
        let window = rule.windowDays
        let lead = rule.conditions[0].behaviour
        var names = [lead]
        for e in result.ranking.candidates where !names.contains(e.name) && names.count < 3 { names.append(e.name) }
        let cap = 10
        var chart = SVGChart(title: "Renewal rate by how often customers did it in their first \(window) days",
                             xTitle: "Times done in the first \(window) days (\(cap) = \(cap) or more)", yTitle: "Renewal rate",
                             x: -0.5...(Double(cap) + 0.5), y: 0...1.08)
        let decided = result.features.decidedCustomers
        for (k, name) in names.enumerated() {
            guard let behaviour = result.features.behaviours.first(where: { $0.name == name }) else { continue }
            var renewed = [Int](repeating: 0, count: cap + 1), total = [Int](repeating: 0, count: cap + 1)
            for c in decided {
                let bucket = min(cap, behaviour.count(withinDays: window, customer: c))
                total[bucket] += 1
                if result.features.customers[c].outcome == .renewed { renewed[bucket] += 1 }
            }
            let points = (0...cap).filter { total[$0] >= 5 }.map { (Double($0), Double(renewed[$0]) / Double(total[$0])) }
            let colour = SVGChart.palette[k]
            if k == 0 {
                for (bucket, rate) in points {
                    chart.rect(x0: bucket - 0.35, x1: bucket + 0.35, y0: 0, y1: rate, fill: "#9CC3E4",
                               label: "\(name) = \(Int(bucket)): \(Format.percent(rate)) of \(total[Int(bucket)]) renewed")
                    chart.text("n=\(Format.count(total[Int(bucket)]))", x: bucket, y: rate + 0.03, size: 10)
                }
                chart.addLegend("\(name) (bars; n = decided customers in the bucket)", colour: "#9CC3E4")
            } else {
                chart.line(points, colour: colour, label: name, dashed: true, width: 2)
            }
        }
        chart.marker(x: Double(rule.conditions[0].threshold) - 0.5, label: "threshold: ≥ \(rule.conditions[0].threshold)")
        return chart.render(xTicks: (0...cap).map { (Double($0), $0 == cap ? "\(cap)+" : "\($0)") }, yTicks: SVGChart.percentTicks())
    }

    /// ROC curves on the holdout: the proposal and the runner-ups as yes/no rules, and the proposal's count.
    package static func rocChart(_ result: PipelineResult) -> String? {
        guard let chosen = result.proposal.chosen else { return nil }
        var chart = SVGChart(title: "ROC on the held-out most recent signups", xTitle: "Share of churned customers flagged (false positive rate)",
                             yTitle: "Share of renewals caught (true positive rate)", x: 0...1, y: 0...1)
        chart.line([(0, 0), (1, 1)], colour: "#999999", label: nil, dashed: true, width: 1)
        let holdout = result.split.holdout
        let labels = holdout.map { result.features.customers[$0].outcome == .renewed }
        // The proposal's behaviour count within its window: a full curve.
        let rule = chosen.candidate.definition
        if let behaviour = result.features.behaviours.first(where: { $0.name == rule.conditions[0].behaviour }) {
            let scores = holdout.map { Double(behaviour.count(withinDays: rule.windowDays, customer: $0)) }
            let auc = ROCArea(scores: scores, labels: labels).auc
            chart.line(rocPoints(scores: scores, labels: labels), colour: SVGChart.palette[2],
                       label: "\(behaviour.name) count, AUC \(Format.decimal(auc))", width: 2)
        }
        let others = result.proposal.evaluations.filter { $0.candidate.definition != rule }.prefix(2)
        for (k, e) in ([chosen] + others).enumerated() {
            let t = e.candidate.holdout
            let point = (1 - (t.specificity ?? 0), t.recall ?? 0)
            let name = k == 0 ? "proposal: " : ""
            chart.line([(0, 0), point, (1, 1)], colour: SVGChart.palette[k == 0 ? 0 : k == 1 ? 1 : 4],
                       label: "\(name)\(e.candidate.rule), AUC \(Format.decimal(e.diagnostics.holdoutAUC.auc))", width: k == 0 ? 3 : 2)
        }
        return chart.render(xTicks: SVGChart.percentTicks(), yTicks: SVGChart.percentTicks())
    }

    /// The empirical ROC curve of a score (higher = more likely to renew), one point per distinct score.
    package static func rocPoints(scores: [Double], labels: [Bool]) -> [(Double, Double)] {
        let positives = Double(labels.filter { $0 }.count), negatives = Double(labels.count) - positives
        guard positives > 0, negatives > 0 else { return [] }
        var points: [(Double, Double)] = [(0, 0)]
        var tp = 0.0, fp = 0.0
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var i = 0
        while i < order.count {
            let s = scores[order[i]]
            while i < order.count && scores[order[i]] == s {
                if labels[order[i]] { tp += 1 } else { fp += 1 }
                i += 1
            }
            points.append((fp / negatives, tp / positives))
        }
        return points
    }

    /// Training AUC of "≥ N within D days" for the proposal's behaviour, every threshold × window scanned.
    package static func heatMapChart(_ result: PipelineResult) -> String? {
        guard let chosen = result.proposal.chosen,
              let evidence = result.ranking.all.first(where: { $0.name == chosen.candidate.behaviour }) else { return nil }
        let windows = Array(Set(evidence.scan.map(\.windowDays))).sorted()
        let thresholds = Array(Set(evidence.scan.map(\.threshold))).sorted()
        guard !windows.isEmpty, !thresholds.isEmpty else { return nil }
        var chart = SVGChart(title: "\(chosen.candidate.behaviour): rule AUC by threshold and window (training)",
                             xTitle: "Window: within D days of signup", yTitle: "Threshold: at least N times",
                             x: -0.5...(Double(windows.count) - 0.5), y: -0.5...(Double(thresholds.count) - 0.5))
        let aucs = evidence.scan.compactMap(\.training.binaryAUC)
        let low = aucs.min() ?? 0.5, high = max((aucs.max() ?? 0.5), low + 0.01)
        for c in evidence.scan {
            guard let wi = windows.firstIndex(of: c.windowDays), let ti = thresholds.firstIndex(of: c.threshold) else { continue }
            let auc = c.training.binaryAUC ?? 0.5
            let shade = (auc - low) / (high - low)
            chart.rect(x0: Double(wi) - 0.48, x1: Double(wi) + 0.48, y0: Double(ti) - 0.48, y1: Double(ti) + 0.48,
                       fill: blues(shade), label: "\(c.rule): AUC \(Format.decimal(auc))")
            if thresholds.count <= 20 {
                chart.text(Format.decimal(auc), x: Double(wi), y: Double(ti) - 0.2, size: 9, colour: shade > 0.55 ? "#FFFFFF" : "#222222")
            }
            if c.definition == chosen.candidate.definition {
                chart.line([(Double(wi) - 0.5, Double(ti) - 0.5), (Double(wi) + 0.5, Double(ti) - 0.5), (Double(wi) + 0.5, Double(ti) + 0.5),
                            (Double(wi) - 0.5, Double(ti) + 0.5), (Double(wi) - 0.5, Double(ti) - 0.5)],
                           colour: "#D55E00", label: "proposed: \(c.rule)", width: 3)
            }
        }
        return chart.render(xTicks: windows.enumerated().map { (Double($0.offset), "\($0.element) d") },
                            yTicks: thresholds.enumerated().map { (Double($0.offset), "≥ \($0.element)") })
    }

    /// A sequential blue scale (light to dark), readable in greyscale and by every colour-vision type.
    package static func blues(_ t: Double) -> String {
        let t = min(1, max(0, t))
        let from = (239.0, 243.0, 255.0), to = (8.0, 48.0, 107.0)
        let r = Int((from.0 + (to.0 - from.0) * t).rounded()), g = Int((from.1 + (to.1 - from.1) * t).rounded()),
            b = Int((from.2 + (to.2 - from.2) * t).rounded())
        return String(format: "#%02X%02X%02X", r, g, b)
    }

    /// Kaplan-Meier share who have reached the event by each day, per segment and overall.
    package static func timeToValueChart(_ result: PipelineResult) -> String? {
        guard let ttv = result.timeToValue, let chosen = result.proposal.chosen else { return nil }
        let horizon = Double(ttv.horizonDays)
        var chart = SVGChart(title: "Time to \(chosen.candidate.rule.replacingOccurrences(of: " within \(chosen.candidate.windowDays) days", with: "")) (Kaplan-Meier)",
                             xTitle: "Days since signup", yTitle: "Share of customers who got there", x: 0...horizon, y: 0...1)
        for (k, summary) in ([ttv.overall] + ttv.bySegment).enumerated() {
            var points: [(Double, Double)] = [(0, 0)]
            for (t, s) in zip(summary.curve.times, summary.curve.survival) { points.append((t, 1 - s)) }
            points.append((horizon, 1 - (summary.curve.survival.last ?? 1)))
            chart.line(points, colour: k == 0 ? "#222222" : SVGChart.palette[(k - 1) % SVGChart.palette.count],
                       label: "\(summary.name) (\(Format.count(summary.customers)) customers)", step: true, dashed: k == 0, width: k == 0 ? 2 : 2.5)
        }
        let ticks = stride(from: 0, through: Int(horizon), by: horizon > 30 ? 14 : 7).map { (Double($0), "\($0)") }
        return chart.render(xTicks: ticks, yTicks: SVGChart.percentTicks())
    }

    /// Activation rate by signup month, for each horizon the data fully covers ("ever" dashed: it is as of the data's end).
    package static func cohortChart(_ result: PipelineResult) -> String? {
        guard let cohorts = result.cohortActivation, cohorts.rows.count >= 2 else { return nil }
        var chart = SVGChart(title: "Activation rate by signup month", xTitle: "Signup month", yTitle: "Share that reached the event",
                             x: -0.5...(Double(cohorts.rows.count) - 0.5), y: 0...1)
        for (k, horizon) in cohorts.horizons.enumerated() {
            let points = cohorts.rows.enumerated().compactMap { i, row -> (Double, Double)? in
                guard let rate = row.rates[horizon] ?? nil, rate.of > 0 else { return nil }
                return (Double(i), Double(rate.reached) / Double(rate.of))
            }
            guard !points.isEmpty else { continue }
            chart.line(points, colour: SVGChart.palette[k % SVGChart.palette.count], label: horizon.label, dashed: horizon == .ever, width: 2.5)
        }
        let step = max(1, cohorts.rows.count / 9)
        let ticks = cohorts.rows.enumerated().filter { $0.offset % step == 0 }.map { (Double($0.offset), $0.element.cohort) }
        return chart.render(xTicks: ticks, yTicks: SVGChart.percentTicks())
    }
}
