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
    /// Stamped after the run's clock (plus a day) or after the configured `analysis.data_end`: a sentinel value such
    /// as 9999-12-31 or milliseconds read as seconds, which would otherwise move the data's end.
    case timestampInFuture = "timestamp_in_future"
    /// A customer with a decided renewal whose signup is after the data's end: it has no usage to fit.
    case signupAfterDataEnd = "signup_after_data_end"
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
