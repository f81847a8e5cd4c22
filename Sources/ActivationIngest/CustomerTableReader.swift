import ActivationCore
import ActivationFastPaths
import Foundation

/// `text` without surrounding whitespace; the string itself (no Foundation call) when there is none to trim.
@inline(__always)
package func trimmedIfNeeded(_ text: String) -> String {
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

    package final class Sink: CSVRecordSink {
        package let file: String
        package let columns: CustomerColumns
        package let labels: RenewalLabels
        package let lookup: RenewalLabels.Lookup
        package var table: CustomerTable
        package var rejects: [RejectedRow] = []
        package var rowsRead = 0
        package var identicalDuplicates = 0
        package var sawHeader = false
        package var headerError: InputError?
        package var header: HeaderMap?
        package var idIndex = 0, signupIndex = 0, renewedIndex = 0
        package var segmentIndex: Int?, acvIndex: Int?
        /// Segment names as read (a handful of values over the whole table), each made a `String` once.
        package var segmentIDs = ByteInterner(capacity: 16)
        package var segmentNames: [String] = []

        package init(file: String, columns: CustomerColumns, labels: RenewalLabels, expectedRows: Int = 0) {
            self.file = file
            self.columns = columns
            self.labels = labels
            lookup = RenewalLabels.Lookup(labels)
            table = CustomerTable(file: file, capacity: expectedRows)
        }

        /// The segment written as `bytes` ("unknown" when empty).
        package func segment(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
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
        package static func amount(_ bytes: UnsafeBufferPointer<UInt8>) -> (valid: Bool, value: Double?) {
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
        package func reject(_ record: CSVRecord, _ column: String, _ reason: RejectReason, _ detail: String) {
            rejects.append(RejectedRow(file: file, line: record.line, column: column, reason: reason, detail: detail, raw: record.rawText))
        }

        package func syntaxError(_ error: CSVSyntaxError) {
            if !sawHeader {
                headerError = headerError ?? .header(error, file: file)
                return
            }
            rowsRead += 1
            rejects.append(RejectedRow(syntaxError: error, file: file))
        }

        package func consume(_ record: CSVRecord) {
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
