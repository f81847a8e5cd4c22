import ActivationCore

/// Options of the event reader that are not column names.
public struct EventReadingOptions: Sendable {
    public var timestamps: TimestampReader
    public var naming: EventNaming
    /// Drop exact duplicate rows (overlapping exports) up to the follow-up horizon (day 90 after signup, or the
    /// window's end if later). Costs 8 bytes per event kept in that span.
    public var deduplicate: Bool
    /// Maps user ids to accounts for exports without an account column.
    public var userAccounts: UserAccountMap?

    public init(timestamps: TimestampReader = TimestampReader(), naming: EventNaming = EventNaming(), deduplicate: Bool = false,
                userAccounts: UserAccountMap? = nil) {
        self.timestamps = timestamps
        self.naming = naming
        self.deduplicate = deduplicate
        self.userAccounts = userAccounts
    }
}
