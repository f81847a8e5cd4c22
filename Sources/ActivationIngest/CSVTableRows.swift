import ActivationCore

/// What every reader of a CSV table does with its records, written once for the customer table, the
/// user-to-account mapping, the event exports and the first-window feature tables.
///
/// The first record is the header. A header that is not valid CSV, or whose columns cannot be resolved (a column
/// named twice, a required one missing), makes the file unusable: `headerError` names the file and the column, and
/// the reader throws it. Every record after the header is a row, and every row is either used or rejected with its
/// file, line, column and reason, so that rows read = used + rejected + the reader's other outcomes, in run.json
/// and rejects.csv alike: a record the CSV grammar refused (a stray quote, an unterminated quoted field) is one
/// rejected row; a row with another number of fields than the header is rejected before any field is read.
///
/// A struct held by the reader's sink class and mutated in place, so that the per-row checks of the event hot path
/// cost a counter and a comparison.
package struct CSVTableRows {
    /// The file being read, as the user named it.
    package private(set) var file: String
    /// Rows read in this file, the header not counted.
    package private(set) var rowsRead = 0
    /// The rows rejected, in file order.
    package private(set) var rejects: [RejectedRow] = []
    /// Rejected rows by reason (`RejectReason.rawValue`).
    package private(set) var rejectedByReason: [String: Int] = [:]
    /// Whether the header (the first record) has been read.
    package private(set) var sawHeader = false
    /// The header's columns, once read and resolved.
    package private(set) var header: HeaderMap?
    /// Why the file cannot be read, when its header stopped it; the reader throws it once the file is read.
    package private(set) var headerError: InputError?
    /// Fields a row must have: the header's.
    package private(set) var fieldCount = 0
    /// Where the expected field count comes from, for the reject's words.
    private var fieldsNamed = "as in the header"

    package init(file: String) { self.file = file }

    /// Starts another file (a reader of several exports): counts and rejects start again.
    package mutating func start(file: String) { self = CSVTableRows(file: file) }

    /// Whether `record` is a row to read: false for the header, which `resolve` turns into `reader`'s column
    /// indices (an error it throws stops the file), and for every record after a header error; for a row, counts
    /// it and returns false after rejecting it when its field count differs from the header's.
    ///
    /// The reader is passed in rather than captured, so that `resolve` needs no context: a closure capturing the
    /// reader would retain and release it on every row of the event hot path.
    @inline(__always)
    package mutating func admit<Reader: AnyObject>(_ record: CSVRecord, delimiter: FieldDelimiter = .comma, by reader: Reader,
                                                   resolve: (Reader, HeaderMap) throws -> Void) -> Bool {
        guard headerError == nil else { return false }
        guard sawHeader else {
            readHeader(record, delimiter: delimiter) { try resolve(reader, $0) }
            return false
        }
        rowsRead += 1
        guard record.count == fieldCount else {
            reject(record, "", .wrongFieldCount, "expected \(fieldCount) fields \(fieldsNamed), found \(record.count)")
            return false
        }
        return true
    }

    private mutating func readHeader(_ record: CSVRecord, delimiter: FieldDelimiter, resolve: (HeaderMap) throws -> Void) {
        sawHeader = true
        let map = HeaderMap(record, file: file, delimiter: delimiter)
        do {
            try map.checkDuplicates()
            try resolve(map)
        } catch let error as InputError {
            headerError = error
            return
        } catch {
            headerError = InputError("\(file):1: \(error)")
            return
        }
        header = map
        fieldCount = record.count
    }

    /// Takes a file whose every record is a row of the fields `names` (a feature table's part file, which has no
    /// header, or one its reader recognises by content and skips).
    package mutating func expectRows(of names: [String]) {
        sawHeader = true
        fieldCount = names.count
        fieldsNamed = "(\(names.joined(separator: ",")))"
    }

    /// Counts a row that its reader judges itself (a header of the wrong columns where rows have no header).
    package mutating func countRow() { rowsRead += 1 }

    /// Rejects a row: `column` is the column at fault ("" for the whole row), `detail` the words for rejects.csv.
    package mutating func reject(_ record: CSVRecord, _ column: String, _ reason: RejectReason, _ detail: String) {
        rejectedByReason[reason.rawValue, default: 0] += 1
        rejects.append(RejectedRow(file: file, line: record.line, column: column, reason: reason, detail: detail, raw: record.rawText))
    }

    /// Lists a row in rejects.csv that the reader accounts for under another count than the rejected (an event
    /// before its customer's signup is counted as such, not as damaged).
    package mutating func list(_ row: RejectedRow) { rejects.append(row) }

    /// A record the CSV grammar refused: in the header it stops the file; after it, the row is rejected.
    package mutating func syntaxError(_ error: CSVSyntaxError) {
        guard sawHeader else {
            headerError = headerError ?? .header(error, file: file)
            return
        }
        rowsRead += 1
        let row = RejectedRow(syntaxError: error, file: file)
        rejectedByReason[row.reason.rawValue, default: 0] += 1
        rejects.append(row)
    }

    /// Throws the header's error, or, when the file had no record at all, the error for an empty table:
    /// "`file`: `table` is empty (no header row); expected columns `columns`".
    package func requireHeader(table: String, columns: String) throws {
        if let headerError { throw headerError }
        guard sawHeader else { throw InputError("\(file): \(table) is empty (no header row); expected columns \(columns)") }
    }
}
