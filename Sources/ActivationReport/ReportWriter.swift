import ActivationAnalysis
import ActivationCore
import ActivationFastPaths
import ActivationPipeline
import Foundation
import Glibc

/// Writes every output file of a run, all or nothing, and keeps dated copies.
///
/// Layout under the reports root:
/// - `latest/`: the newest complete run (the founders' bookmark);
/// - `runs/<YYYY-MM-DD>/`: one copy per run date (a second run on the same day replaces that day's copy), so last
///   week can be compared with today; copies beyond `keepRuns` are pruned, oldest first.
///
/// Files are written into a hidden staging folder beside `latest/` and swapped in with one
/// `renameat2(RENAME_EXCHANGE)` only when all of them were written: at every instant `latest/` is either the
/// previous run or the new one, complete, so a failed or killed run leaves the previous reports untouched.
/// (On file systems without the exchange, two renames are used and a kill between them leaves `latest/` missing
/// with the previous run kept in `.latest.previous-<pid>/`, which the next run restores.)
public struct ReportWriter {
    /// The name of this run's dated copy; defaults to today's UTC date.
    public var runName: String
    public var keepRuns: Int

    public init(runName: String = ReportWriter.today(), keepRuns: Int = 30) {
        self.runName = runName
        self.keepRuns = keepRuns
    }

    public static func today() -> String {
        TimestampParser.dateString(day: Int(floor(Date().timeIntervalSince1970 / 86_400)))
    }

    /// Where a successful run put its files.
    public struct Written: Sendable {
        public var latest: String
        public var dated: String
        public var pruned: [String]
    }

    /// Every file but the two feature files (written a chunk at a time as they are built).
    package static func otherFiles(_ result: PipelineResult, previous: RunSummary?) throws -> [(name: String, bytes: [UInt8])] {
        let plan = ActionPlan(result)
        let lists = ActionLists(result, plan: plan)
        let markdown = MarkdownReport.render(result, previous: previous, plan: plan, lists: lists)
        let charts = ReportCharts.all(result)
        var files = [
            ("activation-report.md", markdown),
            (HTMLReport.fileName, HTMLReport.render(markdown: markdown, charts: charts)),
            ("at_risk.csv", DataFiles.atRisk(lists)),
            ("behaviours.csv", DataFiles.behaviours(result)),
            ("thresholds.csv", DataFiles.thresholds(result)),
            ("drivers.csv", DataFiles.drivers(result)),
            ("rejects.csv", DataFiles.rejects(result.rejects)),
            ("run.json", try DataFiles.runRecord(result, timings: result.timings)),
        ]
        files += charts.map { ($0.name, $0.contents) }
        return files.map { (name: $0.0, bytes: Array($0.1.utf8)) }
    }

    /// Builds and writes a run's reports. Both cores work: one builds and writes the long-form feature file (writing
    /// it costs as much as building it), the other `features.csv` and everything else.
    @discardableResult
    public func write(_ result: PipelineResult, to root: String) throws -> Written {
        let previous = RunSummary.previous(inReportsRoot: root)
        return try publish(to: root) { staging in
            let parts = parallelMap([0, 1]) { part -> Result<[String], Error> in
                Result {
                    if part == 0 {
                        // Written a chunk at a time from the buffer it is built in.
                        let name = "first_window_daily.csv"
                        try FileOutput.write(to: staging.appendingPathComponent(name).path) { write in
                            try DataFiles.withFirstWindowDaily(result.features, dataEndDay: result.dataEndDay, emit: write)
                        }
                        return [name]
                    }
                    let features = "features.csv"
                    try FileOutput.write(to: staging.appendingPathComponent(features).path) { write in
                        try DataFiles.withFeatures(result.features, emit: write)
                    }
                    let files = try Self.otherFiles(result, previous: previous)
                    try Self.write(files, into: staging)
                    return [features] + files.map(\.name)
                }
            }
            return try parts.flatMap { try $0.get() }
        }
    }

    /// Writes text files (see `write(_:to:)` for bytes).
    @discardableResult
    public func write(_ files: [(name: String, contents: String)], to root: String) throws -> Written {
        try write(files.map { (name: $0.name, bytes: Array($0.contents.utf8)) }, to: root)
    }

    /// Writes the files as the run's reports: into a staging folder, then swapped in as `latest/` and the dated run.
    @discardableResult
    public func write(_ files: [(name: String, bytes: [UInt8])], to root: String) throws -> Written {
        try publish(to: root) { staging in
            try Self.write(files, into: staging)
            return files.map(\.name)
        }
    }

