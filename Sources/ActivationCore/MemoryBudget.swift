/// The memory a run needs, estimated from the sizes known before its tables are allocated, and the check that stops
/// a run that cannot fit with the figures and the fix, instead of the allocator's crash (issue 17, item 11).
///
/// The tables that grow with the data are sized by customers × behaviours × window days: the run's daily counts,
/// the counts of the exports (or pieces) being read and waiting to be merged, the feature table and the models.
/// Customers and the window are known once the customer table is read; behaviours appear one by one as the exports
/// are read, so the check runs before the first export is opened (with one behaviour) and again before each new
/// behaviour's counts are allocated, by every reader and by the merge: a run stops as soon as the behaviours seen
/// so far need more than is left, before it allocates them.
///
/// The estimate, in bytes (`estimate(customers:behaviours:windowDays:)`):
///
///     customers × behaviours × (8 × window days + 160)  +  customers × 1,024  +  128 MiB
///
/// - `8 × window days` per customer and behaviour: 4 bytes a day in the run's daily counts, and as much again for
///   the daily counts of the exports being read and parked for their turn to merge (two readers);
/// - `160` per customer and behaviour: the follow-up counts (the run's and the readers' dense tables), distinct users,
///   the feature table (count, first day, active days, users), the models' and rule scan's columns;
/// - `1,024` per customer: the readers' customer maps and follow-up rows, signups, the feature table's and the action
///   lists' rows;
/// - `128 MiB`: code, read buffers, report chunks, thread stacks and allocator arenas.
///
/// Measured (peak RSS, GNU time) on 80,000 customers × 18 behaviours, 20 monthly exports: window 1: 187 MB
/// (estimated 391 MB); 30: 440 MB (725 MB); 366: 3.6 GB (4.6 GB). Not included, because they grow with rows rather
/// than with customers and are unknown until the exports are read: about 16-32 bytes per distinct (customer,
/// behaviour, user) triple, and with `deduplicate` about 24 bytes per event row after signup (190 MB for 8.3 million
/// rows): a run near the limit with many users or de-duplication can still run short.
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
    /// its customer table has been read (the formula in the type's documentation).
    public static func estimate(customers: Int, behaviours: Int, windowDays: Int) -> Int {
        let perCell = 8 * windowDays + 160
        let cells = customers.multipliedReportingOverflow(by: behaviours)
        let cellBytes = cells.partialValue.multipliedReportingOverflow(by: perCell)
        guard !cells.overflow, !cellBytes.overflow else { return .max }
        let (total, overflow) = cellBytes.partialValue.addingReportingOverflow(customers * 1_024 + 128 << 20)
        return overflow ? .max : total
    }

    /// The estimate for `behaviours` behaviours under this budget's customers and window.
    public func estimate(behaviours: Int) -> Int {
        Self.estimate(customers: customers, behaviours: behaviours, windowDays: windowDays)
    }

    /// Stops the run (an `InputError` of kind `.memory`, exit status 71) when `behaviours` behaviours need more than
    /// the limit leaves, or more cells than the accumulators can address. Call before allocating a new behaviour's
    /// counts; `at` names where the behaviour was met (`"'login' in events-05.csv"`), for the message.
    public func check(behaviours: Int, at: @autoclosure () -> String = "") throws {
        let cells = customers.multipliedReportingOverflow(by: behaviours)
        if cells.overflow || cells.partialValue >= Self.maximumCells {
            throw InputError("too many behaviours for \(Format.count(customers)) customers: \(Format.count(behaviours)) behaviours\(Self.place(at())) make more than \(Format.count(Self.maximumCells)) customer × behaviour cells, the most a run can count; \(Self.fix)", kind: .memory)
        }
        guard let limit else { return }
        let needed = estimate(behaviours: behaviours)
        guard needed > limit.bytes else { return }
        let what = behaviours == 1 ? "1 behaviour" : "\(Format.count(behaviours)) behaviours"
        throw InputError("not enough memory: \(Format.count(customers)) customers × \(what)\(Self.place(at())) × a \(windowDays)-day window need about \(Format.bytes(needed)), more than the \(Format.bytes(max(0, limit.bytes))) left under \(limit.source); \(Self.fix)", kind: .memory)
    }

    private static func place(_ at: String) -> String { at.isEmpty ? "" : " (so far, up to \(at))" }

    private static let fix = "exclude behaviours the analysis does not need (events.exclude, --exclude-event) or shorten the window (analysis.window_days, --window-days)"
}
