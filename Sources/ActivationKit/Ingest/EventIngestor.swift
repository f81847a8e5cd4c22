/// Where ingest hands each usable event: the Features stage implements it. Ids are dense: behaviours are numbered
/// 0, 1, 2, … in order of first appearance, and `addBehaviour` is called before the first event of each.
public protocol FirstWindowEventSink: AnyObject {
    func addBehaviour()
    /// One event row inside the first window: `day` is 0-based from signup, `user` is -1 when unknown.
    func record(customer: Int, behaviour: Int, day: Int, user: Int, count: Int)
}

/// The fate of every event row of one file. `rowsRead == used + beforeSignup + afterWindow + rejected`.
public struct EventFileAccounting: Sendable, Equatable, Codable {
    public var path: String
    public var bytes: Int = 0
    public var sha256: String = ""
    public var rowsRead = 0
    public var used = 0
    /// Events stamped before the customer's signup day: outside the first window.
    public var beforeSignup = 0
    /// Events on or after signup + window: outside the first window.
    public var afterWindow = 0
    public var rejected: [String: Int] = [:]
    public var rejectedTotal: Int { rejected.values.reduce(0, +) }
    public init(path: String) { self.path = path }

    enum CodingKeys: String, CodingKey {
        case path, bytes, sha256, rowsRead = "rows_read", used, beforeSignup = "before_signup",
             afterWindow = "after_window", rejected
    }
}

/// Reads event exports row by row and feeds the first-window events to a sink.
///
/// The hot path works on bytes: the customer id is looked up in the interned customer table, the event name and
/// user id are interned, the timestamp is parsed from bytes into seconds. No `String` or `Date` is made for a
/// usable row.
public final class EventIngestor<Sink: FirstWindowEventSink>: CSVRecordSink {
    public let customers: CustomerTable
    public let windowDays: Int
    public let columns: EventColumns
    /// Offset assumed for timestamps without a zone (0 = UTC).
    public var naiveOffsetSeconds = 0
    let sink: Sink
    /// Event names as they appear in the exports, by behaviour id.
    public private(set) var behaviours = ByteInterner(capacity: 64)
    public private(set) var users = ByteInterner(capacity: 4096)
    public private(set) var rejects: [RejectedRow] = []
    public private(set) var files: [EventFileAccounting] = []

    // Per-file state.
    private var file = ""
    private var accounting = EventFileAccounting(path: "")
    private var sawHeader = false
    private var headerError: InputError?
    private var headerNames: [String] = []
    private var fieldCount = 0
    private var customerIndex = 0, eventIndex = 0, timestampIndex = 0
    private var userIndex = -1, countIndex = -1
    private let signupSeconds: [Int64]
    private let windowSeconds: Int64

    public init(customers: CustomerTable, windowDays: Int, columns: EventColumns, sink: Sink) {
        self.customers = customers
        self.windowDays = windowDays
        self.columns = columns
        self.sink = sink
        signupSeconds = customers.customers.map { Int64($0.signupDay) * 86_400 }
        windowSeconds = Int64(windowDays) * 86_400
    }

    /// Reads one export file completely. Throws only for problems that make the whole file unusable
    /// (no header, a required column missing); row problems become rejects.
    public func read(_ source: inout some ByteSource, file: String) throws {
        self.file = file
        accounting = EventFileAccounting(path: file)
        sawHeader = false
        headerError = nil
        try CSVReader().read(&source, into: self)
        if let headerError { throw headerError }
        guard sawHeader else {
            throw InputError("\(file): the export is empty (no header row); expected columns \(columns.customerID),\(columns.event),\(columns.timestamp)")
        }
        files.append(accounting)
    }

    private func reject(_ record: CSVRecord, _ column: String, _ reason: RejectReason, _ detail: @autoclosure () -> String) {
        accounting.rejected[reason.rawValue, default: 0] += 1
        rejects.append(RejectedRow(file: file, line: record.line, column: column, reason: reason, detail: detail(), raw: record.rawText))
    }

