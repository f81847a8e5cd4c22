import ActivationCore
import ActivationFastPaths

/// Reads event exports row by row and feeds the first-window events to a sink.
///
/// The hot path works on bytes: the customer id is looked up in the interned customer table, the event name and
/// user id are interned, the timestamp is parsed from bytes into seconds. No `String` or `Date` is made for a
/// usable row.
public final class EventIngestor<Sink: FirstWindowEventSink>: CSVRecordSink {
    public let customers: CustomerTable
    public let windowDays: Int
    public let columns: EventColumns
    public let options: EventReadingOptions
    package let sink: Sink
    /// The sink again when it can prefetch its counts (`PrefetchingEventSink`), else nil: asked once.
    private let countsScout: (any PrefetchingEventSink)?
    /// Copied out of `options` once, so that the per-row code reads stored properties, not a nested struct.
    private let timestamps: TimestampReader
    private let userAccounts: UserAccountMap?
    private let deduplicate: Bool
    private let latestAllowed: Int64
    private let delimiter: UInt8
    /// Behaviour names (after renames), by behaviour id.
    public private(set) var behaviours = ByteInterner(capacity: 64)
    public private(set) var users = ByteInterner(capacity: 4096)
    /// The rejected rows of the files read so far, in file and row order.
    public private(set) var rejects: [RejectedRow] = []
    public private(set) var files: [EventFileAccounting] = []
    /// The latest timestamp of any row with a known customer and a valid timestamp (inside the window or not): how
    /// far the data reaches, for censoring customers whose window is still open.
    public private(set) var latestTimestamp: Int64?
    /// Export event names and what they became, in order of first appearance (for the report).
    public private(set) var exportNames: [(name: String, resolution: EventNaming.Resolution)] = []

    // Export names as spelled in the files; `exportBehaviour[id]` is the behaviour id, -1 for excluded,
    // -2 when the behaviour has not been seen inside a window yet (its id is made on first use).
    private var exportNameIDs = ByteInterner(capacity: 64)
    private var exportBehaviour: [Int32] = []
    private var exportCanonical: [String] = []
    private var seenRows = KeySet()
    /// With de-duplication, every kept row after signup with its key, in row order: what a merge of
    /// exports read apart needs to drop the rows that repeat an earlier export's (see `IngestMerger`).
    public private(set) var dedupeLog: [DedupeEntry] = []
    /// Per customer, 1 when one of its rows was placed relative to its signup (before, inside or after the window):
    /// the customers whose signup date the result depends on.
    public private(set) var placedCustomers: [UInt8]
    /// Customer (account) ids rejected as not in the customer table: the result depends on their staying unknown.
    public private(set) var unknownCustomerIDs: Set<String> = []

    // Per-file state.
    private var file = ""
    private var accounting = EventFileAccounting(path: "")
    /// The file's header, row count and rejects (`CSVTableRows`).
    private var rows = CSVTableRows(file: "")
    /// -1 when the file has no account column and accounts come from the user-to-account mapping.
    private var customerIndex = 0
    private var eventIndex = 0, timestampIndex = 0
    private var userIndex = -1, countIndex = -1
    /// Signup seconds by customer, for user-level exports (account exports get them from `CustomerTable.locate`).
    private let signupSeconds: [Int64]
    private let windowSeconds: Int64

    public init(customers: CustomerTable, windowDays: Int, columns: EventColumns,
                options: EventReadingOptions = EventReadingOptions(), sink: Sink) {
        self.customers = customers
        self.windowDays = windowDays
        self.columns = columns
        self.options = options
        self.sink = sink
        countsScout = sink as? any PrefetchingEventSink
        timestamps = options.timestamps
        userAccounts = options.userAccounts
        deduplicate = options.deduplicate
        latestAllowed = options.latestAllowedSeconds
        delimiter = columns.delimiter.byte
        signupSeconds = customers.customers.map { Int64($0.signupDay) * 86_400 }
        windowSeconds = Int64(windowDays) * 86_400
        placedCustomers = [UInt8](repeating: 0, count: customers.count)
    }

