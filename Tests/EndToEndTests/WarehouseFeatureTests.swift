import ActivationAnalysis
import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import ActivationIngest
import ActivationPipeline
import ActivationReport
import ActivationTestSupport
import Foundation
import Testing

/// The feature stage run as SQL on DuckDB (as a warehouse would) gives exactly the Swift stage's daily table, and the
/// pipeline run from it gives the same report. DuckDB comes from PyPI in the private virtual environment that
/// `make test` creates (`.venv`); its Python is passed in ACTIVATION_TEST_PYTHON.
@Suite("Feature stage on a warehouse: DuckDB", .serialized)
struct WarehouseFeatureTests {
    static var python: String? {
        if let p = ProcessInfo.processInfo.environment["ACTIVATION_TEST_PYTHON"], FileManager.default.isExecutableFile(atPath: p) { return p }
        let local = Repository.path(".venv/bin/python")
        return FileManager.default.isExecutableFile(atPath: local) ? local : nil
    }

    static func sortedLines(_ url: URL) throws -> [Substring] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().sorted()
    }

    /// The report without the parts that describe the inputs themselves (files, row accounting).
    static func reportWithoutInputs(_ url: URL) throws -> String {
        let text = try String(contentsOf: url, encoding: .utf8)
        let cut = text.range(of: "### The data")!.lowerBound
        return String(text[..<cut])
    }

    @Test func duckDBComputesTheSameFeatureTableAndTheSameReport() throws {
        let python = try #require(Self.python, "DuckDB's Python is missing: run `make test`, which installs it into .venv")
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var configuration = try ConfigurationFile(path: Repository.path("SampleData/activation.toml")).configuration
        configuration.allowedRoots = nil
        configuration.outputDirectory = dir.appendingPathComponent("swift").path

        // 1. The Swift feature stage and the whole pipeline, from the CSV exports.
        let swiftResult = try Pipeline.run(configuration)
        try ReportWriter(runName: "2026-11-23").write(swiftResult, to: configuration.outputDirectory)
        let swiftLatest = dir.appendingPathComponent("swift/latest")

        // 2. The SQL, run by DuckDB on the same files: as text columns (a staging table), as the types DuckDB
        //    detects (a typed warehouse table: timestamps with their zone, counts as numbers), and with the
        //    timestamps typed TIMESTAMP (naive UTC, as a warehouse often stores them: the query's fast path).
        let sql = try FeatureSQL(dialect: .duckdb, configuration: configuration).render()
        let query = dir.appendingPathComponent("features.sql")
        try Data(sql.utf8).write(to: query)
        let swiftRows = try Self.sortedLines(swiftLatest.appendingPathComponent("first_window_daily.csv"))
        #expect(swiftRows.count > 50_000)
        let daily = dir.appendingPathComponent("duckdb_daily.csv")
        for engine in ["duckdb", "duckdb-typed", "duckdb-timestamp"] {
            let out = engine == "duckdb" ? daily : dir.appendingPathComponent("\(engine)_daily.csv")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [Repository.path("Tests/EndToEndTests/Fixtures/run_feature_sql.py"), engine, query.path,
                                 Repository.path("SampleData/customers.csv"), Repository.path("SampleData/events") + "/*.csv", out.path]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "DuckDB (\(engine)) failed: \(message)")
            // The same rows, value for value.
            #expect(try Self.sortedLines(out) == swiftRows, "\(engine)")
        }

        // 3. The pipeline from DuckDB's table: the same files and the same report, but for the inputs it describes.
        var fromSQL = configuration
        fromSQL.eventPaths = [daily.path]
        fromSQL.featureTable = true
        fromSQL.outputDirectory = dir.appendingPathComponent("sql").path
        let sqlResult = try Pipeline.run(fromSQL)
        try ReportWriter(runName: "2026-11-23").write(sqlResult, to: fromSQL.outputDirectory)
        let sqlLatest = dir.appendingPathComponent("sql/latest")
        for file in ["behaviours.csv", "thresholds.csv", "features.csv", "at_risk.csv", "first_window_daily.csv",
                     "chart-early-activation.svg", "chart-renewal-by-count.svg", "chart-renewal-by-segment.svg", "chart-threshold-window.svg",
                     "chart-time-to-value.svg", "chart-activation-by-cohort.svg"] {
            #expect(try Data(contentsOf: swiftLatest.appendingPathComponent(file)) == Data(contentsOf: sqlLatest.appendingPathComponent(file)), "\(file)")
        }
        #expect(try Self.reportWithoutInputs(swiftLatest.appendingPathComponent("activation-report.md"))
                == Self.reportWithoutInputs(sqlLatest.appendingPathComponent("activation-report.md")))
    }

    @Test func featureFilesAreValidatedLikeExports() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A directory of headerless part files, one gzipped, with damaged rows.
        let parts = dir.appendingPathComponent("features")
        try FileManager.default.createDirectory(at: parts, withIntermediateDirectories: true)
        write("a,login,0,3,1,2026-06-01\na,invite,1,2,2,2026-06-01\n", to: parts.appendingPathComponent("part-00000.csv"))
        write("b,login,0,1,1,2026-06-01\nghost,login,0,1,1,2026-06-01\nb,login,91,1,1,2026-06-01\nb,login,x,1,1,2026-06-01\nb,login,1,1\n"
              + "a,invite,30,3,,2026-06-01\na,invite,90,4,,2026-06-01\n", to: parts.appendingPathComponent("part-00001.csv"))
        write("", to: parts.appendingPathComponent("_SUCCESS"))
        var customers = MemoryByteSource("customer_id,signup_date,renewed\na,2026-03-01,yes\nb,2026-03-02,no\n")
        let table = try CustomerTableReader().read(&customers, file: "customers.csv").table
        let reader = DailyFeatureReader(customers: table, windowDays: 30)
        for file in try InputPaths.expandEventPaths([parts.path]) {
            var source = try ExportByteSource(path: file)
            try reader.read(&source, file: file)
        }
        #expect(reader.files.map(\.rowsRead) == [2, 7])
        #expect(reader.files.map(\.used) == [2, 1])
        #expect(reader.files.map(\.afterWindow) == [0, 2])  // the follow-up rows: days 30-89, and day 90 or later
        #expect(reader.rejects.map(\.reason) == [.unknownCustomer, .invalidCount, .invalidCount, .wrongFieldCount])
        #expect(reader.rejects.map(\.line) == [2, 3, 4, 5])
        #expect(reader.dataEndDay == TimestampParser.daysFromCivil(year: 2026, month: 6, day: 1))
        let features = FeatureTable(customers: table.customers, behaviourNames: (0..<reader.behaviours.count).map { reader.behaviours.string($0) },
                                    accumulator: reader.accumulator)
        let invite = try #require(features.behaviours.first { $0.name == "invite" })
        #expect(invite.countPerCustomer() == [2, 0] && invite.firstDay(customer: 0) == 1 && invite.usersPerCustomer() == [2, 0])
        #expect(features.hasFollowUp)
        #expect(invite.countSinceSignup(withinDays: 30, customer: 0) == 2)
        #expect(invite.countSinceSignup(withinDays: 90, customer: 0) == 5)
        #expect(invite.countSinceSignup(withinDays: nil, customer: 0) == 9)
        #expect(ActivationRule(conditions: [.init(behaviour: "invite", threshold: 5)], windowDays: 30).reached(withinDays: 90, in: features) == [true, false])
        #expect(ActivationRule(conditions: [.init(behaviour: "invite", threshold: 6)], windowDays: 30).reached(withinDays: 90, in: features) == [false, false])
        #expect(ActivationRule(conditions: [.init(behaviour: "invite", threshold: 6)], windowDays: 30).reached(withinDays: nil, in: features) == [true, false])
    }

    @Test func everyDialectRendersWithTheConfiguredNamesRenamesAndExclusions() throws {
        var configuration = try ConfigurationFile(path: Repository.path("SampleData/dirty/activation.toml")).configuration
        configuration.naming.excluded = ["billing_*"]
        configuration.timeZone = try NaiveTimeZone("Europe/Berlin")
        for dialect in FeatureSQL.Dialect.allCases {
            let sql = try FeatureSQL(dialect: dialect, configuration: configuration).render()
            #expect(sql.contains("'invite_teammate'") && sql.contains("Invite Sent"), "\(dialect)")
            #expect(sql.contains("billing"), "\(dialect)")
            #expect(sql.contains("offset_seconds < 30 * 86400") && sql.contains("offset_seconds < 90 * 86400"), "\(dialect)")
            #expect(sql.contains("DISTINCT customer_id, behaviour, event_second"), "\(dialect): deduplicate from the config")
            #expect(sql.contains("Europe/Berlin") , "\(dialect)")
            #expect(sql.hasSuffix("WHERE d.events > 0 AND d.day >= 0;\n"))
            // Naive timestamps in Berlin: a TIMESTAMP column must go through the session's zone, never be taken as UTC.
            #expect(!sql.contains("typeof("), "\(dialect)")
        }
        configuration.timestampFormat = .pattern("%m/%d/%Y %H:%M")
        #expect(try FeatureSQL(dialect: .postgres, configuration: configuration).render().contains("'MM/DD/YYYY HH24:MI'"))
        #expect(try FeatureSQL(dialect: .spark, configuration: configuration).render().contains("'M/d/yyyy H:m'"))
        configuration.naming.excluded = ["[ab]*"]
        #expect(throws: InputError.self) { try FeatureSQL(dialect: .duckdb, configuration: configuration).render() }
    }
}
