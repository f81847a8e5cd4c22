import ActivationKit
import Foundation
import Testing

@Suite("Report: numbers for people, CSV quoting, atomic writes")
struct ReportTests {
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

    @Test func atomicWriteReplacesOwnedFilesAndKeepsOthers() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("Reports")
        try ReportWriter().writeAtomically([("a.md", "one"), ("b.csv", "x\n")], to: out.path)
        write("kept", to: out.appendingPathComponent("NOTES.md"))
        try ReportWriter().writeAtomically([("a.md", "two")], to: out.path)
        #expect(try String(contentsOf: out.appendingPathComponent("a.md"), encoding: .utf8) == "two")
        #expect(try String(contentsOf: out.appendingPathComponent("NOTES.md"), encoding: .utf8) == "kept")
        #expect(try String(contentsOf: out.appendingPathComponent("b.csv"), encoding: .utf8) == "x\n")
        // No staging or previous directories are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["Reports"])
    }
}
