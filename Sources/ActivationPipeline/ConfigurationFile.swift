import ActivationCore
import Foundation
import TOMLKit

/// The `activation.toml` config file: everything the command-line options can say, kept next to the data.
///
/// Parsed with TOMLKit (toml++). Relative paths are relative to the file's folder, and every input and output path
/// must stay inside `allowed_roots` (default: the file's own folder). Unknown keys are errors, so a typo
/// (`window_day = 14`) cannot silently fall back to a default. `activation init` writes `ConfigurationFile.example`.
public struct ConfigurationFile {
    public let path: String
    /// The folder holding the file; relative paths in it are resolved against this.
    public let directory: String
    /// The settings; `customersPath`, `eventPaths` and `outputDirectory` are empty when the file leaves them out.
    public var configuration: PipelineConfiguration
    /// The preset named in the file, if any (column names given next to it override it).
    public var preset: EventColumns.Preset?

    public static let fileName = "activation.toml"

    /// Reads and checks a config file. Errors name the file, and the line and column for syntax errors.
    public init(path: String) throws {
        self.path = path
        // Kept as given (not made absolute), so that run.json and the report show the paths a reader typed.
        directory = (path as NSString).deletingLastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("\(path): cannot read the config file", kind: .missingInput)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError("\(path): the config file is not UTF-8 text", kind: .configuration)
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw InputError("\(path):\(error.source.begin.line):\(error.source.begin.column): not valid TOML: \(error.description)", kind: .configuration)
        }
        configuration = PipelineConfiguration(customersPath: "", eventPaths: [], outputDirectory: "")
        configuration.cacheExports = true
        var reader = TableReader(table: root, name: "", file: path)
        try reader.allow(["allowed_roots", "inputs", "output", "customers", "events", "user_accounts", "analysis", "criteria", "warehouse"])
        let roots = try reader.strings("allowed_roots") ?? ["."]
        configuration.allowedRoots = roots.map(resolve)

