import ActivationCore
import ActivationFastPaths
import ActivationIngest
import CActivationShims
import Glibc

/// One export's first-window counts, kept apart from every other export's so that exports can be read in parallel,
/// cached by content hash and merged in file order (`FirstWindowAccumulator.add`).
///
/// Daily counts are held only for the customers with in-window rows in this export (a monthly export holds the
/// first window of the month's signups, not of every customer): memory is those customers × behaviours × window
/// days, plus two follow-up counts per customer and behaviour.
public final class ExportAccumulator: FirstWindowEventSink {
    public let customerCount: Int
    public let windowDays: Int
    public var followUpHorizon: Int { FollowUp.horizon(windowDays: windowDays) }
    /// Customer → its row in `daily`, -1 when it has no in-window row here.
    package private(set) var rowOf: [Int32]
    /// Row → customer, in order of first in-window row.
    package private(set) var rowCustomers: [Int32] = []
    /// Per behaviour: `row * windowDays + day` → events (saturating); shorter than rows × window days when the
    /// behaviour's last rows have nothing.
    package private(set) var daily: [[UInt32]] = []
    /// Restored daily counts, per behaviour: (`row * windowDays + day`, events) pairs, flat. A cache entry holds only
    /// the non-zero cells, and merging them as they are is far quicker than spreading them out over `daily` and
    /// scanning its zeroes back (most of a monthly export's rows × days are empty).
    package private(set) var sparseDaily: [[UInt32]] = []
    /// Follow-up counts while reading an export, customer-major: `customer * laterStride + 2 * behaviour` → events
    /// after the window up to the follow-up horizon, `+ 1` → later ones. Customer-major so that one customer's
    /// counts share a cache line or two, which the reader starts loading a few rows ahead (`prefetch(customer:)`):
    /// most export rows are follow-up rows, and this increment was their last cache miss. In `ZeroedPages`
    /// (untouched pages cost nothing). Counts restored from a cache keep `sparseLater` instead (a dense table per
    /// export would cost customers × behaviours × 8 bytes to allocate and to merge).
    private var laterPages: ZeroedPages?
    private var later: UnsafeMutablePointer<UInt32>? { laterPages?.pointer(to: UInt32.self) }
    /// UInt32s per customer in `later`: 2 × the behaviours it has room for (doubled when a behaviour does not fit).
    private var laterStride = 0
    private var behaviourCount = 0
    /// Restored follow-up counts, per behaviour: (`2 * customer + slot`, events) pairs, flat.
    package private(set) var sparseLater: [[UInt32]] = []
    private let denseLater: Bool
    /// (customer, behaviour, user) triples seen inside the window (`CountCells.userKey`).
    package private(set) var users = KeySet()
    /// Triples restored from a cache, which holds each once: kept as they are, since merging only goes through them.
    private var restoredUsers: [UInt64] = []

    /// How many distinct (customer, behaviour, user) triples: seen or restored.
    package var userTripleCount: Int { users.count + restoredUsers.count }

    /// - Parameter restoring: true for counts restored from a cache (sparse follow-up counts).
    public init(customerCount: Int, windowDays: Int, restoring: Bool = false) {
        precondition(customerCount < CountCells.maximumCells, "more than 4 billion customers")
        self.customerCount = customerCount
        self.windowDays = windowDays
        denseLater = !restoring
        rowOf = [Int32](repeating: -1, count: customerCount)
    }

    public func addBehaviour() {
        precondition((behaviourCount + 1) * customerCount < CountCells.maximumCells, "more than 2^32 customer-behaviour cells")
        daily.append([])
        if !denseLater { sparseLater.append([]); sparseDaily.append([]) }
        behaviourCount += 1
        guard denseLater, 2 * behaviourCount > laterStride else { return }
        let stride = max(32, 2 * laterStride)
        let pages = ZeroedPages(byteCount: customerCount * stride * MemoryLayout<UInt32>.stride)
        let grown = pages.pointer(to: UInt32.self)
        if let later {
            for c in 0..<customerCount { (grown + c * stride).update(from: later + c * laterStride, count: laterStride) }
        }
        laterPages = pages
        laterStride = stride
    }

    /// Starts loading `customer`'s follow-up counts (a hint from the reader, a few rows ahead).
    @inline(__always)
    public func prefetch(customer: Int) {
        guard let later else { return }
        let row = later + customer * laterStride
        activation_prefetch(row)
        if laterStride > 16 { activation_prefetch(row + 16) }
    }

    @inline(__always)
    public func record(customer: Int, behaviour: Int, day: Int, user: Int, count: Int) {
        var row = Int(rowOf[customer])
        if row < 0 {
            row = rowCustomers.count
            rowOf[customer] = Int32(row)
            rowCustomers.append(Int32(customer))
        }
        add(row: row, behaviour: behaviour, day: day, count: UInt32(clamping: count))
        if user >= 0 { insertUser(customer: customer, behaviour: behaviour, user: user) }
    }

