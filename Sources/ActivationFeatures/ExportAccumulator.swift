import ActivationCore
import ActivationFastPaths
import ActivationIngest
import CActivationShims
import Glibc

/// One export's first-window counts, kept apart from every other export's so that exports can be read in parallel,
/// cached by content hash and merged in file order (`FirstWindowAccumulator.add`).
///
/// Counts are held only for the (customer, behaviour) pairs with rows in this export (`PairCounts`): a slot of
/// window-day counts per pair with an in-window row, a slot of the two follow-up counts per pair with a row after
/// the window. Memory follows what the export's customers did, not customers × behaviours × window days.
public final class ExportAccumulator: PrefetchingEventSink {
    public let customerCount: Int
    public let windowDays: Int
    public var followUpHorizon: Int { FollowUp.horizon(windowDays: windowDays) }
    private let horizon: Int
    /// Daily counts of the pairs read: `windowDays` a pair (saturating), by cell `behaviour * customers + customer`.
    package let daily: PairCounts
    /// Follow-up counts of the pairs read: `[0]` events after the window up to the follow-up horizon, `[1]` later.
    package let later: FollowUpPairCounts
    package private(set) var behaviourCount = 0
    /// Restored counts (from a cache) keep the entry's form, since merging only goes through them once:
    /// row → customer, and per behaviour flat (`row * windowDays + day`, events) pairs, sorted by cell.
    package private(set) var rowCustomers: [Int32] = []
    /// Customer → its restored row, -1 when none (made on the first `row(for:)`).
    private var rowOf: [Int32] = []
    package private(set) var sparseDaily: [[UInt32]] = []
    /// Restored follow-up counts, per behaviour: (`2 * customer + slot`, events) pairs, flat.
    package private(set) var sparseLater: [[UInt32]] = []
    private let restoring: Bool
    /// (customer, behaviour, user) triples seen inside the window (`CountCells.userKey`).
    package private(set) var users = KeySet()
    /// Triples restored from a cache, which holds each once: kept as they are, since merging only goes through them.
    private var restoredUsers: [UInt64] = []

    /// At least the (customer, behaviour) pairs with in-window counts here: the pairs read, or the cells restored.
    package var pairBound: Int { daily.count + sparseDaily.reduce(0) { $0 + $1.count / 2 } }
    /// The pairs with follow-up counts here: read, or restored (a pair's two counts are next to each other in a
    /// cache entry, `forEachLater`'s order; were they not, a pair would be counted twice, which only reserves more).
    package var followUpPairCount: Int { later.count + restoredFollowUpPairs }
    private var restoredFollowUpPairs = 0

    /// How many distinct (customer, behaviour, user) triples: seen or restored.
    package var userTripleCount: Int { users.count + restoredUsers.count }

    /// - Parameter restoring: true for counts restored from a cache.
    public init(customerCount: Int, windowDays: Int, restoring: Bool = false) {
        precondition(customerCount < CountCells.maximumCells, "more than 4 billion customers")
        self.customerCount = customerCount
        self.windowDays = windowDays
        horizon = FollowUp.horizon(windowDays: windowDays)
        self.restoring = restoring
        daily = PairCounts(width: max(1, windowDays), customers: customerCount)
        later = FollowUpPairCounts(customers: customerCount)
    }

    public func addBehaviour() {
        precondition((behaviourCount + 1) * customerCount < CountCells.maximumCells, "more than 2^32 customer-behaviour cells")
        if restoring { sparseLater.append([]); sparseDaily.append([]) }
        behaviourCount += 1
    }

    @inline(__always)
    public func record(customer: Int, behaviour: Int, day: Int, user: Int, count: Int) {
        daily.counts(CountCells.pair(customer: customer, behaviour: behaviour, customers: customerCount))[day].addSaturating(UInt32(clamping: count))
        if user >= 0 { insertUser(customer: customer, behaviour: behaviour, user: user) }
    }

    @inline(__always)
    public func recordLater(customer: Int, behaviour: Int, day: Int, count: Int) {
        let slot = CountCells.followUpSlot(day: day, horizon: horizon)
        later.counts(CountCells.pair(customer: customer, behaviour: behaviour, customers: customerCount))[slot].addSaturating(UInt32(clamping: count))
    }

    /// Starts loading the customer's groups in both tables: the row's behaviour and whether it is inside the
    /// window are not known yet.
    @inline(__always)
    package func prefetchCounts(customer: Int) {
        daily.prefetchGroup(customer: customer)
        later.prefetchGroup(customer: customer)
    }

