import ActivationFastPaths
import CActivationShims
import Glibc

/// The two follow-up counts (after the window up to the follow-up horizon, and later) of the (customer, behaviour)
/// pairs that occur, held in the table's entries themselves: 16 bytes an entry, the pair's cell
/// (`behaviour * customers + customer`, below 2^32 - 1) and its two counts.
///
/// Why not a `PairCounts` of width 2: most export rows are follow-up rows, and a slot table makes each wait on two
/// loads one after the other, the entry and then its slot; here a row costs the one cache line of its entry. The
/// price is that growing the table moves the counts, so a pointer from `counts(_:)` is valid only until the next
/// pair is added; the batch look-up reserves room for its whole batch first, so its pointers stay valid for the
/// batch. Iteration (`forEach`) is in table order, which is the same for the same rows added in the same order.
/// Not thread-safe: one reader or merger at a time, like the accumulators that hold it.
package final class FollowUpPairCounts {
    /// Counts per pair.
    package let width = 2
    /// Pairs held.
    package private(set) var count = 0

    /// Per entry: the cell (`empty` when free), the two counts, and a word of padding (16-byte entries, four to a
    /// cache line). Linear probing, at most three quarters full. In `storage`, page-aligned, so that a customer's
    /// group is two cache lines.
    private var entries: UnsafeMutablePointer<UInt32>
    private var storage: ZeroedPages
    private var capacity: Int
    /// `64 - log2(capacity)`: the hash's top bits are the home entry.
    private var shift: UInt64
    private static let empty = UInt32.max
    private static let entryWords = 4

    /// Where a pair's probe starts: its customer's group of eight entries (`PairHome`).
    private let homes: PairHome

    /// - Parameter customers: the customer count of the cells (`CountCells.pair`).
    package init(customers: Int) {
        homes = PairHome(customers: max(1, customers))
        capacity = 1 << 10
        shift = 64 - 10
        (storage, entries) = Self.makeEntries(capacity)
    }

    /// `capacity` empty entries (zero counts, the cell `empty`).
    private static func makeEntries(_ capacity: Int) -> (ZeroedPages, UnsafeMutablePointer<UInt32>) {
        let storage = ZeroedPages(byteCount: capacity * entryWords * 4)
        let table = storage.pointer(to: UInt32.self)
        for i in 0..<capacity { table[i * entryWords] = empty }
        return (storage, table)
    }

    /// Bytes held by the table.
    package var bytes: Int { capacity * Self.entryWords * 4 }

    @inline(__always)
    private func home(_ cell: UInt32) -> Int { homes.entry(cell, shift: shift) }

    /// The two counts of `cell`'s pair, made (zero) when it has none; valid until the next pair is added.
    @inline(__always)
    package func counts(_ cell: UInt32) -> UnsafeMutablePointer<UInt32> {
        let mask = capacity - 1
        var i = home(cell)
        while true {
            let e = entries + i * Self.entryWords
            if e[0] == cell { return e + 1 }
            if e[0] == Self.empty { return insert(cell, at: i) }
            i = (i + 1) & mask
        }
    }

    /// Starts loading `customer`'s group of entries (a hint for a row a few rows ahead): eight 16-byte entries,
    /// two cache lines (the entries are line-aligned).
    @inline(__always)
    package func prefetchGroup(customer: Int) {
        let group = entries + homes.group(customer: UInt64(customer), shift: shift) * Self.entryWords
        activation_prefetch(group)
        activation_prefetch(group + 16)
    }

    /// Batch size for `counts(_:into:)`.
    package static let batch = 32

    /// The counts of each of `cells`' pairs (made when missing) into `slots`, valid together until the next call:
    /// room for the whole batch is made first, then every entry is loaded before any is probed, so that a merge's
    /// look-ups, which land at random in a table of megabytes, overlap instead of waiting one after the other.
    @inline(__always)
    package func counts(_ cells: UnsafeBufferPointer<UInt32>, into slots: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>) {
        while (count + cells.count) * 4 > capacity * 3 { grow() }
        for cell in cells { activation_prefetch(entries + home(cell) * Self.entryWords) }
        for k in cells.indices { slots[k] = counts(cells[k]) }
    }

    /// The counts of `cell`'s pair, nil when it has none.
    @inline(__always)
    package func existing(_ cell: UInt32) -> UnsafeMutablePointer<UInt32>? {
        let mask = capacity - 1
        var i = home(cell)
        while true {
            let e = entries + i * Self.entryWords
            if e[0] == cell { return e + 1 }
            if e[0] == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    @inline(never)
    private func insert(_ cell: UInt32, at entry: Int) -> UnsafeMutablePointer<UInt32> {
        precondition(cell != Self.empty, "more than 2^32 - 1 customer-behaviour cells")
        var entry = entry
        if (count + 1) * 4 > capacity * 3 {
            grow()
            let mask = capacity - 1
            entry = home(cell)
            while entries[entry * Self.entryWords] != Self.empty { entry = (entry + 1) & mask }
        }
        count += 1
        probedToInsert += (entry - home(cell)) & (capacity - 1)
        let e = entries + entry * Self.entryWords
        e[0] = cell
        return e + 1
    }

    /// Entries walked past the home entry to place the pairs held (when they were added; moves by growth not
    /// counted): about `count` when they are well spread, far more when pairs were added in an order that clusters
    /// them (see `reserve(pairs:)`). Counted where a pair is made, off the path of a pair found.
    package private(set) var probedToInsert = 0

    /// Grows the table, if needed, so that `pairs` pairs fit, before another table's pairs are added in its table
    /// order (`forEach`, or a cache entry written in that order).
    ///
    /// Why: table order is hash order. Added in that order to a smaller table, which reads fewer of the hash's top
    /// bits, a run of pairs all start their probe in the same few groups and each walks to the end of the cluster
    /// the ones before it made: quadratic (a merge of a 15 MB export into the run's empty table took ≈ 40,000
    /// instructions a pair). With room for the other table's pairs this table is at least as large as it, homes
    /// come in ascending order and every probe is short. It never holds more than the merge needs: the union holds
    /// at least the other table's pairs, so this table would grow this far anyway.
    package func reserve(pairs: Int) {
        while pairs * 4 > capacity * 3 { grow() }
    }

    private func grow() {
        let (oldStorage, old) = (storage, entries), oldCapacity = capacity
        capacity *= 2
        shift -= 1
        (storage, entries) = Self.makeEntries(capacity)
        let mask = capacity - 1
        for k in 0..<oldCapacity where old[k * Self.entryWords] != Self.empty {
            let from = old + k * Self.entryWords
            var i = home(from[0])
            while entries[i * Self.entryWords] != Self.empty { i = (i + 1) & mask }
            (entries + i * Self.entryWords).update(from: from, count: Self.entryWords)
        }
        withExtendedLifetime(oldStorage) {}
    }

    /// Each pair's cell and counts, in table order.
    @inline(__always)
    package func forEach(_ body: (_ cell: Int, _ counts: UnsafeMutablePointer<UInt32>) throws -> Void) rethrows {
        for k in 0..<capacity {
            let e = entries + k * Self.entryWords
            if e[0] != Self.empty { try body(Int(e[0]), e + 1) }
        }
    }
}