        if var inputs = try reader.table("inputs") {
            try inputs.allow(["customers", "events", "user_accounts"])
            if let v = try inputs.string("customers") { configuration.customersPath = resolve(v) }
            if let v = try inputs.strings("events", allowSingle: true) { configuration.eventPaths = v.map(resolve) }
            if let v = try inputs.string("user_accounts") { configuration.userAccountsPath = resolve(v) }
        }
        if var output = try reader.table("output") {
            try output.allow(["dir", "keep_runs", "cache"])
            if let v = try output.string("dir") { configuration.outputDirectory = resolve(v) }
            if let v = try output.int("keep_runs", range: 1...10_000) { configuration.keepRuns = v }
            if let v = try output.bool("cache") { configuration.cacheExports = v }
        }
        if var customers = try reader.table("customers") {
            try customers.allow(["id_column", "signup_column", "renewed_column", "segment_column", "acv_column",
                                 "renewed_values", "churned_values", "undecided_values", "delimiter",
                                 "signup_format", "encoding"])
            if let v = try customers.string("signup_format") {
                do {
                    configuration.signupFormat = try TimestampFormat(v)
                    guard !v.contains("%z") else { throw InputError("a signup format names a date, not a zone: drop %z") }
                } catch let e as InputError {
                    throw InputError("\(path): customers.signup_format: \(e.message)", kind: .configuration)
                }
            }
            var c = configuration.customerColumns
            if let v = try customers.string("delimiter") { c.delimiter = try Self.delimiter(v, key: "customers.delimiter", file: path) }
            if let v = try customers.string("encoding") { c.encoding = try Self.encoding(v, key: "customers.encoding", file: path) }
            if let v = try customers.string("id_column") { c.customerID = v }
            if let v = try customers.string("signup_column") { c.signupDate = v }
            if let v = try customers.string("renewed_column") { c.renewed = v }
            if let v = try customers.string("segment_column") { c.segment = v; c.segmentNamed = true }
            if let v = try customers.string("acv_column") { c.acv = v; c.acvNamed = true }
            configuration.customerColumns = c
            if let v = try customers.strings("renewed_values") { configuration.renewalLabels.renewed = v }
            if let v = try customers.strings("churned_values") { configuration.renewalLabels.churned = v }
            if let v = try customers.strings("undecided_values") { configuration.renewalLabels.undecided = v }
        }
        if var events = try reader.table("events") {
            try events.allow(["preset", "account_column", "event_column", "timestamp_column", "user_column", "count_column",
                              "timestamp_format", "time_zone", "exclude", "rename", "deduplicate", "delimiter", "encoding"])
            if let v = try events.string("preset") {
                guard let preset = EventColumns.Preset(rawValue: v) else {
                    throw InputError("\(path): events.preset '\(v)' is not one of \(EventColumns.Preset.allCases.map(\.rawValue).joined(separator: ", "))", kind: .configuration)
                }
                self.preset = preset
                configuration.eventColumns = EventColumns(preset: preset)
            }
            var c = configuration.eventColumns
            if let v = try events.string("delimiter") { c.delimiter = try Self.delimiter(v, key: "events.delimiter", file: path) }
            if let v = try events.string("encoding") { c.encoding = try Self.encoding(v, key: "events.encoding", file: path) }
            if let v = try events.string("account_column") { c.customerID = v }
            if let v = try events.string("event_column") { c.event = v }
            if let v = try events.string("timestamp_column") { c.timestamp = v }
            if let v = try events.string("user_column") { c.userID = v; c.userIDNamed = true }
            if let v = try events.string("count_column") { c.count = v; c.countNamed = true }
            configuration.eventColumns = c
            if let v = try events.string("timestamp_format") {
                do { configuration.timestampFormat = try TimestampFormat(v) } catch let e as InputError {
                    throw InputError("\(path): events.timestamp_format: \(e.message)", kind: .configuration)
                }
            }
            if let v = try events.string("time_zone") {
                do { configuration.timeZone = try NaiveTimeZone(v) } catch let e as InputError {
                    throw InputError("\(path): events.time_zone: \(e.message)", kind: .configuration)
                }
            }
            if let v = try events.strings("exclude") { configuration.naming.excluded = v }
            if let v = try events.bool("deduplicate") { configuration.deduplicate = v }
            if let renames = try events.table("rename") {
                for behaviour in renames.table.keys.sorted() {
                    configuration.naming.renames[behaviour] = try renames.strings(behaviour, allowSingle: true) ?? []
                }
            }
            do { try configuration.naming.validate() } catch let e as InputError {
                throw InputError("\(path): events.rename: \(e.message)", kind: .configuration)
            }
        }
        if var mapping = try reader.table("user_accounts") {
            try mapping.allow(["user_column", "account_column"])
            if let v = try mapping.string("user_column") { configuration.userAccountColumns.userID = v }
            if let v = try mapping.string("account_column") { configuration.userAccountColumns.accountID = v }
        }
        if var warehouse = try reader.table("warehouse") {
            try warehouse.allow(["events_table", "customers_table"])
            if let v = try warehouse.string("events_table") { configuration.warehouseEventsTable = v }
            if let v = try warehouse.string("customers_table") { configuration.warehouseCustomersTable = v }
        }
        if var analysis = try reader.table("analysis") {
            try analysis.allow(["window_days", "reject_budget", "folds", "scan_windows", "data_end", "min_outcomes", "max_drop"])
            if let v = try analysis.string("data_end") {
                guard v.utf8.count == 10, let seconds = TimestampParser.parse(v) else {
                    throw InputError("\(path): analysis.data_end must be a date like \"2026-11-15\", got '\(v)'", kind: .configuration)
                }
                configuration.dataEndDay = Int(seconds / 86_400)
            }
            if let v = try analysis.int("min_outcomes", range: 1...1_000_000) { configuration.minimumOutcomes = v }
            if let v = try analysis.double("max_drop", range: 0...1) { configuration.maximumDrop = v }
            if let v = try analysis.int("window_days", range: 1...366) { configuration.windowDays = v }
            if let v = try analysis.double("reject_budget", range: 0...1) { configuration.rejectBudget = v }
            if let v = try analysis.int("folds", range: 2...20) { configuration.folds = v }
            if let v = try analysis.ints("scan_windows", range: 1...366) { configuration.scanWindows = v.sorted() }
        }
        if var criteria = try reader.table("criteria") {
            try criteria.allow(["min_reach", "max_reach", "max_median_day", "significance", "strong_auc", "holdout_share",
                                "correlation_threshold", "bootstrap_resamples", "experiment_effect_share"])
            if let v = try criteria.double("min_reach", range: 0...1) { configuration.criteria.minimumReach = v }
            if let v = try criteria.double("max_reach", range: 0...1) { configuration.criteria.maximumReach = v }
            if let v = try criteria.double("max_median_day", range: 0...366) { configuration.criteria.maximumMedianDay = v }
            if let v = try criteria.double("significance", range: 0...1) { configuration.criteria.significance = v }
            if let v = try criteria.double("strong_auc", range: 0.5...1) { configuration.criteria.strongAUC = v }
            if let v = try criteria.double("holdout_share", range: 0.05...0.5) { configuration.criteria.holdoutShare = v }
            if let v = try criteria.double("correlation_threshold", range: 0.5...1.01) { configuration.criteria.correlationThreshold = v }
            if let v = try criteria.int("bootstrap_resamples", range: 0...10_000) { configuration.criteria.bootstrapResamples = v }
            if let v = try criteria.double("experiment_effect_share", range: 0.05...1) { configuration.criteria.experimentEffectShare = v }
        }
    }

    /// A delimiter setting: `,` `;` `|` or `tab`.
    package static func delimiter(_ value: String, key: String, file: String) throws -> FieldDelimiter {
        guard let d = FieldDelimiter(setting: value) else {
            throw InputError("\(file): \(key) must be one of \",\", \";\", \"tab\", \"|\"; got '\(value)'", kind: .configuration)
        }
        return d
    }

    /// An encoding setting: `utf-8`, `latin-1` or `windows-1252`.
    package static func encoding(_ value: String, key: String, file: String) throws -> TextEncoding {
        guard let e = TextEncoding(setting: value) else {
            throw InputError("\(file): \(key) must be one of \"utf-8\", \"latin-1\", \"windows-1252\"; got '\(value)'", kind: .configuration)
        }
        return e
    }

    /// A path from the file, relative to the file's folder unless absolute.
    package func resolve(_ value: String) -> String {
        if value.hasPrefix("/") || directory.isEmpty { return value }
        return ((directory as NSString).appendingPathComponent(value) as NSString).standardizingPath
    }

    /// Typed, checked access to one table of the file.
    package struct TableReader {
        package let table: TOMLTable
        package let name: String
        package let file: String

        package func key(_ k: String) -> String { name.isEmpty ? k : "\(name).\(k)" }

        package func fail(_ k: String, _ expected: String) -> InputError {
            InputError("\(file): \(key(k)) must be \(expected)", kind: .configuration)
        }

        package mutating func allow(_ keys: [String]) throws {
            for k in table.keys.sorted() where !keys.contains(k) {
                let closest = keys.min { editDistance($0, k) < editDistance($1, k) } ?? ""
                throw InputError("\(file): unknown setting '\(key(k))'\(closest.isEmpty ? "" : "; did you mean '\(key(closest))'?") (known: \(keys.joined(separator: ", ")))",
                                 kind: .configuration)
            }
        }

        package func table(_ k: String) throws -> TableReader? {
            guard let value = table[k] else { return nil }
            guard let t = value.table else { throw fail(k, "a table ([\(key(k))])") }
            return TableReader(table: t, name: key(k), file: file)
        }

        package func string(_ k: String) throws -> String? {
            guard let value = table[k] else { return nil }
            guard let s = value.string else { throw fail(k, "a string in quotes") }
            return s
        }

        package func strings(_ k: String, allowSingle: Bool = false) throws -> [String]? {
            guard let value = table[k] else { return nil }
            if allowSingle, let s = value.string { return [s] }
            guard let array = value.array else { throw fail(k, "a list of strings, like [\"a\", \"b\"]") }
            return try array.map { item in
                guard let s = item.string else { throw fail(k, "a list of strings, like [\"a\", \"b\"]") }
                return s
            }
        }

        package func int(_ k: String, range: ClosedRange<Int>) throws -> Int? {
            guard let value = table[k] else { return nil }
            guard let v = value.int, range.contains(v) else { throw fail(k, "a whole number from \(range.lowerBound) to \(range.upperBound)") }
            return v
        }

        package func double(_ k: String, range: ClosedRange<Double>) throws -> Double? {
            guard let value = table[k] else { return nil }
            guard let v = value.double ?? value.int.map(Double.init), range.contains(v) else {
                throw fail(k, "a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return v
        }

        package func ints(_ k: String, range: ClosedRange<Int>) throws -> [Int]? {
            guard let value = table[k] else { return nil }
            let expected = "a non-empty list of whole numbers from \(range.lowerBound) to \(range.upperBound), like [1, 7, 30]"
            guard let array = value.array, !array.isEmpty else { throw fail(k, expected) }
            return try array.map { item in
                guard let v = item.int, range.contains(v) else { throw fail(k, expected) }
                return v
            }
        }

        package func bool(_ k: String) throws -> Bool? {
            guard let value = table[k] else { return nil }
            guard let v = value.bool else { throw fail(k, "true or false") }
            return v
        }
    }

    /// The commented example `activation init` writes.
    public static let example = #"""
    # Activation Discovery config. Paths are relative to this file's folder.
    # Options given on the command line override what is here.

    # Every input and the output folder must lie inside these folders (symbolic links resolved); anything else is
    # refused, so a mistyped or hostile path cannot make the nightly job read or write elsewhere.
    allowed_roots = ["."]

    [inputs]
    # The customer table: one row per account with signup date, renewal, segment and ACV.
    customers = "customers.csv"
    # Event exports: files, folders (every *.csv and *.csv.gz inside) or patterns ("exports/2026-*.csv.gz"),
    # read in name order. A pattern that matches nothing stops the run: a typo must not drop a month silently.
    # Required: name yours, for example
    # events = ["exports/*.csv.gz"]
    # Optional: a user_id -> account_id file, for exports that carry only user ids. Each event's user column (or,
    # when the export has none, its account column) is looked up in it; distinct users per behaviour come free.
    # user_accounts = "users.csv"

    [output]
    # Each run writes <dir>/runs/<date>/ and replaces <dir>/latest/ only once everything was written.
    dir = "Reports"
    # Dated runs kept; older ones are deleted after a successful run.
    keep_runs = 30
    # Keep each export's partial counts in <dir>/cache/, keyed by its SHA-256: the next run re-reads only new or
    # changed exports. Any change of window, columns or other reading settings starts the cache afresh.
    cache = true

    [customers]
    id_column = "customer_id"
    signup_column = "signup_date"
    renewed_column = "renewed"
    # Optional columns, used when present; named here (uncommented), they must exist.
    # segment_column = "segment"
    # acv_column = "acv"
    delimiter = ","
    encoding = "utf-8"
    # Values of the renewal column (matched case-insensitively, after trimming).
    renewed_values = ["true", "yes", "1", "y", "t", "renewed"]
    churned_values = ["false", "no", "0", "n", "f", "churned"]
    undecided_values = [""]
    # How signup dates are written: auto (2026-03-04, ISO timestamps, epochs) or a pattern such as "%m/%d/%Y".
    # The signup day is the date as written, whatever a timestamp's offset.
    signup_format = "auto"

    [events]
    # Column layout: standard (customer_id,event,timestamp[,user_id][,count]), amplitude, mixpanel or segment.
    preset = "standard"
    # Column names, only when yours differ from the preset's (a name set here overrides the preset; a user or count
    # column named here must exist in every export).
    # account_column = "customer_id"
    # event_column = "event"
    # timestamp_column = "timestamp"
    # user_column = "user_id"      # optional: distinct users per behaviour
    # count_column = "count"       # optional: a count per row (1 when absent)
    # Field delimiter: ",", ";" (European Excel), "tab" or "|".
    delimiter = ","
    # Text encoding: "utf-8", "latin-1" or "windows-1252" (transcoded while reading).
    encoding = "utf-8"
    # auto (ISO 8601, dates, epoch seconds or milliseconds), epoch_seconds, epoch_milliseconds,
    # or a pattern such as "%m/%d/%Y %I:%M:%S %p".
    timestamp_format = "auto"
    # The zone of timestamps written without one: UTC, an offset ("+02:00") or a zone name ("Europe/Berlin").
    time_zone = "UTC"
    # Events that are never candidates: they leak the outcome (billing, renewal, cancellation) or are noise.
    # Exact names or patterns (* ? [..]).
    exclude = ["billing_*", "invoice_*", "payment_*", "charge_*", "subscription_*", "*renewed*", "*cancelled*", "*canceled*", "refund_*"]
    # Drop exact duplicate rows (the same event in two overlapping exports); the run reports how many.
    deduplicate = false

    # Several export names for one behaviour: behaviour = [names or patterns]. For example:
    # [events.rename]
    # invite_teammate = ["Invite Sent", "invite_sent"]

    [user_accounts]
    user_column = "user_id"
    account_column = "account_id"

    [analysis]
    # First window: events in [signup day 00:00 UTC, + window_days) count.
    window_days = 30
    # Stop the run (exit status 65) when more than this share of rows is rejected.
    reject_budget = 0.01
    # Cross-validation folds for the per-behaviour models.
    folds = 5
    # Windows D of the scan "did X at least N times within D days" (those beyond window_days are dropped).
    scan_windows = [1, 3, 7, 14, 21, 30]
    # The data's end: by default the day of the latest event (events later than the run's clock plus a day are
    # rejected as timestamp_in_future). Set it to fix the end; events after it are rejected too.
    # data_end = "2026-11-15"
    # No claim is made unless the training cohort and the holdout each hold this many renewals and churners.
    min_outcomes = 10
    # Stop when used event rows or decided customers fall by more than this share against the previous run
    # (run with --accept-drop when the fall is expected).
    max_drop = 0.5

    [warehouse]
    # For `activation sql`: the tables (or views) holding the events and the customers, with the columns above.
    events_table = "analytics.events"
    customers_table = "analytics.customers"

    [criteria]
    # What the proposed activation event must satisfy.
    min_reach = 0.15        # reached by at least 15% of decided customers (not a rare perfect signal)
    max_reach = 0.85        # and at most 85% (not "first login")
    max_median_day = 7      # reached by day 7 (median) by those who reach it
    significance = 0.05     # Benjamini-Hochberg q (over every rule scanned) below this
    strong_auc = 0.75       # the bar: strong when the holdout AUC's 95% interval lies at or above it, weak below
    holdout_share = 0.30    # the most recent 30% of decided customers measure the rule chosen on the others
    correlation_threshold = 0.9   # behaviours whose log1p counts correlate this much are one group in the driver model
    bootstrap_resamples = 200     # seeded resamples for the stability of the whole selection (0: none)
    experiment_effect_share = 0.5 # the experiment is sized to detect this share of the observed renewal gap

    """#
}
