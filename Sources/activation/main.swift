import ActivationCore
import ActivationFeatures
import ActivationPipeline
import ActivationReport
import ArgumentParser
import Foundation
import SampleDataGenerator

@main
struct Activation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activation",
        abstract: "Find the early customer behaviour that predicts renewal: the activation event.",
        discussion: """
        Reads a customer table (signup date, renewed yes/no/undecided, segment, ACV) and product usage exports, builds \
        each customer's first-window usage per behaviour, ranks behaviours by how well they predict renewal, proposes \
        the activation event, and writes a Markdown report and CSV files.
        """,
        version: ActivationDiscovery.version,
        subcommands: [Run.self, SQL.self, Init.self, Sample.self]
    )

    /// Like ArgumentParser's `main()`, but a `Failure` exits with the status of its kind and one line on stderr.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as Failure {
            FileHandle.standardError.write(Data("activation: error: \(failure.description)\n".utf8))
            Foundation.exit(failure.exitCode.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole pipeline: ingest, features, models, ranking, proposal, report.",
        discussion: """
        Settings come from --config (an activation.toml, see `activation init`); options given here override it.

        Exit status: 0 success; 64 wrong usage; 65 unusable data (bad header, empty file, no decided customers, \
        rejects above the budget); 66 an input missing; 71 not enough memory for the run (fewer behaviours or a shorter \
        window fix it); 73 the reports could not be written; 78 a config problem or a path outside the allowed folders.

        On any failure nothing is written and the previous reports stay.
        """)

    @Option(help: ArgumentHelp("A config file (activation.toml); relative paths in it are relative to its folder.", valueName: "toml"))
    var config: String?

    @Option(help: ArgumentHelp("The customer table CSV: customer_id,signup_date,renewed[,segment][,acv].", valueName: "csv"))
    var customers: String?

    @Option(help: ArgumentHelp("An event export (*.csv or *.csv.gz), a directory of them, or a glob pattern in quotes. Repeatable.",
                               valueName: "path"))
    var events: [String] = []

    @Option(help: ArgumentHelp("Instead of --events: a first-window daily feature table computed elsewhere (`activation sql`), one CSV or a directory of part files (*.csv, *.csv.gz, with or without a header). Repeatable.",
                               valueName: "file-or-directory"))
    var features: [String] = []

    @Option(help: ArgumentHelp("Optional user_id,account_id mapping for exports that carry only user ids.", valueName: "csv"))
    var userAccounts: String?

    @Option(help: ArgumentHelp("Reports root: the run goes to <dir>/runs/<date>/ and replaces <dir>/latest/ when it succeeds.", valueName: "dir"))
    var out: String?

    @Option(help: "Length of the first window in days: events in [signup 00:00:00Z, signup + N days) count (default 30).")
    var windowDays: Int?

    @Option(help: ArgumentHelp("Column layout of the event exports: \(EventColumns.Preset.allCases.map(\.rawValue).joined(separator: ", ")). Column options below override it.",
                               valueName: "name"))
    var preset: EventColumns.Preset?

    @Option(help: "Event column holding the customer (account) id.") var customerColumn: String?
    @Option(help: "Event column holding the event (behaviour) name.") var eventColumn: String?
    @Option(help: "Event column holding the timestamp.") var timestampColumn: String?
    @Option(help: "Event column holding the user id (optional; distinct users per behaviour).") var userColumn: String?
    @Option(help: "Event column holding a count per row (optional; 1 when absent).") var countColumn: String?

    @Option(help: "Customer-table column holding the customer id.") var customerIdColumn: String?
    @Option(help: "Customer-table column holding the signup date.") var signupColumn: String?
    @Option(help: "Customer-table column holding renewed (true/false, yes/no, 1/0; empty = not decided yet).") var renewedColumn: String?
    @Option(help: "Customer-table column holding the segment (optional).") var segmentColumn: String?
    @Option(help: "Customer-table column holding the annual contract value (optional).") var acvColumn: String?
    @Option(help: ArgumentHelp("How signup dates are written: auto, or a pattern like '%m/%d/%Y' (the date as written is the signup day).", valueName: "format"))
    var signupFormat: String?

    @Option(help: ArgumentHelp("auto (ISO 8601, dates, epoch s/ms), epoch_seconds, epoch_milliseconds, or a pattern like '%m/%d/%Y %H:%M'.", valueName: "format"))
    var timestampFormat: String?
    @Option(help: ArgumentHelp("Zone of timestamps written without one: UTC, +02:00, or a name like Europe/Berlin.", valueName: "zone"))
    var timeZone: String?
    @Option(help: ArgumentHelp("An event name or pattern never used as a behaviour (billing, renewal, cancellation events). Repeatable.", valueName: "name"))
    var excludeEvent: [String] = []
    @Flag(help: "Drop exact duplicate event rows (overlapping exports) and count them.") var deduplicate = false
    @Option(help: ArgumentHelp("Largest share of rows that may be rejected before the run stops (default 0.01 = 1%).", valueName: "share"))
    var rejectBudget: Double?
    @Option(help: "Dated runs to keep under <out>/runs/ (default 30).") var keepRuns: Int?
    @Flag(help: "Show progress on stderr even when it is not a terminal (it is shown on a terminal anyway).") var progress = false
    @Flag(help: "Read every export afresh: neither use nor update the per-export cache in <out>/cache/.") var noCache = false
    @Option(help: ArgumentHelp("Field delimiter of the exports: ',' (default), ';', tab or '|'.", valueName: "char"))
    var delimiter: String?
    @Option(help: ArgumentHelp("Field delimiter of the customer table: ',' (default), ';', tab or '|'.", valueName: "char"))
    var customersDelimiter: String?
    @Option(help: ArgumentHelp("Text encoding of the exports: utf-8 (default), latin-1 or windows-1252 (transcoded while reading).", valueName: "name"))
    var encoding: String?
    @Option(help: ArgumentHelp("Text encoding of the customer table: utf-8 (default), latin-1 or windows-1252.", valueName: "name"))
    var customersEncoding: String?
    @Flag(help: "Run even when used event rows or decided customers fell by more than max_drop (default half) against the previous run.")
    var acceptDrop = false
    @Option(help: ArgumentHelp("Fix the data's end (YYYY-MM-DD) instead of taking the latest event's day; later events are rejected.", valueName: "date"))
    var dataEnd: String?
    @Option(help: "Fewest renewals and churners training and holdout must each hold before the report claims anything (default 10).")
    var minOutcomes: Int?

    func validate() throws {
        if let windowDays, windowDays < 1 || windowDays > 366 { throw ValidationError("--window-days must be between 1 and 366") }
        if let rejectBudget, !(0...1).contains(rejectBudget) { throw ValidationError("--reject-budget must be a share between 0 and 1, like 0.01") }
        if let keepRuns, keepRuns < 1 { throw ValidationError("--keep-runs must be at least 1") }
    }

    /// The configuration: the config file's, with every option given on the command line applied over it.
    func resolvedConfiguration() throws -> PipelineConfiguration {
        var configuration = PipelineConfiguration(customersPath: "", eventPaths: [], outputDirectory: "")
        configuration.cacheExports = true
        if let config {
            configuration = try ConfigurationFile(path: config).configuration
        }
        if let customers { configuration.customersPath = customers }
        if !events.isEmpty { configuration.eventPaths = events }
        if !features.isEmpty {
            guard events.isEmpty else { throw ValidationError("give --events or --features, not both") }
            configuration.eventPaths = features
            configuration.featureTable = true
        }
        if let userAccounts { configuration.userAccountsPath = userAccounts }
        if let out { configuration.outputDirectory = out }
        if let windowDays { configuration.windowDays = windowDays }
        if let preset {
            // The preset's names; the delimiter is not part of a layout and stays as the config set it.
            let (delimiter, encoding) = (configuration.eventColumns.delimiter, configuration.eventColumns.encoding)
            configuration.eventColumns = EventColumns(preset: preset)
            (configuration.eventColumns.delimiter, configuration.eventColumns.encoding) = (delimiter, encoding)
        }
        if let customerColumn { configuration.eventColumns.customerID = customerColumn }
        if let eventColumn { configuration.eventColumns.event = eventColumn }
        if let timestampColumn { configuration.eventColumns.timestamp = timestampColumn }
        if let userColumn { configuration.eventColumns.userID = userColumn; configuration.eventColumns.userIDNamed = true }
        if let countColumn { configuration.eventColumns.count = countColumn; configuration.eventColumns.countNamed = true }
        if let customerIdColumn { configuration.customerColumns.customerID = customerIdColumn }
        if let signupColumn { configuration.customerColumns.signupDate = signupColumn }
        if let renewedColumn { configuration.customerColumns.renewed = renewedColumn }
        if let segmentColumn { configuration.customerColumns.segment = segmentColumn; configuration.customerColumns.segmentNamed = true }
        if let acvColumn { configuration.customerColumns.acv = acvColumn; configuration.customerColumns.acvNamed = true }
        if let timestampFormat { configuration.timestampFormat = try TimestampFormat(timestampFormat) }
        if let timeZone { configuration.timeZone = try NaiveTimeZone(timeZone) }
        if let signupFormat {
            guard !signupFormat.contains("%z") else { throw ValidationError("--signup-format names a date, not a zone: drop %z") }
            configuration.signupFormat = try TimestampFormat(signupFormat)
        }
        if !excludeEvent.isEmpty { configuration.naming.excluded += excludeEvent }
        if deduplicate { configuration.deduplicate = true }
        if let rejectBudget { configuration.rejectBudget = rejectBudget }
        if let keepRuns { configuration.keepRuns = keepRuns }
        if noCache { configuration.cacheExports = false }
        if acceptDrop { configuration.acceptDrop = true }
        /// An option's value read by `parse`, or the option's own error naming what it accepts.
        func setting<T>(_ value: String?, _ option: String, _ parse: (String) -> T?, accepts: String) throws -> T? {
            guard let value else { return nil }
            guard let parsed = parse(value) else { throw ValidationError("\(option) must be \(accepts)") }
            return parsed
        }
        let delimiters = "',', ';', tab or '|'", encodings = "utf-8, latin-1 or windows-1252"
        if let d = try setting(delimiter, "--delimiter", FieldDelimiter.init(setting:), accepts: delimiters) { configuration.eventColumns.delimiter = d }
        if let e = try setting(encoding, "--encoding", TextEncoding.init(setting:), accepts: encodings) { configuration.eventColumns.encoding = e }
        if let e = try setting(customersEncoding, "--customers-encoding", TextEncoding.init(setting:), accepts: encodings) {
            configuration.customerColumns.encoding = e
        }
        if let d = try setting(customersDelimiter, "--customers-delimiter", FieldDelimiter.init(setting:), accepts: delimiters) {
            configuration.customerColumns.delimiter = d
        }
        if let dataEnd {
            guard dataEnd.utf8.count == 10, let seconds = TimestampParser.parse(dataEnd) else {
                throw ValidationError("--data-end must be a date like 2026-11-15")
            }
            configuration.dataEndDay = Int(seconds / 86_400)
        }
        if let minOutcomes {
            guard minOutcomes >= 1 else { throw ValidationError("--min-outcomes must be at least 1") }
            configuration.minimumOutcomes = minOutcomes
        }
        // Paths typed on the command line are the operator's own choice: only the config's paths are confined.
        if configuration.allowedRoots != nil {
            configuration.allowedRoots! += [customers, userAccounts, out].compactMap { $0 } + events + features
        }
        var missing: [String] = []
        if configuration.customersPath.isEmpty { missing.append("--customers (or inputs.customers in the config)") }
        if configuration.eventPaths.isEmpty { missing.append("--events (or inputs.events in the config)") }
        if configuration.outputDirectory.isEmpty { missing.append("--out (or output.dir in the config)") }
        if !missing.isEmpty { throw ValidationError("missing " + missing.joined(separator: ", ")) }
        return configuration
    }

    func run() throws {
        let configuration: PipelineConfiguration
        do {
            configuration = try resolvedConfiguration()
        } catch let error as InputError {
            throw Failure(error)
        }
        do {
            var reporter: IngestProgress?
            if IngestProgress.wanted(force: progress) && !configuration.featureTable {
                let files = (try? InputPaths.expandEventPaths(configuration.eventPaths)) ?? []
                let bytes = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
                reporter = IngestProgress(totalFiles: files.count, totalBytes: bytes)
            }
            let outcome = try NightlyRun.run(configuration, progress: reporter)
            FileHandle.standardError.write(Data((outcome.summary + "\n").utf8))
        } catch let error as InputError {
            throw Failure(error)
        }
    }
}

