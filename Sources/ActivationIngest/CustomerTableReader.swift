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
    /// The last signup day a customer may have (days since 1970-01-01): later signups cannot have usage in the data
    /// and are rejected as `signup_after_data_end`. The pipeline sets it to the data's end when the config fixes
    /// it, otherwise to the run's clock plus a day.
    public var latestSignupDay: Int
    /// What `latestSignupDay` is, in words for the reject's detail.
    public var latestSignupReason: String
    /// How signup dates are written (`customers.signup_format`): `auto` (ISO dates and timestamps, epochs) or a
    /// pattern like `%m/%d/%Y` (no `%z`). Either way the signup day is the calendar date as written: a timestamp's
    /// own date, whatever its offset (a US evening signup must not move to the next UTC day).
    public var signupFormat = TimestampFormat.automatic
    public init(columns: CustomerColumns = CustomerColumns(), labels: RenewalLabels = RenewalLabels(),
                latestSignupDay: Int = .max, latestSignupReason: String = "") {
        self.columns = columns
        self.labels = labels
        self.latestSignupDay = latestSignupDay
        self.latestSignupReason = latestSignupReason
    }

    /// This reader with another signup format.
    public func with(signupFormat: TimestampFormat) -> CustomerTableReader {
        var copy = self
        copy.signupFormat = signupFormat
        return copy
    }

    public struct Result: Sendable {
        public var table: CustomerTable
        public var rowsRead: Int
        /// Rows that repeat an earlier row for the same customer exactly; ignored.
        public var identicalDuplicates: Int
        public var rejects: [RejectedRow]
        /// Optional fields that were unusable and left blank, by column name: the customer is kept (an ACV of
        /// "N/A" must not drop a customer and all its events).
        public var fieldWarnings: [String: Int] = [:]
        /// The first such field, with its file, line, column and text.
        public var firstFieldWarning: RejectedRow?
    }

    public func read(_ source: inout some ByteSource, file: String) throws -> Result {
        // Sized from the file (rows of about 40 bytes) so that the id tables do not grow row by row.
        var st = stat()
        let expected = stat(file, &st) == 0 ? Int(st.st_size) / 40 : 0
        let sink = Sink(file: file, columns: columns, labels: labels, expectedRows: min(expected, 1 << 22))
        sink.latestSignupDay = latestSignupDay
        sink.latestSignupReason = latestSignupReason
        sink.signupFormat = signupFormat
        if case .pattern = signupFormat { sink.signupReader = try TimestampReader(format: signupFormat) }
        if columns.encoding == .utf8 {
            try CSVReader(delimiter: columns.delimiter.byte).read(&source, into: sink)
        } else {
            var transcoding = TranscodingByteSource(base: source, encoding: columns.encoding)
            defer { source = transcoding.base }
            try CSVReader(delimiter: columns.delimiter.byte).read(&transcoding, into: sink)
        }
        try sink.rows.requireHeader(table: "the customer table", columns: "\(columns.customerID),\(columns.signupDate),\(columns.renewed)")
        return Result(table: sink.table, rowsRead: sink.rows.rowsRead, identicalDuplicates: sink.identicalDuplicates, rejects: sink.rows.rejects,
                      fieldWarnings: sink.fieldWarnings, firstFieldWarning: sink.firstFieldWarning)
    }

    package final class Sink: CSVRecordSink {
        package let file: String
        package let columns: CustomerColumns
        package let labels: RenewalLabels
        package let lookup: RenewalLabels.Lookup
        package var table: CustomerTable
        package var rows: CSVTableRows
        package var identicalDuplicates = 0
        package var idIndex = 0, signupIndex = 0, renewedIndex = 0
        package var segmentIndex: Int?, acvIndex: Int?
        /// Segment names as read (a handful of values over the whole table), each made a `String` once.
        package var segmentIDs = ByteInterner(capacity: 16)
        package var segmentNames: [String] = []
        package var latestSignupDay = Int.max
        package var latestSignupReason = ""
        package var signupFormat = TimestampFormat.automatic
        package var signupReader: TimestampReader?
        package var fieldWarnings: [String: Int] = [:]
        package var firstFieldWarning: RejectedRow?

        package init(file: String, columns: CustomerColumns, labels: RenewalLabels, expectedRows: Int = 0) {
            self.file = file
            rows = CSVTableRows(file: file)
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

        /// An ACV as CRMs write it: a currency symbol (`$ € £ ¥`) or a three-letter code (`EUR`, `USD`) before or
        /// after, spaces, underscores or `'` between digit groups, and either decimal mark: with both `.` and `,`
        /// the last one is the decimal mark (`1.200,50` and `1,200.50` are both 1200.5); with `,` alone it is a
        /// decimal comma when one comma has one or two digits after it (`2365,95`), thousands separators when every
        /// comma has three (`1,200,000`); several `.` alone are thousands separators (`1.200.000`). Anything else
        /// (`N/A`, `lots`, `12,3456`, a negative amount) is not valid; empty is no ACV. An exponent (`1e3`) is read as
        /// a spreadsheet writes it.
        package static func amount(_ bytes: UnsafeBufferPointer<UInt8>) -> (valid: Bool, value: Double?) {
            // The usual spelling, digits with at most one `.` between digits (`13500`, `4200.50`), is read as it is:
            // what the general reading below gives for it, without its walk over Characters (most of the time of
            // reading a customer table of a million rows).
            if let plain = plainAmount(bytes) { return (true, plain) }
            return generalAmount(bytes)
        }

        /// `amount(_:)` for any spelling.
        package static func generalAmount(_ bytes: UnsafeBufferPointer<UInt8>) -> (valid: Bool, value: Double?) {
            var text = String(decoding: bytes, as: UTF8.self)
            text.removeAll { " _'$€£¥\u{00A0}\u{202F}".contains($0) }
            func isCode(_ s: Substring) -> Bool { s.count == 3 && s.allSatisfy { $0.isASCII && $0.isUppercase } }
            if text.count > 3, isCode(text.suffix(3)) { text.removeLast(3) }
            if text.count > 3, isCode(text.prefix(3)) { text.removeFirst(3) }
            guard !text.isEmpty else { return (true, nil) }
            // Digits, the two marks, and an exponent as spreadsheets write it (`1e3`, `1E+03`); a sign makes it negative.
            guard text.allSatisfy({ $0.isASCII && ($0.isNumber || ".,eE+-".contains($0)) }) else { return (false, nil) }
            let commas = text.filter { $0 == "," }.count, dots = text.filter { $0 == "." }.count
            func groupsOfThree(_ separator: Character) -> Bool {
                let parts = text.split(separator: separator, omittingEmptySubsequences: false)
                return (1...3).contains(parts[0].count) && parts.dropFirst().allSatisfy { $0.count == 3 }
            }
            var number: String
            if commas > 0 && dots > 0 {
                let decimalIsComma = text.lastIndex(of: ",")! > text.lastIndex(of: ".")!
                guard (decimalIsComma ? commas : dots) == 1 else { return (false, nil) }
                number = decimalIsComma ? text.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
                    : text.replacingOccurrences(of: ",", with: "")
            } else if commas == 1, let tail = text.split(separator: ",", omittingEmptySubsequences: false).last, (1...2).contains(tail.count) {
                number = text.replacingOccurrences(of: ",", with: ".")
            } else if commas > 0 {
                guard groupsOfThree(",") else { return (false, nil) }
                number = text.replacingOccurrences(of: ",", with: "")
            } else if dots > 1 {
                guard groupsOfThree(".") else { return (false, nil) }
                number = text.replacingOccurrences(of: ".", with: "")
            } else {
                number = text
            }
            guard let value = Double(number), value.isFinite, value >= 0 else { return (false, nil) }
            return (true, value)
        }

        /// An amount of ASCII digits with at most one `.` that has digits on both sides; nil for any other spelling.
        @inline(__always)
        package static func plainAmount(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
            guard let first = bytes.first, let last = bytes.last, first != 0x2E, last != 0x2E else { return nil }
            var dots = 0
            for byte in bytes {
                if byte == 0x2E { dots += 1; if dots > 1 { return nil } } else if byte < 0x30 || byte > 0x39 { return nil }
            }
            return Double(String(decoding: bytes, as: UTF8.self))
        }

        /// The signup day (days since 1970) as written: with a pattern, its date; otherwise an ISO timestamp's own
        /// date (`2026-03-04T20:00:00-05:00` is 2026-03-04, not the next UTC day), an epoch's UTC date.
        package static func signupDay(_ bytes: UnsafeBufferPointer<UInt8>, reader: TimestampReader?) -> Int? {
            if let reader {
                guard let seconds = reader.seconds(bytes) else { return nil }
                return Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
            }
            guard let seconds = TimestampParser.parse(bytes) else { return nil }
            var start = 0
            while start < bytes.count && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
            if bytes.count - start > 10, bytes[start + 4] == 0x2D, bytes[start + 7] == 0x2D,
               let date = TimestampParser.parse(UnsafeBufferPointer(rebasing: bytes[start..<(start + 10)])) {
                return Int(date / 86_400)
            }
            return Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
        }

        /// Lists a row as rejected (its text is made only here, not for every row read).
        package func reject(_ record: CSVRecord, _ column: String, _ reason: RejectReason, _ detail: String) {
            rows.reject(record, column, reason, detail)
        }

        package func syntaxError(_ error: CSVSyntaxError) { rows.syntaxError(error) }

        package func consume(_ record: CSVRecord) {
            guard rows.admit(record, delimiter: columns.delimiter, by: self, resolve: { sink, header in
                let columns = sink.columns
                sink.idIndex = try header.require(columns.customerID, option: "--customer-id-column")
                sink.signupIndex = try header.require(columns.signupDate, option: "--signup-column")
                sink.renewedIndex = try header.require(columns.renewed, option: "--renewed-column")
                sink.segmentIndex = try header.optional(columns.segment, named: columns.segmentNamed, option: "--segment-column")
                sink.acvIndex = try header.optional(columns.acv, named: columns.acvNamed, option: "--acv-column")
            }) else { return }
            guard isValidUTF8(record.raw) else {
                reject(record, "", .invalidUTF8, "the row is not valid UTF-8; if the table is Latin-1 or Windows-1252, set customers.encoding (--customers-encoding)")
                return
            }
            let idBytes = record[idIndex]
            guard idBytes.count > 0 else {
                reject(record, columns.customerID, .emptyCustomerID, "empty customer id")
                return
            }
            guard let signupDay = Self.signupDay(record[signupIndex], reader: signupReader) else {
                reject(record, columns.signupDate, .unparsableSignupDate,
                       "'\(record.string(signupIndex))' is not a date or timestamp\(signupReader.map { " in the format '\($0.format)' (customers.signup_format)" } ?? "; for other spellings set customers.signup_format (--signup-format), e.g. '%m/%d/%Y'")")
                return
            }
            guard signupDay <= latestSignupDay else {
                reject(record, columns.signupDate, .signupAfterDataEnd,
                       "signup '\(record.string(signupIndex))' is after \(latestSignupReason): the customer can have no usage yet")
                return
            }
            guard let outcome = lookup.outcome(bytes: record[renewedIndex]) else {
                reject(record, columns.renewed, .unrecognisedRenewal,
                       "'\(record.string(renewedIndex))' is not one of \(labels.summary); if it means one of them, list it in the config's customers.renewed_values, churned_values or undecided_values")
                return
            }
            let segment = segmentIndex.map { self.segment(record[$0]) } ?? "unknown"
            var acv: Double?
            if let acvIndex {
                let amount = Self.amount(record[acvIndex])
                if amount.valid {
                    acv = amount.value
                } else {
                    // ACV is optional: the customer stays (with its events); the field is left blank and counted.
                    fieldWarnings[columns.acv, default: 0] += 1
                    if firstFieldWarning == nil {
                        firstFieldWarning = RejectedRow(file: file, line: record.line, column: columns.acv, reason: .invalidACV,
                                                        detail: "'\(record.string(acvIndex))' is not a non-negative amount; left blank",
                                                        raw: record.rawText)
                    }
                }
            }
            let id = String(decoding: idBytes, as: UTF8.self)
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
