import ActivationKit
import ArgumentParser
import Foundation
import SampleDataGenerator

@main
struct Activation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activation",
        abstract: "Find the early customer behaviour that predicts renewal: the activation event.",
        discussion: """
        Reads a customer table (signup date, renewed yes/no/undecided, segment, ACV) and product usage exports, builds
        each customer's first-window usage per behaviour, ranks behaviours by how well they predict renewal, proposes
        the activation event, and writes a Markdown report and CSV files.
        """,
        version: ActivationDiscovery.version,
        subcommands: [Run.self, Sample.self]
    )
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole pipeline: ingest, features, models, ranking, proposal, report.")

    @Option(help: ArgumentHelp("The customer table CSV: customer_id,signup_date,renewed[,segment][,acv].", valueName: "csv"))
    var customers: String

    @Option(help: ArgumentHelp("An event export CSV, or a directory whose *.csv files are all read (sorted by name). Repeatable.",
                               valueName: "csv-or-directory"))
    var events: [String]

    @Option(help: ArgumentHelp("Directory for the report and CSV files; replaced atomically when the run succeeds.", valueName: "dir"))
    var out: String

    @Option(help: "Length of the first window in days: events in [signup 00:00:00Z, signup + N days) count.")
    var windowDays = 30

    @Option(help: ArgumentHelp("Column layout of the event exports: \(EventColumns.Preset.allCases.map(\.rawValue).joined(separator: ", ")). Column options below override it.",
                               valueName: "name"))
    var preset: EventColumns.Preset = .standard

    @Option(help: "Event column holding the customer (account) id.") var customerColumn: String?
    @Option(help: "Event column holding the event (behaviour) name.") var eventColumn: String?
    @Option(help: "Event column holding the timestamp (ISO 8601, a date, or epoch seconds / milliseconds).") var timestampColumn: String?
    @Option(help: "Event column holding the user id (optional; distinct users per behaviour).") var userColumn: String?
    @Option(help: "Event column holding a count per row (optional; 1 when absent).") var countColumn: String?

    @Option(help: "Customer-table column holding the customer id.") var customerIdColumn = "customer_id"
    @Option(help: "Customer-table column holding the signup date.") var signupColumn = "signup_date"
    @Option(help: "Customer-table column holding renewed (true/false, yes/no, 1/0; empty = not decided yet).") var renewedColumn = "renewed"
    @Option(help: "Customer-table column holding the segment (optional).") var segmentColumn = "segment"
    @Option(help: "Customer-table column holding the annual contract value (optional).") var acvColumn = "acv"

    @Option(help: "UTC offset assumed for event timestamps without a zone, e.g. +02:00 or -0500.") var naiveUtcOffset = "+00:00"

    func validate() throws {
        if events.isEmpty { throw ValidationError("give at least one --events file or directory") }
        if windowDays < 1 || windowDays > 366 { throw ValidationError("--window-days must be between 1 and 366") }
        if Self.parseOffset(naiveUtcOffset) == nil { throw ValidationError("--naive-utc-offset '\(naiveUtcOffset)' is not like +02:00 or -0500") }
    }

    static func parseOffset(_ text: String) -> Int? {
        let s = Array(text.utf8)
        guard let sign = s.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let digits = s.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let values = digits.map { Int($0) - 48 }
        let hours = values[0] * 10 + values[1]
        let minutes = values.count == 4 ? values[2] * 10 + values[3] : 0
        guard hours <= 18, minutes < 60 else { return nil }
        return (sign == UInt8(ascii: "+") ? 1 : -1) * (hours * 3600 + minutes * 60)
    }

    func run() throws {
        var configuration = PipelineConfiguration(customersPath: customers, eventPaths: events, outputDirectory: out)
        configuration.windowDays = windowDays
        var columns = EventColumns(preset: preset)
        if let customerColumn { columns.customerID = customerColumn }
        if let eventColumn { columns.event = eventColumn }
        if let timestampColumn { columns.timestamp = timestampColumn }
        if let userColumn { columns.userID = userColumn }
        if let countColumn { columns.count = countColumn }
        configuration.eventColumns = columns
        var customerColumns = CustomerColumns()
        customerColumns.customerID = customerIdColumn
        customerColumns.signupDate = signupColumn
        customerColumns.renewed = renewedColumn
        customerColumns.segment = segmentColumn
        customerColumns.acv = acvColumn
        configuration.customerColumns = customerColumns
        configuration.naiveTimestampOffsetSeconds = Self.parseOffset(naiveUtcOffset) ?? 0
        do {
            let result = try Pipeline.run(configuration)
            try ReportWriter().write(result, to: out)
            var summary = "activation: \(result.eventFiles.count) files, \(result.eventRowsRead) event rows "
            summary += "(\(result.eventRowsUsed) used, \(result.eventRowsBeforeSignup + result.eventRowsAfterWindow) outside the window, "
            summary += "\(result.eventRowsRejected) rejected); \(result.rejects.count) rows in rejects.csv; "
            if let chosen = result.proposal.chosen {
                summary += "proposed: \(chosen.candidate.rule) (\(result.proposal.strength?.rawValue ?? ""))"
            } else {
                summary += "no behaviour qualifies as the activation event"
            }
            FileHandle.standardError.write(Data((summary + "; report in \(out)/activation-report.md\n").utf8))
        } catch let error as InputError {
            throw ErrorMessage(error.message)
        }
    }
}

/// A one-line error for stderr, exit status 1.
struct ErrorMessage: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension EventColumns.Preset: ExpressibleByArgument {}

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate the deterministic sample export set (customers, monthly event files, a dirty set).")

    @Option(help: ArgumentHelp("Directory to write into.", valueName: "dir")) var out = "SampleData"
    @Option(help: "Number of accounts.") var accounts = 2000
    @Option(help: "Random seed: the same seed gives the same bytes.") var seed: UInt64 = 42
    @Flag(help: "Do not write the small dirty/ set.") var noDirty = false

    func run() throws {
        var generator = SampleGenerator(seed: seed)
        generator.accounts = accounts
        let summary = try generator.write(to: out, includeDirty: !noDirty)
        print(summary)
    }
}
