import ActivationCore
import ActivationFastPaths
import ActivationIngest

/// Reads a first-window feature table computed outside this tool (by the SQL of `activation sql` on a warehouse or
/// Spark): `customer_id,behaviour,day,events,users,data_end` rows, one file or many part files, with or without a
/// header. Rows with `day` at or past the window carry the follow-up counts for activation rates within 90 days
/// and ever: `day` below the follow-up horizon (90, or the window if longer) counts towards "within 90 days",
/// `day` = the horizon stands for that day or later. Validated like any export: bad rows are rejected with file, line, column and reason, and counted.
public final class DailyFeatureReader: CSVRecordSink {
    public static let columns = ["customer_id", "behaviour", "day", "events", "users", "data_end"]

    public let customers: CustomerTable
    public let windowDays: Int
    public let accumulator: FirstWindowAccumulator
    public private(set) var behaviours = ByteInterner(capacity: 64)
    public private(set) var rejects: [RejectedRow] = []
    public private(set) var files: [EventFileAccounting] = []
    /// The latest `data_end` seen.
    public private(set) var dataEndDay: Int?
    /// (customer, behaviour) pairs whose users were set, so that a conflicting repeat is caught.
    private var usersSet: [Int: Int] = [:]

    private var file = ""
    private var accounting = EventFileAccounting(path: "")
    /// The file's rows and rejects (`CSVTableRows`); every record is a row of `columns`, a header only recognised.
    private var rows = CSVTableRows(file: "")
    private var firstRecord = true
    /// Checked before each new behaviour's counts are allocated (nil: not checked).
    public var memoryBudget: MemoryBudget?
    /// Set when the memory budget stops the read: `read` throws it.
    private var stopError: InputError?
    /// True once the memory budget stopped the read (`CSVRecordSink.stopsReading`).
    public var stopsReading: Bool { stopError != nil }

    public init(customers: CustomerTable, windowDays: Int) {
        self.customers = customers
        self.windowDays = windowDays
        accumulator = FirstWindowAccumulator(customerCount: customers.count, windowDays: windowDays)
    }

    public func read(_ source: inout some ByteSource, file: String) throws {
        self.file = file
        accounting = EventFileAccounting(path: file)
        rows.start(file: file)
        rows.expectRows(of: Self.columns)
        firstRecord = true
        try CSVReader().read(&source, into: self)
        rejects.append(contentsOf: rows.rejects)
        accounting.rowsRead = rows.rowsRead
        accounting.rejected = rows.rejectedByReason
        if let stopError { throw stopError }
        files.append(accounting)
    }

    private func reject(_ record: CSVRecord, _ column: String, _ reason: RejectReason, _ detail: String) {
        rows.reject(record, column, reason, detail)
    }

    public func syntaxError(_ error: CSVSyntaxError) {
        firstRecord = false
        rows.syntaxError(error)
    }

    public func consume(_ record: CSVRecord) {
        if stopError != nil { return }
        if firstRecord {
            firstRecord = false
            // Spark and warehouses write part files with or without a header: a header is recognised by its first name.
            if record.count > 0 && HeaderMap.normalise(record.string(0)) == "customer_id" {
                let names = (0..<record.count).map { HeaderMap.normalise(record.string($0)) }
                // A header of other columns is a row that cannot be read.
                if names != Self.columns {
                    rows.countRow()
                    reject(record, "", .wrongFieldCount, "header must be \(Self.columns.joined(separator: ",")), found \(names.joined(separator: ","))")
                }
                return
            }
        }
        guard rows.admit(record, by: self, resolve: { _, _ in }) else { return }
        guard record[0].count > 0 else { reject(record, "customer_id", .emptyCustomerID, "empty customer id"); return }
        guard let customer = customers.ids.lookup(record[0]) else {
            reject(record, "customer_id", .unknownCustomer, "customer '\(record.string(0))' is not in the customer table \(customers.file)")
            return
        }
        guard record[1].count > 0 else { reject(record, "behaviour", .emptyEvent, "empty behaviour"); return }
        // Parsed from the bytes: a feature table from a warehouse has millions of rows.
        // Days past the window are follow-up rows: `followUpHorizon` itself stands for that day or later.
        let horizon = accumulator.followUpHorizon
        guard let day = EventIngestor<FirstWindowAccumulator>.parseCount(record[2]), day <= horizon else {
            reject(record, "day", .invalidCount, "day '\(record.string(2))' is not a whole number from 0 to \(horizon) (0-\(windowDays - 1): the first window; then follow-up days, \(horizon) meaning day \(horizon) or later)")
            return
        }
        guard let events = EventIngestor<FirstWindowAccumulator>.parseCount(record[3]), events > 0 else {
            reject(record, "events", .invalidCount, "events '\(record.string(3))' is not a positive whole number")
            return
        }
        var users: Int?
        if record[4].count > 0 {
            guard let u = EventIngestor<FirstWindowAccumulator>.parseCount(record[4]) else {
                reject(record, "users", .invalidCount, "users '\(record.string(4))' is not a non-negative whole number")
                return
            }
            users = u
        }
        guard let end = TimestampParser.parse(record[5]) else {
            reject(record, "data_end", .unparsableTimestamp, "data_end '\(record.string(5))' is not a date")
            return
        }
        if let memoryBudget, behaviours.lookup(record[1]) == nil {
            do {
                try memoryBudget.check(behaviours: behaviours.count + 1, pairs: accumulator.daily.count,
                                       followUpPairs: accumulator.later.count, at: "'\(record.string(1))' in \(file)")
            } catch {
                stopError = error as? InputError
                return
            }
        }
        guard let (behaviour, isNew) = behaviours.internValidUTF8(record[1]) else {
            reject(record, "behaviour", .invalidUTF8, "the behaviour name is not valid UTF-8")
            return
        }
        if isNew { accumulator.addBehaviour() }
        let endDay = Int(end / 86_400)
        dataEndDay = max(dataEndDay ?? endDay, endDay)
        if day >= windowDays {
            accounting.afterWindow += 1
            accumulator.recordLater(customer: customer, behaviour: behaviour, day: day, count: events)
            return
        }
        accounting.used += 1
        accumulator.record(customer: customer, behaviour: behaviour, day: day, user: -1, count: events)
        if let users {
            let key = customer &* 65_536 &+ behaviour
            if usersSet[key] == nil { usersSet[key] = users; accumulator.setDistinctUsers(customer: customer, behaviour: behaviour, count: users) }
        }
    }
}