/// A run that stopped: one line on stderr, and the exit status of its kind (sysexits.h).
struct Failure: Error, CustomStringConvertible {
    let error: InputError
    init(_ error: InputError) { self.error = error }
    var description: String { error.message }
    var exitCode: ExitCode {
        switch error.kind {
        case .data: return ExitCode(65)
        case .missingInput: return ExitCode(66)
        case .output: return ExitCode(73)
        case .configuration: return ExitCode(78)
        case .memory: return ExitCode(71)
        }
    }
}

struct SQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Print the SQL that computes the first-window daily feature table on a warehouse or Spark.",
        discussion: """
        The query reads an events table and a customers table (column names, window, time zone, renames, exclusions and \
        de-duplication from --config) and returns customer_id,behaviour,day,events,users,data_end: the same table the \
        Swift feature stage writes as first_window_daily.csv. Save its result as CSV (one file or part files) and run \
        `activation run --customers <customers.csv> --features <it> --out <dir>`.
        """)

    @Option(help: ArgumentHelp("duckdb, spark, postgres, bigquery or snowflake.", valueName: "name")) var dialect: FeatureSQL.Dialect
    @Option(help: ArgumentHelp("A config file (activation.toml) for columns, window, zone, renames, exclusions.", valueName: "toml")) var config: String?
    @Option(help: "Events table (or view) name (default: warehouse.events_table in the config, else events).") var eventsTable: String?
    @Option(help: "Customers table (or view) name (default: warehouse.customers_table in the config, else customers).") var customersTable: String?
    @Option(help: "Length of the first window in days (overrides the config).") var windowDays: Int?
    @Flag(help: "The events table has no user column (users are left empty).") var withoutUserColumn = false
    @Flag(help: "The events table has no count column (every row counts 1).") var withoutCountColumn = false

    func run() throws {
        do {
            var configuration = PipelineConfiguration(customersPath: "", eventPaths: [], outputDirectory: "")
            if let config { configuration = try ConfigurationFile(path: config).configuration }
            if let windowDays { configuration.windowDays = windowDays }
            var sql = FeatureSQL(dialect: dialect, configuration: configuration)
            if let eventsTable { sql.eventsTable = eventsTable }
            if let customersTable { sql.customersTable = customersTable }
            sql.hasUserColumn = !withoutUserColumn
            sql.hasCountColumn = !withoutCountColumn
            print(try sql.render(), terminator: "")
        } catch let error as InputError {
            throw Failure(error)
        }
    }
}

