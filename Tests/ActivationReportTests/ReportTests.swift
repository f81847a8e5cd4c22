import ActivationCore
import ActivationFastPaths
import ActivationReport
import ActivationTestSupport
import Foundation
import Testing

@Suite("Report: numbers for people, CSV quoting, atomic writes")
struct ReportTests {
    @Test func outcomeLikeBehaviourNamesAreFound() {
        #expect(OutcomeLikeNames.among(["invoice_paid", "login", "Subscription Renewed", "billing_annual_prepay", "plan_cancelled",
                                        "invite_teammate", "create_project"])
                == ["invoice_paid", "Subscription Renewed", "billing_annual_prepay", "plan_cancelled"])
    }

    @Test func numbersAreFormattedForPeople() {
        #expect(Format.count(1_234_567) == "1,234,567")
        #expect(Format.count(-1000) == "-1,000")
        #expect(Format.count(999) == "999")
        #expect(Format.percent(0.523) == "52%")
        #expect(Format.percent(0.034) == "3.4%")
        #expect(Format.percent(0.998) == "99.8%")
        #expect(Format.percent(1) == "100%")
        #expect(Format.percent(nil) == "–")
        #expect(Format.times(6.23) == "6.2×")
        #expect(Format.times(15.2) == "15×")
        #expect(Format.pPhrase(1e-9) == "p < 0.001")
        #expect(Format.pPhrase(0.0123) == "p = 0.012")
        #expect(Format.decimal(0.7491, against: 0.75) == "0.749")
        #expect(Format.decimal(0.7737, against: 0.75) == "0.77")
        #expect(Format.day(3) == "3" && Format.day(5.5) == "5.5")
    }

    @Test func csvFieldsAreQuotedOnlyWhenNeeded() {
        var csv = CSVWriter(header: ["a", "b"])
        csv.row(["plain", "with, comma"])
        csv.row(["say \"hi\"", "two\nlines"])
        #expect(csv.text == "a,b\nplain,\"with, comma\"\n\"say \"\"hi\"\"\",\"two\nlines\"\n")
    }

    @Test func eachRunReplacesLatestAndKeepsADatedCopy() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("Reports")
        func read(_ path: String) throws -> String { try String(contentsOf: out.appendingPathComponent(path), encoding: .utf8) }
        try ReportWriter(runName: "2026-11-01").write([("a.md", "one"), ("b.csv", "x\n")], to: out.path)
        try ReportWriter(runName: "2026-11-02").write([("a.md", "two")], to: out.path)
        #expect(try read("latest/a.md") == "two")
        // latest/ is exactly the newest run: nothing of the previous one is left in it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("latest").path) == ["a.md"])
        #expect(try read("runs/2026-11-01/a.md") == "one")
        #expect(try read("runs/2026-11-02/a.md") == "two")
        // A second run on the same day replaces that day's copy.
        try ReportWriter(runName: "2026-11-02").write([("a.md", "three")], to: out.path)
        #expect(try read("runs/2026-11-02/a.md") == "three")
        #expect(try read("latest/a.md") == "three")
        // No staging or previous directories are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["latest", "runs"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path).sorted() == ["2026-11-01", "2026-11-02"])
    }

    @Test func oldRunsArePrunedOldestFirst() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        var pruned: [String] = []
        for day in 1...5 {
            pruned += try ReportWriter(runName: "2026-11-0\(day)", keepRuns: 3).write([("a.md", "\(day)")], to: out.path).pruned
        }
        #expect(pruned == ["2026-11-01", "2026-11-02"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path).sorted()
                == ["2026-11-03", "2026-11-04", "2026-11-05"])
    }

    @Test func leftoversOfAKilledRunAreCleanedUpOrRestored() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        try ReportWriter(runName: "2026-11-01").write([("a.md", "one")], to: out.path)
        // A run killed while staging (pid 999999 does not exist) and one killed between the fallback renames.
        let fm = FileManager.default
        try fm.createDirectory(at: out.appendingPathComponent(".latest.tmp-999999"), withIntermediateDirectories: false)
        try fm.createDirectory(at: out.appendingPathComponent("runs/.2026-11-02.tmp-999999"), withIntermediateDirectories: false)
        try fm.moveItem(at: out.appendingPathComponent("latest"), to: out.appendingPathComponent(".latest.previous-999998"))
        try ReportWriter.recoverAbandoned(in: out, latest: out.appendingPathComponent("latest"))
        #expect(try String(contentsOf: out.appendingPathComponent("latest/a.md"), encoding: .utf8) == "one")
        #expect(try fm.contentsOfDirectory(atPath: out.path).sorted() == ["latest", "runs"])
        #expect(try fm.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path) == ["2026-11-01"])
    }

    @Test func anUnwritableReportsFolderIsAnOutputError() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        write("not a folder", to: dir.appendingPathComponent("Reports"))
        do {
            try ReportWriter(runName: "2026-11-01").write([("a.md", "one")], to: dir.appendingPathComponent("Reports").path)
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.kind == .output)
            #expect(error.message.contains("could not write the reports"))
        }
    }
}
