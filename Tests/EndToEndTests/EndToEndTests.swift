import ActivationAnalysis
import ActivationCore
import ActivationPipeline
import ActivationReport
import ActivationTestSupport
import Foundation
import SampleDataGenerator
import Testing

@Suite("End to end on SampleData", .serialized)
struct EndToEndTests {
    /// The dirty set is damaged on purpose: 2.4% of its customer rows are rejected, above the default budget.
    static func run(_ customers: String, _ events: [String], out: String, rejectBudget: Double = 0.05) throws -> PipelineResult {
        var configuration = PipelineConfiguration(customersPath: customers, eventPaths: events, outputDirectory: out)
        configuration.rejectBudget = rejectBudget
        let result = try Pipeline.run(configuration)
        try ReportWriter().write(result, to: out)
        return result
    }

    @Test func committedSampleDataIsWhatTheGeneratorWrites() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try SampleGenerator(seed: 42).write(to: dir.path)
        let committed = Repository.root.appendingPathComponent("SampleData")
        let files = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".csv") }.sorted()
        let committedFiles = try FileManager.default.subpathsOfDirectory(atPath: committed.path).filter { $0.hasSuffix(".csv") }.sorted()
        #expect(files == committedFiles)
        for file in files {
            let a = try Data(contentsOf: dir.appendingPathComponent(file))
            let b = try Data(contentsOf: committed.appendingPathComponent(file))
            #expect(a == b, "SampleData/\(file) differs from the generator's output: run `make sample`")
        }
    }

    /// Recounts the proposed rule's follow-up rates (within 90 days, ever) by signup month straight from the raw
    /// SampleData exports, with none of the pipeline's code, and compares them with the report's cohort table.
    static func checkFollowUpRates(_ cohorts: CohortActivation, rule: ActivationRule, dataEndDay: Int) throws {
        func day(_ text: Substring) -> Int {
            let parts = text.prefix(10).split(separator: "-").map { Int($0)! }
            var components = DateComponents()
            (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            return Int(calendar.date(from: components)!.timeIntervalSince1970 / 86_400)
        }
        var signup: [Substring: (day: Int, month: Substring)] = [:]
        for line in try String(contentsOfFile: Repository.path("SampleData/customers.csv"), encoding: .utf8).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            signup[f[0]] = (day(f[1]), f[1].prefix(7))
        }
        let thresholds = Dictionary(uniqueKeysWithValues: rule.conditions.map { (Substring($0.behaviour), $0.threshold) })
        var within90: [Substring: [Substring: Int]] = [:], ever: [Substring: [Substring: Int]] = [:]
        let folder = Repository.path("SampleData/events")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where file.hasSuffix(".csv") {
            for line in try String(contentsOfFile: folder + "/" + file, encoding: .utf8).split(separator: "\n").dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                guard thresholds[f[1]] != nil, let customer = signup[f[0]] else { continue }
                // Seconds since signup midnight UTC: whole days plus the time of day.
                let time = f[2].dropFirst(11).prefix(8).split(separator: ":").map { Int($0)! }
                let offset = (day(f[2]) - customer.day) * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]
                guard offset >= 0 else { continue }
                let n = f.count > 4 && !f[4].isEmpty ? Int(f[4])! : 1
                ever[f[0], default: [:]][f[1], default: 0] += n
                if offset < 90 * 86_400 { within90[f[0], default: [:]][f[1], default: 0] += n }
            }
        }
        var expected: [Substring: (signups: Int, last: Int, within90: Int, ever: Int)] = [:]
        for (id, customer) in signup {
            func reached(_ counts: [Substring: [Substring: Int]]) -> Int {
                thresholds.allSatisfy { (counts[id]?[$0.key] ?? 0) >= $0.value } ? 1 : 0
            }
            var e = expected[customer.month] ?? (0, .min, 0, 0)
            e.signups += 1; e.last = max(e.last, customer.day); e.within90 += reached(within90); e.ever += reached(ever)
            expected[customer.month] = e
        }
        #expect(cohorts.rows.map { Substring($0.cohort) } == expected.keys.sorted())
        var measuredAt90 = 0
        for row in cohorts.rows {
            let e = try #require(expected[Substring(row.cohort)])
            #expect(row.signups == e.signups)
            let ever = try #require(row.rates[.ever] ?? nil)
            #expect(ever.reached == e.ever && ever.of == e.signups, "\(row.cohort) ever")
            if e.last + 89 <= dataEndDay {
                let at90 = try #require(row.rates[.days(90)] ?? nil)
                #expect(at90.reached == e.within90, "\(row.cohort) within 90 days")
                measuredAt90 += 1
            } else {
                #expect(row.rates[.days(90)] ?? nil == nil, "\(row.cohort): too recent for 90 days")
            }
            // More time can only add customers who reached it.
            let at30 = row.rates[.days(30)] ?? nil
            #expect(at30.map { $0.reached <= e.within90 } ?? true)
            #expect(e.within90 <= e.ever)
        }
        #expect(measuredAt90 >= 12)
        #expect(cohorts.rows.contains { r in (r.rates[.ever] ?? nil).map { $0.reached > ((r.rates[.days(30)] ?? nil)?.reached ?? .max) } ?? false })
    }

    @Test func findsThePlantedTruths() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try Self.run(Repository.path("SampleData/customers.csv"), [Repository.path("SampleData/events")], out: out.path)

        // The planted threshold effect is the proposal, and it is strong.
        let chosen = try #require(result.proposal.chosen)
        #expect(chosen.candidate.behaviour == "invite_teammate")
        #expect(chosen.candidate.threshold == 2)
        #expect(result.proposal.strength == .strong)
        #expect((chosen.candidate.medianDayReached ?? 99) <= 7)
        // login is near-universal and must not be proposed.
        let login = result.ranking.all.first { $0.name == "login" }!
        #expect((login.scan.first { $0.threshold == 1 && $0.windowDays == 30 }?.table.reachRate ?? 0) > 0.95)
        // The rare always-renews behaviour fails on reach.
        let sso = try #require(result.proposal.evaluations.first { $0.candidate.behaviour == "set_up_sso" })
        #expect(sso.failures.map(\.name).contains { $0.hasPrefix("reach") })
        #expect(sso.candidate.table.renewRateReached == 1)
        // The strong but late behaviour ranks above the proposal and fails on week 1.
        let automation = try #require(result.proposal.evaluations.first { $0.candidate.behaviour == "create_automation" })
        #expect(automation.candidate.youdenJ > chosen.candidate.youdenJ)
        #expect(automation.failures.map(\.name) == [automation.criteria[1].name])
        // Out of sample: chosen on earlier signups, strong on the most recent 30%, with a DeLong interval.
        #expect(result.split.holdout.count > 350)
        #expect(chosen.diagnostics.holdoutAUC.auc >= 0.75)
        #expect(chosen.diagnostics.holdoutAUC.confidenceInterval().lowerBound > 0.7)
        // It is no proxy for activity: the adjusted odds ratio stays far above 1.
        #expect((chosen.diagnostics.adjusted?.interval?.lowerBound ?? 0) > 5)
        // The joint driver model: the activation behaviour drives, its near-copy is grouped with it, the behaviour
        // that rides on activity is harmful although it looks good alone, the activity proxy is no driver.
        let drivers = result.drivers
        #expect(drivers.estimate("invite_teammate")?.role == .driver)
        #expect(drivers.estimate("invite_email_sent")?.role == .duplicate)
        #expect(drivers.estimate("invite_email_sent")?.groupLead == "invite_teammate")
        let harmful = try #require(drivers.estimate("dismiss_checklist"))
        #expect(harmful.role == .harmful)
        #expect((harmful.univariateCoefficient ?? 0) > 0 && (harmful.jointInterval?.upperBound ?? 0) < 0)
        #expect(drivers.estimate("view_notifications")?.role == .proxy)
        #expect(drivers.estimate("login")?.role == .proxy)
        // Harmful behaviours are never proposed, never a funnel step; the runner-up comes from another group.
        #expect(!result.proposal.evaluations.contains { $0.candidate.definition.behaviours.contains("dismiss_checklist") && $0.qualifies })
        #expect(!ActionPlan(result).funnel.contains { if case .behaviour(let name, _) = $0.kind { name == "dismiss_checklist" || name == "invite_email_sent" } else { false } })
        if let runner = result.proposal.runnerUp {
            #expect(!runner.candidate.definition.behaviours.contains { $0 == "invite_teammate" || $0 == "invite_email_sent" })
        }
        // The behaviour that leads pooled only through its segments is exposed within segments.
        let calendar = try #require(drivers.estimate("sync_calendar"))
        #expect(calendar.pooledAUC.auc - calendar.stratifiedAUC > 0.05)
        #expect(abs(calendar.stratifiedAUC - 0.5) < 0.03)
        // The plateau: the rule chosen is the simplest of several equally good ones.
        let plateau = try #require(result.ranking.all.first { $0.name == "invite_teammate" }?.plateau)
        #expect(plateau.count >= 2)
        #expect(plateau.first?.definition == chosen.candidate.definition)
        #expect(plateau.contains { $0.youdenJ >= chosen.candidate.youdenJ && $0.definition != chosen.candidate.definition })
        // The verdict knows its doubt, and the whole selection is stable under resampling.
        let verdict = try #require(result.proposal.verdict)
        #expect(verdict.strength == .strong && verdict.interval.lowerBound >= 0.75)
        let stability = try #require(result.stability)
        #expect(stability.resamples == 200 && stability.sameBehaviour >= 0.8 && stability.strong >= 0.5)
        // Late activators renew less than week-1 activators.
        let early = try #require(result.earlyActivation)
        let week1 = try #require(early.rows.first { $0.bucket == .days(first: 0, last: 6) }?.renewalRate)
        let late = try #require(early.rows.first { $0.bucket == .days(first: 30, last: 89) }?.renewalRate)
        #expect(week1 > late + 0.3)
        #expect((early.churnRatioWeekOne?.interval.upperBound ?? 1) < 1)
        let experiment = try #require(result.experiment)
        #expect((experiment.overall.perArm ?? 0) > 10 && experiment.bySegment.count == 3)
        // Time to value and cohort activation exist for the proposal.
        let ttv = try #require(result.timeToValue)
        #expect(ttv.overall.quantiles.first { $0.share == 0.25 }?.day != nil)
        #expect(ttv.overall.quantiles.first { $0.share == 0.9 }?.day == nil)  // fewer than 90% ever get there
        #expect(ttv.bySegment.map(\.name) == ["enterprise", "mid-market", "self-serve"])
        let cohorts = try #require(result.cohortActivation)
        #expect(cohorts.rows.count >= 18)
        #expect(cohorts.horizons == [.days(chosen.candidate.windowDays), .days(30), .days(90), .ever])
        #expect(cohorts.rows.last?.rates[.days(30)] ?? nil == nil)  // the latest month has no 30 days of data yet
        try Self.checkFollowUpRates(cohorts, rule: chosen.candidate.definition, dataEndDay: result.dataEndDay)
        // Support contacts are the warning sign, clearly below 0.5.
        #expect(result.ranking.warningSigns.map(\.name) == ["contact_support", "dismiss_checklist"])
        #expect(result.ranking.noClearLink.contains { $0.name == "view_dashboard" } || result.ranking.candidates.contains { $0.name == "view_dashboard" })
        let support = try #require(result.ranking.warningSigns.first)
        #expect(support.name == "contact_support")
        #expect(support.model.auc.confidenceInterval().upperBound < 0.5)

        // Rows add up; undecided customers are counted, not fitted.
        #expect(result.eventRowsRead == result.eventRowsUsed + result.eventRowsBeforeSignup + result.eventRowsAfterWindow
                + result.eventRowsExcluded + result.eventRowsDuplicate + result.eventRowsRejected)
        #expect(result.eventRowsAfterWindow > 0 && result.eventRowsBeforeSignup > 0)
        #expect(result.eventRowsRejected == 0)
        let undecided = result.customers.table.customers.filter { $0.outcome == .undecided }.count
        #expect(undecided > 0)
        #expect(result.features.decidedCustomers.count + undecided == result.customers.table.count)

        let report = try String(contentsOf: out.appendingPathComponent("latest/activation-report.md"), encoding: .utf8)
        #expect(report.contains("**The rule:** get every new customer to do `invite_teammate` at least 2 times within \(chosen.candidate.windowDays) days of signing up."))
        for section in ["## This week", "## What to do", "## The evidence", "### Behaviours and their best rules, strongest first",
                        "### Does activating early matter?", "### The proposed rule by segment", "### Stability by signup quarter",
                        "### Time to value", "### Time to value by signup month", "### Activation rate by signup month", "### Warning signs", "## Accounts to act on now",
                        "## How sure, and what would prove it", "### What would prove it",
                        "## What changed since the last run", "## Data and method", "### Criteria"] {
            #expect(report.contains("\n" + section), "\(section)")
        }
        let thresholds = try String(contentsOf: out.appendingPathComponent("latest/thresholds.csv"), encoding: .utf8)
        let thresholdRows = thresholds.split(separator: "\n")
        #expect(thresholdRows.count == 1 + result.ranking.all.reduce(0) { $0 + $1.scan.count } + result.combinations.count)
        #expect(thresholdRows.filter { $0.hasSuffix(",true") }.count == 1)  // exactly one proposed row
        #expect(report.contains("not decided yet"))
        for file in ["behaviours.csv", "thresholds.csv", "features.csv", "rejects.csv", "run.json", "drivers.csv"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("latest").appendingPathComponent(file).path), "\(file)")
        }
        let behaviours = try String(contentsOf: out.appendingPathComponent("latest/behaviours.csv"), encoding: .utf8)
        #expect(behaviours.hasPrefix("rank,behaviour,role,customers,reached_any,auc,auc_ci_low,auc_ci_high,cv_auc,intercept,coef,odds_ratio,std_error,p_value,best_threshold,best_window_days,reach_rate,renew_rate_reached,renew_rate_not_reached,"))
        #expect(behaviours.split(separator: "\n").count == result.features.behaviours.count + 1)
        let features = try String(contentsOf: out.appendingPathComponent("latest/features.csv"), encoding: .utf8)
        #expect(features.split(separator: "\n").count == result.customers.table.count + 1)
    }

    /// Two runs on the same input into fresh reports folders (so that "what changed" has the same previous run:
    /// none) write the same bytes.
    @Test func sameInputGivesByteIdenticalOutput() throws {
        // Every file the run writes but run.json, whichever there are (the charts come with a proposal).
        func snapshot() throws -> ([String: Data], String) {
            let out = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: out) }
            _ = try Self.run(Repository.path("SampleData/dirty/customers.csv"), [Repository.path("SampleData/dirty/events")], out: out.path)
            // run.json may differ only in its timings block.
            let json = try String(contentsOf: out.appendingPathComponent("latest/run.json"), encoding: .utf8)
            let start = try #require(json.range(of: "\"timings_seconds\" : {"))
            let end = try #require(json[start.upperBound...].range(of: "}"))
            #expect(json.contains("\"ingest\""))
            // ... and in the output folder it names.
            let withoutTimings = String(json[..<start.lowerBound]) + String(json[end.upperBound...])
            let withoutFolder = withoutTimings.split(separator: "\n").filter { !$0.contains("\"output_directory\"") }.joined(separator: "\n")
            let latest = out.appendingPathComponent("latest")
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: latest.path) where name != "run.json" {
                files[name] = try Data(contentsOf: latest.appendingPathComponent(name))
            }
            return (files, withoutFolder)
        }
        let first = try snapshot(), second = try snapshot()
        #expect(first.0.count >= 9 && Set(first.0.keys) == Set(second.0.keys))
        for (file, bytes) in first.0 { #expect(bytes == second.0[file], "\(file)") }
        #expect(first.1 == second.1)
    }

    /// The feature files written while the analysis runs (`FeatureFilesAhead`) are the files the report writer would
    /// have written, with the same digests in the report memo, and their folder is gone once the reports are out.
    @Test func featureFilesWrittenAheadAreTheSameFilesAndLeaveNothingBehind() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let configuration = PipelineConfiguration(customersPath: Repository.path("SampleData/customers.csv"),
                                                  eventPaths: [Repository.path("SampleData/events")], outputDirectory: dir.path)
        let result = try Pipeline.run(configuration)
        let plain = dir.appendingPathComponent("plain"), early = dir.appendingPathComponent("ahead")
        try ReportWriter(runName: "2026-11-01").write(result, to: plain.path, memoKey: "k")
        let ahead = FeatureFilesAhead(result.features, dataEndDay: result.dataEndDay, root: early.path)
        try ReportWriter(runName: "2026-11-01").write(result, to: early.path, memoKey: "k", ahead: ahead)
        ahead.discard()
        let fm = FileManager.default
        let names = try fm.contentsOfDirectory(atPath: plain.appendingPathComponent("latest").path).sorted()
        #expect(names.contains("first_window_daily.csv") && names.contains("features.csv"))
        #expect(try fm.contentsOfDirectory(atPath: early.appendingPathComponent("latest").path).sorted() == names)
        for name in names + ["../cache/report-memo"] {
            let a = try Data(contentsOf: plain.appendingPathComponent("latest/" + name))
            #expect(a == (try Data(contentsOf: early.appendingPathComponent("latest/" + name))), "\(name)")
        }
        #expect(try fm.contentsOfDirectory(atPath: early.path).sorted() == ["cache", "latest", "runs"])
        #expect(try fm.contentsOfDirectory(atPath: early.appendingPathComponent("runs/2026-11-01").path).sorted() == names)
    }

    @Test func dirtyDataIsAccountedRowByRow() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try Self.run(Repository.path("SampleData/dirty/customers.csv"), [Repository.path("SampleData/dirty/events")], out: out.path)
        let reasons = Set(result.rejects.map(\.reason))
        // No invalidACV: an unusable ACV is a field warning, the customer stays (issue 17, item 5).
        #expect(result.customers.fieldWarnings == ["acv": 1])
        #expect(reasons == [.unparsableSignupDate, .unrecognisedRenewal, .emptyCustomerID, .wrongFieldCount,
                            .conflictingDuplicateCustomer, .unparsableTimestamp, .invalidCount, .unknownCustomer,
                            .malformedCSV, .emptyEvent, .invalidUTF8, .unterminatedQuote, .eventBeforeSignup])
        #expect(result.eventRowsRejected == 11)
        #expect(result.customers.rejects.count == 5)
        #expect(result.customers.identicalDuplicates == 1)
        #expect(result.eventRowsRead == result.eventRowsUsed + result.eventRowsBeforeSignup + result.eventRowsAfterWindow
                + result.eventRowsExcluded + result.eventRowsDuplicate + result.eventRowsRejected)
        // The quoted comma and the quoted newline are valid rows, read as behaviours.
        let names = result.features.behaviours.map(\.name)
        #expect(names.contains("export, csv") && names.contains("multi\nline"))
        // Every reject is in rejects.csv with file and line.
        let rejects = try String(contentsOf: out.appendingPathComponent("latest/rejects.csv"), encoding: .utf8)
        #expect(rejects.hasPrefix("file,line,column,reason,detail,raw\n"))
        for r in result.rejects { #expect(rejects.contains("\(r.file),\(r.line),")) }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("latest/run.json"))) as! [String: Any]
        let events = json["events"] as! [String: Any]
        #expect(events["rejected"] as? Int == 11)
        let files = events["files"] as! [[String: Any]]
        #expect(files.allSatisfy { ($0["sha256"] as? String)?.count == 64 })
    }

    @Test func aFailedRunLeavesThePreviousReportsUntouched() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try Self.run(Repository.path("SampleData/dirty/customers.csv"), [Repository.path("SampleData/dirty/events")], out: out.path)
        let before = try Data(contentsOf: out.appendingPathComponent("latest/activation-report.md"))
        let bad = temporaryDirectory("bad")
        defer { try? FileManager.default.removeItem(at: bad) }
        write("customer_id,signup_date,renewed\na,2026-01-01,\n", to: bad.appendingPathComponent("customers.csv"))
        #expect(throws: InputError.self) {
            try Self.run(bad.appendingPathComponent("customers.csv").path, [Repository.path("SampleData/dirty/events")], out: out.path)
        }
        #expect(try Data(contentsOf: out.appendingPathComponent("latest/activation-report.md")) == before)
    }

    @Test func dirtySetConfigMergesTheRenamedEventAndDropsTheOverlappingReExport() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        var configuration = try ConfigurationFile(path: Repository.path("SampleData/dirty/activation.toml")).configuration
        configuration.outputDirectory = out.path
        configuration.allowedRoots = nil
        let result = try Pipeline.run(configuration)
        let overlap = try #require(result.eventFiles.first { $0.path.hasSuffix("events-c-overlap.csv") })
        #expect(overlap.rowsRead == 150)
        #expect(overlap.used == 0)
        #expect(overlap.duplicates == 150)
        #expect(result.eventRowsDuplicate == overlap.duplicates)
        #expect(!result.features.behaviours.map(\.name).contains("Invite Sent"))
        // Without the config the re-export counts twice and "Invite Sent" is a behaviour of its own.
        let plain = try Self.run(Repository.path("SampleData/dirty/customers.csv"), [Repository.path("SampleData/dirty/events")], out: out.path)
        #expect(plain.eventRowsUsed == result.eventRowsUsed + overlap.duplicates)
        #expect(plain.features.behaviours.map(\.name).contains("Invite Sent"))
    }

    /// Without the true driver in the exports (its two invite events excluded), the best-ranked rules left are
    /// proxies riding on activity: the proposal must be a behaviour with an effect of its own in the joint model,
    /// never a proxy, and every rule made only of proxies fails the joint-model criterion.
    @Test func withoutTheTrueDriverAProxyIsNeverProposed() throws {
        var configuration = try ConfigurationFile(path: Repository.path("SampleData/activation.toml")).configuration
        configuration.allowedRoots = nil
        configuration.naming.excluded += ["invite_*"]
        configuration.outputDirectory = temporaryDirectory().path
        let result = try Pipeline.run(configuration)
        let roles = JointRoles(result.drivers)
        #expect(!roles.proxies.isEmpty)
        let chosen = try #require(result.proposal.chosen)
        #expect(!chosen.candidate.definition.behaviours.allSatisfy(roles.proxies.contains), "proposed \(chosen.candidate.rule)")
        #expect(result.drivers.estimate(chosen.candidate.behaviour)?.role == .driver)
        for e in result.proposal.evaluations where e.candidate.definition.behaviours.allSatisfy(roles.proxies.contains) {
            #expect(e.failures.contains { $0.criterion == .ownEffect }, "\(e.candidate.rule)")
        }
        // The funnel never shows a proxy or harmful behaviour as a step.
        let plan = ActionPlan(result)
        for step in plan.funnel { if case .behaviour(let name, _) = step.kind { #expect(!roles.excluded.contains(name)) } }
    }

    @Test func theSampleConfigKeepsTheLeakingBillingEventOutOfTheCandidates() throws {
        var configuration = try ConfigurationFile(path: Repository.path("SampleData/activation.toml")).configuration
        configuration.allowedRoots = nil
        let result = try Pipeline.run(configuration)
        #expect(result.eventRowsExcluded > 100)
        #expect(!result.features.behaviours.contains { $0.name == "billing_annual_prepay" })
        #expect(result.exportNames.contains { $0.name == "billing_annual_prepay" && $0.resolution == .excluded("billing_*") })
        #expect(result.proposal.chosen?.candidate.behaviour == "invite_teammate")
        // Without the exclusion it would be scanned like any behaviour: 99% of those who prepay "renew".
        let plain = try Self.run(Repository.path("SampleData/customers.csv"), [Repository.path("SampleData/events")], out: temporaryDirectory().path)
        let leak = try #require(plain.ranking.all.first { $0.name == "billing_annual_prepay" })
        #expect((leak.best?.table.renewRateReached ?? 0) > 0.95)
    }
}
