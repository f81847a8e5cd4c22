import ActivationAnalysis
import ActivationCore
import ActivationFeatures
import ActivationPipeline
import ActivationStatistics
import Foundation

/// The report's charts, as SVG files beside `activation-report.md` (and inline in `activation-report.html`). Each is
/// nil when there is nothing to draw (no proposal, no time to value).
package enum ReportCharts {
    package static let renewalBySegment = "chart-renewal-by-segment.svg"
    package static let earlyActivation = "chart-early-activation.svg"
    package static let renewalByCount = "chart-renewal-by-count.svg"
    package static let heatMap = "chart-threshold-window.svg"
    package static let timeToValue = "chart-time-to-value.svg"
    package static let cohorts = "chart-activation-by-cohort.svg"

    /// Every chart the run produces, in the order the report shows them.
    package static func all(_ result: PipelineResult) -> [(name: String, contents: String)] {
        [(renewalBySegment, renewalBySegmentChart(result)), (earlyActivation, earlyActivationChart(result)),
                (renewalByCount, renewalByCountChart(result)), (heatMap, heatMapChart(result)),
                (timeToValue, timeToValueChart(result)), (cohorts, cohortChart(result))]
            .compactMap { name, svg in svg.map { (name, $0) } }
    }

    private static let reachedColour = "#0072B2", missedColour = "#D55E00", lightBlue = "#9CC3E4"

    /// Renewal of decided customers who reached the rule against those who did not, overall and per segment, with
    /// Wilson 95% intervals: the summary card's chart.
    package static func renewalBySegmentChart(_ result: PipelineResult) -> String? {
        guard let chosen = result.proposal.chosen else { return nil }
        let rows = [("all decided", chosen.candidate.table)] + chosen.diagnostics.segments.segments.map { ($0.name, $0.table) }
        let height = 120 + Double(rows.count) * 46
        var chart = SVGChart(title: "Renewal: customers who reach the rule against those who do not",
                             subtitle: "Decided customers, by segment; bars are 95% intervals",
                             xTitle: "Share that renewed", yTitle: "", x: 0...1, y: 0...Double(rows.count),
                             height: height, left: 170, right: 30, top: 62, bottom: 54)
        func y(_ i: Int) -> Double { Double(rows.count - i) - 0.5 }
        for (series, colour, reached) in [("reached the rule", reachedColour, true), ("did not", missedColour, false)] {
            chart.beginSeries(series)
            for (i, row) in rows.enumerated() {
                let t = row.1
                let (x, n) = reached ? (t.reachedRenewed, t.reachedRenewed + t.reachedChurned) : (t.notReachedRenewed, t.notReachedRenewed + t.notReachedChurned)
                guard n > 0 else { continue }
                let rate = Double(x) / Double(n), ci = ProportionIntervals.wilson(successes: x, trials: n)
                let offset = reached ? 0.14 : -0.14
                chart.line([(ci.lowerBound, y(i) + offset), (ci.upperBound, y(i) + offset)], colour: colour, width: 3)
                chart.circle(x: rate, y: y(i) + offset, radius: 6, fill: colour, label: "\(row.0), \(series): \(Format.percent(rate)) of \(Format.count(n)) renewed")
                chart.text(Format.percent(rate), x: ci.upperBound, y: y(i) + offset, dx: 6, dy: 4, anchor: "start", colour: colour)
            }
            chart.endSeries()
            chart.addLegend("\(series) (\(reached ? "met" : "missed") \(chosen.candidate.rule))", colour: colour, series: series)
        }
        let ticks = rows.enumerated().map { (y($0.offset), "\($0.element.0) (\(Format.count($0.element.1.total)))") }
        return chart.render(xTicks: SVGChart.percentTicks(), yTicks: ticks)
    }

    /// One bar of the early-activation chart: one or more adjacent buckets of the same kind.
    package struct EarlyGroup: Equatable {
        /// First and last reach day (0 = signup day); `last` nil: no end.
        package var first: Int
        package var last: Int?
        package var never: Bool
        package var inTime: Bool
        package var customers: Int
        package var renewed: Int

        /// "day 0–6", "day 90+", "never": short enough for a chart axis.
        package var label: String {
            if never { return "never" }
            guard let last else { return "day \(first)+" }
            return first == last ? "day \(first)" : "day \(first)–\(last)"
        }
    }

    /// Bars with fewer customers than this are merged into a neighbour of the same kind.
    package static let minimumBar = 5

    /// The early-activation buckets as bars: empty ones left out, and one with fewer than `minimumBar` customers
    /// merged into the next later bucket of the same kind (both in time, or both late; "never" stays alone), else
    /// the previous one, so that no bar stands on one or two customers (a 100% bar of one customer would dominate).
    package static func earlyGroups(_ timing: EarlyActivation) -> [EarlyGroup] {
        var groups: [EarlyGroup] = timing.rows.filter { $0.customers > 0 }.map { row in
            let (first, last, never): (Int, Int?, Bool)
            switch row.bucket {
            case .days(let a, let b): (first, last, never) = (a, b, false)
            case .from(let day): (first, last, never) = (day, nil, false)
            case .never: (first, last, never) = (0, nil, true)
            }
            return EarlyGroup(first: first, last: last, never: never, inTime: timing.inTime(row.bucket), customers: row.customers, renewed: row.renewed)
        }
        func mergeable(_ i: Int, _ j: Int) -> Bool {
            groups.indices.contains(j) && !groups[i].never && !groups[j].never && groups[i].inTime == groups[j].inTime
        }
        while let i = groups.indices.first(where: { groups[$0].customers < minimumBar && (mergeable($0, $0 + 1) || mergeable($0, $0 - 1)) }) {
            let (a, b) = mergeable(i, i + 1) ? (i, i + 1) : (i - 1, i)
            groups[a] = EarlyGroup(first: groups[a].first, last: groups[b].last, never: false, inTime: groups[a].inTime,
                                   customers: groups[a].customers + groups[b].customers, renewed: groups[a].renewed + groups[b].renewed)
            groups.remove(at: b)
        }
        return groups
    }

    /// Renewal by when decided customers first met the rule's thresholds, with Wilson intervals and counts, against
    /// the overall renewal rate: does activating early matter?
    package static func earlyActivationChart(_ result: PipelineResult) -> String? {
        guard let chosen = result.proposal.chosen, let timing = result.earlyActivation else { return nil }
        let rows = earlyGroups(timing)
        guard rows.count >= 2 else { return nil }
        let merged = rows.count < timing.rows.filter { $0.customers > 0 }.count
        var chart = SVGChart(title: "Does activating early matter? Renewal by when customers first met the rule",
                             subtitle: "Decided customers; bars are 95% intervals; n = customers in the group"
                                + (merged ? "; groups under \(minimumBar) joined to a neighbour" : ""),
                             xTitle: "When they first met \(chosen.candidate.rule.replacingOccurrences(of: " within \(chosen.candidate.windowDays) days", with: ""))",
                             yTitle: "Share that renewed", x: -0.5...(Double(rows.count) - 0.5), y: 0...1.05, bottom: 78)
        for (series, inTime) in [("met it within the rule's \(chosen.candidate.windowDays) days", true), ("met it later, or never", false)] {
            let members = rows.enumerated().filter { $0.element.inTime == inTime }
            guard !members.isEmpty else { continue }
            chart.beginSeries(series)
            for (i, row) in members {
                let rate = Double(row.renewed) / Double(row.customers)
                let ci = ProportionIntervals.wilson(successes: row.renewed, trials: row.customers)
                chart.rect(x0: Double(i) - 0.32, x1: Double(i) + 0.32, y0: 0, y1: rate, fill: inTime ? reachedColour : lightBlue,
                           label: "\(row.label): \(Format.percent(rate)) of \(Format.count(row.customers)) renewed")
                chart.line([(Double(i), ci.lowerBound), (Double(i), ci.upperBound)], colour: "#222222", width: 1.5)
                chart.text(Format.percent(rate), x: Double(i), y: max(rate, ci.upperBound), dy: -6)
            }
            chart.endSeries()
            chart.addLegend(series, colour: inTime ? reachedColour : lightBlue)
        }
        // The bars' own population: decided customers whose follow-up shows their group.
        if let all = timing.overallRenewal {
            chart.reference(y: all, label: "all decided\(timing.excluded > 0 ? " shown" : ""): \(Format.percent(all))")
        }
        return chart.render(xTicks: rows.enumerated().map { (Double($0.offset), $0.element.label) }, yTicks: SVGChart.percentTicks(),
                            xTickRows: [rows.enumerated().map { (Double($0.offset), "n=\(Format.count($0.element.customers))") }])
    }

    /// Renewal rate by how many times decided customers did the proposal's behaviour within its window, with Wilson
    /// intervals and counts, buckets up to about the 95th percentile (the last one holds everything above), the
    /// overall renewal rate and the threshold marked.
    package static func renewalByCountChart(_ result: PipelineResult) -> String? {
        guard let chosen = result.proposal.chosen,
              let behaviour = result.features.behaviours.first(where: { $0.name == chosen.candidate.behaviour }) else { return nil }
        let rule = chosen.candidate.definition, window = rule.windowDays, threshold = rule.conditions[0].threshold
        let decided = result.features.decidedCustomers
        let counts = decided.map { behaviour.count(withinDays: window, customer: $0) }
        let p95 = Int(Descriptive.quantile(sorted: counts.map { Double($0) }.sorted(), 0.95).rounded(.up))
        let cap = min(20, max(threshold + 1, p95, 2))
        var renewed = [Int](repeating: 0, count: cap + 1), total = renewed
        for (c, n) in zip(decided, counts) {
            total[min(cap, n)] += 1
            if result.features.customers[c].outcome == .renewed { renewed[min(cap, n)] += 1 }
        }
        let shown = (0...cap).filter { total[$0] >= 5 }
        let dropped = (0...cap).filter { total[$0] > 0 && total[$0] < 5 }
        let top = Double(total[cap]) / Double(max(1, decided.count))
        var subtitle = "Decided customers; bars are 95% intervals; \(cap)+ = \(cap) or more (\(Format.percent(top)) of customers)"
        if !dropped.isEmpty { subtitle += "; not drawn (fewer than 5 customers): " + dropped.map { $0 == cap ? "\($0)+" : "\($0)" }.joined(separator: ", ") }
        var chart = SVGChart(title: "Renewal by how often customers did \(behaviour.name) in their first \(window) days",
                             subtitle: subtitle, xTitle: "Times done in the first \(window) days", yTitle: "Share that renewed",
                             x: -0.5...(Double(cap) + 0.5), y: 0...1.1, bottom: 78)
        for (series, reached) in [("below the threshold", false), ("at or above it (reached)", true)] {
            let members = shown.filter { ($0 >= threshold) == reached }
            guard !members.isEmpty else { continue }
            chart.beginSeries(series)
            for bucket in members {
                let rate = Double(renewed[bucket]) / Double(total[bucket])
                let ci = ProportionIntervals.wilson(successes: renewed[bucket], trials: total[bucket])
                chart.rect(x0: Double(bucket) - 0.34, x1: Double(bucket) + 0.34, y0: 0, y1: rate, fill: reached ? reachedColour : lightBlue,
                           label: "\(bucket == cap ? "\(cap)+" : "\(bucket)") times: \(Format.percent(rate)) of \(Format.count(total[bucket])) renewed")
                chart.line([(Double(bucket), ci.lowerBound), (Double(bucket), ci.upperBound)], colour: "#222222", width: 1.5)
            }
            chart.endSeries()
            chart.addLegend(series, colour: reached ? reachedColour : lightBlue)
        }
        if let all = chosen.candidate.table.renewalRate {
            // Labelled over the lower bars: the ones below the threshold, on the left.
            chart.reference(y: all, label: "all decided: \(Format.percent(all))", atLeft: true)
        }
        chart.marker(x: Double(threshold) - 0.5, label: "threshold: ≥ \(threshold)", colour: missedColour)
        let compact = cap > 10
        return chart.render(xTicks: (0...cap).map { (Double($0), $0 == cap ? "\(cap)+" : "\($0)") }, yTicks: SVGChart.percentTicks(),
                            xTickRows: [shown.map { (Double($0), compact ? Format.count(total[$0]) : "n=\(Format.count(total[$0]))") }])
    }

    /// Training AUC of "≥ N within D days" for the proposal's behaviour, every threshold × window scanned; the
    /// plateau (within 0.01 of the best) and the proposal outlined.
    package static func heatMapChart(_ result: PipelineResult) -> String? {
        guard let chosen = result.proposal.chosen,
              let evidence = result.ranking.all.first(where: { $0.name == chosen.candidate.behaviour }) else { return nil }
        let windows = Array(Set(evidence.scan.map(\.windowDays))).sorted()
        let thresholds = Array(Set(evidence.scan.map(\.threshold))).sorted()
        guard !windows.isEmpty, !thresholds.isEmpty else { return nil }
        let cell = max(30, 220 / Double(thresholds.count))
        var chart = SVGChart(title: "\(chosen.candidate.behaviour): rule AUC by threshold and window (training)",
                             subtitle: "Darker = separates renewals from churns better; outlined: the plateau and the proposal",
                             xTitle: "Window: within D days of signup", yTitle: "Threshold: at least N times",
                             x: -0.5...(Double(windows.count) - 0.5), y: -0.5...(Double(thresholds.count) - 0.5),
                             height: 70 + 64 + cell * Double(thresholds.count))
        let aucs = evidence.scan.compactMap(\.training.binaryAUC)
        let low = aucs.min() ?? 0.5, best = aucs.max() ?? 0.5, high = max(best, low + 0.01)
        var plateau = Set<[Int]>()
        var chosenCell: (Int, Int)?
        for c in evidence.scan {
            guard let wi = windows.firstIndex(of: c.windowDays), let ti = thresholds.firstIndex(of: c.threshold) else { continue }
            let auc = c.training.binaryAUC ?? 0.5
            let shade = (auc - low) / (high - low)
            chart.rect(x0: Double(wi) - 0.5, x1: Double(wi) + 0.5, y0: Double(ti) - 0.5, y1: Double(ti) + 0.5,
                       fill: blues(shade), label: "\(c.rule): AUC \(Format.decimal(auc))", stroke: "#FFFFFF")
            chart.text(Format.decimal(auc), x: Double(wi), y: Double(ti), dy: 4.5, colour: shade > 0.55 ? "#FFFFFF" : "#222222")
            if auc >= best - 0.01 { plateau.insert([wi, ti]) }
            if c.definition == chosen.candidate.definition { chosenCell = (wi, ti) }
        }
        // The plateau's outline: every cell edge with no plateau cell on its other side.
        chart.beginSeries("plateau")
        for key in plateau.sorted(by: { ($0[0], $0[1]) < ($1[0], $1[1]) }) {
            let (x, y) = (Double(key[0]), Double(key[1]))
            for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] where !plateau.contains([key[0] + dx, key[1] + dy]) {
                let edge: [(Double, Double)] = dx != 0 ? [(x + 0.5 * Double(dx), y - 0.5), (x + 0.5 * Double(dx), y + 0.5)]
                    : [(x - 0.5, y + 0.5 * Double(dy)), (x + 0.5, y + 0.5 * Double(dy))]
                chart.line(edge, colour: SVGChart.palette[1], width: 3)
            }
        }
        chart.endSeries()
        chart.addLegend("plateau: within 0.01 of the best AUC (\(Format.decimal(best)))", colour: SVGChart.palette[1], series: "plateau")
        if let cell = chosenCell {
            let (x, y) = (Double(cell.0), Double(cell.1))
            chart.beginSeries("proposed")
            chart.line([(x - 0.38, y - 0.36), (x + 0.38, y - 0.36), (x + 0.38, y + 0.36), (x - 0.38, y + 0.36), (x - 0.38, y - 0.36)],
                       colour: SVGChart.palette[5], width: 3)
            chart.endSeries()
            chart.addLegend("proposed: \(chosen.candidate.rule)", colour: SVGChart.palette[5], series: "proposed")
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

    /// Kaplan-Meier share who have reached the event by each day, per segment and overall, labelled at their ends,
    /// with the rule's window marked.
    package static func timeToValueChart(_ result: PipelineResult) -> String? {
        guard let ttv = result.timeToValue, let chosen = result.proposal.chosen else { return nil }
        let horizon = Double(ttv.horizonDays)
        var chart = SVGChart(title: "Time to \(chosen.candidate.rule.replacingOccurrences(of: " within \(chosen.candidate.windowDays) days", with: ""))",
                             subtitle: "All customers, decided or not (Kaplan-Meier: a customer still inside the window counts as far as its data goes)",
                             xTitle: "Days since signup", yTitle: "Share who got there", x: 0...horizon, y: 0...1, right: 150)
        var labels: [(text: String, y: Double, colour: String, series: String)] = []
        // Segments first, then "all" on top, thinner and dark, so that no series hides another.
        let series = ttv.bySegment.enumerated().map { ($0.element, SVGChart.palette[[0, 1, 2, 4, 5][$0.offset % 5]], 3.0) } + [(ttv.overall, "#222222", 1.8)]
        for (summary, colour, width) in series {
            var points: [(Double, Double)] = [(0, 0)]
            for (t, s) in zip(summary.curve.times, summary.curve.survival) { points.append((t, 1 - s)) }
            let end = 1 - (summary.curve.survival.last ?? 1)
            points.append((horizon, end))
            chart.beginSeries(summary.name)
            chart.line(points, colour: colour, step: true, width: width)
            chart.endSeries()
            labels.append(("\(summary.name) (\(Format.count(summary.customers)))", end, colour, summary.name))
        }
        chart.directLabels(labels, x: horizon)
        chart.marker(x: Double(chosen.candidate.windowDays), label: "rule's window: \(chosen.candidate.windowDays) days")
        let ticks = stride(from: 0, through: Int(horizon), by: horizon > 30 ? 14 : 7).map { (Double($0), "\($0)") }
        return chart.render(xTicks: ticks, yTicks: SVGChart.percentTicks())
    }

    /// Three-letter month names for the cohort chart's axis.
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The horizons the cohort chart draws: every horizon but "ever" (as of the data's end, it falls for young months
    /// only for lack of time), without one that nearly coincides with an earlier one in every month (within three
    /// points: drawn, it would hide under the other).
    package static func cohortSeries(_ cohorts: CohortActivation) -> (drawn: [CohortActivation.Horizon], same: [(CohortActivation.Horizon, CohortActivation.Horizon)]) {
        var drawn: [CohortActivation.Horizon] = [], same: [(CohortActivation.Horizon, CohortActivation.Horizon)] = []
        func rate(_ row: CohortActivation.Row, _ h: CohortActivation.Horizon) -> Double? {
            guard let r = row.rates[h] ?? nil, r.of > 0 else { return nil }
            return Double(r.reached) / Double(r.of)
        }
        for h in cohorts.horizons where h != .ever {
            guard cohorts.rows.contains(where: { rate($0, h) != nil }) else { continue }
            if let twin = drawn.first(where: { d in cohorts.rows.allSatisfy { row in
                guard let a = rate(row, h) else { return true }
                guard let b = rate(row, d) else { return false }
                return abs(a - b) < 0.03
            } }) {
                same.append((h, twin))
            } else {
                drawn.append(h)
            }
        }
        return (drawn, same)
    }

    /// Activation rate by signup month for each horizon the data covers, with the signups per month under the axis
    /// and the months too young for the longest horizon greyed.
    package static func cohortChart(_ result: PipelineResult) -> String? {
        guard let cohorts = result.cohortActivation, cohorts.rows.count >= 2 else { return nil }
        let (drawn, same) = cohortSeries(cohorts)
        guard !drawn.isEmpty else { return nil }
        var subtitle = "Share of each month's signups that met the rule's thresholds; grey: months too recent for every line"
        if !same.isEmpty { subtitle = "Each month's signups that met the thresholds; grey: too recent; " + same.map { "\($0.0.label) ≈ \($0.1.label)" }.joined(separator: ", ") + " (not drawn)" }
        var chart = SVGChart(title: "Activation rate by signup month", subtitle: subtitle, xTitle: "Signup month (signups below)",
                             yTitle: "Share that met the rule", x: -0.5...(Double(cohorts.rows.count) - 0.5), y: 0...1,
                             left: 60, right: 130, bottom: 92)
        if let longest = drawn.last {
            for (i, row) in cohorts.rows.enumerated() where (row.rates[longest] ?? nil) == nil {
                chart.rect(x0: Double(i) - 0.5, x1: Double(i) + 0.5, y0: 0, y1: 1, fill: "#EEEEEE", label: "\(row.cohort): too recent for \(longest.label)")
            }
        }
        var labels: [(text: String, y: Double, colour: String, series: String)] = []
        for (k, horizon) in drawn.enumerated() {
            let colour = SVGChart.palette[[0, 3, 2, 4][k % 4]]
            let points = cohorts.rows.enumerated().compactMap { i, row -> (Double, Double)? in
                guard let rate = row.rates[horizon] ?? nil, rate.of > 0 else { return nil }
                return (Double(i), Double(rate.reached) / Double(rate.of))
            }
            chart.beginSeries(horizon.label)
            chart.line(points, colour: colour, width: 2.5)
            for p in points { chart.circle(x: p.0, y: p.1, radius: 3.5, fill: colour) }
            chart.endSeries()
            if let last = points.last { labels.append((horizon.label, last.1, colour, horizon.label)) }
        }
        chart.directLabels(labels, x: Double(cohorts.rows.count) - 0.5)
        let step = max(1, (cohorts.rows.count + 17) / 18)
        let ticks = cohorts.rows.enumerated().filter { $0.offset % step == 0 }.map { i, row -> (Double, String) in
            let month = Int(row.cohort.suffix(2)) ?? 1
            return (Double(i), months[(month - 1) % 12])
        }
        let years = cohorts.rows.enumerated().filter { i, row in i == 0 || row.cohort.hasSuffix("-01") }.map { (Double($0.offset), String($0.element.cohort.prefix(4))) }
        let counts = cohorts.rows.enumerated().filter { $0.offset % step == 0 }.map { (Double($0.offset), Format.count($0.element.signups)) }
        return chart.render(xTicks: ticks, yTicks: SVGChart.percentTicks(), xTickRows: [counts, years])
    }
}

extension TwoByTwoTable {
    /// Share of the table's customers who renewed (reached or not).
    package var renewalRate: Double? { total > 0 ? Double(renewed) / Double(total) : nil }
}
