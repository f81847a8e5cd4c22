import Foundation

/// Whether a customer renewed.
public enum RenewalOutcome: String, Sendable, Codable, Equatable {
    case renewed, churned, undecided
}

/// The values of the renewal column that mean renewed, churned and not decided yet. Matched after trimming,
/// case-insensitively. Billing systems write all sorts (`active`/`cancelled`, `won`/`lost`): set them in the config.
public struct RenewalLabels: Sendable, Equatable, Codable {
    public var renewed = ["true", "yes", "1", "y", "t", "renewed"]
    public var churned = ["false", "no", "0", "n", "f", "churned"]
    public var undecided = [""]
    public init() {}

    /// The labels normalised once (trimmed, lower-cased), for a table's worth of lookups.
    struct Lookup {
        private var outcomes: [String: RenewalOutcome] = [:]
        /// The normalised labels as bytes, for the common case of a value written exactly so (`outcome(bytes:)`).
        private var exact: [(label: [UInt8], outcome: RenewalOutcome)] = []
        init(_ labels: RenewalLabels) {
            // Earlier lists win, as in the order renewed, churned, undecided.
            for (list, outcome) in [(labels.undecided, RenewalOutcome.undecided), (labels.churned, .churned), (labels.renewed, .renewed)] {
                for label in list { outcomes[Self.normalise(label)] = outcome }
            }
            exact = outcomes.keys.sorted().map { (Array($0.utf8), outcomes[$0]!) }
        }
        static func normalise(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces).lowercased() }
        func outcome(_ text: String) -> RenewalOutcome? { outcomes[text] ?? outcomes[Self.normalise(text)] }

        /// The outcome of a field's bytes: compared with the labels as bytes first (no `String` for a value such
        /// as `true`), then normalised like `outcome(_:)`.
        func outcome(bytes: UnsafeBufferPointer<UInt8>) -> RenewalOutcome? {
            for entry in exact where entry.label.count == bytes.count {
                if entry.label.withUnsafeBufferPointer({ $0.elementsEqual(bytes) }) { return entry.outcome }
            }
            return outcome(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// "true/yes/... (renewed), false/no/... (churned), empty (undecided)", for error messages.
    public var summary: String {
        func list(_ l: [String]) -> String { l.map { $0.isEmpty ? "empty" : $0 }.joined(separator: "/") }
        return "\(list(renewed)) (renewed), \(list(churned)) (churned), \(list(undecided)) (undecided)"
    }
}

/// One customer (account) from the customer table.
public struct Customer: Sendable, Equatable {
    public var id: String
    /// Signup day, as days since 1970-01-01 (UTC). The first window starts at 00:00:00Z that day.
    public var signupDay: Int
    public var outcome: RenewalOutcome
    public var segment: String
    public var acv: Double?

    public init(id: String, signupDay: Int, outcome: RenewalOutcome, segment: String, acv: Double?) {
        self.id = id; self.signupDay = signupDay; self.outcome = outcome; self.segment = segment; self.acv = acv
    }
}

/// The customer table, with ids interned for the event hot path.
public struct CustomerTable: Sendable {
    public private(set) var customers: [Customer] = []
    public private(set) var ids = ByteInterner(capacity: 1024)
    /// Short ids with their signup seconds inline, for the event hot path (`locate`).
    private var hotIndex = CustomerKeyIndex()
    public var file: String

    /// - Parameter capacity: customers expected (sizes the id tables up front; they grow past it).
    public init(file: String, capacity: Int = 0) {
        self.file = file
        guard capacity > 0 else { return }
        ids = ByteInterner(capacity: capacity)
        hotIndex = CustomerKeyIndex(capacity: capacity)
        customers.reserveCapacity(capacity)
    }

    public var count: Int { customers.count }
    /// Customers per renewal outcome.
    public var outcomeCounts: (renewed: Int, churned: Int, undecided: Int) {
        var counts = (renewed: 0, churned: 0, undecided: 0)
        for c in customers {
            switch c.outcome {
            case .renewed: counts.renewed += 1
            case .churned: counts.churned += 1
            case .undecided: counts.undecided += 1
            }
        }
        return counts
    }

    public func index(of id: String) -> Int? { ids.lookup(id) }

    /// The customer with id `bytes` and the first second of its signup day (seconds since 1970, UTC); nil when the
    /// id is not in the table. One cache line for ids of up to 16 bytes (`CustomerKeyIndex`).
    @inline(__always)
    public func locate(_ bytes: UnsafeBufferPointer<UInt8>) -> (customer: Int, signupSeconds: Int64)? {
        if bytes.count <= CustomerKeyIndex.maximumInlineLength { return hotIndex.lookup(bytes) }
        guard let customer = ids.lookup(bytes) else { return nil }
        return (customer, Int64(customers[customer].signupDay) * 86_400)
    }

    /// Starts loading what `locate(bytes)` will read (a hint for ids a few rows ahead); the probe finds the
    /// customer later without hashing again (`customer(_:)`).
    @inline(__always)
    public func prefetch(_ bytes: UnsafeBufferPointer<UInt8>) -> CustomerKeyIndex.Probe { hotIndex.prefetch(bytes) }

    /// The customer a probe from `prefetch` stands for; nil when unknown or not in the inline index.
    @inline(__always)
    public func customer(_ probe: CustomerKeyIndex.Probe) -> Int? { hotIndex.lookup(probe)?.customer }

    mutating func append(_ customer: Customer) -> Bool {
        var key = customer.id
        return key.withUTF8 { append(customer, idBytes: $0) }
    }

    /// Appends `customer`, whose id is `idBytes`, unless the id is taken; false when it is.
    mutating func append(_ customer: Customer, idBytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let (id, isNew) = ids.intern(idBytes)
        if isNew {
            customers.append(customer)
            hotIndex.insert(idBytes, customer: id, signupSeconds: Int64(customer.signupDay) * 86_400)
        }
        return isNew
    }
}

/// `text` without surrounding whitespace; the string itself (no Foundation call) when there is none to trim.
@inline(__always)
func trimmedIfNeeded(_ text: String) -> String {
    guard let first = text.utf8.first, let last = text.utf8.last else { return text }
    // Foundation's `.whitespaces`: space, tab and (beyond ASCII) the Unicode space separators.
    let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 >= 0x80 }
    return blank(first) || blank(last) ? text.trimmingCharacters(in: .whitespaces) : text
}

/// Reads the customer table: `customer_id,signup_date,renewed[,segment][,acv]` by default.
public struct CustomerTableReader {
    public var columns: CustomerColumns
    public var labels: RenewalLabels
    public init(columns: CustomerColumns = CustomerColumns(), labels: RenewalLabels = RenewalLabels()) {
        self.columns = columns
        self.labels = labels
    }

