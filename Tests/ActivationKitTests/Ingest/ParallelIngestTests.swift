@testable import ActivationKit
import Foundation
import Testing

@Suite("Ingest on two cores")
struct ParallelIngestTests {
    /// Two workers give exactly what one gives: the same daily counts and distinct users, the same row accounting
    /// per file, the same rejects in the same order.
    @Test(arguments: ["SampleData", "SampleData/dirty"])
    func twoWorkersGiveWhatOneGives(set: String) throws {
        var source = try ExportByteSource(path: Repository.path("\(set)/customers.csv"))
        let table = try CustomerTableReader().read(&source, file: "customers.csv").table
        let files = try InputPaths.expandEventPaths([Repository.path("\(set)/events")])
        #expect(files.count >= 3)
        func ingest(_ workers: Int) throws -> (FeatureTable, ParallelIngest.Outcome) {
            let outcome = try ParallelIngest(customers: table, windowDays: 30, columns: EventColumns(), options: EventReadingOptions())
                .run(files, workers: workers)
            return (FeatureTable(customers: table.customers, behaviourNames: outcome.behaviourNames, accumulator: outcome.accumulator), outcome)
        }
        let (one, a) = try ingest(1)
        let (two, b) = try ingest(2)
        #expect(DataFiles.features(one) == DataFiles.features(two))
        #expect(DataFiles.firstWindowDaily(one, dataEndDay: 0) == DataFiles.firstWindowDaily(two, dataEndDay: 0))
        #expect(a.files == b.files)
        #expect(a.rejects == b.rejects)
        #expect(a.latestTimestamp == b.latestTimestamp)
        #expect(Set(a.exportNames.map(\.name)) == Set(b.exportNames.map(\.name)))
        #expect(one.hasUserColumn && two.behaviours.allSatisfy { $0.users != nil })
    }
}
