import ActivationCore
import ActivationFastPaths
import ActivationTestSupport
import Foundation
import Testing

/// Issue 17, "Never silently wrong": each case through the built binary, with its exit status, its message and,
/// when the run stops, `latest/` exactly as before.
@Suite("Never silently wrong", .serialized)
struct NeverSilentlyWrongTests {
    /// A small synthetic export set: `count` customers signing up one a day from 2025-01-01, 60% renewing,
    /// renewers invite more; every customer has a late event 100 days after signup (the data's end).
    struct Fixture {
        let dir: URL
        var customersFile: URL { dir.appendingPathComponent("customers.csv") }
        var eventsDir: URL { dir.appendingPathComponent("events") }
        var eventsFile: URL { eventsDir.appendingPathComponent("events.csv") }
        var out: URL { dir.appendingPathComponent("out") }
        var customerRows: [String] = []
        var eventRows: [String] = []

        init(_ name: String = #function, count: Int = 200) {
            dir = temporaryDirectory("nsw-" + name.filter { $0.isLetter })
            try? FileManager.default.createDirectory(at: dir.appendingPathComponent("events"), withIntermediateDirectories: true)
            for i in 0..<count {
                let signup = day(2025, 1, 1) + i
                let renewed = (i * 7) % 10 < 6
                customerRows.append("c\(i),\(Self.date(signup)),\(renewed ? "yes" : "no"),\(i % 2 == 0 ? "smb" : "ent"),\(1000 + i)")
                eventRows.append("c\(i),login,\(Self.date(signup))T09:00:00Z,c\(i)-u1,")
                let invites = renewed ? 2 + i % 3 : i % 2
                for k in 0..<invites { eventRows.append("c\(i),invite_teammate,\(Self.date(signup + 1 + k))T10:00:00Z,c\(i)-u\(k % 2 + 1),") }
                for k in 0..<(i % 4) { eventRows.append("c\(i),message,\(Self.date(signup + 2 + k))T11:00:00Z,c\(i)-u1,") }
                eventRows.append("c\(i),login,\(Self.date(signup + 100))T09:00:00Z,c\(i)-u1,")
            }
        }

        static func date(_ day: Int) -> String { TimestampParser.dateString(day: day) }

        func write(customerHeader: String = "customer_id,signup_date,renewed,segment,acv",
                   eventHeader: String = "customer_id,event,timestamp,user_id,count") {
            ActivationTestSupport.write(([customerHeader] + customerRows).joined(separator: "\n") + "\n", to: customersFile)
            ActivationTestSupport.write(([eventHeader] + eventRows).joined(separator: "\n") + "\n", to: eventsFile)
        }

        var arguments: [String] {
            ["run", "--customers", customersFile.path, "--events", eventsDir.path, "--out", out.path, "--no-cache"]
        }

        func file(_ name: String) -> String { (try? String(contentsOf: out.appendingPathComponent("latest/" + name), encoding: .utf8)) ?? "" }

        /// The bytes of every file in `latest/`, to show that a stopped run left it as it was.
        func latestSnapshot() -> [String: Data] {
            let latest = out.appendingPathComponent("latest")
            var files: [String: Data] = [:]
            for name in (try? FileManager.default.contentsOfDirectory(atPath: latest.path)) ?? [] {
                files[name] = FileManager.default.contents(atPath: latest.appendingPathComponent(name).path)
            }
            return files
        }

