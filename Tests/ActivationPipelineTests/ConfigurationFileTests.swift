import ActivationAnalysis
import ActivationCore
import ActivationFeatures
import ActivationPipeline
import ActivationTestSupport
import Foundation
import Testing

@Suite("Config file and input paths")
struct ConfigurationFileTests {
    static func config(_ text: String, in dir: URL) throws -> ConfigurationFile {
        let path = dir.appendingPathComponent("activation.toml")
        write(text, to: path)
        return try ConfigurationFile(path: path.path)
    }

    @Test func theInitExampleParsesIntoEverySetting() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.config(ConfigurationFile.example, in: dir)
        let c = file.configuration
        #expect(c.customersPath == dir.path + "/customers.csv")
        // No guessed export folder: the user names theirs (issue 17).
        #expect(c.eventPaths.isEmpty)
        #expect(c.outputDirectory == dir.path + "/Reports")
        #expect(c.allowedRoots == [dir.path])
        #expect(c.keepRuns == 30 && c.windowDays == 30 && c.rejectBudget == 0.01 && c.folds == 5)
        #expect(c.timestampFormat == .automatic && c.timeZone == .utc)
        #expect(c.naming.excluded == ["billing_*", "invoice_*", "payment_*", "charge_*", "subscription_*", "*renewed*", "*cancelled*", "*canceled*", "refund_*"])
        // The example's exclusions keep the usual billing and outcome events out, and no product action.
        for name in ["invoice_paid", "payment_succeeded", "subscription_renewed", "plan_cancelled", "charge_failed", "refund_issued"] {
            #expect(c.naming.resolve(name) != .behaviour(name), "\(name)")
        }
        for name in ["invite_teammate", "create_project", "connect_integration", "login"] { #expect(c.naming.resolve(name) == .behaviour(name)) }
        #expect(c.naming.renames.isEmpty)
        // The example names no column, so the preset alone decides the layout.
        #expect(c.eventColumns == EventColumns())
        let amplitude = try Self.config(ConfigurationFile.example.replacingOccurrences(of: "preset = \"standard\"", with: "preset = \"amplitude\""),
                                        in: dir)
        #expect(amplitude.configuration.eventColumns == EventColumns(preset: .amplitude))
        #expect(c.renewalLabels == RenewalLabels())
        #expect(c.criteria == ProposalCriteria())
        #expect(file.preset == .standard)
        #expect(c.warehouseEventsTable == "analytics.events" && c.warehouseCustomersTable == "analytics.customers")
        #expect(try FeatureSQL(dialect: .snowflake, configuration: c).render().contains("FROM analytics.events e"))
    }

    @Test func settingsOverrideDefaultsAndPresetsGiveWayToColumnNames() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = try Self.config("""
        [inputs]
        customers = "/data/customers.csv"
        events = "exports"
        [events]
        preset = "amplitude"
        timestamp_column = "client_event_time"
        timestamp_format = "%d/%m/%Y %H:%M"
        time_zone = "Europe/Berlin"
        deduplicate = true
        [events.rename]
        invite_teammate = "Invite Sent"
        [customers]
        renewed_values = ["active"]
        churned_values = ["cancelled"]
        [analysis]
        window_days = 14
        reject_budget = 0.05
        [criteria]
        strong_auc = 0.8
        """, in: dir).configuration
        #expect(c.customersPath == "/data/customers.csv")
        #expect(c.eventPaths == [dir.path + "/exports"])
        #expect(c.eventColumns.event == "event_type" && c.eventColumns.timestamp == "client_event_time")
        #expect(c.timestampFormat == .pattern("%d/%m/%Y %H:%M"))
        #expect(c.timeZone.name == "Europe/Berlin")
        #expect(c.deduplicate)
        #expect(c.naming.renames == ["invite_teammate": ["Invite Sent"]])
        #expect(c.renewalLabels.renewed == ["active"] && c.renewalLabels.churned == ["cancelled"])
        #expect(c.windowDays == 14 && c.rejectBudget == 0.05 && c.criteria.strongAUC == 0.8)
    }

    @Test func mistakesAreNamedWithTheFixNotIgnored() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func message(_ text: String) -> String {
            do { _ = try Self.config(text, in: dir); return "no error" } catch let e as InputError {
                #expect(e.kind == .configuration, "\(e.message)")
                return e.message
            } catch { return "\(error)" }
        }
        #expect(message("[analysis]\nwindow_day = 14\n").contains("unknown setting 'analysis.window_day'; did you mean 'analysis.window_days'?"))
        #expect(message("[analysis]\nwindow_days = 400\n").contains("analysis.window_days must be a whole number from 1 to 366"))
        #expect(message("[events]\ntime_zone = \"Mars/Olympus\"\n").contains("events.time_zone"))
        #expect(message("[events]\npreset = \"heap\"\n").contains("not one of standard, amplitude, mixpanel, segment"))
        #expect(message("[events]\nexclude = \"billing\"\n").contains("events.exclude must be a list of strings"))
        #expect(message("[events.rename]\na = [\"x\"]\nb = [\"x\"]\n").contains("listed under two renames"))
        // A syntax error names the line and column.
        let syntax = message("[inputs]\ncustomers = \"a.csv\"\nevents = [\n")
        #expect(syntax.contains("activation.toml:3:") || syntax.contains("activation.toml:4:"), "\(syntax)")
        #expect(syntax.contains("not valid TOML"))
    }

    @Test func pathsOutsideTheAllowedFoldersAreRefused() throws {
        let dir = temporaryDirectory()
        let outside = temporaryDirectory("outside")
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        write("x", to: outside.appendingPathComponent("secret.csv"))
        write("x", to: dir.appendingPathComponent("data/ok.csv"))
        // A symbolic link inside the folder that points outside it is resolved before the check.
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("data/link.csv").path,
                                                   withDestinationPath: outside.appendingPathComponent("secret.csv").path)
        let roots = [dir.appendingPathComponent("data").path]
        try InputPaths.confine(dir.appendingPathComponent("data/ok.csv").path, to: roots, what: "event export")
        try InputPaths.confine(dir.appendingPathComponent("data/not-yet/out").path, to: roots, what: "output folder")
        for path in [outside.appendingPathComponent("secret.csv").path, dir.appendingPathComponent("data/../data2/x.csv").path,
                     dir.appendingPathComponent("data/link.csv").path, dir.path + "/database.csv"] {
            #expect(throws: InputError.self, "\(path)") { try InputPaths.confine(path, to: roots, what: "event export") }
        }
    }

    @Test func globsDirectoriesAndGzipExportsExpandSortedAndOnce() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["b.csv", "a.csv.gz", "c.txt", ".hidden.csv", "a.csv"] { write("x", to: dir.appendingPathComponent(name)) }
        let fromDirectory = try InputPaths.expandEventPaths([dir.path]).map { ($0 as NSString).lastPathComponent }
        #expect(fromDirectory == ["a.csv", "a.csv.gz", "b.csv"])
        let fromGlob = try InputPaths.expandEventPaths([dir.path + "/*.csv", dir.path + "/b.csv"]).map { ($0 as NSString).lastPathComponent }
        #expect(fromGlob == ["a.csv", "b.csv"])
        #expect(throws: InputError.self) { try InputPaths.expandEventPaths([dir.path + "/*.parquet"]) }
    }
}
