/// The memory a run needs, estimated from the sizes known before its tables are allocated, and the check that stops
/// a run that cannot fit with the figures and the fix, instead of the allocator's crash (issue 17, item 11).
///
/// The tables that grow with the data are of two kinds. Per (customer, behaviour) pair that occurs: the daily
/// counts of the run, of the exports (or pieces) being read and waiting to merge, which hold only the pairs with
/// events (`PairCounts` in ActivationFeatures), and the feature table, which holds each behaviour for its doers only
/// (`BehaviourFeatures`); their size is known as the exports are read. Dense per customer and behaviour: only the
/// models' columns (the joint model's and the lasso's designs over the training customers, and the fits' copies of
/// them), whose size is known once the customers and behaviours are. So the check runs before the first export is
/// opened (with one behaviour, no pairs), before each new behaviour's counts are allocated, by every reader and by
/// the merge, and before each export's counts are merged, with the pairs the run and that export hold: a run stops
/// as soon as what it has seen needs more than is left.
///
/// The estimate, in bytes (`estimate(customers:behaviours:windowDays:pairs:followUpPairs:)`):
///
///     customers × behaviours × 48  +  pairs × (18 × window days + 98)  +  follow-up pairs × 108
///       +  customers × 1,024  +  128 MiB
///
/// - `48` per customer and behaviour: the models' columns (a double per training customer in the per-behaviour
///   columns, the joint design and the lasso's, and what the fits copy);
/// - `18 × window days + 98` per pair with an in-window event: its slot in the run's counts (4 bytes a day, its
///   distinct users and its cell, and the table's entry: `4 × window days + 22`), as much again in each of two
///   exports being read or parked (`8 × window days + 36`), and in the feature table at most `6` bytes a day, `24`
///   a doer (its id, cell start, count and users) and `16` while the table is sorted into it;
/// - `108` per pair with an event after the window: its two follow-up counts, cell and entry in the run and in two
///   exports (`80`), and in the feature table `12` (customer and two counts) and `16` while it is sorted;
/// - `1,024` per customer: the readers' customer maps, signups, the customer table's and the action lists' rows;
/// - `128 MiB`: code, read buffers, report chunks, thread stacks and allocator arenas.
///
/// Measured (peak RSS, GNU time) on 100,000 customers × 200 behaviours, a 30-day window, 950,000 pairs with
/// in-window events and 1.2 million with later ones: 0.81 GB (estimated 2.0 GB; the ingest's tables and the
/// models' columns are never held at once, the estimate adds them). Not included, because they grow with rows rather
/// than with customers and are unknown until the exports are read: about 16-32 bytes per distinct (customer,
/// behaviour, user) triple, and with `deduplicate` about 24 bytes per event row after signup (190 MB for 8.3
/// million rows): a run near the limit with many users or de-duplication can still run short.
public struct MemoryBudget: Sendable, Equatable {
    /// How many bytes the run may still take, and which limit says so ("ulimit -v (RLIMIT_AS)", "MemAvailable in
    /// /proc/meminfo", …): the smallest of the system's limits (`SystemMemory.available()` in ActivationFastPaths).
    public struct Limit: Sendable, Equatable {
        /// Bytes left under the limit when it was read (negative when the process is already beyond it).
        public var bytes: Int
        /// The limit in words, for the message: "ulimit -v (RLIMIT_AS)".
        public var source: String
        /// A limit of `bytes` left, named `source`.
        public init(bytes: Int, source: String) { self.bytes = bytes; self.source = source }
    }

    /// Customers in the run's customer table.
    public let customers: Int
    /// The first window's length in days.
    public let windowDays: Int
    /// nil when no limit could be read: only the cell limit is checked.
    public let limit: Limit?

    /// A budget for a run of `customers` and a `windowDays` window under `limit`.
    public init(customers: Int, windowDays: Int, limit: Limit?) {
        self.customers = customers
        self.windowDays = windowDays
        self.limit = limit
    }

    /// The most customer × behaviour cells the accumulators can address (packed 32-bit cell indices).
    public static let maximumCells = Int(UInt32.max)

    /// The bytes a run of `customers` × `behaviours` with a `windowDays` window needs beyond what is allocated when
    /// its customer table has been read, once `pairs` (customer, behaviour) pairs have in-window events and
    /// `followUpPairs` events after the window (the formula in the type's documentation).
    public static func estimate(customers: Int, behaviours: Int, windowDays: Int, pairs: Int = 0, followUpPairs: Int = 0) -> Int {
        func product(_ a: Int, _ b: Int) -> Int? {
            let p = a.multipliedReportingOverflow(by: b)
            return p.overflow ? nil : p.partialValue
        }
        guard let cells = product(customers, behaviours), let cellBytes = product(cells, 48),
              let pairBytes = product(pairs, 18 * windowDays + 98), let followUpBytes = product(followUpPairs, 108),
              let customerBytes = product(customers, 1_024) else { return .max }
        var total = 0
        for part in [cellBytes, pairBytes, followUpBytes, customerBytes, 128 << 20] {
            let sum = total.addingReportingOverflow(part)
            guard !sum.overflow else { return .max }
            total = sum.partialValue
        }
        return total
    }

    /// The estimate for `behaviours` behaviours and the pairs seen so far under this budget's customers and window.
    public func estimate(behaviours: Int, pairs: Int = 0, followUpPairs: Int = 0) -> Int {
        Self.estimate(customers: customers, behaviours: behaviours, windowDays: windowDays, pairs: pairs, followUpPairs: followUpPairs)
    }

    /// Stops the run (an `InputError` of kind `.memory`, exit status 71) when `behaviours` behaviours and the pairs
    /// seen so far need more than the limit leaves, or more cells than the accumulators can address. Call before
    /// allocating a new behaviour's counts and before merging an export's; `at` names where the behaviour or the
    /// export was met (`"'login' in events-05.csv"`), for the message.
    public func check(behaviours: Int, pairs: Int = 0, followUpPairs: Int = 0, at: @autoclosure () -> String = "") throws {
        let cells = customers.multipliedReportingOverflow(by: behaviours)
        if cells.overflow || cells.partialValue >= Self.maximumCells {
            throw InputError("too many behaviours for \(Format.count(customers)) customers: \(Format.count(behaviours)) behaviours\(Self.place(at())) make more than \(Format.count(Self.maximumCells)) customer × behaviour cells, the most a run can count; \(Self.fix)", kind: .memory)
        }
        guard let limit else { return }
        let needed = estimate(behaviours: behaviours, pairs: pairs, followUpPairs: followUpPairs)
        guard needed > limit.bytes else { return }
        let what = behaviours == 1 ? "1 behaviour" : "\(Format.count(behaviours)) behaviours"
        let active = pairs + followUpPairs == 0 ? "" : " with \(Format.count(pairs + followUpPairs)) customer-behaviour pairs active"
        throw InputError("not enough memory: \(Format.count(customers)) customers × \(what)\(Self.place(at()))\(active) × a \(windowDays)-day window need about \(Format.bytes(needed)), more than the \(Format.bytes(max(0, limit.bytes))) left under \(limit.source); \(Self.fix)", kind: .memory)
    }

    private static func place(_ at: String) -> String { at.isEmpty ? "" : " (so far, up to \(at))" }

    private static let fix = "exclude behaviours the analysis does not need (events.exclude, --exclude-event) or shorten the window (analysis.window_days, --window-days)"
}