    public struct Result: Sendable {
        public var table: CustomerTable
        public var rowsRead: Int
        /// Rows that repeat an earlier row for the same customer exactly; ignored.
        public var identicalDuplicates: Int
        public var rejects: [RejectedRow]
    }

    public func read(_ source: inout some ByteSource, file: String) throws -> Result {
        // Sized from the file (rows of about 40 bytes) so that the id tables do not grow row by row.
        var st = stat()
        let expected = stat(file, &st) == 0 ? Int(st.st_size) / 40 : 0
        let sink = Sink(file: file, columns: columns, labels: labels, expectedRows: min(expected, 1 << 22))
        try CSVReader().read(&source, into: sink)
        if let error = sink.headerError { throw error }
        guard sink.sawHeader else { throw InputError("\(file): the customer table is empty (no header row); expected columns \(columns.customerID),\(columns.signupDate),\(columns.renewed)") }
        return Result(table: sink.table, rowsRead: sink.rowsRead, identicalDuplicates: sink.identicalDuplicates, rejects: sink.rejects)
    }

    final class Sink: CSVRecordSink {
        let file: String
        let columns: CustomerColumns
        let labels: RenewalLabels
        let lookup: RenewalLabels.Lookup
        var table: CustomerTable
        var rejects: [RejectedRow] = []
        var rowsRead = 0
        var identicalDuplicates = 0
        var sawHeader = false
        var headerError: InputError?
        var header: HeaderMap?
        var idIndex = 0, signupIndex = 0, renewedIndex = 0
        var segmentIndex: Int?, acvIndex: Int?
        /// Segment names as read (a handful of values over the whole table), each made a `String` once.
        var segmentIDs = ByteInterner(capacity: 16)
        var segmentNames: [String] = []

        init(file: String, columns: CustomerColumns, labels: RenewalLabels, expectedRows: Int = 0) {
            self.file = file
            self.columns = columns
            self.labels = labels
            lookup = RenewalLabels.Lookup(labels)
            table = CustomerTable(file: file, capacity: expectedRows)
        }

