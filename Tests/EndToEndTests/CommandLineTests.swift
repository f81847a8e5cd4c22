import ActivationTestSupport
import Foundation
import Testing

/// Runs the built `activation` executable the way a nightly job does.
@Suite("Command line", .serialized)
struct CommandLineTests {
    static func activation(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        try run(Repository.root.appendingPathComponent(".build/debug/activation"), arguments)
    }

    /// Runs `executable` with `arguments`: its exit status and standard error.
    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = Pipe()
        try process.run()
        let data = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func successPrintsAOneLineSummary() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let (status, stderr) = try Self.activation(["run", "--customers", Repository.path("SampleData/dirty/customers.csv"),
                                                    "--events", Repository.path("SampleData/dirty/events"), "--out", out.path,
                                                    "--reject-budget", "0.05"])
        #expect(status == 0)
        #expect(stderr.split(separator: "\n").count == 1)
        #expect(stderr.contains("11 rejected"))
    }

    @Test func unusableInputExitsNonZeroWithFileLineAndProblem() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        write("customer_id,signup,renewed\na,2026-01-01,yes\n", to: dir.appendingPathComponent("customers.csv"))
        let (status, stderr) = try Self.activation(["run", "--customers", dir.appendingPathComponent("customers.csv").path,
                                                    "--events", Repository.path("SampleData/dirty/events"),
                                                    "--out", dir.appendingPathComponent("out").path])
        #expect(status == 65)
        #expect(stderr.split(separator: "\n").count == 1)
        #expect(stderr.contains("customers.csv:1: missing required column 'signup_date'"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    @Test func missingEventsPathIsNamed() throws {
        let (status, stderr) = try Self.activation(["run", "--customers", Repository.path("SampleData/customers.csv"),
                                                    "--events", "/nonexistent/exports", "--out", "/tmp/never-written"])
        #expect(status == 66)
        #expect(stderr.contains("/nonexistent/exports: no such file or directory"))
    }

    @Test func helpExplainsEveryOption() throws {
        let process = Process()
        process.executableURL = Repository.root.appendingPathComponent(".build/debug/activation")
        process.arguments = ["run", "--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for option in ["--customers", "--events", "--out", "--window-days", "--preset", "--customer-column", "--event-column",
                       "--timestamp-column", "--user-column", "--count-column", "--time-zone", "--timestamp-format",
                       "--config", "--user-accounts", "--exclude-event", "--deduplicate", "--reject-budget", "--keep-runs"] {
            #expect(text.contains(option), "\(option)")
        }
    }
}
