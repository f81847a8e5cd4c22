import ActivationCore
import Testing

/// Issue 17, item 11: the memory estimate and the stop it makes (the end-to-end test under `ulimit -v` is in
/// EndToEndTests).
@Suite("Memory budget")
struct MemoryBudgetTests {
    @Test func theEstimateFollowsItsFormula() {
        // customers × behaviours × 48 + pairs × (18 × window + 98) + follow-up pairs × 108 + customers × 1,024 + 128 MiB
        #expect(MemoryBudget.estimate(customers: 1_000, behaviours: 10, windowDays: 30) == 1_000 * 10 * 48 + 1_000 * 1_024 + 128 << 20)
        #expect(MemoryBudget.estimate(customers: 1_000, behaviours: 10, windowDays: 30, pairs: 700, followUpPairs: 300)
                == 1_000 * 10 * 48 + 700 * 638 + 300 * 108 + 1_000 * 1_024 + 128 << 20)
        #expect(MemoryBudget.estimate(customers: 0, behaviours: 0, windowDays: 30) == 128 << 20)
        #expect(MemoryBudget.estimate(customers: 1 << 40, behaviours: 1 << 40, windowDays: 366) == .max)
        #expect(MemoryBudget.estimate(customers: 10, behaviours: 10, windowDays: 366, pairs: 1 << 60) == .max)
    }

    /// Normal runs are far from any machine's limit: SampleData (2,000 customers, about 20 behaviours), the bench
    /// (80,000 accounts, 16 behaviours), both at 30 days; 80,000 × 18 at a year's window (measured peak 3.6 GB).
    @Test func normalRunsNeedLittle() {
        #expect(MemoryBudget.estimate(customers: 2_000, behaviours: 20, windowDays: 30) < 200_000_000)
        #expect(MemoryBudget.estimate(customers: 80_000, behaviours: 16, windowDays: 30) < 800_000_000)
        #expect(MemoryBudget.estimate(customers: 80_000, behaviours: 18, windowDays: 366) < 5_000_000_000)
        // Memory follows the pairs that occur: 100,000 customers × 200 behaviours with 5% of the pairs active fit in
        // 2.2 GB (measured peak 0.81 GB; with dense feature vectors 2.47 GB), 1,000,000 × 200 in 19 GB (9.6 GB of it
        // the models' columns, 48 bytes per customer and behaviour).
        #expect(MemoryBudget.estimate(customers: 100_000, behaviours: 200, windowDays: 30, pairs: 1_000_000, followUpPairs: 1_000_000) < 2_200_000_000)
        #expect(MemoryBudget.estimate(customers: 1_000_000, behaviours: 200, windowDays: 30, pairs: 10_000_000, followUpPairs: 10_000_000) < 19_000_000_000)
    }

    @Test func aRunBeyondTheLimitStopsWithTheFiguresAndTheFix() throws {
        let budget = MemoryBudget(customers: 8_000, windowDays: 366, limit: .init(bytes: 500_000_000, source: "ulimit -v (RLIMIT_AS)"))
        // Behaviours alone (no pairs yet) are far from the limit; the pairs that occur take it past.
        try budget.check(behaviours: 300)
        try budget.check(behaviours: 15, pairs: 50_000)
        #expect(budget.estimate(behaviours: 15, pairs: 60_000) > 500_000_000)
        do {
            try budget.check(behaviours: 15, pairs: 60_000, at: "'b14' in events.csv")
            Issue.record("no stop")
        } catch let error as InputError {
            #expect(error.kind == .memory)
            #expect(error.message == "not enough memory: 8,000 customers × 15 behaviours (so far, up to 'b14' in events.csv) with 60,000 customer-behaviour pairs active × a 366-day window need about 549 MB, more than the 500 MB left under ulimit -v (RLIMIT_AS); exclude behaviours the analysis does not need (events.exclude, --exclude-event) or shorten the window (analysis.window_days, --window-days)")
        }
    }

    /// Without a readable limit only the cells the accumulators can address are checked (2^32 - 1: the packed
    /// cell index), which used to end in a precondition failure.
    @Test func moreCellsThanCanBeAddressedStopWithAMessage() throws {
        let budget = MemoryBudget(customers: 1 << 24, windowDays: 30, limit: nil)
        try budget.check(behaviours: 255)
        #expect(throws: InputError.self) { try budget.check(behaviours: 256) }
        do { try budget.check(behaviours: 256) } catch let error as InputError {
            #expect(error.kind == .memory)
            #expect(error.message.contains("256 behaviours make more than 4,294,967,295 customer × behaviour cells"))
        }
    }

    @Test func bytesAreWrittenForPeople() {
        #expect(Format.bytes(12_000) == "12 kB")
        #expect(Format.bytes(1_004_000_000) == "1,004 MB")
        #expect(Format.bytes(46_000_000_000) == "46 GB")
    }
}