    /// Reads one export file completely. Throws only for problems that make the whole file unusable
    /// (no header, a required column missing); row problems become rejects.
    @discardableResult
    public func read(_ source: inout some ByteSource, file: String) throws -> CSVReader.Summary {
        self.file = file
        accounting = EventFileAccounting(path: file)
        rows.start(file: file)
        let summary: CSVReader.Summary
        if columns.encoding == .utf8 {
            summary = try CSVReader(delimiter: delimiter).read(&source, into: self)
        } else {
            // Transcoded on the way in; the base source (with its fingerprint of the bytes on disk) is handed back.
            var transcoding = TranscodingByteSource(base: source, encoding: columns.encoding)
            defer { source = transcoding.base }
            summary = try CSVReader(delimiter: delimiter).read(&transcoding, into: self)
        }
        rejects.append(contentsOf: rows.rejects)
        accounting.rowsRead = rows.rowsRead
        accounting.rejected = rows.rejectedByReason
        if let headerError = rows.headerError { throw headerError }
        if let stopError { throw stopError }
        guard rows.sawHeader || summary.lines == 0 else {
            throw InputError("\(file): the export is empty (no header row); expected columns \(columns.customerID),\(columns.event),\(columns.timestamp)")
        }
        // A 0-byte file (a month without events, an export job that wrote nothing yet) is an export of no rows:
        // it is accounted for like any other, and only when every export is empty does the run stop.
        files.append(accounting)
        return summary
    }

    private func reject(_ record: CSVRecord, _ column: String, _ reason: RejectReason, _ detail: @autoclosure () -> String) {
        rows.reject(record, column, reason, detail())
    }

    public func syntaxError(_ error: CSVSyntaxError) { rows.syntaxError(error) }

    /// Resolves the export's columns from its header.
    private func readHeader(_ map: HeaderMap) throws {
        if userAccounts != nil {
            // User-level export: one column holds user ids; the mapping turns them into accounts, and the same
            // ids are the distinct users per behaviour. A user column the user named wins; otherwise the column
            // named like the mapping's user column (`user_id`), then the user column, then the id column (the
            // presets' `distinct_id`): the Amplitude preset's user column is `device_id`, which no mapping holds.
            if let index = columns.userIDNamed ? try map.require(columns.userID, option: "--user-column")
                : map.index(of: userAccounts!.userColumn) ?? map.index(of: columns.userID) ?? map.index(of: columns.customerID) {
                userIndex = index
            } else {
                userIndex = try map.require(columns.userID, option: "--user-column (user ids, mapped to accounts by the user-to-account file)")
            }
            customerIndex = -1
        } else {
            customerIndex = try map.require(columns.customerID, option: "--customer-column")
            userIndex = try map.optional(columns.userID, named: columns.userIDNamed, option: "--user-column") ?? -1
            if userIndex == customerIndex { userIndex = -1 }
        }
        eventIndex = try map.require(columns.event, option: "--event-column")
        timestampIndex = try map.require(columns.timestamp, option: "--timestamp-column")
        countIndex = try map.optional(columns.count, named: columns.countNamed, option: "--count-column") ?? -1
    }

    /// The behaviour id of an export name, -1 when excluded, nil when the name is not valid UTF-8.
    @inline(__always)
    private func behaviour(ofExportName bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if let id = exportNameIDs.lookup(bytes) {
            let b = Int(exportBehaviour[id])
            return b >= -1 ? b : makeBehaviour(exportID: id)
        }
        guard isValidUTF8(bytes) else { return nil }
        let (id, _) = exportNameIDs.intern(bytes)
        let name = String(decoding: bytes, as: UTF8.self)
        let resolution = options.naming.resolve(name)
        exportNames.append((name, resolution))
        switch resolution {
        case .excluded:
            exportBehaviour.append(-1)
            exportCanonical.append("")
            return -1
        case .behaviour(let canonical):
            exportBehaviour.append(-2)
            exportCanonical.append(canonical)
            return makeBehaviour(exportID: id)
        }
    }

    /// The id of a behaviour first used now, its counts allocated by the sink; -1 (the row is not counted) when the
    /// memory budget stops the read before allocating them.
    private func makeBehaviour(exportID: Int) -> Int {
        var name = exportCanonical[exportID]
        if let budget = options.memoryBudget, behaviours.lookup(name) == nil {
            do {
                try budget.check(behaviours: behaviours.count + 1, at: "'\(name)' in \(file)")
            } catch {
                stopError = error as? InputError
                return -1
            }
        }
        let (b, isNew) = name.withUTF8 { behaviours.intern($0) }
        if isNew { sink.addBehaviour() }
        exportBehaviour[exportID] = Int32(b)
        return b
    }