    /// A row for `customer`, made when it has none (for counts restored from a cache).
    package func row(for customer: Int) -> Int {
        precondition(restoring)
        if rowOf.isEmpty { rowOf = [Int32](repeating: -1, count: customerCount) }
        if rowOf[customer] >= 0 { return Int(rowOf[customer]) }
        rowOf[customer] = Int32(rowCustomers.count)
        rowCustomers.append(Int32(customer))
        return rowCustomers.count - 1
    }

    /// Each (cell, events) pair of a flat pair list.
    @inline(__always)
    private static func forEachPair(_ pairs: [UInt32], _ body: (Int, UInt32) -> Void) {
        pairs.withUnsafeBufferPointer { pairs in
            var i = 0
            while i + 1 < pairs.count { body(Int(pairs[i]), pairs[i + 1]); i += 2 }
        }
    }

    /// Restores a behaviour's counts (from a cache), as flat (cell, events) pairs: daily cells are
    /// `row * windowDays + day` of rows already made (`row(for:)`), follow-up cells `2 * customer + slot`.
    package func restore(behaviour: Int, daily: [UInt32], later: [UInt32]) {
        precondition(restoring)
        sparseDaily[behaviour] = daily
        sparseLater[behaviour] = later
        var i = 0
        while i + 1 < later.count {
            if i < 2 || later[i] >> 1 != later[i - 2] >> 1 { restoredFollowUpPairs += 1 }
            i += 2
        }
    }

    /// The daily counts in a cache entry's form: rows (customers in order of their first in-window pair) and per
    /// behaviour the non-zero (`row * windowDays + day`, events) pairs, flat, sorted by cell.
    package func dailyRows() -> (rows: [Int32], cells: [[UInt32]]) {
        if restoring { return (rowCustomers, sparseDaily) }
        var rowOf = [Int32](repeating: -1, count: customerCount), rows: [Int32] = []
        // Per behaviour, (row, slot) packed for one sort.
        var byBehaviour = [[UInt64]](repeating: [], count: behaviourCount)
        var slots: [UnsafeMutablePointer<UInt32>] = []
        slots.reserveCapacity(daily.count)
        daily.forEach { cell, counts in
            let customer = cell % customerCount, b = cell / customerCount
            if rowOf[customer] < 0 { rowOf[customer] = Int32(rows.count); rows.append(Int32(customer)) }
            byBehaviour[b].append(UInt64(rowOf[customer]) << 32 | UInt64(slots.count))
            slots.append(counts)
        }
        let window = windowDays
        let cells = byBehaviour.map { keys -> [UInt32] in
            var out: [UInt32] = []
            for key in keys.sorted() {
                let row = Int(key >> 32), counts = slots[Int(key & 0xFFFF_FFFF)]
                for day in 0..<window where counts[day] > 0 { out.append(UInt32(row * window + day)); out.append(counts[day]) }
            }
            return out
        }
        return (rows, cells)
    }

    /// Every non-zero follow-up count, read or restored: (behaviour, `2 * customer + slot`, events).
    @inline(__always)
    package func forEachLater(_ body: (Int, Int, UInt32) -> Void) {
        for (b, pairs) in sparseLater.enumerated() { Self.forEachPair(pairs) { body(b, $0, $1) } }
        later.forEach { cell, counts in
            let customer = cell % customerCount, b = cell / customerCount
            if counts[0] > 0 { body(b, 2 * customer, counts[0]) }
            if counts[1] > 0 { body(b, 2 * customer + 1, counts[1]) }
        }
    }

    /// Counts a distinct-user triple of a row read.
    @inline(__always)
    package func insertUser(customer: Int, behaviour: Int, user: Int) {
        users.insert(CountCells.userKey(customer: customer, behaviour: behaviour, user: user, customers: customerCount))
    }

    /// Restores the distinct (customer, behaviour, user) triples (`CountCells.userKey`) of a cache entry.
    package func restoreUsers(_ keys: [UInt64]) {
        precondition(restoring)
        restoredUsers = keys
    }

    /// Every distinct-user triple, seen or restored (`CountCells.userKey`).
    package func forEachUserKey(_ body: (UInt64) -> Void) {
        users.forEachKey(body)
        for key in restoredUsers { body(key) }
    }
}

