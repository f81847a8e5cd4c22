import ActivationAnalysis
import ActivationCore
import ActivationFastPaths
import ActivationFeatures
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
        try otherFilesAndMemo(result, previous: previous, key: "").files
    }

    /// The same, and the report memo of them (without its feature files' digests).
    package static func otherFilesAndMemo(_ result: PipelineResult, previous: RunSummary?, key: String) throws
        -> (files: [(name: String, bytes: [UInt8])], memo: ReportMemo) {
        let plan = ActionPlan(result)
        let lists = ActionLists(result, plan: plan)
        let parts = MarkdownReport.renderParts(result, plan: plan, lists: lists)
        let summary = RunSummary(result)
        let markdown = parts.before + MarkdownReport.whatChanged(now: summary, previous: previous) + parts.after
        let charts = ReportCharts.all(result)
        let memoised = [
            ("at_risk.csv", DataFiles.atRisk(lists)),
            ("behaviours.csv", DataFiles.behaviours(result)),
            ("thresholds.csv", DataFiles.thresholds(result)),
            ("drivers.csv", DataFiles.drivers(result)),
        ]
        var files = [
            ("activation-report.md", markdown),
            (HTMLReport.fileName, HTMLReport.render(markdown: markdown, charts: charts)),
        ] + memoised + [
            ("rejects.csv", DataFiles.rejects(result.rejects)),
            ("run.json", try DataFiles.runRecord(result, timings: result.timings)),
        ]
        files += charts.map { ($0.name, $0.contents) }
        let memo = ReportMemo(key: key, markdownBefore: parts.before, markdownAfter: parts.after, summary: summary,
                              proposal: result.proposal.chosen?.candidate.rule, strength: result.proposal.strength?.rawValue,
                              charts: charts.map { .init(name: $0.name, text: $0.contents) },
                              files: memoised.map { .init(name: $0.0, text: $0.1) }, featureFiles: [])
        return (files.map { (name: $0.0, bytes: Array($0.1.utf8)) }, memo)
    }

    /// The report memo's files for a run with the memo's key: the comparison with the previous run and run.json
    /// rendered again, the rest as the memo holds them.
    package static func memoisedFiles(_ run: PreparedRun, memo: ReportMemo, previous: RunSummary?) throws -> [(name: String, bytes: [UInt8])] {
        try memoisedFiles(memo, previous: previous, rejects: DataFiles.rejects(run.rejects),
                          runRecord: DataFiles.RunRecordInputs(run), timings: run.timings)
    }

    /// The memo's files with the comparison with the previous run, run.json and (when given) rejects.csv rendered.
    private static func memoisedFiles(_ memo: ReportMemo, previous: RunSummary?, rejects: String?,
                                      runRecord: DataFiles.RunRecordInputs, timings: [String: Double]) throws -> [(name: String, bytes: [UInt8])] {
        let markdown = memo.markdownBefore + MarkdownReport.whatChanged(now: memo.summary, previous: previous) + memo.markdownAfter
        let charts = memo.charts.map { (name: $0.name, contents: $0.text) }
        var files = [
            ("activation-report.md", markdown),
            (HTMLReport.fileName, HTMLReport.render(markdown: markdown, charts: charts)),
        ] + memo.files.map { ($0.name, $0.text) } + [
            ("run.json", try DataFiles.runRecord(runRecord, proposal: memo.proposal, summary: memo.summary, timings: timings)),
        ]
        if let rejects { files.append(("rejects.csv", rejects)) }
        files += charts.map { ($0.name, $0.contents) }
        return files.map { (name: $0.0, bytes: Array($0.1.utf8)) }
    }

    /// The reports of a run that reads nothing new (`ReportMemo.Inputs`: the same inputs byte for byte): the memo's
    /// files, with "what changed" and run.json rendered again, and the two feature files and rejects.csv hard-linked
    /// from `latest/`, which must still hold the bytes the memo recorded. Nil, with nothing written, when one does not
    /// (edited, removed): the run then reads its inputs as usual.
    package func write(nothingNew memo: ReportMemo, inputs: ReportMemo.Inputs, configuration: PipelineConfiguration,
                       cacheStatistics: ExportCacheStatistics?, timings: [String: Double], to root: String) throws -> Written? {
        let latest = URL(fileURLWithPath: root).standardizedFileURL.appendingPathComponent("latest")
        let linked = memo.featureFiles + [inputs.rejects]
        func intact(_ d: ReportMemo.FileDigest) -> Bool {
            guard let found = BlockDigest.ofFile(latest.appendingPathComponent(d.name).path) else { return false }
            return found.bytes == d.bytes && found.digest == d.digest
        }
        guard memo.featureFiles.count == Self.featureFileNames.count, linked.allSatisfy(intact) else { return nil }
        let files = try Self.memoisedFiles(memo, previous: RunSummary.previous(inReportsRoot: root), rejects: nil,
                                           runRecord: DataFiles.RunRecordInputs(configuration: configuration, inputs: inputs,
                                                                                cacheStatistics: cacheStatistics),
                                           timings: timings)
        return try publish(to: root) { staging in
            for d in linked {
                let from = latest.appendingPathComponent(d.name).path, to = staging.appendingPathComponent(d.name).path
                if link(from, to) != 0 { try FileManager.default.copyItem(atPath: from, toPath: to) }
            }
            try Self.write(files, into: staging)
            return linked.map(\.name) + files.map(\.name)
        }
    }

    /// The feature files' names, in the order the memo records their digests.
    package static let featureFileNames = ["first_window_daily.csv", "features.csv"]

    /// Writes one of the two feature files of `table` into `folder`, and returns the digest of its bytes.
    package static func writeFeatureFile(_ name: String, _ table: FeatureTable, dataEndDay: Int, into folder: URL) throws -> ReportMemo.FileDigest {
        var digest = BlockDigest()
        var finished = false
        defer { if !finished { _ = digest.finalize() } }
        try FileOutput.write(to: folder.appendingPathComponent(name).path) { write in
            let emit: (UnsafeRawBufferPointer) throws -> Void = { chunk in digest.update(chunk); try write(chunk) }
            if name == featureFileNames[0] {
                // Written a chunk at a time from the buffer it is built in.
                try DataFiles.withFirstWindowDaily(table, dataEndDay: dataEndDay, emit: emit)
            } else {
                try DataFiles.withFeatures(table, emit: emit)
            }
        }
        finished = true
        let done = digest.finalize()
        return .init(name: name, bytes: done.bytes, digest: done.digest)
    }

    /// Builds and writes a run's reports. Both cores work: one builds and writes the long-form feature file (writing
    /// it costs as much as building it), the other `features.csv` and everything else. With `memoKey`, also keeps
    /// the report memo of the run in `<root>/cache/` (`ReportMemo`).
    @discardableResult
    public func write(_ result: PipelineResult, to root: String) throws -> Written {
        try write(result, to: root, memoKey: nil)
    }

    /// With `memoKey`, also keeps the report memo; with `inputs` too, its record for a run that reads nothing new
    /// (whose `rejects` digest is taken here, of the rejects.csv written).
    ///
    /// With `ahead`, the feature files were written while the analysis ran (`FeatureFilesAhead`, of this result's
    /// table): they are moved into the reports rather than written here.
    package func write(_ result: PipelineResult, to root: String, memoKey: String?, inputs: ReportMemo.Inputs? = nil,
                       ahead: FeatureFilesAhead? = nil) throws -> Written {
        let previous = RunSummary.previous(inReportsRoot: root)
        var memo: ReportMemo?
        let written = try publish(to: root) { staging in
            /// Everything but the feature files, into `staging`: their names, the memo and rejects.csv's digest.
            @Sendable func otherFiles() throws -> (names: [String], memo: ReportMemo, rejects: ReportMemo.FileDigest?) {
                let other = try Self.otherFilesAndMemo(result, previous: previous, key: memoKey ?? "")
                try Self.write(other.files, into: staging)
                let rejects = other.files.first { $0.name == "rejects.csv" }.map { file -> ReportMemo.FileDigest in
                    var d = BlockDigest()
                    file.bytes.withUnsafeBytes { d.update($0) }
                    let done = d.finalize()
                    return .init(name: file.name, bytes: done.bytes, digest: done.digest)
                }
                return (other.files.map(\.name), other.memo, rejects)
            }
            let other: (names: [String], memo: ReportMemo, rejects: ReportMemo.FileDigest?)
            let digests: [ReportMemo.FileDigest]
            if let ahead {
                // Rendered while the feature files are still being written, then the files moved in.
                other = try otherFiles()
                digests = try ahead.wait()
                for name in Self.featureFileNames {
                    let from = ahead.folder.appendingPathComponent(name).path, to = staging.appendingPathComponent(name).path
                    guard rename(from, to) == 0 else {
                        throw InputError("cannot move \(from) into \(staging.path): \(String(cString: strerror(errno)))", kind: .output)
                    }
                }
            } else {
                typealias Part = (digest: ReportMemo.FileDigest, other: (names: [String], memo: ReportMemo, rejects: ReportMemo.FileDigest?)?)
                let parts = parallelMap([0, 1]) { part -> Result<Part, Error> in
                    Result {
                        let name = Self.featureFileNames[part]
                        let digest = try Self.writeFeatureFile(name, result.features, dataEndDay: result.dataEndDay, into: staging)
                        return (digest, part == 0 ? nil : try otherFiles())
                    }
                }
                let done = try parts.map { try $0.get() }
                (other, digests) = (done[1].other!, done.map(\.digest))
            }
            memo = other.memo
            memo?.featureFiles = digests
            if var inputs, let rejects = other.rejects {
                inputs.rejects = rejects
                memo?.inputs = inputs
            }
            return Self.featureFileNames + other.names
        }
        if let memoKey, var memo {
            memo.key = memoKey
            memo.save(cacheDirectory: root + "/cache")
        }
        return written
    }

    /// Writes the reports of a run whose key the memo has: no analysis. The feature files are hard-linked from the
    /// previous `latest/` when their bytes have the digests the memo recorded, otherwise written again.
    package func write(_ run: PreparedRun, memo: ReportMemo, to root: String) throws -> Written {
        let previous = RunSummary.previous(inReportsRoot: root)
        let latest = URL(fileURLWithPath: root).standardizedFileURL.appendingPathComponent("latest")
        return try publish(to: root) { staging in
            let parts = parallelMap([0, 1]) { part -> Result<[String], Error> in
                Result {
                    let name = Self.featureFileNames[part]
                    let target = staging.appendingPathComponent(name).path
                    // Linked first, then checked: the bytes checked are the ones the new folder holds.
                    if link(latest.appendingPathComponent(name).path, target) == 0 {
                        let recorded = memo.featureFiles.first { $0.name == name }
                        if let found = BlockDigest.ofFile(target), let recorded,
                           found.bytes == recorded.bytes, found.digest == recorded.digest {
                            return [name]
                        }
                        unlink(target)
                    }
                    _ = try Self.writeFeatureFile(name, run.features, dataEndDay: run.dataEndDay, into: staging)
                    return [name]
                }
            }
            var names = try parts.flatMap { try $0.get() }
            let files = try Self.memoisedFiles(run, memo: memo, previous: previous)
            try Self.write(files, into: staging)
            names += files.map(\.name)
            return names
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
                let own = pid == ProcessInfo.processInfo.processIdentifier
                if !own && kill(pid, 0) == 0 { continue }  // still running
                // This run's feature files, written while the analysis ran, waiting to be moved in.
                if own && name.hasPrefix(FeatureFilesAhead.folderPrefix) { continue }
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
