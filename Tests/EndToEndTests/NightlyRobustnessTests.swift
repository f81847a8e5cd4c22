import ActivationStatistics
import ActivationTestSupport
import Foundation
import Testing

/// The nightly job's promises, checked on the real executable: a killed run never damages `latest/`, failures exit
/// with the documented status and one line, nothing reaches a shell, and damaged inputs are always accounted for.
@Suite("Nightly robustness", .serialized)
struct NightlyRobustnessTests {
    static let binary = Repository.root.appendingPathComponent(".build/debug/activation")
    /// The files every complete run writes (with a proposal, also its charts).
    static let reportFiles = ["activation-report.html", "activation-report.md", "at_risk.csv", "behaviours.csv", "drivers.csv", "features.csv",
                              "first_window_daily.csv", "rejects.csv", "run.json", "thresholds.csv"]

    /// The report without its "what changed" section, which depends on the run before.
    static func reportBody(_ url: URL) throws -> String {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let start = text.range(of: "## What changed since the last run"), let end = text.range(of: "## Data and method") else { return text }
        return String(text[..<start.lowerBound]) + String(text[end.lowerBound...])
    }

    static func start(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errorPipe)
    }

    static func activation(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let (process, pipe) = try start(arguments)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A run on the dirty sample set (fast enough to repeat, and different reports for different windows).
    static func sampleRun(window: Int, out: URL) -> [String] {
        ["run", "--customers", Repository.path("SampleData/dirty/customers.csv"), "--events", Repository.path("SampleData/dirty/events"),
         "--out", out.path, "--window-days", "\(window)", "--reject-budget", "0.05"]
    }

    /// The report body and the file names of a complete run's `latest/`.
    static func completeRun(_ out: URL) throws -> (report: String, files: [String]) {
        let latest = out.appendingPathComponent("latest")
        return (try reportBody(latest.appendingPathComponent("activation-report.md")),
                try FileManager.default.contentsOfDirectory(atPath: latest.path).sorted())
    }

    /// `latest/` holds exactly the files of one complete run, and its report is one of the expected ones.
    static func latestIsComplete(_ out: URL, oneOf runs: [(report: String, files: [String])]) throws -> Int {
        let latest = out.appendingPathComponent("latest")
        _ = try JSONSerialization.jsonObject(with: Data(contentsOf: latest.appendingPathComponent("run.json")))
        let report = try reportBody(latest.appendingPathComponent("activation-report.md"))
        let index = try #require(runs.firstIndex { $0.report == report })
        #expect(try FileManager.default.contentsOfDirectory(atPath: latest.path).sorted() == runs[index].files)
        #expect(Set(reportFiles).isSubset(of: runs[index].files))
        return index
    }

    @Test func killingARunAtAnyMomentLeavesTheLatestReportsWhole() throws {
        let out = temporaryDirectory()
        let reference = temporaryDirectory("reference")
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: reference) }
        let clock = ContinuousClock()
        #expect(try Self.activation(Self.sampleRun(window: 30, out: out)).status == 0)
        let started = clock.now
        #expect(try Self.activation(Self.sampleRun(window: 14, out: reference)).status == 0)
        let fullRun = clock.now - started
        let old = try Self.completeRun(out), new = try Self.completeRun(reference)
        #expect(old.report != new.report)

        // Kills at spread-out moments of the run (reading, fitting, rendering, writing).
        var outcomes: [Int] = []
        for step in 0..<10 {
            let (process, _) = try Self.start(Self.sampleRun(window: 14, out: out))
            Thread.sleep(forTimeInterval: (Double(fullRun.components.seconds) + Double(fullRun.components.attoseconds) / 1e18) * Double(step) / 8)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            outcomes.append(try Self.latestIsComplete(out, oneOf: [old, new]))
        }
        // Kills while the new files are being written: as soon as the staging folder appears.
        var hitStaging = 0
        for _ in 0..<6 {
            let (process, _) = try Self.start(Self.sampleRun(window: 14, out: out))
            let staging = out.appendingPathComponent(".latest.tmp-\(process.processIdentifier)").path
            while process.isRunning && !FileManager.default.fileExists(atPath: staging) { usleep(200) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL); hitStaging += 1 }
            process.waitUntilExit()
            outcomes.append(try Self.latestIsComplete(out, oneOf: [old, new]))
        }
        #expect(hitStaging >= 1, "no kill landed while the reports were being written")
        // The next run cleans up what the killed ones left and completes.
        #expect(try Self.activation(Self.sampleRun(window: 14, out: out)).status == 0)
        #expect(try Self.latestIsComplete(out, oneOf: [old, new]) == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["cache", "latest", "runs"])
        // The export cache holds whole entries, the fingerprint memo and the report memo only: no temporary file of a
        // killed run survives the next run.
        let entries = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("cache").path)
        #expect(entries.contains("fingerprints"))
        #expect(entries.count > 1 && entries.allSatisfy { ($0.hasSuffix(".agg") && !$0.hasPrefix(".")) || $0 == "fingerprints" || $0 == "report-memo" }, "\(entries)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path).allSatisfy { !$0.hasPrefix(".") })
        print("kill test: outcomes \(outcomes) (0 = previous run kept, 1 = new run complete), \(hitStaging) kills while writing")
    }

    @Test func exitStatusesAndOneLineMessages() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        // Rejects above the budget: 65, nothing written.
        let dirty = ["--customers", Repository.path("SampleData/dirty/customers.csv"), "--events", Repository.path("SampleData/dirty/events"),
                     "--out", out.path]
        var (status, stderr) = try Self.activation(["run"] + dirty)
        #expect(status == 65)
        #expect(stderr.split(separator: "\n").count == 1)
        // 5, not 6: the row with an unusable ACV keeps its customer (issue 17, item 5).
        #expect(stderr.contains("5 of 247 customer rows rejected (2.0%), above the reject budget of 1.0%"))
        #expect(stderr.contains("customers.csv:243 column customer_id: conflicting_duplicate_customer"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        (status, _) = try Self.activation(["run"] + dirty + ["--reject-budget", "0.05"])
        #expect(status == 0)
        // A config path outside the allowed folders: 78.
        write("[inputs]\ncustomers = \"../customers.csv\"\nevents = [\"events\"]\n[output]\ndir = \"out\"\n",
              to: dir.appendingPathComponent("activation.toml"))
        (status, stderr) = try Self.activation(["run", "--config", dir.appendingPathComponent("activation.toml").path])
        #expect(status == 78)
        #expect(stderr.contains("refused"))
        // A typo in the config: 78, with the suggestion.
        write("[analysis]\nwindow_day = 3\n", to: dir.appendingPathComponent("typo.toml"))
        (status, stderr) = try Self.activation(["run", "--config", dir.appendingPathComponent("typo.toml").path])
        #expect(status == 78)
        #expect(stderr.contains("did you mean 'analysis.window_days'"))
        // Missing input: 66. Wrong usage: 64.
        (status, _) = try Self.activation(["run", "--customers", dir.appendingPathComponent("none.csv").path, "--events", dir.path, "--out", out.path])
        #expect(status == 66)
        (status, _) = try Self.activation(["run", "--events", dir.path])
        #expect(status == 64)
        // Reports folder that cannot be created: 73.
        write("a file", to: dir.appendingPathComponent("blocker"))
        (status, stderr) = try Self.activation(["run"] + dirty.dropLast(2) + ["--out", dir.appendingPathComponent("blocker/sub").path, "--reject-budget", "0.05"])
        #expect(status == 73)
        #expect(stderr.contains("could not write the reports"))
    }

    @Test func initWritesAConfigThatRunsOnceItsPathsArePointedAtTheData() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var (status, _) = try Self.activation(["init", "--dir", dir.path])
        #expect(status == 0)
        (status, _) = try Self.activation(["init", "--dir", dir.path])
        #expect(status != 0)  // never overwrites without --force
        try FileManager.default.copyItem(atPath: Repository.path("SampleData/customers.csv"), toPath: dir.appendingPathComponent("customers.csv").path)
        try FileManager.default.copyItem(atPath: Repository.path("SampleData/events"), toPath: dir.appendingPathComponent("events").path)
        // The example names no export folder (it would be a guess): the user points it at theirs.
        let toml = dir.appendingPathComponent("activation.toml")
        let text = try String(contentsOf: toml, encoding: .utf8)
        #expect(!text.contains("\nevents = "))
        write(text.replacingOccurrences(of: "# events = [\"exports/*.csv.gz\"]", with: "events = [\"events\"]"), to: toml)
        let stderr: String
        (status, stderr) = try Self.activation(["run", "--config", dir.appendingPathComponent("activation.toml").path])
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("invite_teammate ≥ 2"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Reports/latest/activation-report.md").path))
    }

    @Test func fileNamesAreNeverHandedToAShell() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let odd = dir.appendingPathComponent("$(touch pwned); `touch pwned2` | x.csv")
        try FileManager.default.copyItem(atPath: Repository.path("SampleData/dirty/events/events-a.csv"), toPath: odd.path)
        let (status, stderr) = try Self.activation(["run", "--customers", Repository.path("SampleData/dirty/customers.csv"), "--events", odd.path,
                                                    "--out", dir.appendingPathComponent("out").path, "--reject-budget", "0.05"])
        #expect(status == 0, "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: "pwned") && !FileManager.default.fileExists(atPath: "pwned2"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pwned").path))
        let json = try String(contentsOf: dir.appendingPathComponent("out/latest/run.json"), encoding: .utf8)
        #expect(json.contains("$(touch pwned)"))
    }

    /// Damages the customer table and an export in seeded ways, then runs the executable on them: it exits 0 with a
    /// complete report whose row accounting adds up, or 65 with one line naming a file, and never crashes.
    @Test func damagedInputsThroughTheWholeCommandLine() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let customers = Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("SampleData/dirty/customers.csv"))))
        let events = Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("SampleData/dirty/events/events-b.csv"))))
        var rng = SplitMix64(seed: 2026)
        var statuses: [Int32: Int] = [:]
        for iteration in 0..<40 {
            let c = iteration % 4 == 0 ? FuzzDamage.damage(customers, rng: &rng, edits: 1 + Int(rng.next() % 3)) : customers
            let e = FuzzDamage.damage(events, rng: &rng, edits: 1 + Int(rng.next() % 8))
            write(String(decoding: c, as: UTF8.self), to: dir.appendingPathComponent("customers.csv"))
            try Data(c).write(to: dir.appendingPathComponent("customers.csv"))
            try Data(e).write(to: dir.appendingPathComponent("events.csv"))
            let out = dir.appendingPathComponent("out-\(iteration)")
            let (status, stderr) = try Self.activation(["run", "--customers", dir.appendingPathComponent("customers.csv").path,
                                                        "--events", dir.appendingPathComponent("events.csv").path, "--out", out.path,
                                                        "--reject-budget", iteration % 2 == 0 ? "0.05" : "0.01"])
            statuses[status, default: 0] += 1
            #expect(status == 0 || status == 65, "iteration \(iteration): \(status) \(stderr)")
            #expect(stderr.split(separator: "\n").count == 1, "iteration \(iteration): \(stderr)")
            if status == 0 {
                let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("latest/run.json"))) as! [String: Any]
                let ev = json["events"] as! [String: Any]
                let parts = ["used", "before_signup", "after_window", "excluded", "duplicates", "rejected"].map { ev[$0] as! Int }
                #expect(ev["rows_read"] as! Int == parts.reduce(0, +), "iteration \(iteration)")
            } else {
                #expect(stderr.hasPrefix("activation: error: " + dir.path), "iteration \(iteration): \(stderr)")
                #expect(!FileManager.default.fileExists(atPath: out.path))
            }
        }
        #expect(statuses[0, default: 0] > 0 && statuses[65, default: 0] > 0, "\(statuses)")
    }
}

/// Seeded damage of CSV bytes: truncation, stray quotes, flipped bits, fields added and removed, binary garbage,
/// bare CRs, blank lines. The header row is kept so that the damage lands on data rows.
enum FuzzDamage {
    static func damage(_ original: [UInt8], rng: inout SplitMix64, edits: Int) -> [UInt8] {
        var bytes = original
        let headerEnd = (original.firstIndex(of: 0x0A) ?? 0) + 1
        for _ in 0..<edits {
            guard bytes.count > headerEnd + 1 else { break }
            let at = headerEnd + Int(rng.next() % UInt64(bytes.count - headerEnd))
            switch rng.next() % 8 {
            case 0: bytes.removeSubrange(at...)
            case 1: bytes.insert(0x22, at: at)
            case 2: bytes[at] ^= UInt8(truncatingIfNeeded: 1 << (rng.next() % 8))
            case 3: bytes.insert(0x2C, at: at)
            case 4: if let comma = bytes[at...].firstIndex(of: 0x2C) { bytes.remove(at: comma) }
            case 5: bytes.insert(contentsOf: (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            case 6: bytes.insert(0x0D, at: at)
            default: bytes.insert(contentsOf: [0x0A, 0x0A], at: at)
            }
        }
        return bytes
    }
}