    /// Set when the read must stop (the memory budget): the rest of the export is not read, and `read` throws it.
    private var stopError: InputError?
    /// True once the memory budget stopped the read (`CSVRecordSink.stopsReading`).
    public var stopsReading: Bool { stopError != nil }

    /// The customer id field of a raw line ahead of the parser (the field after `customerIndex` delimiters), nil
    /// when the header is not read yet, the export has no account column, or a quote comes first (a guess across
    /// quotes would be unreliable).
    @inline(__always)
    private func customerField(in line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard rows.sawHeader, customerIndex >= 0, let base = line.baseAddress else { return nil }
        var field = 0, start = 0, i = 0
        let n = line.count
        let delimiter = self.delimiter
        while i < n {
            let byte = base[i]
            if byte == delimiter || byte == 0x0A || byte == 0x0D {
                if field == customerIndex { return UnsafeBufferPointer(start: base + start, count: i - start) }
                field += 1
                start = i + 1
            } else if byte == 0x22 {
                return nil
            }
            i += 1
        }
        return nil
    }

    /// The first look at a line ahead (`PrefetchingRecordSink.prefetch(line:)`): starts loading its customer's entry
    /// in the customer index, so that the second look and the lookup in `consume` find it in the cache instead of
    /// waiting on memory.
    @inline(__always)
    package func prefetch(line: UnsafeBufferPointer<UInt8>) {
        if let id = customerField(in: line) { customers.prefetch(id) }
    }

    /// The second look at a line ahead (`PrefetchingRecordSink.prefetchCounts(line:)`): its customer's index entry
    /// has arrived, so the customer is found without waiting, and the sink starts loading the counts the row will
    /// add to. A lookup only; a line whose customer field is quoted or unknown is left alone.
    @inline(__always)
    package func prefetchCounts(line: UnsafeBufferPointer<UInt8>) {
        guard let countsScout, let id = customerField(in: line), let (customer, _) = customers.locate(id) else { return }
        countsScout.prefetchCounts(customer: customer)
    }