    public func syntaxError(_ error: CSVSyntaxError) {
        if !sawHeader {
            headerError = headerError ?? .header(error, file: file)
            return
        }
        accounting.rowsRead += 1
        let row = RejectedRow(syntaxError: error, file: file)
        accounting.rejected[row.reason.rawValue, default: 0] += 1
        rejects.append(row)
    }

    private func readHeader(_ record: CSVRecord) {
        let map = HeaderMap(record, file: file)
        do {
            customerIndex = try map.require(columns.customerID, option: "--customer-column")
            eventIndex = try map.require(columns.event, option: "--event-column")
            timestampIndex = try map.require(columns.timestamp, option: "--timestamp-column")
        } catch { headerError = error as? InputError; return }
        userIndex = map.index(of: columns.userID) ?? -1
        if userIndex == customerIndex { userIndex = -1 }
        countIndex = map.index(of: columns.count) ?? -1
        headerNames = map.names
        fieldCount = record.count
    }

    public func consume(_ record: CSVRecord) {
        if headerError != nil { return }
        if !sawHeader {
            sawHeader = true
            readHeader(record)
            return
        }
        accounting.rowsRead += 1
        guard record.count == fieldCount else {
            reject(record, "", .wrongFieldCount, "expected \(self.fieldCount) fields as in the header, found \(record.count)")
            return
        }
        let customerBytes = record[customerIndex]
        guard customerBytes.count > 0 else {
            reject(record, columns.customerID, .emptyCustomerID, "empty customer id")
            return
        }
        guard let customer = customers.ids.lookup(customerBytes) else {
            if !isValidUTF8(customerBytes) {
                reject(record, columns.customerID, .invalidUTF8, "the customer id is not valid UTF-8")
            } else {
                reject(record, columns.customerID, .unknownCustomer,
                       "customer '\(String(decoding: customerBytes, as: UTF8.self))' is not in the customer table \(self.customers.file)")
            }
            return
        }
        let eventBytes = record[eventIndex]
        guard eventBytes.count > 0 else {
            reject(record, columns.event, .emptyEvent, "empty event name")
            return
        }
        guard let seconds = TimestampParser.parse(record[timestampIndex], naiveOffsetSeconds: naiveOffsetSeconds) else {
            reject(record, columns.timestamp, .unparsableTimestamp,
                   "'\(record.string(self.timestampIndex))' is not an ISO 8601 timestamp, a date, or epoch seconds / milliseconds")
            return
        }
        var count = 1
        if countIndex >= 0 {
            let bytes = record[countIndex]
            if bytes.count > 0 {
                guard let value = Self.parseCount(bytes) else {
                    reject(record, columns.count, .invalidCount, "'\(record.string(self.countIndex))' is not a non-negative whole number")
                    return
                }
                count = value
            }
        }
        var user = -1
        if userIndex >= 0 {
            let bytes = record[userIndex]
            if bytes.count > 0 {
                guard let interned = users.internValidUTF8(bytes) else {
                    reject(record, columns.userID, .invalidUTF8, "the user id is not valid UTF-8")
                    return
                }
                user = interned.id
            }
        }
        let offset = seconds - signupSeconds[customer]
        if offset < 0 { accounting.beforeSignup += 1; return }
        if offset >= windowSeconds { accounting.afterWindow += 1; return }
        guard let (behaviour, isNew) = behaviours.internValidUTF8(eventBytes) else {
            reject(record, columns.event, .invalidUTF8, "the event name is not valid UTF-8")
            return
        }
        if isNew { sink.addBehaviour() }
        accounting.used += 1
        sink.record(customer: customer, behaviour: behaviour, day: Int(offset / 86_400), user: user, count: count)
    }

    /// A non-negative whole number ("3", "3.0" accepted; "-1", "2.5", "x" not).
    @inline(__always)
    static func parseCount(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
        var value = 0
        var i = 0
        while i < s.count, s[i] >= 48, s[i] <= 57 {
            value = value &* 10 &+ Int(s[i] - 48)
            if value > 1_000_000_000 { return nil }
            i += 1
        }
        guard i > 0 else { return nil }
        if i < s.count {
            guard s[i] == 0x2E else { return nil }
            i += 1
            while i < s.count { guard s[i] == 48 else { return nil }; i += 1 }
        }
        return value
    }
}
