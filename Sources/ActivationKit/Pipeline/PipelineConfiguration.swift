/// Everything a run needs to know; the CLI fills it from options.
public struct PipelineConfiguration: Sendable, Codable, Equatable {
    public var customersPath: String
    /// Files or directories; a directory contributes every `*.csv` inside it, sorted by name.
    public var eventPaths: [String]
    public var outputDirectory: String
    /// Length of the first window in days: events in [signup 00:00:00Z, signup + windowDays) count.
    public var windowDays = 30
    public var customerColumns = CustomerColumns()
    public var eventColumns = EventColumns()
    /// UTC offset, in seconds, assumed for event timestamps without a zone.
    public var naiveTimestampOffsetSeconds = 0
    public var criteria = ProposalCriteria()
    /// Cross-validation folds for the per-behaviour models.
    public var folds = 5

    public init(customersPath: String, eventPaths: [String], outputDirectory: String) {
        self.customersPath = customersPath
        self.eventPaths = eventPaths
        self.outputDirectory = outputDirectory
    }
}

/// An input file as the run saw it.
public struct InputFile: Sendable, Codable, Equatable {
    public var path: String
    public var bytes: Int
    public var sha256: String
}
