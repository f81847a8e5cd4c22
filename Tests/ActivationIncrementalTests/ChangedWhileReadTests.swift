import ActivationCore
import ActivationFastPaths
import ActivationIncremental
import ActivationIngest
import ActivationTestSupport
import Foundation
import Testing

/// Issue 17, item 13: an export appended to while the run reads it. The size and SHA-256 recorded for an export
/// must be those of the bytes parsed, or the run stops naming the export. Deterministic: the append happens in the
/// window that used to slip through, after the sizes are taken and the pieces planned but before the fingerprint
/// (`ParallelIngest.afterPlanning`); the end-to-end test with a real concurrent writer is in EndToEndTests.
@Suite("Exports written to while read", .serialized)
struct ChangedWhileReadTests {
    struct Setup {
        let dir: URL
        let table: CustomerTable
        var export: String { dir.appendingPathComponent("events.csv").path }

        init(_ name: String = #function) throws {
            dir = temporaryDirectory("changed-" + name.filter { $0.isLetter })
            var source = try ExportByteSource(path: Repository.path("SampleData/customers.csv"))
            table = try CustomerTableReader().read(&source, file: "customers.csv").table
            try FileManager.default.copyItem(atPath: Repository.path("SampleData/events/events-2025-08.csv"), toPath: export)
        }

        /// Appends `text` to the export, as an export job still writing it would.
        func append(_ text: String) { Self.append(text, to: export) }

        static func append(_ text: String, to export: String) {
            let handle = FileHandle(forWritingAtPath: export)!
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            handle.closeFile()
        }

        func ingest(pieces: Bool, cache: Bool, afterPlanning: (@Sendable () -> Void)? = nil) throws -> ParallelIngest.Outcome {
            let store = cache ? try ExportCache(directory: dir.appendingPathComponent("cache").path, settingsKey: "test", windowDays: 30) : nil
            var ingest = ParallelIngest(customers: table, windowDays: 30, columns: EventColumns(), options: EventReadingOptions(), cache: store)
            ingest.pieceBytes = pieces ? 65_536 : 0
            ingest.afterPlanning = afterPlanning
            return try ingest.run([export], workers: 2)
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    static func sha256(_ path: String) -> String {
        var hasher = SHA256()
        hasher.update(FileInput.read(path)!)
        return hasher.finalize()
    }

    /// Read whole or in pieces, with or without the cache's fingerprint taken first: an append after the run took
    /// the export's size stops it, naming the export. (Read in pieces, the pieces stopped at the size planned while
    /// the fingerprint, taken after, covered the appended row too: run.json recorded bytes not all parsed.)
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func anAppendWhileReadingStopsTheRun(pieces: Bool, cache: Bool) throws {
        let setup = try Setup("append\(pieces)\(cache)")
        defer { setup.remove() }
        let size = try #require(FileIdentity(path: setup.export)).size
        do {
            let export = setup.export
            _ = try setup.ingest(pieces: pieces, cache: cache) { Setup.append("acct_1561,dismiss_checklist,2025-08-0", to: export) }
            Issue.record("the run went on although the export grew while it was read")
        } catch let error as InputError {
            #expect(error.kind == .data)
            #expect(error.message.hasPrefix("\(setup.export): the export changed while the run read it (\(Format.count(size)) bytes when the run began reading it"), "\(error.message)")
            #expect(error.message.contains("run again once the export is complete"))
        }
    }

    /// Unchanged, the recorded size and SHA-256 are exactly those of the bytes parsed, a torn last row included (it
    /// is rejected, and it is part of what the fingerprint describes).
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func theRecordedFingerprintIsOfTheBytesParsed(pieces: Bool, cache: Bool) throws {
        let setup = try Setup("parsed\(pieces)\(cache)")
        defer { setup.remove() }
        setup.append("acct_1561,dismiss_checklist,2025-08-0")
        let outcome = try setup.ingest(pieces: pieces, cache: cache)
        let file = try #require(outcome.files.first)
        #expect(file.bytes == FileIdentity(path: setup.export)?.size)
        #expect(file.sha256 == Self.sha256(setup.export))
        let lines = FileInput.read(setup.export)!.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(file.rowsRead == lines.count - 1, "every line but the header is a row, the torn one too")
        #expect(outcome.rejects.last?.reason == .wrongFieldCount)
    }
}
