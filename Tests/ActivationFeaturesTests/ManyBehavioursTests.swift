import ActivationCore
import ActivationFeatures
import ActivationReport
import Testing

/// About 7,000 behaviours overflowed the stack while writing the data files: `DataFiles.withBuffers` opened one
/// array per behaviour inside the previous one's closure (issue 17, item 9). 20,000 behaviours here.
@Suite("Features: 20,000 behaviours")
struct ManyBehavioursTests {
    @Test func withBuffersOpensTwentyThousandArraysWithoutDeepRecursion() {
        let arrays = (0..<20_000).map { [UInt32($0), 1] }
        let sum = DataFiles.withBuffers(arrays) { buffers in buffers.reduce(0) { $0 + Int($1[0]) + Int($1[1]) } }
        #expect(sum == (0..<20_000).reduce(0, +) + 20_000)
        // The nested path (a few arrays) gives the same.
        #expect(DataFiles.withBuffers(Array(arrays.prefix(10))) { $0.map { Int($0[0]) } } == Array(0..<10))
    }

    @Test func dataFilesOfTwentyThousandBehavioursAreWritten() {
        let behaviours = 20_000
        let customers = (0..<4).map { Customer(id: "c\($0)", signupDay: 20_000, outcome: $0 % 2 == 0 ? .renewed : .churned, segment: "smb", acv: nil) }
        let accumulator = FirstWindowAccumulator(customerCount: customers.count, windowDays: 30)
        for _ in 0..<behaviours { accumulator.addBehaviour() }
        for b in stride(from: 0, to: behaviours, by: 997) { accumulator.record(customer: b % 4, behaviour: b, day: 3, user: b, count: 2) }
        let names = (0..<behaviours).map { "b\(String(100_000 + $0))" }
        let table = FeatureTable(customers: customers, behaviourNames: names, accumulator: accumulator)
        let features = DataFiles.features(table)
        #expect(features.split(separator: "\n").count == 1 + customers.count)
        #expect(features.split(separator: "\n")[0].split(separator: ",").count == 4 + 4 * behaviours)
        let daily = DataFiles.firstWindowDaily(table, dataEndDay: 20_100)
        #expect(daily.split(separator: "\n").count == 1 + (0..<behaviours).filter { $0 % 997 == 0 }.count)
        #expect(daily.contains("c0,b100000,3,2,1,"))
    }
}