        func checks() throws -> [String: Any] {
            let object = try JSONSerialization.jsonObject(with: Data(file("run.json").utf8)) as? [String: Any]
            return object?["checks"] as? [String: Any] ?? [:]
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    static func activation(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        try CommandLineTests.activation(arguments)
    }

    /// Runs the executable under `ulimit -v` (its address space, in KiB), through /bin/sh.
    static func activation(_ arguments: [String], addressSpaceKiB: Int) throws -> (status: Int32, stderr: String) {
        try CommandLineTests.run(URL(fileURLWithPath: "/bin/sh"),
                                 ["-c", "ulimit -v \(addressSpaceKiB) && exec \"$0\" \"$@\"",
                                  Repository.root.appendingPathComponent(".build/debug/activation").path] + arguments)
    }

    /// Runs `arguments` (under `ulimit -v` when `addressSpaceKiB` is given), expects the stop with exit `status`,
    /// one line containing `message`, and `latest/` unchanged.
    static func expectStop(_ fixture: Fixture, _ arguments: [String], status expected: Int32 = 65, message: String,
                           addressSpaceKiB: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = fixture.latestSnapshot()
        let (status, stderr) = try addressSpaceKiB.map { try activation(arguments, addressSpaceKiB: $0) } ?? activation(arguments)
        #expect(status == expected, "\(stderr)", sourceLocation: sourceLocation)
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)", sourceLocation: sourceLocation)
        #expect(stderr.contains(message), "\(stderr)", sourceLocation: sourceLocation)
        #expect(fixture.latestSnapshot() == before, sourceLocation: sourceLocation)
    }

    /// A baseline run, so that `latest/` exists before the broken one.
    static func baseline(_ fixture: Fixture) throws {
        let (status, stderr) = try activation(fixture.arguments)
        #expect(status == 0, "\(stderr)")
        #expect(!fixture.latestSnapshot().isEmpty)
    }

    // MARK: 1. A sentinel timestamp does not move the data's end.

    @Test func item1SentinelTimestampIsRejectedAndTheDataEndStays() throws {
        var f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        let end = f.file("activation-report.md").split(separator: "\n").first { $0.hasPrefix("*Data through") } ?? ""
        #expect(end.hasPrefix("*Data through 2025-10-27"))
        f.eventRows.append("c5,message,9999-12-31T23:59:59Z,c5-u1,")
        f.write()
        let (status, stderr) = try Self.activation(f.arguments)
        #expect(status == 0, "\(stderr)")
        let report = f.file("activation-report.md")
        #expect(report.split(separator: "\n").first { $0.hasPrefix("*Data through") } == end)
        #expect(report.contains("1 event rows stamped in the future were rejected (rejects.csv: timestamp_in_future); the data's end is the latest usable event."))
        #expect(f.file("rejects.csv").contains("timestamp_in_future"))
        #expect(try f.checks()["event_rows_in_future"] as? Int == 1)
        #expect(!f.file("at_risk.csv").contains("2914"))
        // analysis.data_end fixes the end, and the report says where it came from.
        let (fixed, fixedError) = try Self.activation(f.arguments + ["--data-end", "2025-10-20", "--reject-budget", "0.05"])
        #expect(fixed == 0, "\(fixedError)")
        let fixedReport = f.file("activation-report.md")
        #expect(fixedReport.contains("*Data through 2025-10-20"))
        #expect(fixedReport.contains("as analysis.data_end sets it"))
        #expect(try f.checks()["data_end_configured"] as? Bool == true)
    }

    // MARK: 2. No usable evidence stops with 65 and keeps latest/.

    @Test func item2HeaderOnlyExportStops() throws {
        var f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        let rows = f.eventRows
        f.eventRows = []
        f.write()
        try Self.expectStop(f, f.arguments, message: "no event rows at all (header only?)")
        f.eventRows = rows
    }

    /// The same export twice under two names (a re-unload left next to the first) would count every event twice:
    /// the run stops naming both, unless de-duplication is on, which drops the copy's rows as duplicates.
    @Test func item2TheSameExportTwiceStopsUnlessDeduplicating() throws {
        let f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        let copy = f.eventsDir.appendingPathComponent("events-copy.csv")
        try FileManager.default.copyItem(at: f.eventsFile, to: copy)
        try Self.expectStop(f, f.arguments, message: "events.csv has the same bytes as \(copy.path)")
        let (status, stderr) = try Self.activation(f.arguments + ["--deduplicate"])
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("\(f.eventRows.count) duplicates"), "\(stderr)")
    }

