import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import ActivationIncremental
import ActivationIngest
import ActivationPipeline
import ActivationReport
import ActivationTestSupport
import Foundation
import Testing

@Suite("Ingest on two cores")
struct ParallelIngestTests {
    /// Exports read apart (one or two workers) and merged in file order give exactly what one reader going through
    /// the files in order gives: the same daily and follow-up counts and distinct users, the same row accounting
    /// per file (duplicates across exports included), the same rejects in the same order.
    @Test(arguments: [("SampleData", false), ("SampleData/dirty", false), ("SampleData/dirty", true)])
    func exportsReadApartGiveWhatOneSequentialReaderGives(set: String, deduplicate: Bool) throws {
        var source = try ExportByteSource(path: Repository.path("\(set)/customers.csv"))
        let table = try CustomerTableReader().read(&source, file: "customers.csv").table
        let files = try InputPaths.expandEventPaths([Repository.path("\(set)/events")])
        #expect(files.count >= 3)
        var options = EventReadingOptions()
        options.deduplicate = deduplicate
        if set.hasSuffix("dirty") { options.naming = EventNaming(renames: ["invite_teammate": ["Invite Sent"]]) }

        // The reference: one ingestor, one accumulator, the files in order.
        let reference = FirstWindowAccumulator(customerCount: table.count, windowDays: 30)
        let sequential = EventIngestor(customers: table, windowDays: 30, columns: EventColumns(), options: options, sink: reference)
        for file in files {
            var source = try ExportByteSource(path: file)
            try sequential.read(&source, file: file)
        }
        let expected = FeatureTable(customers: table.customers, behaviourNames: (0..<sequential.behaviours.count).map { sequential.behaviours.string($0) },
                                    accumulator: reference)
        if deduplicate { #expect(sequential.files.reduce(0) { $0 + $1.duplicates } >= 150) }

        for workers in [1, 2] {
            let outcome = try ParallelIngest(customers: table, windowDays: 30, columns: EventColumns(), options: options)
                .run(files, workers: workers)
            let merged = FeatureTable(customers: table.customers, behaviourNames: outcome.behaviourNames, accumulator: outcome.accumulator)
            #expect(DataFiles.features(merged) == DataFiles.features(expected), "\(workers) workers")
            #expect(DataFiles.firstWindowDaily(merged, dataEndDay: 0) == DataFiles.firstWindowDaily(expected, dataEndDay: 0), "\(workers) workers")
            #expect(outcome.files.map { var f = $0; (f.bytes, f.sha256) = (0, ""); return f } == sequential.files, "\(workers) workers")
            #expect(outcome.files.allSatisfy { $0.sha256.count == 64 && $0.bytes > 0 })
            #expect(outcome.rejects == sequential.rejects)
            #expect(outcome.latestTimestamp == sequential.latestTimestamp)
            #expect(outcome.exportNames.map(\.name) == sequential.exportNames.map(\.name))
            #expect(merged.hasUserColumn && merged.behaviours.allSatisfy(\.hasUsers))
        }
    }

    /// One large export read in pieces, cut at line breaks, gives what one sequential read gives, line numbers of
    /// rejects included. Cuts that fall inside a quoted field (the dirty set has a quoted line break) are detected
    /// and that file's rest is read in one go.
    @Test(arguments: ["SampleData", "SampleData/dirty"])
    func oneLargeExportReadInPiecesGivesWhatOneSequentialReaderGives(set: String) throws {
        var source = try ExportByteSource(path: Repository.path("\(set)/customers.csv"))
        let table = try CustomerTableReader().read(&source, file: "customers.csv").table
        let files = try InputPaths.expandEventPaths([Repository.path("\(set)/events")])
        var options = EventReadingOptions()
        options.deduplicate = true
        func sequential(_ files: [String]) throws -> (FeatureTable, EventIngestor<FirstWindowAccumulator>) {
            let reference = FirstWindowAccumulator(customerCount: table.count, windowDays: 30)
            let ingestor = EventIngestor(customers: table, windowDays: 30, columns: EventColumns(), options: options, sink: reference)
            for file in files {
                var source = try ExportByteSource(path: file)
                try ingestor.read(&source, file: file)
            }
            let names = (0..<ingestor.behaviours.count).map { ingestor.behaviours.string($0) }
            return (FeatureTable(customers: table.customers, behaviourNames: names, accumulator: reference), ingestor)
        }
        let pieceSizes = set == "SampleData" ? [50_000, 333_333] : Array(stride(from: 300, through: 3_000, by: 97))
        var unsafeCuts = 0, pieces = 0
        for file in files where !file.hasSuffix(".gz") {
            let (expected, reference) = try sequential([file])
            for pieceBytes in pieceSizes {
                var ingest = ParallelIngest(customers: table, windowDays: 30, columns: EventColumns(), options: options)
                ingest.pieceBytes = pieceBytes
                let outcome = try ingest.run([file], workers: 2)
                let merged = FeatureTable(customers: table.customers, behaviourNames: outcome.behaviourNames, accumulator: outcome.accumulator)
                #expect(DataFiles.firstWindowDaily(merged, dataEndDay: 0) == DataFiles.firstWindowDaily(expected, dataEndDay: 0), "\(file) \(pieceBytes)")
                #expect(DataFiles.features(merged) == DataFiles.features(expected), "\(file) \(pieceBytes)")
                #expect(outcome.files.map { var f = $0; (f.bytes, f.sha256) = (0, ""); return f } == reference.files, "\(file) \(pieceBytes)")
                #expect(outcome.rejects == reference.rejects, "\(file) \(pieceBytes)")
                #expect(outcome.latestTimestamp == reference.latestTimestamp)
                unsafeCuts += outcome.unsafeCuts
                pieces += outcome.units
            }
        }
        #expect(pieces > pieceSizes.count * 2)
        #expect(unsafeCuts >= 0)
    }

    /// An export where every fifth event name holds a quoted line break: cuts land inside quoted fields, are found
    /// unsafe, and the rest of the file is read in one go; the result never differs from a sequential read.
    @Test func cutsInsideQuotedFieldsAreDetectedAndReadAgain() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var source = try ExportByteSource(path: Repository.path("SampleData/customers.csv"))
        let table = try CustomerTableReader().read(&source, file: "customers.csv").table
        let original = try String(contentsOfFile: Repository.path("SampleData/events/events-2025-06.csv"), encoding: .utf8)
        var lines = original.split(separator: "\n").map(String.init)
        for k in stride(from: 1, to: lines.count, by: 5) {
            var fields = lines[k].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[1] = "\"\(fields[1])\nsecond line\""
            lines[k] = fields.joined(separator: ",")
        }
        let file = dir.appendingPathComponent("quoted.csv").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let reference = FirstWindowAccumulator(customerCount: table.count, windowDays: 30)
        let sequential = EventIngestor(customers: table, windowDays: 30, columns: EventColumns(), sink: reference)
        var whole = try ExportByteSource(path: file)
        try sequential.read(&whole, file: file)
        let expected = FeatureTable(customers: table.customers, behaviourNames: (0..<sequential.behaviours.count).map { sequential.behaviours.string($0) },
                                    accumulator: reference)
        var unsafeCuts = 0
        for pieceBytes in stride(from: 2_000, through: 40_000, by: 1_900) {
            var ingest = ParallelIngest(customers: table, windowDays: 30, columns: EventColumns(), options: EventReadingOptions())
            ingest.pieceBytes = pieceBytes
            let outcome = try ingest.run([file], workers: 2)
            let merged = FeatureTable(customers: table.customers, behaviourNames: outcome.behaviourNames, accumulator: outcome.accumulator)
            #expect(DataFiles.firstWindowDaily(merged, dataEndDay: 0) == DataFiles.firstWindowDaily(expected, dataEndDay: 0), "\(pieceBytes)")
            #expect(outcome.files.map { var f = $0; (f.bytes, f.sha256) = (0, ""); return f } == sequential.files, "\(pieceBytes)")
            #expect(outcome.rejects == sequential.rejects, "\(pieceBytes)")
            unsafeCuts += outcome.unsafeCuts
        }
        #expect(unsafeCuts >= 5, "cuts inside quoted fields: \(unsafeCuts)")
        #expect(sequential.files[0].rowsRead > 1_000 && sequential.rejects.allSatisfy { $0.reason == .eventBeforeSignup })
    }
}
