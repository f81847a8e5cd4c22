import ActivationCore
import ActivationFeatures
import ActivationPipeline
@testable import ActivationReport
import ActivationTestSupport
import Foundation
import Testing

@Suite("Incremental nightly: the report memo", .serialized)
struct ReportMemoTests {
    static let runName = "2026-11-23"

    /// Every file of `latest/`, run.json without its timings and cache counts (they differ from run to run by design)
    /// and with the reports folder's path as `<out>` (the run without the memo writes into a copy elsewhere).
    static func latest(_ out: URL) throws -> [String: Data] {
        let latest = out.appendingPathComponent("latest")
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: latest.path) {
            var data = try Data(contentsOf: latest.appendingPathComponent(name))
            if name == "run.json" {
                data = Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: out.path, with: "<out>").utf8)
                var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                object["timings_seconds"] = nil
                object["cache"] = nil
                data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            }
            files[name] = data
        }
        return files
    }

    /// A run through the memo (`NightlyRun`) on `out`, and the same run without it on a copy of `out` as it was
    /// before (the same previous run, so the same "what changed"): their reports must be the same bytes.
    static func runBoth(_ configuration: PipelineConfiguration, build: String = ReportMemo.build) throws
        -> (memoised: Bool, withMemo: [String: Data], without: [String: Data]) {
        let out = URL(fileURLWithPath: configuration.outputDirectory)
        let copy = out.deletingLastPathComponent().appendingPathComponent("copy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        if FileManager.default.fileExists(atPath: out.path) { try FileManager.default.copyItem(at: out, to: copy) }
        let outcome = try NightlyRun.run(configuration, progress: nil, build: build, runName: runName)
        var plain = configuration
        plain.outputDirectory = copy.path
        try ReportWriter(runName: runName).write(Pipeline.run(plain), to: copy.path)
        return (outcome.memoised, try latest(out), try latest(copy))
    }

    static func setUp(_ dir: URL) throws -> (PipelineConfiguration, events: URL, customers: String) {
        let (customers, events) = try ExportCacheTests.copySet("SampleData", into: dir)
        // The exports were just copied: let them settle, so the fingerprint memo vouches for them (as in a nightly job:
        // it trusts a remembered SHA-256 only for files unchanged since 2 s before they were hashed).
        Thread.sleep(forTimeInterval: 2.2)
        let configuration = ExportCacheTests.configuration(customers: customers, events: events, out: dir.appendingPathComponent("out"))
        return (configuration, events, customers)
    }

    @Test func aRunWithNothingNewTakesTheMemoAndWritesTheSameBytes() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (configuration, _, _) = try Self.setUp(dir)
        let first = try Self.runBoth(configuration)
        #expect(!first.memoised)
        #expect(first.withMemo == first.without)
        let out = URL(fileURLWithPath: configuration.outputDirectory)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("cache/\(ReportMemo.fileName)").path))
        // Twice: the second run's "what changed" says nothing changed, the third's the same against the second.
        for _ in 0..<2 {
            let again = try Self.runBoth(configuration)
            #expect(again.memoised)
            // Nothing was read: no ingest stage, every export's fingerprint remembered, none restored or read.
            let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("latest/run.json"))) as? [String: Any])
            #expect((record["timings_seconds"] as? [String: Double]).map { Array($0.keys) } == ["memo"])
            let cache = try #require(record["cache"] as? [String: Int])
            #expect(cache["read"] == 0 && cache["reused"] == 0 && cache["remembered"] == 19)
            #expect(Set(again.withMemo.keys) == Set(again.without.keys))
            for (name, bytes) in again.withMemo { #expect(bytes == again.without[name], "\(name) differs with the memo") }
        }
    }

    @Test func aTamperedFeatureFileInLatestIsWrittenAgainNotLinked() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (configuration, _, _) = try Self.setUp(dir)
        _ = try Self.runBoth(configuration)
        let out = URL(fileURLWithPath: configuration.outputDirectory)
        let daily = out.appendingPathComponent("latest/first_window_daily.csv")
        let good = try Data(contentsOf: daily)
        // Same size, one byte changed, in place (the dated copy is a hard link of it and changes with it).
        var bad = good
        bad[bad.count / 2] = bad[bad.count / 2] == 0x31 ? 0x32 : 0x31
        try bad.write(to: daily)
        let again = try Self.runBoth(configuration)
        #expect(again.memoised)
        #expect(try Data(contentsOf: daily) == good)
        #expect(again.withMemo == again.without)
    }

    /// Each change that could change a report must be noticed: no memo used, and the reports those of a run
    /// without the memo.
    @Test(arguments: ["customer row", "config setting", "export byte", "new version", "new export", "window"])
    func aRelevantChangeIsNoticed(change: String) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var (configuration, events, customers) = try Self.setUp(dir)
        let first = try Self.runBoth(configuration)
        #expect(!first.memoised)
        var build = ReportMemo.build
        switch change {
        case "customer row":
            // One customer's segment: not part of any export's cache entry, only of the report.
            var text = try String(contentsOfFile: customers, encoding: .utf8)
            let row = try #require(text.split(separator: "\n").dropFirst().first { $0.hasSuffix(",self-serve,4200") })
            text = text.replacingOccurrences(of: String(row), with: row.replacingOccurrences(of: ",self-serve,", with: ",enterprise,"))
            try text.write(toFile: customers, atomically: false, encoding: .utf8)
        case "config setting":
            configuration.criteria.minimumReach += 0.01
        case "export byte":
            // One second of one event's timestamp: the same day, so the same feature table; still another export.
            let file = events.appendingPathComponent("events-2025-07.csv")
            var bytes = try Array(Data(contentsOf: file))
            let stamp = Array("Z,".utf8)
            let at = try #require((0..<(bytes.count - 1)).first { bytes[$0] == stamp[0] && bytes[$0 + 1] == stamp[1] })
            bytes[at - 1] = bytes[at - 1] == 0x30 ? 0x31 : 0x30
            try Data(bytes).write(to: file)
        case "new version":
            build += " rebuilt"
        case "new export":
            let file = events.appendingPathComponent("events-2099-01.csv")
            try "customer_id,event,timestamp,user_id,count\nacct_0001,login,2025-09-24T10:00:00Z,acct_0001-u1,\n"
                .write(to: file, atomically: false, encoding: .utf8)
        default:
            configuration.windowDays = 21
        }
        let second = try Self.runBoth(configuration, build: build)
        #expect(!second.memoised, "\(change) not noticed")
        for (name, bytes) in second.withMemo { #expect(bytes == second.without[name], "\(name) differs after \(change)") }
    }

    /// The memo's key hashes these types' stored properties one by one (`ReportMemo.KeyHasher`): a property added to
    /// one of them must be added to the key (or shown not to reach any report), or a memo could outlive a change.
    @Test func theKeyCoversEveryStoredPropertyOfTheFeatureTable() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (configuration, _, _) = try Self.setUp(dir)
        let run = try Pipeline.prepare(configuration)
        func labels(_ value: Any) -> [String] { Mirror(reflecting: value).children.compactMap(\.label) }
        #expect(labels(run.features) == ["customers", "behaviours", "windowDays", "hasUserColumn", "followUpHorizon", "hasFollowUp"])
        let b = try #require(run.features.behaviours.first { $0.hasUsers })
        #expect(labels(b) == ["name", "customerCount", "daily", "doerCounts", "distinctUsers", "laterCustomers", "laterWithin",
                              "laterAfter", "followUpHorizon"])
        #expect(labels(b.daily) == ["windowDays", "doers", "cellStart", "days", "events"])
        #expect(labels(try #require(b.distinctUsers)) == ["customers", "values"])
        #expect(labels(run.features.customers[0]) == ["id", "signupDay", "outcome", "segment", "acv"])
        #expect(labels(run.rejects.first ?? RejectedRow(file: "", line: 0, column: "", reason: .emptyEvent, detail: "", raw: ""))
                == ["file", "line", "column", "reason", "detail", "raw"])
        // What the report is made from besides the analysis: each field is in the key or derived from what is.
        #expect(labels(run) == ["configuration", "customerFile", "customers", "userAccountsFile", "userAccounts", "eventFiles",
                                "exportNames", "rejects", "features", "fitted", "dataEndDay", "timings", "cacheStatistics",
                                "evidence"])
        // Keys differ for different runs and are stable for the same.
        #expect(ReportMemo.key(run) == ReportMemo.key(try Pipeline.prepare(configuration)))
        var other = configuration
        other.scanWindows = [1, 7]
        #expect(ReportMemo.key(run) != ReportMemo.key(try Pipeline.prepare(other)))
    }

    /// The clock reaches a memo only through rows stamped after it: a run that rejected none takes the memo at any
    /// later clock; a run that rejected some takes it only at the same latest moment (a later one accepts more rows).
    @Test func theClockMattersOnlyThroughRowsRejectedAsLater() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var (configuration, _, _) = try Self.setUp(dir)
        // SampleData's events run to 2026-11-15: a clock on 2026-11-01 rejects the last two weeks as later.
        configuration.rejectBudget = 1
        configuration.clockSeconds = Int64(day(2026, 11, 1)) * 86_400
        let first = try Self.runBoth(configuration)
        #expect(!first.memoised)
        let same = try Self.runBoth(configuration)
        #expect(same.memoised && same.withMemo == same.without)
        configuration.clockSeconds! += 86_400
        let later = try Self.runBoth(configuration)
        #expect(!later.memoised, "a later clock accepts rows the memo's run rejected")
        #expect(later.withMemo == later.without)
        // Without rows rejected as later, a later clock changes nothing.
        configuration.clockSeconds = nil
        _ = try Self.runBoth(configuration)
        configuration.clockSeconds = Int64(Date().timeIntervalSince1970) + 30 * 86_400
        let much = try Self.runBoth(configuration)
        #expect(much.memoised && much.withMemo == much.without)
    }

    @Test func aDamagedMemoIsIgnored() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (configuration, _, _) = try Self.setUp(dir)
        _ = try Self.runBoth(configuration)
        let path = configuration.outputDirectory + "/cache/" + ReportMemo.fileName
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 3] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let again = try Self.runBoth(configuration)
        #expect(!again.memoised)
        #expect(again.withMemo == again.without)
    }
}