extension FeatureSQL.Dialect: ExpressibleByArgument {}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a commented example config file (activation.toml) to edit next to your data.")

    @Option(help: ArgumentHelp("Folder to write activation.toml into.", valueName: "dir")) var dir = "."
    @Flag(help: "Replace an existing activation.toml.") var force = false

    func run() throws {
        let path = (dir as NSString).appendingPathComponent(ConfigurationFile.fileName)
        if FileManager.default.fileExists(atPath: path) && !force {
            throw Failure(InputError("\(path) already exists; use --force to replace it", kind: .output))
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(ConfigurationFile.example.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw Failure(InputError("\(path): could not write: \(error.localizedDescription)", kind: .output))
        }
        print("wrote \(path); edit it, then: activation run --config \(path)")
    }
}

extension EventColumns.Preset: ExpressibleByArgument {}

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate the deterministic sample export set (customers, monthly event files, a dirty set).")

    @Option(help: ArgumentHelp("Directory to write into.", valueName: "dir")) var out = "SampleData"
    @Option(help: "Number of accounts.") var accounts = 2000
    @Option(help: "Days of usage generated after each signup (45 for SampleData; more for benchmark volumes).") var followUpDays = 45
    @Option(help: "Random seed: the same seed gives the same bytes.") var seed: UInt64 = 42
    @Flag(help: "Do not write the small dirty/ set.") var noDirty = false
    @Option(help: "monthly (default: the sample set, one export per month) or single (make bench: customers.csv and one time-ordered events.csv in the shape below).") var shape = "monthly"
    @Option(help: "With --shape single: number of behaviours.") var behaviours = 8
    @Option(help: "With --shape single: about this many event rows.") var rows = 44_000_000
    @Flag(help: "With --shape single: add a user_id column (distinct users per account).") var userColumn = false

    func run() throws {
        if shape == "single" {
            var generator = BenchExportGenerator(seed: seed)
            generator.accounts = accounts
            generator.behaviours = behaviours
            generator.rows = rows
            generator.userColumn = userColumn
            if followUpDays != 45 { generator.followUpDays = followUpDays }
            print(try generator.write(to: out))
            return
        }
        guard shape == "monthly" else { throw ValidationError("--shape: monthly or single") }
        var generator = SampleGenerator(seed: seed)
        generator.accounts = accounts
        generator.followUpDays = followUpDays
        let summary = try generator.write(to: out, includeDirty: !noDirty)
        print(summary)
    }
}
