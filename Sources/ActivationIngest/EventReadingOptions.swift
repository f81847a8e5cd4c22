import ActivationCore

/// Options of the event reader that are not column names.
public struct EventReadingOptions: Sendable {
    public var timestamps: TimestampReader
    public var naming: EventNaming
    /// Drop exact duplicate rows (overlapping exports) at any day after signup: everything the report counts,
    /// "ever" included. Costs about 32 bytes per event kept after signup.
    public var deduplicate: Bool
    /// Maps user ids to accounts for exports without an account column.
    public var userAccounts: UserAccountMap?
    /// The latest timestamp (seconds since the epoch) a row may carry: later rows are rejected as
    /// `timestamp_in_future`, so that one sentinel value (9999-12-31, milliseconds read as seconds) cannot move the
    /// data's end. The pipeline sets it to its clock plus a day, or to the end of `analysis.data_end`.
    public var latestAllowedSeconds: Int64
    /// What `latestAllowedSeconds` is, in words for the reject's detail ("the run's clock").
    public var latestAllowedReason: String
    /// Checked before each new behaviour's counts are allocated: a reader that meets more behaviours than memory
    /// holds stops with the estimate and the fix (nil: not checked).
    public var memoryBudget: MemoryBudget?

    public init(timestamps: TimestampReader = TimestampReader(), naming: EventNaming = EventNaming(), deduplicate: Bool = false,
                userAccounts: UserAccountMap? = nil, latestAllowedSeconds: Int64 = .max, latestAllowedReason: String = "") {
        self.timestamps = timestamps
        self.naming = naming
        self.deduplicate = deduplicate
        self.userAccounts = userAccounts
        self.latestAllowedSeconds = latestAllowedSeconds
        self.latestAllowedReason = latestAllowedReason
    }
}
