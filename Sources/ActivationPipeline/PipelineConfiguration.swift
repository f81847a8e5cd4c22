import ActivationAnalysis
import ActivationCore
import ActivationFeatures

/// Everything a run needs to know. The config file (`ConfigurationFile`) and the CLI options fill it.
public struct PipelineConfiguration: Sendable, Codable, Equatable {
    public var customersPath: String
    /// Files, directories or glob patterns; a directory contributes every `*.csv` and `*.csv.gz` inside it,
    /// a pattern every file it matches, each sorted by name.
    public var eventPaths: [String]
    /// The reports root: each run goes to `runs/<date>/` and `latest/` (see `ReportWriter`).
    public var outputDirectory: String
    /// Length of the first window in days: events in [signup 00:00:00Z, signup + windowDays) count.
    public var windowDays = 30
    public var customerColumns = CustomerColumns()
    public var renewalLabels = RenewalLabels()
    /// How the customer table writes signup dates (`customers.signup_format`).
    public var signupFormat = TimestampFormat.automatic
    public var eventColumns = EventColumns()
    public var timestampFormat = TimestampFormat.automatic
    /// The zone of event timestamps written without an offset.
    public var timeZone = NaiveTimeZone.utc
    /// Renames / merges and exclusions of export event names.
    public var naming = EventNaming()
    /// Drop exact duplicate event rows (overlapping exports) and count them.
    public var deduplicate = false
    /// Optional `user_id,account_id` file for exports that carry only user ids.
    public var userAccountsPath: String?
    public var userAccountColumns = UserAccountColumns()
    /// Largest share of event rows (and of customer rows) that may be rejected before the run stops: a night
    /// whose export is broken must fail loudly, not report on a fraction of the data.
    public var rejectBudget = 0.01
    /// Dated runs kept under `runs/`; older ones are deleted after a successful run.
    public var keepRuns = 30
    /// When set, every input path and the output directory must lie inside one of these folders (after
    /// resolving symbolic links). Set from a config file; nil for paths typed on the command line.
    public var allowedRoots: [String]?
    /// `eventPaths` name first-window daily feature tables (`first_window_daily.csv` or the part files of
    /// `activation sql`) instead of event exports: the feature stage ran on a warehouse or Spark.
    public var featureTable = false
    /// Table names for `activation sql` (the warehouse path).
    public var warehouseEventsTable = "events"
    public var warehouseCustomersTable = "customers"
    public var criteria = ProposalCriteria()
    /// Windows D of the "at least N times within D days" scan (those beyond `windowDays` are dropped).
    public var scanWindows = [1, 3, 7, 14, 21, 30]
    /// Cross-validation folds for the per-behaviour models.
    public var folds = 5
    /// Keep each export's partial aggregates in `<outputDirectory>/cache/`, keyed by content hash, so that the
    /// next run re-reads only new or changed exports (`ExportCache`). On for the command line and config files.
    public var cacheExports = false
    /// Plain-text exports larger than twice this many bytes are read in pieces of about this size, cut at line
    /// breaks, so that both cores work on one large export (`ExportUnit`).
    public var pieceBytes = 32 << 20
    /// The data's end (days since 1970-01-01) when the config fixes it (`analysis.data_end`); nil: the day of the
    /// latest usable event. Events after that day are rejected as `timestamp_in_future`.
    public var dataEndDay: Int?
    /// Fewest decided renewals and fewest churners the training cohort and the holdout must each hold before the
    /// report makes any claim (`analysis.min_outcomes`): with one churner every interval has zero width.
    public var minimumOutcomes = 10
    /// Largest fall, as a share, of used event rows or of decided customers against the previous run's summary
    /// before the run stops (`analysis.max_drop`): a half-empty export must not replace a good report.
    public var maximumDrop = 0.5
    /// Run even when the data fell by more than `maximumDrop` (`--accept-drop`: the fall is known and wanted).
    public var acceptDrop = false
    /// The run's clock (seconds since 1970) for the future-timestamp check; nil: now. Set by tests.
    public var clockSeconds: Int64?
    /// The bytes the run may take beyond its customer table, for the memory estimate (`MemoryBudget`); nil: what
    /// the system leaves (`SystemMemory.available()`: ulimit, cgroup, MemAvailable). Set by tests.
    public var memoryLimit: Int?

    public init(customersPath: String, eventPaths: [String], outputDirectory: String) {
        self.customersPath = customersPath
        self.eventPaths = eventPaths
        self.outputDirectory = outputDirectory
    }
}

extension PipelineConfiguration {
    /// The settings that decide what the feature table holds (the cache key and the SQL stage read these).
    public var featureDefinition: FeatureDefinition {
        FeatureDefinition(windowDays: windowDays, customerColumns: customerColumns, eventColumns: eventColumns,
                          timestampFormat: timestampFormat, timeZone: timeZone, naming: naming, deduplicate: deduplicate)
    }
}

extension PipelineConfiguration {
    /// What steers the analysis stages.
    public var analysisSettings: AnalysisSettings {
        var criteria = criteria
        // One minimum for both: the run's evidence check (`analysis.min_outcomes`) and the proposal's.
        criteria.minimumOutcomes = minimumOutcomes
        return AnalysisSettings(criteria: criteria, scanWindows: scanWindows, folds: folds)
    }
}

extension FeatureSQL {
    /// The SQL feature stage for a run's configuration, with its warehouse table names.
    public init(dialect: Dialect, configuration: PipelineConfiguration) {
        self.init(dialect: dialect, definition: configuration.featureDefinition,
                  eventsTable: configuration.warehouseEventsTable, customersTable: configuration.warehouseCustomersTable)
    }
}
