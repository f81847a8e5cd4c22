/// Why an input row was not used.
public enum RejectReason: String, Sendable, Codable, CaseIterable {
    case malformedCSV = "malformed_csv"
    case unterminatedQuote = "unterminated_quote"
    case wrongFieldCount = "wrong_field_count"
    case emptyCustomerID = "empty_customer_id"
    case unknownCustomer = "unknown_customer"
    case emptyEvent = "empty_event"
    case unparsableTimestamp = "unparsable_timestamp"
    case invalidCount = "invalid_count"
    case invalidUTF8 = "invalid_utf8"
    case unparsableSignupDate = "unparsable_signup_date"
    case unrecognisedRenewal = "unrecognised_renewal"
    case invalidACV = "invalid_acv"
    case conflictingDuplicateCustomer = "conflicting_duplicate_customer"
    case eventBeforeSignup = "event_before_signup"
    case emptyUserID = "empty_user_id"
    case unknownUser = "unknown_user"
    case conflictingUserAccount = "conflicting_user_account"

    /// Reasons that say the row is fine but does not belong to a known customer. They count against the reject
    /// budget like malformed rows: a stale customer table is a data problem worth stopping the night for.
    public var isUnknownOwner: Bool { self == .unknownCustomer || self == .unknownUser }
}

/// A row that was not used, with where it was and why. Written to `rejects.csv`.
public struct RejectedRow: Sendable, Equatable {
    public var file: String
    public var line: Int
    /// The column at fault, by header name (or field number), empty when the whole row is at fault.
    public var column: String
    public var reason: RejectReason
    /// A plain-words detail ("'2026-13-01' is not a timestamp").
    public var detail: String
    public var raw: String

    public init(file: String, line: Int, column: String, reason: RejectReason, detail: String, raw: String) {
        self.file = file; self.line = line; self.column = column; self.reason = reason; self.detail = detail
        self.raw = raw.count > 2000 ? String(raw.prefix(2000)) + "…" : raw
    }
}

extension RejectedRow {
    /// The reject for a record the CSV grammar refused.
    init(syntaxError error: CSVSyntaxError, file: String) {
        self.init(file: file, line: error.line, column: "field \(error.column)",
                  reason: error.reason.hasPrefix("unterminated") ? .unterminatedQuote : .malformedCSV,
                  detail: error.reason, raw: error.raw)
    }
}

extension InputError {
    /// The fatal error for a header row that is not valid CSV.
    static func header(_ error: CSVSyntaxError, file: String) -> InputError {
        InputError("\(file):\(error.line): the header row is not valid CSV: \(error.reason)")
    }
}

extension ByteInterner {
    /// The id of `key`, interning it when new, or nil when it is new and not valid UTF-8 (a name that would
    /// corrupt the report). Validation runs only for keys not seen before, so it stays off the hot path.
    @inline(__always)
    mutating func internValidUTF8(_ key: UnsafeBufferPointer<UInt8>) -> (id: Int, isNew: Bool)? {
        if let id = lookup(key) { return (id, false) }
        guard isValidUTF8(key) else { return nil }
        return intern(key)
    }
}

/// Is the byte sequence valid UTF-8?
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var ascii = true
    for b in bytes where b >= 0x80 { ascii = false; break }
    if ascii { return true }
    let failed = transcode(bytes.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true) { _ in }
    return !failed
}
