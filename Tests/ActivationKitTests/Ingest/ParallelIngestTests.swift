@testable import ActivationKit
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
            #expect(merged.hasUserColumn && merged.behaviours.allSatisfy { $0.users != nil })
        }
    }
}
