import ActivationFastPaths
import CActivationShims
import Glibc

/// Counts kept only for the (customer, behaviour) pairs that occur: a pair gets a slot of `width` UInt32 counts
/// (a day of the window each, or the two follow-up counts) at its first event, found again through an
/// open-addressing table keyed by the pair's cell (`behaviour * customers + customer`, below 2^32 - 1).
///
/// Why this layout: a run's memory used to be customers × behaviours × window days whether a customer did a
/// behaviour or not; most customers do a few of many behaviours. A slot per pair keeps a pair's days together, so
/// an event row costs one probe of the table (8-byte entries: the cell and the slot) and one add into the slot,
/// about what the dense layout cost (a customer's row, then its cell); the dense sets, where nearly every pair
/// occurs, pay only the table (about 14 bytes a pair at the average load) on top of the counts. Cells per
/// (pair, day) would be smaller for very sparse data but cost a probe per day in every reader of the days.
///
/// Slots live in chunks of `chunkSlots` that never move (zeroed by `calloc`, pages untouched cost nothing), so a
/// slot's address stays valid while the table grows and growing copies only the 8-byte entries, never the counts.
/// Slots are numbered in order of first event; each starts with its pair's cell, so that they can be walked
/// without the table. Not thread-safe: one reader or merger at a time, like the accumulators that hold it.
package final class PairCounts {
    /// Counts per pair.
    package let width: Int
    /// UInt32s per slot: the pair's cell, then `width` counts.
    private let stride: Int
    /// Pairs (slots) made.
    package private(set) var count = 0

    /// `cell << 32 | slot`, or `empty`. Linear probing, at most three quarters full. In `storage`, page-aligned, so
    /// that a customer's group is one cache line.
    private var entries: UnsafeMutablePointer<UInt64>
    private var storage: ZeroedPages
    private var capacity: Int
    /// `64 - log2(capacity)`: the hash's top bits are the home entry.
    private var shift: UInt64
    private static let empty = UInt64.max
    private static let chunkShift = 12
    private static let chunkSlots = 1 << chunkShift
    private var chunks: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>
    private var chunkCapacity = 16
    private var chunkCount = 0

    /// Where a pair's probe starts: its customer's group of eight entries (`PairHome`).
    private let homes: PairHome

    /// - Parameters:
    ///   - width: counts per pair.
    ///   - customers: the customer count of the cells (`CountCells.pair`).
    package init(width: Int, customers: Int) {
        precondition(width > 0)
        self.width = width
        homes = PairHome(customers: max(1, customers))
        stride = width + 1
        capacity = 1 << 10
        shift = 64 - 10
        (storage, entries) = Self.makeEntries(capacity)
        chunks = .allocate(capacity: chunkCapacity)
    }

    deinit {
        for k in 0..<chunkCount { free(chunks[k]) }
        chunks.deallocate()
    }

    /// `capacity` empty entries.
    private static func makeEntries(_ capacity: Int) -> (ZeroedPages, UnsafeMutablePointer<UInt64>) {
        let storage = ZeroedPages(byteCount: capacity * 8)
        let table = storage.pointer(to: UInt64.self)
        table.update(repeating: empty, count: capacity)
        return (storage, table)
    }

    /// Bytes held: the table's entries and the slots' chunks.
    package var bytes: Int { capacity * 8 + chunkCount * Self.chunkSlots * stride * 4 }

    @inline(__always)
    private func home(_ cell: UInt32) -> Int { homes.entry(cell, shift: shift) }

    /// Slot `s`'s first UInt32 (its cell); its counts follow.
    @inline(__always)
    private func base(_ s: Int) -> UnsafeMutablePointer<UInt32> {
        chunks[s >> Self.chunkShift] + (s & (Self.chunkSlots - 1)) * stride
    }

    /// The counts of `cell`'s pair, made (zero) when it has none.
    @inline(__always)
    package func counts(_ cell: UInt32) -> UnsafeMutablePointer<UInt32> {
        let mask = capacity - 1
        var i = home(cell)
        while true {
            let e = entries[i]
            if e == Self.empty { return insert(cell, at: i) }
            if UInt32(truncatingIfNeeded: e >> 32) == cell { return base(Int(UInt32(truncatingIfNeeded: e))) + 1 }
            i = (i + 1) & mask
        }
    }

    /// Starts loading `customer`'s group of entries (a hint for a row a few rows ahead): eight 8-byte entries, one
    /// cache line (the entries are line-aligned).
    @inline(__always)
    package func prefetchGroup(customer: Int) {
        activation_prefetch(entries + homes.group(customer: UInt64(customer), shift: shift))
    }

    /// Batch size for `counts(_:into:)`.
    package static let batch = 32

    /// The counts of each of `cells`' pairs (made when missing) into `slots`, with every cell's table entry loaded
    /// before any is probed and each slot loaded as it is found: a merge's look-ups land at random in tables of
    /// megabytes, and a batch's loads overlap instead of waiting one after the other.
    @inline(__always)
    package func counts(_ cells: UnsafeBufferPointer<UInt32>, into slots: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>) {
        for cell in cells { activation_prefetch(entries + home(cell)) }
        for k in cells.indices {
            let slot = counts(cells[k])
            activation_prefetch(slot)
            if width > 15 { activation_prefetch(slot + width - 1) }
            slots[k] = slot
        }
    }

    /// Loads the slot of `counts` (a hint: changes nothing).
    @inline(__always)
    package func prefetch(slot counts: UnsafeMutablePointer<UInt32>) {
        activation_prefetch(counts)
        if width > 15 { activation_prefetch(counts + width - 1) }
    }

    /// The counts of `cell`'s pair, nil when it has none.
    @inline(__always)
    package func existing(_ cell: UInt32) -> UnsafeMutablePointer<UInt32>? {
        let mask = capacity - 1
        var i = home(cell)
        while true {
            let e = entries[i]
            if e == Self.empty { return nil }
            if UInt32(truncatingIfNeeded: e >> 32) == cell { return base(Int(UInt32(truncatingIfNeeded: e))) + 1 }
            i = (i + 1) & mask
        }
    }

    @inline(never)
    private func insert(_ cell: UInt32, at entry: Int) -> UnsafeMutablePointer<UInt32> {
        precondition(count < Int(UInt32.max), "more than 2^32 customer-behaviour pairs")
        var entry = entry
        if (count + 1) * 4 > capacity * 3 {
            grow()
            let mask = capacity - 1
            entry = home(cell)
            while entries[entry] != Self.empty { entry = (entry + 1) & mask }
        }
        let s = count
        if s >> Self.chunkShift == chunkCount {
            if chunkCount == chunkCapacity {
                let grown = UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>.allocate(capacity: 2 * chunkCapacity)
                grown.moveInitialize(from: chunks, count: chunkCount)
                chunks.deallocate()
                chunks = grown
                chunkCapacity *= 2
            }
            guard let chunk = calloc(Self.chunkSlots * stride, MemoryLayout<UInt32>.stride) else { fatalError("out of memory") }
            chunks[chunkCount] = chunk.assumingMemoryBound(to: UInt32.self)
            chunkCount += 1
        }
        count += 1
        entries[entry] = UInt64(cell) << 32 | UInt64(s)
        let slot = base(s)
        slot[0] = cell
        return slot + 1
    }

    private func grow() {
        let (oldStorage, old) = (storage, entries), oldCapacity = capacity
        capacity *= 2
        shift -= 1
        (storage, entries) = Self.makeEntries(capacity)
        let mask = capacity - 1
        for k in 0..<oldCapacity where old[k] != Self.empty {
            var i = home(UInt32(truncatingIfNeeded: old[k] >> 32))
            while entries[i] != Self.empty { i = (i + 1) & mask }
            entries[i] = old[k]
        }
        withExtendedLifetime(oldStorage) {}
    }

    /// Each pair's cell and counts, in order of first event.
    @inline(__always)
    package func forEach(_ body: (_ cell: Int, _ counts: UnsafeMutablePointer<UInt32>) throws -> Void) rethrows {
        for s in 0..<count {
            let slot = base(s)
            try body(Int(slot[0]), slot + 1)
        }
    }
}
