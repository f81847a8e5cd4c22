import ActivationKit
import ActivationStatistics
import Foundation
import Testing

@Suite("Ingest survives corrupted exports")
struct CorruptionTests {
    /// Corrupts a small clean export in 3,000 seeded ways (truncation, stray quotes, flipped bytes, fields added and
    /// removed, binary garbage, CR/LF damage) and checks that ingest never crashes, that every row it read is used,
    /// outside the window or rejected, and that rejected rows carry a line number inside the file.
    @Test func randomDamageNeverCrashesAndEveryRowIsAccountedFor() throws {
        let customers = try String(contentsOfFile: Repository.path("SampleData/dirty/customers.csv"), encoding: .utf8)
        var customerSource = MemoryByteSource(customers)
        let table = try CustomerTableReader().read(&customerSource, file: "customers.csv").table
        let clean = try String(contentsOfFile: Repository.path("SampleData/dirty/events/events-b.csv"), encoding: .utf8)
        let lines = clean.split(separator: "\n", omittingEmptySubsequences: false).prefix(120)
        let original = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        let headerEnd = original.firstIndex(of: 0x0A)! + 1
        var rng = SplitMix64(seed: 7)
        var totalRejected = 0
        for iteration in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let at = headerEnd + Int(rng.next() % UInt64(max(1, bytes.count - headerEnd)))  // keep the header intact
                switch rng.next() % 8 {
                case 0: bytes.removeSubrange(at...)                                          // truncation
                case 1: bytes.insert(0x22, at: at)                                           // stray quote
                case 2: bytes[at] ^= UInt8(truncatingIfNeeded: 1 << (rng.next() % 8))        // flipped bit
                case 3: bytes.insert(0x2C, at: at)                                           // field added
                case 4: if let comma = bytes[at...].firstIndex(of: 0x2C) { bytes.remove(at: comma) }  // field removed
                case 5: bytes.insert(contentsOf: (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)  // garbage
                case 6: bytes.insert(0x0D, at: at)                                           // bare CR
                default: bytes.insert(contentsOf: [0x0A, 0x0A], at: at)                      // blank lines
                }
                if bytes.count <= headerEnd + 1 { break }
            }
            let sink = CollectingSink()
            let ingestor = EventIngestor(customers: table, windowDays: 30, columns: EventColumns(), sink: sink)
            var source = MemoryByteSource(bytes)
            try ingestor.read(&source, file: "fuzz-\(iteration).csv")
            let f = ingestor.files[0]
            let outside = f.beforeSignup + f.afterWindow
            #expect(f.rowsRead == f.used + outside + f.excluded + f.duplicates + f.rejectedTotal, "iteration \(iteration)")
            #expect(sink.events.count == f.used)
            #expect(ingestor.rejects.count == f.rejectedTotal + f.beforeSignup)
            let physicalLines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count
            #expect(ingestor.rejects.allSatisfy { $0.line >= 2 && $0.line <= physicalLines }, "iteration \(iteration)")
            totalRejected += f.rejectedTotal
        }
        #expect(totalRejected > 3000)
    }
}

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