    @inline(__always)
    public func recordLater(customer: Int, behaviour: Int, day: Int, count: Int) {
        let slot = CountCells.followUpSlot(day: day, horizon: followUpHorizon)
        later![customer * laterStride + 2 * behaviour + slot].addSaturating(UInt32(clamping: count))
    }

    /// Adds to one daily cell of `row` (a row already made), growing the behaviour's array as needed.
    @inline(__always)
    package func add(row: Int, behaviour: Int, day: Int, count: UInt32) {
        let cell = row * windowDays + day
        if cell >= daily[behaviour].count {
            daily[behaviour].append(contentsOf: repeatElement(0, count: (row + 1) * windowDays - daily[behaviour].count))
        }
        daily[behaviour][cell].addSaturating(count)
    }

    /// A row for `customer`, made when it has none (for counts restored from a cache).
    package func row(for customer: Int) -> Int {
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
        precondition(!denseLater)
        sparseDaily[behaviour] = daily
        sparseLater[behaviour] = later
    }

    /// Every non-zero daily count of behaviour `b`, dense or restored: (`row * windowDays + day`, events), by cell.
    @inline(__always)
    package func forEachDaily(behaviour b: Int, _ body: (Int, UInt32) -> Void) {
        if b < sparseDaily.count { Self.forEachPair(sparseDaily[b], body) }
        daily[b].withUnsafeBufferPointer { cells in
            for i in 0..<cells.count where cells[i] > 0 { body(i, cells[i]) }
        }
    }

    /// Adds behaviour `b`'s daily counts, dense or restored, to a run's table laid out `customer * windowDays + day`
    /// (saturating). Rows are a month's signups in order of first appearance, so each lands at a random place of a
    /// table of megabytes: the target of the row four ahead is loaded while one row is added (restored cells come
    /// sorted by row; an unsorted damaged entry still adds correctly, only slower).
    package func addDaily(behaviour b: Int, into destination: UnsafeMutablePointer<UInt32>) {
        let window = windowDays
        rowCustomers.withUnsafeBufferPointer { rowCustomers in
            @inline(__always) func target(row: Int) -> UnsafeMutablePointer<UInt32> {
                let ahead = row + 4
                if ahead < rowCustomers.count {
                    let next = destination + Int(rowCustomers[ahead]) * window
                    activation_prefetch(next)
                    activation_prefetch(next + window - 1)
                }
                return destination + Int(rowCustomers[row]) * window
            }
            if b < sparseDaily.count {
                sparseDaily[b].withUnsafeBufferPointer { pairs in
                    var rowStart = -1, rowTarget = destination
                    var i = 0
                    while i + 1 < pairs.count {
                        let cell = Int(pairs[i])
                        if rowStart < 0 || cell < rowStart || cell >= rowStart + window {
                            let row = cell / window
                            rowStart = row * window
                            rowTarget = target(row: row)
                        }
                        rowTarget[cell - rowStart].addSaturating(pairs[i + 1])
                        i += 2
                    }
                }
            }
            daily[b].withUnsafeBufferPointer { cells in
                var row = 0
                while row * window < cells.count {
                    let rowTarget = target(row: row)
                    for day in 0..<min(window, cells.count - row * window) where cells[row * window + day] > 0 {
                        rowTarget[day].addSaturating(cells[row * window + day])
                    }
                    row += 1
                }
            }
        }
    }

    /// Every non-zero follow-up count, dense or restored: (behaviour, `2 * customer + slot`, events); dense counts
    /// in one customer-major pass.
    @inline(__always)
    package func forEachLater(_ body: (Int, Int, UInt32) -> Void) {
        for (b, pairs) in sparseLater.enumerated() { Self.forEachPair(pairs) { body(b, $0, $1) } }
        guard let later else { return }
        let cells = 2 * behaviourCount
        for c in 0..<customerCount {
            let row = later + c * laterStride
            for k in 0..<cells where row[k] > 0 { body(k >> 1, 2 * c + (k & 1), row[k]) }
        }
    }

    /// Counts a distinct-user triple of a row read.
    @inline(__always)
    package func insertUser(customer: Int, behaviour: Int, user: Int) {
        users.insert(CountCells.userKey(customer: customer, behaviour: behaviour, user: user, customers: customerCount))
    }

    /// Restores the distinct (customer, behaviour, user) triples (`CountCells.userKey`) of a cache entry.
    package func restoreUsers(_ keys: [UInt64]) {
        precondition(!denseLater)
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
        for (b, target) in behaviourMap.enumerated() {
            daily[target].withUnsafeMutableBufferPointer { if let base = $0.baseAddress { export.addDaily(behaviour: b, into: base) } }
        }
        let perBehaviour = 2 * customerCount
        var any = false
        later.withUnsafeMutableBufferPointer { destination in
            behaviourMap.withUnsafeBufferPointer { target in
                export.forEachLater { b, cell, count in
                    destination[target[b] * perBehaviour + cell].addSaturating(count)
                    any = true
                }
            }
        }
        if any { sawLaterEvents = true }
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
