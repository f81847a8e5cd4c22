import ActivationAnalysis
import ActivationCore
import ActivationPipeline
import ActivationReport
import ActivationTestSupport
import Foundation
import FoundationXML
import Testing

/// The founder's report, second edition: the first screen, charts that cannot mislead, numbers that say their
/// population, advice that follows the data, and names from the data that cannot break the page.
@Suite("Report: first screen, chart legends, populations, playbook, escaping", .serialized)
struct SecondEditionTests {
    static var result: PipelineResult { ChartsAndActionsTests.result }

    /// Per chart: each `<g data-series>` with the marks inside it, and each `data-legend` name; font sizes.
    final class SeriesCounter: NSObject, XMLParserDelegate {
        var series: [String: Int] = [:]
        var seriesOrder: [String] = []
        var legends: [String: Int] = [:]
        var fontSizes: [Double] = []
        private var open: String?
        private var depth = 0
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if let size = attributes["font-size"].flatMap(Double.init) { fontSizes.append(size) }
            if let legend = attributes["data-legend"] { legends[legend, default: 0] += 1 }
            if name == "g", let s = attributes["data-series"] {
                open = s; depth = 0
                if series[s] == nil { seriesOrder.append(s) }
                series[s, default: 0] += 0
                return
            }
            guard let open else { return }
            depth += 1
            let draws: Bool
            switch name {
            case "path": draws = (attributes["d"] ?? "").contains("L")
            case "rect": draws = (Double(attributes["height"] ?? "0") ?? 0) > 0 && (Double(attributes["width"] ?? "0") ?? 0) > 0
            case "circle": draws = (Double(attributes["r"] ?? "0") ?? 0) > 0
            default: draws = false
            }
            if draws { series[open, default: 0] += 1 }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if open != nil { if depth == 0 && name == "g" { open = nil } else { depth -= 1 } }
        }
    }

    static func counted(_ svg: String) -> SeriesCounter {
        let counter = SeriesCounter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        _ = parser.parse()
        return counter
    }

    @Test func everyDrawnSeriesHasExactlyOneLegendEntryOrLabelAndNoSeriesIsEmpty() {
        let charts = ReportCharts.all(Self.result)
        #expect(charts.count == 6)
        for (name, svg) in charts {
            let c = Self.counted(svg)
            #expect(!c.series.isEmpty, "\(name) has no data series")
            for s in c.seriesOrder {
                #expect((c.series[s] ?? 0) > 0, "\(name): series \(s) draws nothing")
                #expect(c.legends[s] == 1, "\(name): series \(s) has \(c.legends[s] ?? 0) legend entries or labels")
            }
            for (legend, n) in c.legends where c.series[legend] == nil {
                // A labelled reference line (overall renewal) is its own, single-mark series.
                #expect(n == 1 && legend.hasPrefix("all decided"), "\(name): legend \(legend) names no series")
            }
        }
    }

    @Test func chartTextIsAtLeastTwelvePixels() {
        for (name, svg) in ReportCharts.all(Self.result) {
            let sizes = Self.counted(svg).fontSizes
            #expect(!sizes.isEmpty && sizes.allSatisfy { $0 >= SVGChart.minimumFontSize }, "\(name): \(sizes.filter { $0 < 12 })")
            #expect(!svg.contains("stroke-dasharray=\"6 4\""), "\(name): dashed series lines hide under others")
        }
    }

    /// No bar of the early-activation chart stands on a handful of customers: a bucket under five is joined to its
    /// neighbour of the same kind (on SampleData one customer got there on days 14-29: joined to days 30-89).
    @Test func earlyActivationBarsAreNeverAHandfulOfCustomers() throws {
        let timing = try #require(Self.result.earlyActivation)
        let groups = ReportCharts.earlyGroups(timing)
        #expect(groups.reduce(0) { $0 + $1.customers } == timing.rows.reduce(0) { $0 + $1.customers })
        #expect(groups.filter(\.inTime).reduce(0) { $0 + $1.customers } == timing.inTime.customers)
        #expect(groups.filter { !$0.inTime && !$0.never }.reduce(0) { $0 + $1.customers } == timing.late.customers)
        #expect(groups.allSatisfy { $0.customers >= ReportCharts.minimumBar })
        #expect(timing.rows.contains { $0.customers > 0 && $0.customers < ReportCharts.minimumBar })
        #expect(groups.map(\.label) == ["day 0–6", "day 7–13", "day 14–89", "day 90+", "never"])
        let svg = try #require(ReportCharts.earlyActivationChart(Self.result))
        #expect(svg.contains(">day 14–89<") && !svg.contains(">day 14–29<") && svg.contains("joined to a neighbour"))
    }

    @Test func renewalByCountIsTheProposedBehaviourAloneWithCountsAndTheThreshold() throws {
        let svg = try #require(ReportCharts.renewalByCountChart(Self.result))
        let behaviour = try #require(Self.result.proposal.chosen?.candidate.behaviour)
        #expect(svg.contains("Renewal by how often customers did \(behaviour)"))
        #expect(svg.contains("threshold: ≥ 2"))
        #expect(svg.contains(">n="))
        #expect(svg.contains("all decided: "))
        for other in Self.result.ranking.candidates.map(\.name) where other != behaviour { #expect(!svg.contains(">\(other)<")) }
    }

    @Test func firstScreenSaysWhatToDoWithoutOddsRatiosOrTestNames() throws {
        let md = MarkdownReport.render(Self.result)
        let start = try #require(md.range(of: "## This week"))
        let card = String(md[start.lowerBound...])
        let end = try #require(card.range(of: "\n## What to do"))
        let first = String(card[..<end.lowerBound])
        #expect(first.contains("**The rule:** get every new customer to do `invite_teammate` at least 2 times within 14 days"))
        #expect(first.contains("**Verdict: strong.**"))
        #expect(first.contains("**Do this week:**"))
        #expect(first.contains(ReportCharts.renewalBySegment))
        #expect(first.contains("no account is inside its window") || first.contains("to nudge today"))
        for word in ["odds", "DeLong", "Mantel", "Breslow", "Fisher", "AUC", "Kaplan"] {
            #expect(!first.contains(word), "\(word) on the first screen")
        }
        #expect(first.count < 2_400, "the first screen is \(first.count) characters")
        // The report leads with the card, and the old two tables of the same behaviours are one.
        #expect(!md.contains("### Behaviours by how well their count predicts renewal"))
        #expect(!md.contains("Ranked by adjusted effect instead"))
        #expect(!md.contains("**Proxies for activity**"))
        #expect(!md.contains("(–)"))
        #expect(!md.contains("1 export files"))
        #expect(!md.contains("Rejected rows by reason (customers and events): event_before_signup"))
    }

    @Test func theSameFigureForTheSamePopulationIsTheSameEverywhere() throws {
        let md = MarkdownReport.render(Self.result)
        let chosen = try #require(Self.result.proposal.chosen)
        let t = chosen.candidate.table
        #expect(md.contains("reached by \(Format.count(t.reached)) of \(Format.count(t.total)) decided customers (\(Format.percent(t.reachRate)))"))
        // Every "reached by A of N <population> customers (x%)" agrees with every other for the same N and population.
        var seen: [String: String] = [:]
        for m in md.matches(of: /reached by ([\d,]+) of ([\d,]+) (decided|training|held-out) customers \(([\d.]+%)\)/) {
            let key = "\(m.output.2) \(m.output.3)", value = "\(m.output.1) \(m.output.4)"
            #expect(seen[key] == nil || seen[key] == value, "\(key): \(seen[key] ?? "") against \(value)")
            seen[key] = value
        }
        // The "all decided" row of the segment table and the summary card's reach are the same.
        #expect(md.contains("| **all decided** | \(Format.count(t.total)) | \(Format.percent(t.reachRate)) |"))
        // The playbook's customers are the decided ones its percentages are of.
        for (name, table) in chosen.diagnostics.segments.segments {
            #expect(md.contains("| \(name) | \(Format.count(table.total)) | \(Format.percent(table.reachRate)) | \(Format.percent(table.renewRateReached)) / \(Format.percent(table.renewRateNotReached)) |"), "\(name)")
        }
        // The summary chart's labels are the same percentages.
        let svg = try #require(ReportCharts.renewalBySegmentChart(Self.result))
        #expect(svg.contains(">\(Format.percent(t.renewRateReached))</text>") && svg.contains(">\(Format.percent(t.renewRateNotReached))</text>"))
        #expect(md.contains("renew \(Format.percent(t.renewRateReached)) of the time, against \(Format.percent(t.renewRateNotReached))"))
        // Training shares say so.
        #expect(md.contains("Reached (of \(Format.count(Self.result.split.training.count)) training)"))
    }

    @Test func playbookUsesEachSegmentsOwnTopQuarterAndNoCSMWithoutACV() throws {
        let plan = ActionPlan(Self.result)
        let lists = ActionLists(Self.result, plan: plan)
        #expect(lists.hasACV)
        for segment in ["enterprise", "mid-market", "self-serve"] {
            let high = try #require(lists.highACV[segment])
            let acvs = Self.result.features.customers.filter { $0.segment == segment }.compactMap(\.acv)
            // Some of the segment's accounts are above its bar and most are below: a bar that can apply.
            let above = acvs.filter { $0 >= high }.count
            #expect(above > 0 && above < acvs.count / 2, "\(segment): \(above) of \(acvs.count) at or above \(high)")
        }
        #expect(Set(lists.highACV.values).count == 3)
        #expect(lists.csmThisWeek.allSatisfy { ($0.acv ?? 0) >= lists.highACV[$0.segment]! })
        #expect(lists.nudgeToday.allSatisfy { $0.daysLeft >= 0 })
        var noACV = Self.result
        for i in noACV.features.customers.indices { noACV.features.customers[i].acv = nil }
        let md = MarkdownReport.render(noACV)
        #expect(!md.contains("Person steps in") && !md.contains("CSM outreach") && !md.contains("CSM call"))
        #expect(md.contains("no ACV column"))
        #expect(!md.contains("Highest ACV first") && !md.contains("highest ACV first"))
    }

    @Test func aWeakRuleIsTestedFirstNotMadeTheGoal() throws {
        var weak = Self.result
        weak.proposal.strength = .weak
        let md = MarkdownReport.render(weak)
        #expect(md.contains("**Verdict: weak.**"))
        #expect(md.contains("### Test it first"))
        #expect(md.contains("customers per half"))
        #expect(!md.contains("the goal of onboarding:"))
        #expect(!md.contains("make the rule the goal"))
        let strong = MarkdownReport.render(Self.result)
        #expect(strong.contains("the goal of onboarding") && !strong.contains("### Test it first"))
    }

    @Test func accountsToActOnAreSplitByActionAndLateAccountsFollowTheFinding() throws {
        let md = MarkdownReport.render(Self.result)
        let start = try #require(md.range(of: "## Accounts to act on now"))
        let section = String(md[start.lowerBound...].prefix(6_000))
        let body = String(section[..<(section.range(of: "\n## ")?.lowerBound ?? section.endIndex)])
        #expect(body.contains("**Nudge today**"))
        #expect(body.contains("**CSM this week**"))
        // SampleData's latest signup is more than 14 days before its end: nobody is inside the window.
        #expect(body.contains("nobody is inside their 14-day window"))
        #expect(!body.contains("IngestProgress"))
        // The finding is the Analysis stage's early activation, the one the chart and its paragraph use.
        let timing = try #require(Self.result.earlyActivation)
        #expect(timing.rows.reduce(0) { $0 + $1.customers } + timing.excluded == Self.result.features.decidedCustomers.count)
        #expect(body.contains("renewed \(Format.percent(timing.late.renewalRate)) (of \(Format.count(timing.late.customers))), against \(Format.percent(timing.never.renewalRate)) (of \(Format.count(timing.never.customers)))"))
        #expect(md.contains("those who met it later \(Format.percent(timing.late.renewalRate)) (\(Format.count(timing.late.customers)))"))
        if timing.lateActivationHelps != true {
            #expect(body.contains("is not a sign of safety"))
        } else {
            #expect(body.contains("left out as safe"))
        }
    }

    /// One table of behaviours: the role, joint odds ratio and within-segment AUC are its columns, not a second
    /// table or paragraphs; every behaviour's role is said once.
    @Test func oneTableOfBehavioursWithTheirRoles() throws {
        let md = MarkdownReport.render(Self.result)
        #expect(!md.contains("### What each behaviour is, once the others are known"))
        #expect(!md.contains("| Behaviour | Role | Joint effect"))
        #expect(!md.contains("Within segments, `sync_calendar` ranks customers at"))
        let start = try #require(md.range(of: "### Behaviours and their best rules, strongest first"))
        let section = String(md[start.upperBound...].split(separator: "\n### ", maxSplits: 1)[0])
        #expect(section.contains("| Behaviour: its best rule | Role, once the others are known | Reached (of 986 training) |"))
        #expect(section.contains("| `invite_teammate` ≥ 2 within 14 days | driver |"))
        #expect(section.contains("| `invite_email_sent` ≥ 2 within 7 days | copy of `invite_teammate` |"))
        #expect(section.contains("`dismiss_checklist` (**harmful**)"))
        #expect(section.contains("Joint odds ratio per doubling (95%)") && section.contains("Count AUC within segments / pooled"))
        // `sync_calendar`: 0.50 within segments, 0.57 pooled, as drivers.csv has it.
        let calendar = try #require(Self.result.drivers.estimate("sync_calendar"))
        #expect(section.contains("| \(Format.decimal(calendar.stratifiedAUC)) / \(Format.decimal(calendar.pooledAUC.auc)) |"))
        // The joint odds ratio per doubling is 2^coefficient, from the same model as drivers.csv.
        let invite = try #require(Self.result.drivers.estimate("invite_teammate"))
        #expect(section.contains("| `invite_teammate` ≥ 2 within 14 days | \(Format.decimal(pow(2, try #require(invite.jointCoefficient)))) ("))
        // Outside the collapsed block, every behaviour starts at most one table row in the whole report, and every
        // modelled behaviour's role is in the section once.
        var outside = "", open = false
        for line in md.split(separator: "\n") {
            if line.hasPrefix("<details>") { open = true } else if line.hasPrefix("</details>") { open = false } else if !open { outside += line + "\n" }
        }
        for e in Self.result.drivers.estimates {
            let name = MarkdownText.code(e.behaviour)
            let rows = outside.split(separator: "\n").filter { $0.hasPrefix("| \(name) ") && !$0.contains(" and `") }.count
            #expect(rows <= 1, "\(e.behaviour) starts \(rows) table rows")
            let roleInRow = section.split(separator: "\n").contains { $0.hasPrefix("| \(name) ") && $0.contains("| \(MarkdownReport.roleWords(e)) |") }
            let roleInLine = section.contains("\(name) (\(MarkdownReport.roleWords(e)))")
            #expect(roleInRow != roleInLine, "\(e.behaviour): role said \(roleInRow && roleInLine ? "twice" : "nowhere")")
        }
        // drivers.csv stays a file.
        #expect(DataFiles.drivers(Self.result).hasPrefix("behaviour,group,role,"))
    }

    /// Time to value by signup month: the Kaplan-Meier median with the month's signups and how many met the rule,
    /// young months marked; its counts agree with the activation-by-month table for the same months.
    @Test func timeToValueBySignupMonthIsATableOfItsOwn() throws {
        let md = MarkdownReport.render(Self.result)
        let ttv = try #require(Self.result.timeToValue)
        let cohorts = try #require(Self.result.cohortActivation)
        let start = try #require(md.range(of: "### Time to value by signup month"))
        let section = String(md[start.upperBound...].split(separator: "\n### ", maxSplits: 1)[0])
        #expect(section.contains("| Signup month | Signups | Met the rule within 14 days | A quarter there by | Half there by |"))
        #expect(ttv.bySignupMonth.count == cohorts.rows.count)
        for (m, row) in zip(ttv.bySignupMonth, cohorts.rows) {
            #expect(m.month == row.cohort && m.summary.customers == row.signups)
            let median = m.summary.quantiles.first { $0.share == 0.5 }?.day
            let label = m.firstWindowOpen > 0 ? "\(m.month) (young)" : m.month
            let cells = "| \(label) | \(Format.count(m.summary.customers)) | \(Format.count(m.summary.reached)) (\(Format.percent(Double(m.summary.reached) / Double(m.summary.customers))))"
            #expect(section.contains(cells), "\(m.month)")
            #expect(section.contains(median.map { " | day \(Format.day($0)) |\n" } ?? (m.firstWindowOpen > 0 ? " | not yet |\n" : " | not by day 29 |\n")), "\(m.month)")
            // The same count as "within 14 days" of the month-by-month activation table, once the month has had 14 days.
            if let rate = row.rates[.days(14)] ?? nil { #expect(rate.reached == m.summary.reached, "\(m.month)") }
        }
        #expect(ttv.bySignupMonth.last?.firstWindowOpen ?? 0 > 0 && section.contains("(young)"))
        // The month-by-month activation table no longer repeats it.
        #expect(!md.contains("Typical day (of those who got there)"))
        let html = HTMLReport.render(markdown: md, charts: ReportCharts.all(Self.result))
        #expect(html.contains("<h3 id=\"time-to-value-by-signup-month\">Time to value by signup month</h3>"))
        #expect(html.contains("<td>2026-10 (young)</td>"))
    }

    /// A behaviour named `<script>` or `Viewed | Pricing` must break neither the Markdown (tables keep their columns)
    /// nor the HTML (no markup from the data), nor the charts.
    @Test func namesFromTheDataAreEscapedEverywhere() throws {
        var configuration = try ConfigurationFile(path: Repository.path("SampleData/activation.toml")).configuration
        configuration.allowedRoots = nil
        let evil = "Viewed | Pricing <script>alert(1)</script>"
        configuration.naming.renames[evil] = ["invite_teammate"]
        configuration.naming.renames["*bold* `tick` _u_ [x](y)"] = ["login"]
        let result = try Pipeline.run(configuration)
        #expect(result.proposal.chosen?.candidate.behaviour == evil)
        let md = MarkdownReport.render(result)
        #expect(!md.contains("<script>"))
        #expect(md.contains("Viewed \\| Pricing \\<script\\>alert(1)\\</script\\>"))
        // Every table row has as many cells as its header.
        var columns: Int?
        for line in md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            guard line.hasPrefix("|") else { columns = nil; continue }
            let n = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            if let columns { #expect(n == columns, "\(line)") } else { columns = n }
        }
        let charts = ReportCharts.all(result)
        for (name, svg) in charts {
            #expect(!svg.contains("<script"), "\(name)")
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "\(name) is not well-formed with the name in it")
        }
        let html = HTMLReport.render(markdown: md, charts: charts)
        #expect(html.components(separatedBy: "<script>").count == 3)  // the page's own two scripts only
        #expect(!html.contains("alert(1)</script>"))
        #expect(html.contains("Viewed | Pricing &lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<strong>bold</strong>") && html.contains("*bold*"))
        #expect(!html.contains("href="))
    }

    @Test func htmlIsSelfContained() throws {
        let md = MarkdownReport.render(Self.result)
        let charts = ReportCharts.all(Self.result)
        let html = HTMLReport.render(markdown: md, charts: charts)
        for needle in ["http://", "https://", "src=", "href=", "@import", "url("] {
            let hits = html.components(separatedBy: needle).count - 1
            // The SVG namespace is a name, not a request.
            let allowed = needle == "http://" ? html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1 : 0
            #expect(hits == allowed, "\(needle): \(hits)")
        }
        #expect(html.components(separatedBy: "<svg class=\"chart-svg\"").count - 1 == charts.count)
        #expect(html.contains("<table class=\"sortable\">"))
        #expect(html.contains("@page { size: A4"))
        #expect(HTMLReport.render(markdown: md, charts: charts) == html)
    }
}