    package static func write(_ files: [(name: String, bytes: [UInt8])], into folder: URL) throws {
        for file in files {
            try file.bytes.withUnsafeBytes { try FileOutput.write($0, to: folder.appendingPathComponent(file.name).path) }
        }
    }

    /// Makes a staging folder, lets `fill` write the files into it (returning their names), and swaps the folder in as
    /// `latest/` and the dated run; on any failure the previous reports stay as they were.
    private func publish(to root: String, _ fill: (URL) throws -> [String]) throws -> Written {
        let fm = FileManager.default
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        let runs = rootURL.appendingPathComponent("runs")
        let latest = rootURL.appendingPathComponent("latest")
        let dated = runs.appendingPathComponent(runName)
        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = rootURL.appendingPathComponent(".latest.tmp-\(pid)")
        let datedStaging = runs.appendingPathComponent(".\(runName).tmp-\(pid)")
        do {
            try fm.createDirectory(at: runs, withIntermediateDirectories: true)
            try Self.recoverAbandoned(in: rootURL, latest: latest)
            try? fm.removeItem(at: staging)
            try? fm.removeItem(at: datedStaging)
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
            let names = try fill(staging)
            // The dated copy shares the bytes (hard links): no second write of features.csv.
            try fm.createDirectory(at: datedStaging, withIntermediateDirectories: false)
            for name in names {
                let from = staging.appendingPathComponent(name), to = datedStaging.appendingPathComponent(name)
                if link(from.path, to.path) != 0 { try fm.copyItem(at: from, to: to) }
            }
            try Self.swapIn(staging, as: latest)
            try Self.swapIn(datedStaging, as: dated)
        } catch {
            try? fm.removeItem(at: staging)
            try? fm.removeItem(at: datedStaging)
            let message = (error as? InputError)?.message ?? error.localizedDescription
            throw InputError("\(root): could not write the reports: \(message); the previous reports are unchanged", kind: .output)
        }
        let pruned = (try? prune(runs)) ?? []
        return Written(latest: latest.path, dated: dated.path, pruned: pruned)
    }

    /// Deletes the oldest dated runs beyond `keepRuns`.
    package func prune(_ runs: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: runs.path)
            .filter { !$0.hasPrefix(".") }
            .sorted()
        guard names.count > keepRuns else { return [] }
        let doomed = Array(names.prefix(names.count - keepRuns))
        for name in doomed { try FileManager.default.removeItem(at: runs.appendingPathComponent(name)) }
        return doomed
    }

    /// Puts the complete folder `staging` at `target`, atomically when the system allows.
    package static func swapIn(_ staging: URL, as target: URL) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: target.path) else {
            try fm.moveItem(at: staging, to: target)
            return
        }
        if exchange(staging.path, target.path) {
            // `staging` now holds the previous contents.
            try fm.removeItem(at: staging)
            return
        }
        let previous = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).previous-\(ProcessInfo.processInfo.processIdentifier)")
        try fm.moveItem(at: target, to: previous)
        do { try fm.moveItem(at: staging, to: target) } catch {
            try? fm.moveItem(at: previous, to: target)
            throw error
        }
        try? fm.removeItem(at: previous)
    }

    /// Cleans up after a run that was killed: staging folders of processes that are gone are deleted, and a
    /// `latest/` lost between the two fallback renames is restored from its `.previous` copy.
    package static func recoverAbandoned(in root: URL, latest: URL) throws {
        let fm = FileManager.default
        for directory in [root, root.appendingPathComponent("runs")] {
            for name in (try? fm.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix(".") {
                guard let dash = name.lastIndex(of: "-"), let pid = Int32(name[name.index(after: dash)...]),
                      name.contains(".tmp-") || name.contains(".previous-") else { continue }
                if pid != ProcessInfo.processInfo.processIdentifier && kill(pid, 0) == 0 { continue }  // still running
                let url = directory.appendingPathComponent(name)
                if name.hasPrefix(".latest.previous-") && !fm.fileExists(atPath: latest.path) {
                    try fm.moveItem(at: url, to: latest)
                } else {
                    try? fm.removeItem(at: url)
                }
            }
        }
    }

    /// `renameat2(a, b, RENAME_EXCHANGE)`: swaps two paths in one step. Looked up at run time because the Swift
    /// Glibc module does not declare it; false when unavailable or unsupported by the file system.
    package static func exchange(_ a: String, _ b: String) -> Bool {
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let renameExchange: UInt32 = 1 << 1
        return renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
    }
}