extension FirstWindowAccumulator {
    /// Adds one export's counts: its behaviour `b` is this accumulator's `behaviourMap[b]`, its user `u` is
    /// `userMap[u]`. Distinct users are merged exactly: a user seen in two exports for the same customer and
    /// behaviour counts once.
    package func add(_ export: ExportAccumulator, behaviourMap: [Int], userMap: [Int]) {
        precondition(export.windowDays == windowDays && export.customerCount == customerCount)
        let window = windowDays, customers = customerCount, batch = PairCounts.batch
        // The run's counts are found a batch of pairs at a time (`PairCounts.counts(_:into:)`), their loads
        // overlapping: each pair lands at a random place of tables of megabytes.
        var cells = [UInt32](repeating: 0, count: batch)
        var targets = [UnsafeMutablePointer<UInt32>](repeating: UnsafeMutablePointer(bitPattern: 8)!, count: batch)
        var sources = targets
        /// A restored row's pairs: where they start in its behaviour's flat list, and the row's first cell.
        var starts = [Int](repeating: 0, count: batch + 1), rowStarts = [Int](repeating: 0, count: batch)
        behaviourMap.withUnsafeBufferPointer { target in
            cells.withUnsafeMutableBufferPointer { cells in
            targets.withUnsafeMutableBufferPointer { targets in
            sources.withUnsafeMutableBufferPointer { sources in
                var n = 0
                func addDays() {
                    daily.counts(UnsafeBufferPointer(rebasing: cells[0..<n]), into: targets.baseAddress!)
                    for k in 0..<n {
                        let from = sources[k], into = targets[k]
                        for day in 0..<window where from[day] > 0 { into[day].addSaturating(from[day]) }
                    }
                    n = 0
                }
                export.daily.forEach { cell, counts in
                    cells[n] = CountCells.pair(customer: cell % customers, behaviour: target[cell / customers], customers: customers)
                    sources[n] = counts
                    n += 1
                    if n == batch { addDays() }
                }
                addDays()
                export.rowCustomers.withUnsafeBufferPointer { rowCustomers in
                    for (b, pairs) in export.sparseDaily.enumerated() {
                        pairs.withUnsafeBufferPointer { pairs in
                            func addRows() {
                                daily.counts(UnsafeBufferPointer(rebasing: cells[0..<n]), into: targets.baseAddress!)
                                for k in 0..<n {
                                    let into = targets[k]
                                    var i = starts[k]
                                    while i < starts[k + 1] { into[Int(pairs[i]) - rowStarts[k]].addSaturating(pairs[i + 1]); i += 2 }
                                }
                                n = 0
                            }
                            // Cells come sorted by row: one look-up per row (an unsorted damaged entry adds
                            // correctly, only slower).
                            var i = 0
                            while i + 1 < pairs.count {
                                let row = Int(pairs[i]) / window, rowStart = row * window
                                var end = i + 2
                                while end + 1 < pairs.count && Int(pairs[end]) >= rowStart && Int(pairs[end]) < rowStart + window { end += 2 }
                                cells[n] = CountCells.pair(customer: Int(rowCustomers[row]), behaviour: target[b], customers: customers)
                                starts[n] = i; starts[n + 1] = end; rowStarts[n] = rowStart
                                n += 1
                                if n == batch { addRows() }
                                i = end
                            }
                            addRows()
                        }
                    }
                }
                var any = false
                // In the export's table order: see `FollowUpPairCounts.reserve(pairs:)` for why the run's table grows
                // first.
                later.reserve(pairs: export.followUpPairCount)
                var slots = [Int](repeating: 0, count: batch), values = [UInt32](repeating: 0, count: batch)
                func addLater() {
                    later.counts(UnsafeBufferPointer(rebasing: cells[0..<n]), into: targets.baseAddress!)
                    for k in 0..<n { targets[k][slots[k]].addSaturating(values[k]) }
                    n = 0
                }
                export.forEachLater { b, cell, count in
                    cells[n] = CountCells.pair(customer: cell >> 1, behaviour: target[b], customers: customers)
                    slots[n] = cell & 1; values[n] = count
                    n += 1
                    any = true
                    if n == batch { addLater() }
                }
                addLater()
                if any { sawLaterEvents = true }
            }
            }
            }
        }
        // Hundreds of thousands of (customer, behaviour, user) triples per export, each a cache miss in the run's
        // set: translated first, then inserted in one batch that loads slots ahead (`KeySet.insertAll`).
        var keys: [UInt64] = []
        keys.reserveCapacity(export.userTripleCount)
        export.forEachUserKey { key in
            let (customer, b, u) = CountCells.unpackUserKey(key, customers: customerCount)
            keys.append(CountCells.userKey(customer: customer, behaviour: behaviourMap[b], user: userMap[u], customers: customerCount))
        }
        insertUsers(keys: keys)
    }
}
