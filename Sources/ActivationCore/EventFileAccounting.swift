/// The fate of every event row of one file:
/// `rowsRead == used + beforeSignup + afterWindow + excluded + duplicates + rejectedTotal`.
public struct EventFileAccounting: Sendable, Equatable, Codable {
    public var path: String
    public var bytes: Int = 0
    public var sha256: String = ""
    public var rowsRead = 0
    public var used = 0
    /// Events stamped before the customer's signup day: outside the first window, and listed in rejects.csv
    /// (`event_before_signup`) because they often mean a wrong signup date or time zone.
    public var beforeSignup = 0
    /// Events on or after signup + window: outside the first window's features, counted only towards the follow-up
    /// activation rates (within 90 days, ever).
    public var afterWindow = 0
    /// Events dropped by the configured exclusions (`events.exclude`).
    public var excluded = 0
    /// Exact repeats of an earlier row (same customer, event, timestamp, user and count), when de-duplicating.
    public var duplicates = 0
    /// Rows written to rejects.csv as unusable, by reason (unknown customers and users included).
    public var rejected: [String: Int] = [:]
    public var rejectedTotal: Int { rejected.values.reduce(0, +) }
    public init(path: String) { self.path = path }

    /// Adds the counts of another part of the same file (a piece read apart).
    package mutating func add(_ part: EventFileAccounting) {
        rowsRead += part.rowsRead; used += part.used; beforeSignup += part.beforeSignup
        afterWindow += part.afterWindow; excluded += part.excluded; duplicates += part.duplicates
        rejected.merge(part.rejected, uniquingKeysWith: +)
    }

    package enum CodingKeys: String, CodingKey {
        case path, bytes, sha256, rowsRead = "rows_read", used, beforeSignup = "before_signup",
             afterWindow = "after_window", excluded, duplicates, rejected
    }
}

extension EventFileAccounting {
    /// The file's size and SHA-256 as one value.
    public var fingerprint: FileFingerprint {
        get { FileFingerprint(bytes: bytes, sha256: sha256) }
        set { (bytes, sha256) = (newValue.bytes, newValue.sha256) }
    }
}
