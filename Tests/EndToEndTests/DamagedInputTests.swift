import ActivationCore
import ActivationPipeline
import ActivationReport
import ActivationStatistics
import ActivationTestSupport
import Foundation
import Testing

/// The whole pipeline, in process, on 1,200 damaged inputs: every run either produces all its files with
/// rows that add up, or stops with a data error naming the file. Nothing crashes.
@Suite("Pipeline survives damaged inputs")
struct PipelineFuzzTests {
    @Test func aThousandDamagedRunsEndInAReportOrANamedError() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let customers = Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("SampleData/dirty/customers.csv"))))
        let allEvents = try String(contentsOfFile: Repository.path("SampleData/dirty/events/events-b.csv"), encoding: .utf8)
        let events = Array((allEvents.split(separator: "\n", omittingEmptySubsequences: false).prefix(300).joined(separator: "\n") + "\n").utf8)
        let customersPath = dir.appendingPathComponent("customers.csv").path
        let eventsPath = dir.appendingPathComponent("events.csv").path
        var rng = SplitMix64(seed: 99)
        var succeeded = 0, stopped = 0
        for iteration in 0..<1200 {
            let c = iteration % 5 == 0 ? FuzzDamage.damage(customers, rng: &rng, edits: 1 + Int(rng.next() % 4)) : customers
            let e = FuzzDamage.damage(events, rng: &rng, edits: 1 + Int(rng.next() % 10))
            try Data(c).write(to: URL(fileURLWithPath: customersPath))
            try Data(e).write(to: URL(fileURLWithPath: eventsPath))
            var configuration = PipelineConfiguration(customersPath: customersPath, eventPaths: [eventsPath], outputDirectory: dir.path + "/out")
            configuration.rejectBudget = [0.01, 0.05, 1][iteration % 3]
            configuration.folds = 2
            configuration.scanWindows = [30]  // the analysis is not what is fuzzed here; keep each run quick
            do {
                let result = try Pipeline.run(configuration)
                succeeded += 1
                let f = result.eventFiles[0]
                #expect(f.rowsRead == f.used + f.beforeSignup + f.afterWindow + f.excluded + f.duplicates + f.rejectedTotal, "iteration \(iteration)")
                #expect(result.customers.rowsRead == result.customers.table.count + result.customers.identicalDuplicates + result.customers.rejects.count,
                        "iteration \(iteration)")
                if iteration % 50 == 0 {
                    let written = try ReportWriter().write(result, to: dir.path + "/reports")
                    #expect(try FileManager.default.contentsOfDirectory(atPath: written.latest).count >= 7)
                }
            } catch let error as InputError {
                stopped += 1
                #expect(error.kind == .data, "iteration \(iteration): \(error.message)")
                #expect(error.message.hasPrefix(dir.path), "iteration \(iteration): \(error.message)")
                #expect(!error.message.contains("\n"), "iteration \(iteration)")
            }
        }
        #expect(succeeded > 100 && stopped > 100, "\(succeeded) succeeded, \(stopped) stopped")
        print("pipeline fuzz: 1200 damaged runs, \(succeeded) reports, \(stopped) stopped with a named data error")
    }
}