    @Test func item2EventsOnlyForUndecidedCustomersStop() throws {
        var f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        // Every customer with events is undecided; the decided ones have none.
        f.customerRows = f.customerRows.map { row in
            var fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if Int(fields[0].dropFirst())! < 100 { fields[2] = "" }
            return fields.joined(separator: ",")
        }
        f.eventRows = f.eventRows.filter { Int($0.split(separator: ",")[0].dropFirst())! < 100 }
        f.write()
        try Self.expectStop(f, f.arguments + ["--accept-drop"], message: "none belongs to one of the 100 customers with a decided renewal")
    }

    @Test func item2MillisecondsReadAsSecondsStop() throws {
        var f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        f.eventRows = f.eventRows.map { row in
            var fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let seconds = Int(ISO8601DateFormatter().date(from: fields[2])!.timeIntervalSince1970)
            fields[2] = String(seconds * 1000)
            return fields.joined(separator: ",")
        }
        f.write()
        try Self.expectStop(f, f.arguments + ["--timestamp-format", "epoch_seconds"], message: "timestamp_in_future")
        // Read as what they are, they give the baseline's answer.
        let (status, stderr) = try Self.activation(f.arguments + ["--timestamp-format", "epoch_milliseconds"])
        #expect(status == 0, "\(stderr)")
    }

    @Test func item2CircuitBreakerStopsOnAHalfEmptyExport() throws {
        var f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        let all = f.eventRows
        f.eventRows = Array(all.prefix(all.count * 2 / 5))
        f.write()
        try Self.expectStop(f, f.arguments, message: "used event rows fell from")
        // Configurable, and overridable when the fall is wanted.
        let (loose, looseError) = try Self.activation(f.arguments + ["--accept-drop"])
        #expect(loose == 0, "\(looseError)")
        // Fewer decided customers: also a stop.
        f.eventRows = all
        f.write()
        try Self.baseline(f)
        let customers = f.customerRows
        f.customerRows = customers.map { row in
            var fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if Int(fields[0].dropFirst())! % 3 != 0 { fields[2] = "" }
            return fields.joined(separator: ",")
        }
        f.write()
        try Self.expectStop(f, f.arguments, message: "decided customers fell from 200 to 67")
    }

    // MARK: 3. Too few renewals or churners: no claim.

