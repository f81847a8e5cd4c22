@testable import ActivationFeatures
import ActivationCore
import Testing

/// The two pair tables that hold counts only for the (customer, behaviour) pairs that occur, against a dictionary:
/// every pair found again with its counts through growth, batches that make new pairs, and iteration over all.
@Suite("Features: pair tables (PairCounts, FollowUpPairCounts)")
struct PairCountsTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func followUpCountsLiveInTheEntriesAndSurviveGrowth() {
        let table = FollowUpPairCounts(customers: 977)
        var expected: [UInt32: (UInt32, UInt32)] = [:]
        var rng = Generator(state: 7)
        // Single adds, then batches (a batch may name one pair twice and make pairs that grow the table).
        for _ in 0..<20_000 {
            let cell = UInt32(rng.next() % 50_000), slot = Int(rng.next() % 2), n = UInt32(rng.next() % 5 + 1)
            table.counts(cell)[slot] += n
            var e = expected[cell] ?? (0, 0)
            if slot == 0 { e.0 += n } else { e.1 += n }
            expected[cell] = e
        }
        var cells = [UInt32](repeating: 0, count: FollowUpPairCounts.batch)
        var slots = [UnsafeMutablePointer<UInt32>](repeating: UnsafeMutablePointer(bitPattern: 8)!, count: FollowUpPairCounts.batch)
        for round in 0..<3_000 {
            for k in cells.indices { cells[k] = round % 2 == 0 ? UInt32(rng.next() % 200_000) : cells[(k + 1) % cells.count] }
            cells.withUnsafeBufferPointer { batch in slots.withUnsafeMutableBufferPointer { table.counts(batch, into: $0.baseAddress!) } }
            for k in cells.indices {
                slots[k][1] += 1
                expected[cells[k], default: (0, 0)].1 += 1
            }
        }
        #expect(table.count == expected.count)
        for (cell, counts) in expected {
            guard let found = table.existing(cell) else { Issue.record("pair \(cell) lost"); continue }
            #expect(found[0] == counts.0 && found[1] == counts.1, "pair \(cell)")
        }
        #expect(table.existing(4_000_000) == nil)
        var seen = 0
        table.forEach { cell, counts in
            seen += 1
            #expect(expected[UInt32(cell)].map { $0.0 == counts[0] && $0.1 == counts[1] } == true)
        }
        #expect(seen == expected.count)
    }

    /// A merge adds the export's follow-up pairs in its table order, which is hash order: into a smaller table that
    /// was quadratic (each probe walked the cluster the pairs before it made). The run's table is grown first to
    /// hold the export's pairs: no larger than the export's own table when the run had none, the counts all found.
    @Test func aMergeGrowsTheFollowUpTableOnceToTheExportsSize() {
        let customers = 5_003, window = 30
        let export = ExportAccumulator(customerCount: customers, windowDays: window)
        for _ in 0..<8 { export.addBehaviour() }
        var rng = Generator(state: 11)
        var expected: [Int: UInt32] = [:]  // (behaviour * customers + customer) * 2 + slot → events
        for _ in 0..<60_000 {
            let customer = Int(rng.next() % UInt64(customers)), behaviour = Int(rng.next() % 8)
            let day = window + Int(rng.next() % 200)
            export.recordLater(customer: customer, behaviour: behaviour, day: day, count: 1)
            expected[(behaviour * customers + customer) * 2 + CountCells.followUpSlot(day: day, horizon: FollowUp.horizon(windowDays: window)), default: 0] += 1
        }
        let run = FirstWindowAccumulator(customerCount: customers, windowDays: window)
        for _ in 0..<8 { run.addBehaviour() }
        run.add(export, behaviourMap: Array(0..<8), userMap: [])
        #expect(run.later.count == export.later.count)
        #expect(run.later.bytes == export.later.bytes)
        // Without the reservation the pairs walked ≈ 1,300 entries each to be placed
        // (41 M for 31,212 pairs; restored, 22 each).
        #expect(run.later.probedToInsert < 2 * run.later.count, "\(run.later.probedToInsert) entries walked for \(run.later.count) pairs")
        for (key, events) in expected {
            #expect(run.later.existing(UInt32(key / 2))?[key % 2] == events, "pair \(key / 2)")
        }
        // The same pairs restored from a cache entry (written in `forEachLater`'s order, the table's): the pair count
        // is taken from the entry, a pair's two counts once, and the merge reserves the same.
        let restored = ExportAccumulator(customerCount: customers, windowDays: window, restoring: true)
        var laterByBehaviour = [[UInt32]](repeating: [], count: 8)
        export.forEachLater { b, cell, events in laterByBehaviour[b] += [UInt32(cell), events] }
        for b in 0..<8 { restored.addBehaviour(); restored.restore(behaviour: b, daily: [], later: laterByBehaviour[b]) }
        #expect(restored.followUpPairCount == export.later.count)
        let fromCache = FirstWindowAccumulator(customerCount: customers, windowDays: window)
        for _ in 0..<8 { fromCache.addBehaviour() }
        fromCache.add(restored, behaviourMap: Array(0..<8), userMap: [])
        #expect(fromCache.later.count == export.later.count && fromCache.later.bytes == export.later.bytes)
        #expect(fromCache.later.probedToInsert < 2 * fromCache.later.count, "\(fromCache.later.probedToInsert) entries walked for \(fromCache.later.count) pairs")
        for (key, events) in expected {
            #expect(fromCache.later.existing(UInt32(key / 2))?[key % 2] == events, "restored pair \(key / 2)")
        }
        // Reserving for as many pairs as the table holds, or fewer, changes nothing; for more, it grows once to fit.
        let before = run.later.bytes
        run.later.reserve(pairs: run.later.count)
        #expect(run.later.bytes == before)
        run.later.reserve(pairs: before / 16)
        #expect(run.later.bytes == 2 * before)
    }

    @Test func windowSlotsKeepTheirAddressesWhileTheTableGrows() {
        let table = PairCounts(width: 30, customers: 977)
        var first: [UnsafeMutablePointer<UInt32>] = []
        for cell in 0..<5_000 {
            let counts = table.counts(UInt32(cell * 7))
            counts[cell % 30] = UInt32(cell + 1)
            first.append(counts)
        }
        for cell in 0..<5_000 {
            #expect(table.counts(UInt32(cell * 7)) == first[cell])
            #expect(first[cell][cell % 30] == UInt32(cell + 1))
        }
        var order: [Int] = []
        table.forEach { cell, _ in order.append(cell) }
        #expect(order == (0..<5_000).map { $0 * 7 })
    }

    /// A cell splits into the behaviour and customer that made it (the division-free quotient against `/` and `%`),
    /// for customer counts from 1 to 2^32 - 1, and a pair's probe starts in its customer's group of eight.
    @Test func cellsSplitIntoBehaviourAndCustomerWithoutADivision() {
        var rng = Generator(state: 11)
        for customers in [1, 2, 3, 7, 977, 32_000, 100_000, 1_000_003, Int(UInt32.max) - 1, Int(UInt32.max)] {
            let homes = PairHome(customers: customers)
            var cells: [UInt32] = [0, UInt32.max - 1, UInt32(min(customers, Int(UInt32.max)) - 1)]
            for _ in 0..<2_000 { cells.append(UInt32(truncatingIfNeeded: rng.next())) }
            for cell in cells {
                let (behaviour, customer) = homes.split(cell)
                #expect(behaviour == UInt64(cell) / UInt64(customers) && customer == UInt64(cell) % UInt64(customers),
                        "cell \(cell), \(customers) customers")
                let shift: UInt64 = 64 - 12
                #expect(homes.entry(cell, shift: shift) & ~7 == homes.group(customer: customer, shift: shift))
                #expect(homes.entry(cell, shift: shift) < 1 << 12)
            }
        }
    }
}