    public func consume(_ record: CSVRecord) {
        if stopError != nil { return }
        guard rows.admit(record, delimiter: columns.delimiter, by: self, resolve: { try $0.readHeader($1) }) else { return }
        let customer: Int
        let signup: Int64
        if customerIndex >= 0 {
            let customerBytes = record[customerIndex]
            guard customerBytes.count > 0 else {
                reject(record, columns.customerID, .emptyCustomerID, "empty customer id")
                return
            }
            guard let found = customers.locate(customerBytes) else {
                if !isValidUTF8(customerBytes) {
                    reject(record, columns.customerID, .invalidUTF8, "the customer id is not valid UTF-8; if the export is Latin-1 or Windows-1252, set events.encoding (--encoding)")
                } else {
                    unknownCustomerIDs.insert(String(decoding: customerBytes, as: UTF8.self))
                    reject(record, columns.customerID, .unknownCustomer,
                           "customer '\(String(decoding: customerBytes, as: UTF8.self))' is not in the customer table \(self.customers.file)")
                }
                return
            }
            (customer, signup) = found
        } else {
            let userBytes = record[userIndex]
            guard userBytes.count > 0 else {
                reject(record, columns.userID, .emptyUserID, "empty user id (accounts come from the user-to-account mapping)")
                return
            }
            let map = userAccounts!
            guard let found = map.customer(ofUser: userBytes) else {
                reject(record, columns.userID, isValidUTF8(userBytes) ? .unknownUser : .invalidUTF8,
                       "user '\(String(decoding: userBytes, as: UTF8.self))' is not in the user-to-account mapping \(map.file)")
                return
            }
            guard found >= 0 else {
                unknownCustomerIDs.insert(map.account(ofUser: userBytes))
                reject(record, columns.userID, .unknownCustomer,
                       "user '\(String(decoding: userBytes, as: UTF8.self))' belongs to account '\(map.account(ofUser: userBytes))', which is not in the customer table \(self.customers.file)")
                return
            }
            customer = found
            signup = signupSeconds[customer]
        }
        let eventBytes = record[eventIndex]
        guard eventBytes.count > 0 else {
            reject(record, columns.event, .emptyEvent, "empty event name")
            return
        }
        guard let behaviour = behaviour(ofExportName: eventBytes) else {
            reject(record, columns.event, .invalidUTF8, "the event name is not valid UTF-8; if the export is Latin-1 or Windows-1252, set events.encoding (--encoding)")
            return
        }
        if behaviour < 0 { accounting.excluded += 1; return }
        guard let seconds = timestamps.seconds(record[timestampIndex]) else {
            reject(record, columns.timestamp, .unparsableTimestamp,
                   "'\(record.string(self.timestampIndex))' does not match the timestamp format \(self.options.timestamps.format)")
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
        if seconds > latestAllowed {
            reject(record, columns.timestamp, .timestampInFuture,
                   "'\(record.string(self.timestampIndex))' is after \(self.options.latestAllowedReason) (\(TimestampParser.dateString(day: Int(self.latestAllowed / 86_400))))")
            return
        }
        if seconds > latestTimestamp ?? .min { latestTimestamp = seconds }
        let offset = seconds - signup
        placedCustomers[customer] = 1
        if offset < 0 {
            accounting.beforeSignup += 1
            rows.list(RejectedRow(file: file, line: record.line, column: columns.timestamp, reason: .eventBeforeSignup,
                                       detail: "stamped \(-offset / 3600) h before the signup day of customer '\(customers.customers[customer].id)' (\(TimestampParser.dateString(day: customers.customers[customer].signupDay)))",
                                       raw: record.rawText))
            return
        }
        let inWindow = offset < windowSeconds
        // User ids are interned only for rows inside the window (and, when de-duplicating, for every row: the key
        // needs them): most export rows are outside it, and interning is the most expensive step of a row.
        var user = -1
        if userIndex >= 0 && (inWindow || deduplicate) {
            let bytes = record[userIndex]
            if bytes.count > 0 && !Self.isNullMarker(bytes) {
                guard let interned = users.internValidUTF8(bytes) else {
                    reject(record, columns.userID, .invalidUTF8, "the user id is not valid UTF-8")
                    return
                }
                user = interned.id
            }
        }
        let day = Int(offset / 86_400)
        // Every row after signup, not only those up to day 90: the "ever" counts and the follow-up rows of
        // first_window_daily.csv are reported too, and an overlapping re-export must not inflate them.
        if deduplicate {
            // Same customer, behaviour, second, user and count: the same event exported twice. The key hashes the
            // ids' bytes, not their interned numbers, so that it is the same in any reader, run or cache.
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            @inline(__always) func mix(_ v: UInt64) { h = (h ^ v) &* 0x0000_0100_0000_01b3; h ^= h >> 29 }
            mix(customers.ids.keyHash(customer)); mix(behaviours.keyHash(behaviour)); mix(UInt64(bitPattern: seconds))
            mix(user >= 0 ? users.keyHash(user) : 0); mix(UInt64(count))
            if !seenRows.insert(h).inserted { accounting.duplicates += 1; return }
            dedupeLog.append(DedupeEntry(key: h, customer: Int32(customer), behaviour: Int32(behaviour), day: Int32(day), count: UInt32(count)))
        }
        if !inWindow {
            accounting.afterWindow += 1
            sink.recordLater(customer: customer, behaviour: behaviour, day: day, count: count)
            return
        }
        accounting.used += 1
        sink.record(customer: customer, behaviour: behaviour, day: day, user: user, count: count)
    }

    /// SQL NULL as warehouses unload it (`\N`, `NULL`, `null`): no value, like an empty field (a user id of `\N` is
    /// no user, not one more).
    @inline(__always)
    package static func isNullMarker(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        if s.count == 2 { return s[0] == 0x5C && s[1] == 0x4E }
        guard s.count == 4 else { return false }
        return (s[0] | 0x20) == 0x6E && (s[1] | 0x20) == 0x75 && (s[2] | 0x20) == 0x6C && (s[3] | 0x20) == 0x6C
    }

    /// A non-negative whole number ("3", "3.0" accepted; "-1", "2.5", "x" not).
    @inline(__always)
    package static func parseCount(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
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

extension EventIngestor: PrefetchingRecordSink {}