    @Test func item3SingleChurnerMakesNoClaim() throws {
        var f = Fixture()
        defer { f.remove() }
        f.customerRows = f.customerRows.enumerated().map { i, row in
            var fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[2] = i == 7 ? "no" : "yes"
            return fields.joined(separator: ",")
        }
        f.write()
        let (status, stderr) = try Self.activation(f.arguments)
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("no behaviour qualifies"))
        let report = f.file("activation-report.md")
        #expect(report.contains("**Not enough evidence to name an activation event, or any warning sign.**"))
        #expect(!report.contains("No behaviour goes with renewal more than chance would give"))
        let behaviours = f.file("behaviours.csv")
        #expect(!behaviours.contains("warning_sign") && !behaviours.contains(",candidate,"))
        let checks = try f.checks()
        #expect(checks["enough_evidence"] as? Bool == false)
        #expect((checks["training_churned"] as? Int ?? 0) + (checks["holdout_churned"] as? Int ?? 0) == 1)
        // The minimum is configurable.
        let (low, _) = try Self.activation(f.arguments + ["--min-outcomes", "1", "--out", f.dir.appendingPathComponent("low").path])
        #expect(low == 0)
    }

    // MARK: 4. Signups after the data's end; windows not over.

    @Test func item4SignupAfterTheDataEndIsRejectedAndOpenWindowsAreNotFitted() throws {
        var f = Fixture()
        defer { f.remove() }
        f.customerRows.append("late,2031-01-01,yes,smb,100")
        // Signs up 10 days before the data's end (2025-10-27): its 30-day window is not over.
        f.customerRows.append("young,2025-10-17,no,smb,100")
        f.eventRows.append("young,login,2025-10-17T09:00:00Z,young-u1,")
        f.write()
        let (status, stderr) = try Self.activation(f.arguments)
        #expect(status == 0, "\(stderr)")
        let rejects = f.file("rejects.csv")
        #expect(rejects.contains("customers.csv,202,signup_date,signup_after_data_end"))
        let checks = try f.checks()
        #expect(checks["signups_after_data_end"] as? Int == 1)
        #expect(checks["decided_window_open"] as? Int == 1)
        let report = f.file("activation-report.md")
        #expect(report.contains("1 decided customers whose first window is not over by the data's end were not used to fit"))
        #expect(report.contains("1 customers signing up after the data's end were rejected"))
    }

    /// A window longer than the data reaches leaves no decided customer to fit: a stop, not a crash of the models
    /// (every decided customer's window is open, so the analysis had no one; found while testing item 11).
    @Test func item4AWindowLongerThanTheDataStops() throws {
        let f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        try Self.expectStop(f, f.arguments + ["--window-days", "366"],
                            message: "none of the 200 customers with a decided renewal has had its first 366 days by the data's end (2025-10-27): nothing to fit; shorten the window")
    }

    // MARK: 5. An invalid optional field keeps the customer.

    @Test func item5InvalidACVKeepsTheCustomerAndItsEvents() throws {
        var f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        let behaviours = f.file("behaviours.csv")
        f.customerRows = f.customerRows.enumerated().map { i, row in
            guard i % 10 == 3 else { return row }
            var fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[4] = "N/A"
            return fields.joined(separator: ",")
        }
        f.write()
        let (status, stderr) = try Self.activation(f.arguments)
        #expect(status == 0, "\(stderr)")
        #expect(!f.file("rejects.csv").contains("unknown_customer"))
        #expect(f.file("behaviours.csv") == behaviours)
        #expect(try f.checks()["field_warnings"] as? [String: Int] == ["acv": 20])
        #expect(f.file("activation-report.md").contains("20 customers have an unusable acv value, left blank"))
    }

    // MARK: 8. Named but missing columns, duplicated header names.

    @Test func item8NamedMissingColumnsAndDuplicatedNamesAreErrors() throws {
        let f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        try Self.expectStop(f, f.arguments + ["--count-column", "event_count"],
                            message: "events.csv:1: missing required column 'event_count'; columns found: 'customer_id', 'event', 'timestamp', 'user_id', 'count'")
        try Self.expectStop(f, f.arguments + ["--user-column", "no_such_column"], message: "missing required column 'no_such_column'")
        try Self.expectStop(f, f.arguments + ["--acv-column", "contract_value"], message: "customers.csv:1: missing required column 'contract_value'")
        f.write(eventHeader: "customer_id,event,timestamp,user_id,Event")
        try Self.expectStop(f, f.arguments, message: "events.csv:1: the header names column 'Event' twice (fields 2 and 5)")
        f.write(customerHeader: "customer_id,signup_date,renewed,segment,renewed")
        try Self.expectStop(f, f.arguments, message: "customers.csv:1: the header names column 'renewed' twice")
    }

    // MARK: 7. De-duplication covers every day the report counts.

    @Test func item7OverlappingReExportIsDeduplicatedPastDay90() throws {
        let f = Fixture()
        defer { f.remove() }
        f.write()
        let (clean, cleanError) = try Self.activation(f.arguments + ["--deduplicate"])
        #expect(clean == 0, "\(cleanError)")
        let daily = f.file("first_window_daily.csv"), behaviours = f.file("behaviours.csv")
        // Every customer has a login on day 100: the day-90 follow-up rows carry it.
        #expect(daily.contains("c5,login,90,1,,2025-10-27"))
        // A re-export of everything, overlapping completely.
        try FileManager.default.copyItem(at: f.eventsFile, to: f.eventsDir.appendingPathComponent("events-2-reexport.csv"))
        let (status, stderr) = try Self.activation(f.arguments + ["--deduplicate"])
        #expect(status == 0, "\(stderr)")
        #expect(f.file("first_window_daily.csv") == daily)
        #expect(f.file("behaviours.csv") == behaviours)
        let events = try JSONSerialization.jsonObject(with: Data(f.file("run.json").utf8)) as? [String: Any]
        #expect((events?["events"] as? [String: Any])?["duplicates"] as? Int == f.eventRows.count)
    }

    // MARK: 11. Out of memory: stopped by the estimate before allocating, not by the allocator's crash.

    /// 8,000 customers, 61 behaviours, each customer doing 17 of them (136,000 pairs, and one more after the window),
    /// under `ulimit -v` 1 GB. At 30 days the run fits (the limit is real and does not reject a run that fits); at 366
    /// days the pairs' daily counts are 136,000 × 366 × 4 bytes = 200 MB in the run, as much in the export being
    /// merged, and the estimate (with its margin for the exports in flight) says more than the limit: the allocator
    /// used to abort (exit 134 with a backtrace). The estimate stops the run before merging, with exit 71, the figures and the fix, and `latest/`
    /// as it was; excluding the behaviours makes it fit.
    @Test func item11OutOfMemoryStopsWithTheEstimateTheLimitAndTheFix() throws {
        var f = Fixture(count: 0)
        defer { f.remove() }
        for i in 0..<8_000 {
            let signup = Fixture.date(day(2024, 1, 1) + i % 300)
            f.customerRows.append("c\(i),\(signup),\(i % 3 == 0 ? "no" : "yes"),smb,100")
            for k in 0..<16 { f.eventRows.append("c\(i),b\((i + k) % 60),\(signup)T10:00:00Z,c\(i)-u1,") }
            f.eventRows.append("c\(i),login,\(signup)T11:00:00Z,c\(i)-u1,")
        }
        // The data reaches far enough for every 366-day window to be over.
        f.eventRows.append("c0,login,2025-12-31T09:00:00Z,c0-u1,")
        f.write()
        let limit = 1_000_000
        let (status, stderr) = try Self.activation(f.arguments + ["--window-days", "30"], addressSpaceKiB: limit)
        #expect(status == 0, "\(stderr)")
        #expect(!f.latestSnapshot().isEmpty)
        try Self.expectStop(f, f.arguments + ["--window-days", "366"], status: 71,
                            message: "activation: error: not enough memory: 8,000 customers × ", addressSpaceKiB: limit)
        let (_, message) = try Self.activation(f.arguments + ["--window-days", "366"], addressSpaceKiB: limit)
        #expect(message.contains(" behaviours (so far, up to 'b"), "\(message)")
        #expect(message.contains("in \(f.eventsFile.path)) with 136,001 customer-behaviour pairs active × a 366-day window need about "), "\(message)")
        #expect(message.contains(" MB left under ulimit -v (RLIMIT_AS); exclude behaviours the analysis does not need (events.exclude, --exclude-event) or shorten the window (analysis.window_days, --window-days)"), "\(message)")
        // The fix it names works.
        let (fixed, fixedError) = try Self.activation(f.arguments + ["--window-days", "366", "--exclude-event", "b*", "--accept-drop"],
                                                      addressSpaceKiB: limit)
        #expect(fixed == 0, "\(fixedError)")
    }

    // MARK: 13. An export appended to while the run reads it.

    /// A writer appends to the export, half a row at a time, from the moment the run starts until it ends: the run
    /// stops naming the export (exit 65, `latest/` as it was). Had it gone on, run.json would have to describe
    /// exactly the bytes parsed: its size and SHA-256 those of the file's first `bytes` bytes, every line of them a
    /// row read.
    @Test func item13AnExportAppendedToWhileReadStopsTheRun() throws {
        var f = Fixture()
        defer { f.remove() }
        // About 25 MB of rows after the window, so that reading takes a while; used rows are unchanged.
        for k in 0..<600_000 { f.eventRows.append("c\(k % 200),login,\(Fixture.date(day(2025, 1, 1) + k % 200 + 40 + k % 50))T09:00:00Z,c\(k % 200)-u1,") }
        f.write()
        let cached = Array(f.arguments.dropLast())  // with the export cache, as a nightly run
        let (first, firstError) = try Self.activation(cached)
        #expect(first == 0, "\(firstError)")
        let before = f.latestSnapshot()
        let (process, pipe) = try NightlyRobustnessTests.start(cached)
        let path = f.eventsFile.path
        let writer = Thread {
            let handle = FileHandle(forWritingAtPath: path)!
            handle.seekToEndOfFile()
            while process.isRunning {
                handle.write(Data("c7,message,2025-01-0".utf8))
                usleep(500)
                handle.write(Data("9T11:00:00Z,c7-u1,\n".utf8))
                usleep(500)
            }
            handle.closeFile()
        }
        writer.start()
        let stderr = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        while !writer.isFinished { usleep(1_000) }
        if process.terminationStatus == 0 {
            // Not expected with a writer this busy; but then the record must be of the bytes parsed.
            let run = try JSONSerialization.jsonObject(with: Data(f.file("run.json").utf8)) as? [String: Any]
            let file = try #require(((run?["events"] as? [String: Any])?["files"] as? [[String: Any]])?.first)
            let bytes = try #require(file["bytes"] as? Int)
            let prefix = Array(try Data(contentsOf: f.eventsFile).prefix(bytes))
            var hasher = SHA256()
            hasher.update(prefix)
            #expect(file["sha256"] as? String == hasher.finalize())
            #expect(file["rows_read"] as? Int == prefix.split(separator: 0x0A).count - 1)
            Issue.record("the run went on while its export grew: \(stderr)")
        } else {
            #expect(process.terminationStatus == 65, "\(stderr)")
            #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
            #expect(stderr.contains("\(path): the export changed while the run read it ("), "\(stderr)")
            #expect(f.latestSnapshot() == before)
        }
    }

    // MARK: 14. Delimiters.

    @Test(arguments: [(";", ";"), ("\t", "tab"), ("|", "|")])
    func item14OtherDelimitersAreReadOrNamed(delimiter: String, setting: String) throws {
        var f = Fixture("item14" + setting.filter { $0.isLetter || $0 == ";" }.map { $0 == ";" ? "semicolon" : String($0) }.joined())
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        let behaviours = f.file("behaviours.csv"), thresholds = f.file("thresholds.csv")
        f.customerRows = f.customerRows.map { $0.replacingOccurrences(of: ",", with: delimiter) }
        f.eventRows = f.eventRows.map { $0.replacingOccurrences(of: ",", with: delimiter) }
        f.write(customerHeader: "customer_id,signup_date,renewed,segment,acv".replacingOccurrences(of: ",", with: delimiter),
                eventHeader: "customer_id,event,timestamp,user_id,count".replacingOccurrences(of: ",", with: delimiter))
        try Self.expectStop(f, f.arguments, message: "the header is separated by '\(setting)', not ','")
        try Self.expectStop(f, f.arguments + ["--customers-delimiter", setting], message: "events.csv:1: missing required column 'customer_id'")
        let (status, stderr) = try Self.activation(f.arguments + ["--delimiter", setting, "--customers-delimiter", setting])
        #expect(status == 0, "\(stderr)")
        #expect(f.file("behaviours.csv") == behaviours)
        #expect(f.file("thresholds.csv") == thresholds)
    }

    // MARK: 16. Signup date formats.

    @Test func item16SignupFormatReadsUSDates() throws {
        var f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        let behaviours = f.file("behaviours.csv")
        f.customerRows = f.customerRows.map { row in
            var fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let ymd = fields[1].split(separator: "-").map { Int($0)! }
            fields[1] = "\(ymd[1])/\(ymd[2])/\(ymd[0])"
            return fields.joined(separator: ",")
        }
        f.write()
        try Self.expectStop(f, f.arguments, message: "'1/1/2025' is not a date or timestamp; for other spellings set customers.signup_format")
        let (status, stderr) = try Self.activation(f.arguments + ["--signup-format", "%m/%d/%Y"])
        #expect(status == 0, "\(stderr)")
        #expect(f.file("behaviours.csv") == behaviours)
    }

    // MARK: 17. What a user expects.

    @Test func item17AmplitudePresetWithAUserMappingLooksUpUserIDs() throws {
        let f = Fixture()
        defer { f.remove() }
        f.write()
        try Self.baseline(f)
        let behaviours = f.file("behaviours.csv")
        var mapping = Set<String>()
        var rows = ["user_id,device_id,event_type,event_time"]
        for row in f.eventRows {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            mapping.insert("\(fields[3]),\(fields[0])")
            let time = fields[2].replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ".000000")
            rows.append("\(fields[3]),device-\(fields[3].count),\(fields[1]),\(time)")
        }
        ActivationTestSupport.write(rows.joined(separator: "\n") + "\n", to: f.eventsFile)
        let map = f.dir.appendingPathComponent("users.csv")
        ActivationTestSupport.write((["user_id,account_id"] + mapping.sorted()).joined(separator: "\n") + "\n", to: map)
        let (status, stderr) = try Self.activation(f.arguments + ["--preset", "amplitude", "--user-accounts", map.path])
        #expect(status == 0, "\(stderr)")
        #expect(!f.file("rejects.csv").contains("unknown_user"))
        #expect(f.file("behaviours.csv") == behaviours)
    }

    @Test func item17SignupWithAnOffsetKeepsItsDateAndAnEmptyMonthlyFileIsAnExportOfNoRows() throws {
        var f = Fixture()
        defer { f.remove() }
        f.customerRows[0] = f.customerRows[0].replacingOccurrences(of: "2025-01-01", with: "2025-01-01T20:00:00-05:00")
        f.write()
        ActivationTestSupport.write("", to: f.eventsDir.appendingPathComponent("events-0-empty.csv"))
        let (status, stderr) = try Self.activation(f.arguments)
        #expect(status == 0, "\(stderr)")
        #expect(f.file("features.csv").contains("\nc0,2025-01-01,"))
        #expect(!f.file("rejects.csv").contains("event_before_signup"))
        let object = try JSONSerialization.jsonObject(with: Data(f.file("run.json").utf8)) as? [String: Any]
        let files = (object?["events"] as? [String: Any])?["files"] as? [[String: Any]] ?? []
        #expect(files.count == 2)
        #expect(files.first?["rows_read"] as? Int == 0)
    }

    // MARK: 15. Encodings.

    @Test func item15Windows1252ExportsAndTablesAreTranscoded() throws {
        var f = Fixture()
        defer { f.remove() }
        // "Müller" and "€ report" in Windows-1252: ü is 0xFC, € is 0x80 (not Latin-1), é is 0xE9.
        f.eventRows = f.eventRows.map { $0.replacingOccurrences(of: ",message,", with: ",M\u{FC}ller \u{20AC} report,") }
        f.customerRows = f.customerRows.map { $0.replacingOccurrences(of: ",ent,", with: ",entrepris\u{E9},") }
        f.write()
        func encode(_ url: URL) throws {
            let text = try String(contentsOf: url, encoding: .utf8)
            let bytes = text.unicodeScalars.map { s -> UInt8 in s.value == 0x20AC ? 0x80 : UInt8(s.value) }
            try Data(bytes).write(to: url)
        }
        try encode(f.eventsFile)
        try encode(f.customersFile)
        try Self.expectStop(f, f.arguments, message: "not valid UTF-8; if the table is Latin-1 or Windows-1252, set customers.encoding")
        try Self.expectStop(f, f.arguments + ["--customers-encoding", "latin-1"], message: "the event name is not valid UTF-8; if the export is Latin-1 or Windows-1252, set events.encoding")
        let (status, stderr) = try Self.activation(f.arguments + ["--customers-encoding", "latin-1", "--encoding", "windows-1252"])
        #expect(status == 0, "\(stderr)")
        #expect(!f.file("rejects.csv").contains("invalid_utf8"))
        #expect(f.file("behaviours.csv").contains("M\u{FC}ller \u{20AC} report"))
        #expect(f.file("features.csv").contains(",entrepris\u{E9},"))
    }
}
