import ActivationAnalysis
import ActivationPipeline
import ActivationReport
import ActivationTestSupport
import Foundation
import FoundationXML
import Testing

#if canImport(FoundationXML)
#endif

/// The report's charts, rendered by a real SVG renderer, and the parts of the report a team acts on.
@Suite("Report: charts, playbook, accounts to act on, what changed", .serialized)
struct ChartsAndActionsTests {
    /// One pipeline run on SampleData, shared by the tests of this suite.
    static let result: PipelineResult = {
        var configuration = try! ConfigurationFile(path: Repository.path("SampleData/activation.toml")).configuration
        configuration.allowedRoots = nil
        return try! Pipeline.run(configuration)
    }()

    /// Elements each chart must contain at least this many of.
    static let expected: [String: [String: Int]] = [
        ReportCharts.renewalBySegment: ["circle": 8, "text": 12, "path": 8],
        ReportCharts.earlyActivation: ["rect": 4, "text": 12, "line": 2],
        ReportCharts.renewalByCount: ["rect": 5, "text": 12, "line": 5],
        ReportCharts.heatMap: ["rect": 30, "text": 30],
        ReportCharts.timeToValue: ["path": 4, "text": 8],
        ReportCharts.cohorts: ["path": 1, "text": 8],
    ]

    final class ElementCounter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        var texts: [String] = []
        private var inText = false
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            counts[name, default: 0] += 1
            inText = name == "text" || name == "title"
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { texts.append(string) } }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { inText = false }
    }

    @Test func everyChartParsesRendersAndHasItsElements() throws {
        let charts = Dictionary(ReportCharts.all(Self.result).map { ($0.name, $0.contents) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(charts.keys) == Set(Self.expected.keys))
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let renderer = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first { FileManager.default.isExecutableFile(atPath: $0) }
        #expect(renderer != nil, "rsvg-convert (Debian librsvg2-bin) is missing: `make test` installs it")
        for (name, svg) in charts.sorted(by: { $0.key < $1.key }) {
            let counter = ElementCounter()
            let parser = XMLParser(data: Data(svg.utf8))
            parser.delegate = counter
            #expect(parser.parse(), "\(name) is not well-formed XML")
            #expect(counter.counts["svg"] == 1)
            for (element, minimum) in Self.expected[name]! {
                #expect((counter.counts[element] ?? 0) >= minimum, "\(name): \(counter.counts[element] ?? 0) <\(element)>, expected ≥ \(minimum)")
            }
            // A title, and axis titles with units, readable by people.
            #expect(counter.texts.contains { $0.contains("%") || $0.contains("days") || $0.contains("Days") }, "\(name)")
            guard let renderer else { continue }
            let svgURL = dir.appendingPathComponent(name), png = dir.appendingPathComponent(name + ".png")
            try Data(svg.utf8).write(to: svgURL)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: renderer)
            process.arguments = [svgURL.path, "-o", png.path]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            process.waitUntilExit()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 0, "\(name): \(message)")
            let bytes = try Data(contentsOf: png)
            #expect(bytes.count > 2000 && bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) did not render to a PNG")
        }
    }

    @Test func chartsUseTheColourBlindSafePaletteOnly() {
        let allowed = Set(SVGChart.palette + ["#FFFFFF", "#222222", "#444444", "#DDDDDD", "#999999", "#9CC3E4", "#EEEEEE"])
        for (name, svg) in ReportCharts.all(Self.result) {
            let colours = svg.matches(of: /(?:fill|stroke)="(#[0-9A-F]{6})"/).map { String($0.output.1) }
            let heat = name == ReportCharts.heatMap
            #expect(colours.allSatisfy { allowed.contains($0) || heat }, "\(name): \(Set(colours).subtracting(allowed))")
        }
    }

    @Test func playbookAndAccountsToActOnFollowTheProposal() throws {
        let playbook = ActionPlan(Self.result).playbook
        #expect(playbook.map(\.segment) == ["enterprise", "mid-market", "self-serve"])
        let window = try #require(Self.result.proposal.chosen?.candidate.windowDays)
        for step in playbook {
            #expect(step.nudgeDay >= 1 && step.nudgeDay <= window)
            #expect(step.outreachDay > step.nudgeDay && step.outreachDay < window)  // while the account can still make it
            #expect((step.renewalReached ?? 0) > (step.renewalNotReached ?? 1))
        }
        let plan = ActionPlan(Self.result)
        let lists = ActionLists(Self.result, plan: plan)
        let accounts = lists.accounts
        #expect(!accounts.isEmpty)
        #expect(accounts.map(\.action) == accounts.map(\.action).sorted())
        #expect(accounts.allSatisfy { $0.daysLeft >= 0 || $0.renewal == .undecided })
        let csm = lists.csmThisWeek
        #expect(!csm.isEmpty && csm.map { $0.acv ?? -1 } == csm.map { $0.acv ?? -1 }.sorted(by: >))
        // Past the window, progress is to the data's end: accounts that invited late are marked as such.
        let invite = try #require(Self.result.features.behaviours.first { $0.name == "invite_teammate" })
        let index = Dictionary(uniqueKeysWithValues: Self.result.features.customers.enumerated().map { ($1.id, $0) })
        for account in accounts where account.daysLeft < 0 {
            let toDate = invite.countSinceSignup(withinDays: nil, customer: index[account.id]!)
            #expect(account.progress.map(\.count) == [toDate], "\(account.id)")
            #expect(account.reachedLate == (toDate >= 2), "\(account.id)")
            #expect(account.action == .csmThisWeek || account.action == .pastWindow, "\(account.id)")
        }
        let lateOnes = Self.result.features.customers.indices.filter { c in
            let customer = Self.result.features.customers[c]
            return customer.outcome == .undecided && Self.result.dataEndDay - customer.signupDay >= window
                && invite.count(withinDays: window, customer: c) < 2 && invite.countSinceSignup(withinDays: nil, customer: c) >= 2
        }
        #expect(!lateOnes.isEmpty, "SampleData has late invites")
        #expect(lists.lateAccounts == lateOnes.count)
        // SampleData's late activators renew like those who never get there: late accounts are not safe, so listed.
        #expect(lists.timing?.lateActivationHelps == false)
        #expect(accounts.filter(\.reachedLate).count == lateOnes.count && lists.lateLeftOutAsSafe == 0)
        // at_risk.csv is the same split, account for account.
        let csv = DataFiles.atRisk(lists)
        #expect(csv.hasPrefix("customer_id,segment,acv,signup_date,days_since_signup,days_left_in_window,progress,days_since_last_activity,renewal,action\n"))
        let rows = csv.split(separator: "\n").dropFirst()
        #expect(rows.count == accounts.count)
        #expect(rows.map { String($0.split(separator: ",").last!) } == accounts.map(\.action.rawValue))
        #expect(rows.filter { $0.hasSuffix(",csm_this_week") }.count == csm.count)
        #expect(rows.filter { $0.contains("(met late)") }.count == lateOnes.count)
        let md = MarkdownReport.render(Self.result)
        #expect(md.contains("\(csm.count) high-ACV accounts for a CSM this week"))
        #expect(md.contains("**CSM this week** (ACV in the top quarter of their segment, past the nudge day, not activated in time, renewal not decided): \(csm.count) accounts"))
        #expect(md.contains("Not listed: \(lists.pastWindowOthers) accounts past their window"))
    }

    /// With the data's end moved to a few days after the latest signups, accounts are inside their window: the
    /// nudges due today (days left, progress, last activity), the ones not due yet, and high-ACV accounts for a CSM,
    /// in the report and in `at_risk.csv`.
    @Test func accountsInsideTheirWindowAreNudgedTodayOrForACSM() throws {
        var result = Self.result
        result.dataEndDay = try #require(result.features.customers.map(\.signupDay).max()) + 1
        let plan = ActionPlan(result)
        let lists = ActionLists(result, plan: plan)
        let nudge = lists.nudgeToday
        #expect(!nudge.isEmpty && lists.insideWindow > nudge.count)
        let nudgeDay = Dictionary(uniqueKeysWithValues: plan.playbook.map { ($0.segment, $0.nudgeDay) })
        for a in nudge {
            #expect(a.daysLeft >= 0 && a.daysSinceSignup >= nudgeDay[a.segment]!)
            #expect((a.acv ?? 0) < lists.highACV[a.segment]!)
            #expect(a.daysSinceLastActivity.map { $0 <= a.daysSinceSignup } ?? true)
        }
        #expect(nudge.map(\.daysLeft) == nudge.map(\.daysLeft).sorted())
        #expect(lists.accounts.filter { $0.action == .notDueYet }.allSatisfy { $0.daysLeft >= 0 && $0.daysSinceSignup < nudgeDay[$0.segment]! })
        #expect(lists.csmThisWeek.contains { $0.daysLeft >= 0 })
        let md = MarkdownReport.accountsToActOn(result, plan, lists)
        #expect(md.contains("**Nudge today** (inside their first 14 days, past their segment's nudge day, not there yet): \(nudge.count) accounts"))
        #expect(md.contains("| Days left |") && md.contains("| Last activity |") && md.contains("| Progress |"))
        #expect(!md.contains("nobody is inside"))
        let csv = DataFiles.atRisk(lists)
        #expect(csv.split(separator: "\n").filter { $0.hasSuffix(",nudge_today") }.count == nudge.count)
        #expect(csv.split(separator: "\n").filter { $0.hasSuffix(",not_due_yet") }.count == lists.notDueYet)
    }

    @Test func funnelNamesTheBiggestDrop() throws {
        let steps = ActionPlan(Self.result).funnel
        #expect(steps.first?.label == "signed up")
        #expect(steps.last?.label.hasPrefix("activated") == true)
        #expect(steps.map(\.customers) == steps.map(\.customers).sorted(by: >=))
        // Every step is nested in the one above, the last too; beside it, every account that reached the rule.
        let last = try #require(steps.last), reached = try #require(last.allReached)
        #expect(reached >= last.customers && steps.dropLast().allSatisfy { $0.allReached == nil })
        let rule = try #require(Self.result.proposal.chosen).candidate.definition
        let progress = try #require(ProposalProgress(proposal: Self.result.proposal, features: Self.result.features))
        let window = rule.windowDays, customers = Self.result.features.customers
        #expect(reached == customers.indices.filter { customers[$0].signupDay + window - 1 <= Self.result.dataEndDay && progress.reached($0) }.count)
        // On SampleData only one middle step loses anyone (login), so the funnel is not worth a section.
        let report = MarkdownReport.render(Self.result)
        #expect(!report.contains("### Onboarding funnel"))
        #expect(!report.contains("100.0%"))
    }

    @Test func whatChangedComparesWithThePreviousRun() throws {
        var previous = RunSummary(Self.result)
        previous.proposal = "create_automation ≥ 1 within 30 days"
        previous.holdoutAUC = 0.70
        previous.exports.removeLast()
        previous.exports[0].sha256 = "0000"
        let report = MarkdownReport.render(Self.result, previous: previous)
        let section = try #require(report.range(of: "## What changed since the last run")).upperBound
        let text = String(report[section...].prefix(900))
        #expect(text.contains("**Proposal changed**: create\\_automation ≥ 1 within 30 days → **invite\\_teammate ≥ 2 within"))
        #expect(text.contains("Holdout AUC 0.70 → "))
        #expect(text.contains("new `") && text.contains("events-2026-11.csv`; changed `"))
        #expect(text.contains("SampleData/events/events-2025-05.csv`."))
        #expect(MarkdownReport.render(Self.result).contains("This is the first run in this reports folder"))
        // Nothing changed: one line, not a list of unchanged figures.
        let same = MarkdownReport.render(Self.result, previous: RunSummary(Self.result))
        let unchanged = String(same[try #require(same.range(of: "## What changed since the last run")).upperBound...].prefix(200))
        #expect(unchanged.hasPrefix("\n\nNothing changed: the same exports, the same proposal and the same figures as the last run.\n\n## "))
        // The same exports read under other paths (the job started from another folder): still nothing changed.
        var moved = RunSummary(Self.result)
        for k in moved.exports.indices { moved.exports[k].path = "/elsewhere/" + moved.exports[k].path }
        let elsewhere = MarkdownReport.render(Self.result, previous: moved)
        #expect(elsewhere.contains("## What changed since the last run\n\nNothing changed"))
        // Fewer rows used (an exclusion added) is a change, even with the same rows read.
        var used = RunSummary(Self.result)
        used.eventRowsUsed = (used.eventRowsUsed ?? 0) + 5
        #expect(MarkdownReport.render(Self.result, previous: used).contains("Event rows used "))
    }
}
