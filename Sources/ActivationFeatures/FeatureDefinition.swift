import ActivationCore

/// The settings that decide what the feature table holds, and nothing else: which columns an export has, how its
/// timestamps and names are read, whether duplicates are dropped, and the first window's length. The Swift feature
/// stage, its SQL twin (`FeatureSQL`) and the export cache's key all read these, so a change to any of them gives a
/// different table, a different query and a different cache key.
public struct FeatureDefinition: Sendable, Equatable {
    /// Length of the first window in days: events in [signup 00:00:00Z, signup + windowDays) count.
    public var windowDays: Int
    public var customerColumns: CustomerColumns
    public var eventColumns: EventColumns
    public var timestampFormat: TimestampFormat
    /// The zone of event timestamps written without an offset.
    public var timeZone: NaiveTimeZone
    /// Renames / merges and exclusions of export event names.
    public var naming: EventNaming
    /// Drop exact duplicate event rows (overlapping exports).
    public var deduplicate: Bool

    public init(windowDays: Int, customerColumns: CustomerColumns, eventColumns: EventColumns,
                timestampFormat: TimestampFormat, timeZone: NaiveTimeZone, naming: EventNaming, deduplicate: Bool) {
        self.windowDays = windowDays
        self.customerColumns = customerColumns
        self.eventColumns = eventColumns
        self.timestampFormat = timestampFormat
        self.timeZone = timeZone
        self.naming = naming
        self.deduplicate = deduplicate
    }
}
