import ActivationCore
import ActivationFastPaths
import ActivationIngest
import ActivationStatistics
import ActivationTestSupport
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