        /// The segment written as `bytes` ("unknown" when empty).
        func segment(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            let (id, isNew) = segmentIDs.intern(bytes)
            if isNew {
                // libcsv already trims spaces and tabs around unquoted fields; only a quoted segment can keep them.
                let name = trimmedIfNeeded(String(decoding: bytes, as: UTF8.self))
                segmentNames.append(name.isEmpty ? "unknown" : name)
            }
            return segmentNames[id]
        }

        /// An amount as written, read without currency signs and digit separators (`$`, `,`, `_`, space): `valid`
        /// when it is a non-negative finite number or nothing is left (no amount: `value` nil).
        static func amount(_ bytes: UnsafeBufferPointer<UInt8>) -> (valid: Bool, value: Double?) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, bytes.count)) { kept in
                var n = 0
                for byte in bytes where byte != 0x24 && byte != 0x2C && byte != 0x5F && byte != 0x20 { kept[n] = byte; n += 1 }
                guard n > 0 else { return (true, nil) }
                guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: kept[0..<n]), as: UTF8.self)),
                      value.isFinite, value >= 0 else { return (false, nil) }
                return (true, value)
            }
        }

        /// Lists a row as rejected (its text is made only here, not for every row read).
        func reject(_ record: CSVRecord, _ column: String, _ reason: RejectReason, _ detail: String) {
            rejects.append(RejectedRow(file: file, line: record.line, column: column, reason: reason, detail: detail, raw: record.rawText))
        }

        func syntaxError(_ error: CSVSyntaxError) {
            if !sawHeader {
                headerError = headerError ?? .header(error, file: file)
                return
            }
            rowsRead += 1
            rejects.append(RejectedRow(syntaxError: error, file: file))
        }

        func consume(_ record: CSVRecord) {
            guard headerError == nil else { return }
            if !sawHeader {
                sawHeader = true
                let map = HeaderMap(record, file: file)
                do {
                    idIndex = try map.require(columns.customerID, option: "--customer-id-column")
                    signupIndex = try map.require(columns.signupDate, option: "--signup-column")
                    renewedIndex = try map.require(columns.renewed, option: "--renewed-column")
                } catch { headerError = error as? InputError; return }
                segmentIndex = map.index(of: columns.segment)
                acvIndex = map.index(of: columns.acv)
                header = map
                return
            }
            rowsRead += 1
            guard record.count == header!.names.count else {
                reject(record, "", .wrongFieldCount, "expected \(header!.names.count) fields, found \(record.count)")
                return
            }
            guard isValidUTF8(record.raw) else {
                reject(record, "", .invalidUTF8, "the row is not valid UTF-8")
                return
            }
            let idBytes = record[idIndex]
            guard idBytes.count > 0 else {
                reject(record, columns.customerID, .emptyCustomerID, "empty customer id")
                return
            }
            guard let seconds = TimestampParser.parse(record[signupIndex]) else {
                reject(record, columns.signupDate, .unparsableSignupDate, "'\(record.string(signupIndex))' is not a date or timestamp")
                return
            }
            guard let outcome = lookup.outcome(bytes: record[renewedIndex]) else {
                reject(record, columns.renewed, .unrecognisedRenewal,
                       "'\(record.string(renewedIndex))' is not one of \(labels.summary)")
                return
            }
            let segment = segmentIndex.map { self.segment(record[$0]) } ?? "unknown"
            var acv: Double?
            if let acvIndex {
                let amount = Self.amount(record[acvIndex])
                guard amount.valid else {
                    reject(record, columns.acv, .invalidACV, "'\(record.string(acvIndex))' is not a non-negative amount")
                    return
                }
                acv = amount.value
            }
            let id = String(decoding: idBytes, as: UTF8.self)
            let signupDay = Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
            let customer = Customer(id: id, signupDay: signupDay, outcome: outcome, segment: segment, acv: acv)
            if !table.append(customer, idBytes: idBytes) {
                let existing = table.customers[table.index(of: id)!]
                if existing == customer {
                    identicalDuplicates += 1
                } else {
                    reject(record, columns.customerID, .conflictingDuplicateCustomer,
                           "customer '\(id)' is listed earlier with different data; the first row is kept")
                }
            }
        }
    }
}
