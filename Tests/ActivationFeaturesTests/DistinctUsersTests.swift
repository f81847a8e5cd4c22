import ActivationFeatures
import Testing

/// Distinct users are exact past 2^24 (issue 17, item 6): the user field of the packed key was 24 bits wide and
/// masked, so user 1 and user 1 + 2^24 (a run with 16,777,215 other users) counted as one.
@Suite("Features: distinct users across 2^24 and up to 2^32")
struct DistinctUsersTests {
    static let users = [0, 1, (1 << 24) - 1, 1 << 24, (1 << 24) + 1, (1 << 25) + 1, (1 << 32) - 2, (1 << 32) - 1]

    @Test func everyUserAcrossTheBoundaryCountsOnce() {
        let accumulator = FirstWindowAccumulator(customerCount: 3, windowDays: 30)
        accumulator.addBehaviour()
        accumulator.addBehaviour()
        for _ in 0..<2 {
            for user in Self.users { accumulator.record(customer: 2, behaviour: 1, day: 3, user: user, count: 1) }
        }
        accumulator.record(customer: 1, behaviour: 0, day: 0, user: 1, count: 1)
        accumulator.record(customer: 1, behaviour: 0, day: 0, user: 1 + (1 << 24), count: 1)
        #expect(accumulator.distinctUserCounts(1) == [0, 0, Int32(Self.users.count)])
        #expect(accumulator.distinctUserCounts(0) == [0, 2, 0])
    }

    @Test func mergedExportsCountUsersPastTheBoundaryExactly() {
        let export = ExportAccumulator(customerCount: 3, windowDays: 30)
        export.addBehaviour()
        for user in 0..<3 { export.record(customer: 2, behaviour: 0, day: 1, user: user, count: 1) }
        let run = FirstWindowAccumulator(customerCount: 3, windowDays: 30)
        run.addBehaviour()
        run.addBehaviour()
        // The export's users 0, 1, 2 are the run's 1, 1 + 2^24 and 2^32 - 1: three users, not two.
        let userMap = [1, 1 + (1 << 24), (1 << 32) - 1]
        run.add(export, behaviourMap: [1], userMap: userMap)
        #expect(run.distinctUserCounts(1) == [0, 0, 3])
        run.add(export, behaviourMap: [1], userMap: userMap)
        #expect(run.distinctUserCounts(1) == [0, 0, 3])
        #expect(run.distinctUserCounts(0) == [0, 0, 0])
    }

    /// 16,777,217 customers stopped the run with a precondition failure (the packed key had 24 bits for the
    /// customer, issue 17 item 10): the accumulators take them now and keep customers 0 and 2^24 apart.
    @Test func moreThanSixteenMillionCustomers() {
        let customers = (1 << 24) + 1
        let accumulator = FirstWindowAccumulator(customerCount: customers, windowDays: 1)
        accumulator.addBehaviour()
        accumulator.record(customer: 1 << 24, behaviour: 0, day: 0, user: 7, count: 3)
        accumulator.record(customer: 0, behaviour: 0, day: 0, user: 7, count: 1)
        let users = accumulator.distinctUserCounts(0)
        #expect(users[0] == 1 && users[1 << 24] == 1 && users[1] == 0)
        #expect(accumulator.dailyCount(customer: 1 << 24, behaviour: 0, day: 0) == 3 && accumulator.dailyCount(customer: 0, behaviour: 0, day: 0) == 1)
        let export = ExportAccumulator(customerCount: customers, windowDays: 1)
        export.addBehaviour()
        export.record(customer: 1 << 24, behaviour: 0, day: 0, user: 0, count: 1)
        let run = FirstWindowAccumulator(customerCount: customers, windowDays: 1)
        run.addBehaviour()
        run.add(export, behaviourMap: [0], userMap: [5])
        #expect(run.distinctUserCounts(0)[1 << 24] == 1)
    }
}
