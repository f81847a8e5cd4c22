import ActivationCore
import ActivationPipeline
import Foundation

/// A whole run as the command line makes it: the pipeline, then the reports, through the report memo
/// (`ReportMemo`) when the export cache is on. First, before anything is read: a run whose inputs are those of the
/// run that made the memo, byte for byte by their fingerprints (`ReportMemo.Inputs`), reads nothing and takes its
/// reports from the memo. Otherwise the inputs are read: a run whose prepared data, configuration and build are
/// those of the memo's run skips the analysis and takes its reports from it. Either way, byte for byte what the
/// analysis would have given.
public enum NightlyRun {
    public struct Outcome: Sendable {
        public var written: ReportWriter.Written
        /// The one-line summary for stderr.
        public var summary: String
        /// Whether the analysis came from the report memo.
        public var memoised: Bool
    }

    public static func run(_ configuration: PipelineConfiguration, progress: IngestProgress? = nil) throws -> Outcome {
        try run(configuration, progress: progress, build: ReportMemo.build, runName: ReportWriter.today())
    }

    /// With the build identity the memo's key takes (a test makes another build) and the dated copy's name.
    package static func run(_ configuration: PipelineConfiguration, progress: IngestProgress?, build: String,
                            runName: String) throws -> Outcome {
        let writer = ReportWriter(runName: runName, keepRuns: configuration.keepRuns)
        guard configuration.cacheExports && !configuration.featureTable else {
            let prepared = try Pipeline.prepare(configuration, progress: progress)
            let ahead = FeatureFilesAhead(prepared.features, dataEndDay: prepared.dataEndDay, root: configuration.outputDirectory)
            defer { ahead.discard() }
            let result = Pipeline.analyse(prepared)
            let written = try writer.write(result, to: configuration.outputDirectory, memoKey: nil, ahead: ahead)
            return Outcome(written: written, summary: summaryLine(prepared, proposal: result.proposal.chosen?.candidate.rule,
                                                                  strength: result.proposal.strength?.rawValue, written: written),
                           memoised: false)
        }
        var clock = StageClock()
        let cacheDirectory = configuration.outputDirectory + "/cache"
        if let outcome = try nothingNew(configuration, writer: writer, build: build, cacheDirectory: cacheDirectory, clock: &clock) {
            return outcome
        }
        var prepared = try Pipeline.prepare(configuration, progress: progress)
        clock = StageClock()
        let key = ReportMemo.key(prepared, build: build)
        if let memo = ReportMemo.load(cacheDirectory: cacheDirectory, key: key) {
            prepared.timings["memo"] = clock.lap()
            let written = try writer.write(prepared, memo: memo, to: configuration.outputDirectory)
            return Outcome(written: written, summary: summaryLine(prepared, proposal: memo.proposal, strength: memo.strength,
                                                                  written: written),
                           memoised: true)
        }
        prepared.timings["memo"] = clock.lap()
        // The feature files are final now: written while the models are fitted (`FeatureFilesAhead`).
        let ahead = FeatureFilesAhead(prepared.features, dataEndDay: prepared.dataEndDay, root: configuration.outputDirectory)
        defer { ahead.discard() }
        let result = Pipeline.analyse(prepared)
        let written = try writer.write(result, to: configuration.outputDirectory, memoKey: key,
                                       inputs: inputsRecord(prepared, configuration: configuration, build: build,
                                                            summaryHead: summaryHead(prepared, proposal: result.proposal.chosen?.candidate.rule,
                                                                                     strength: result.proposal.strength?.rawValue)),
                                       ahead: ahead)
        return Outcome(written: written, summary: summaryLine(prepared, proposal: result.proposal.chosen?.candidate.rule,
                                                              strength: result.proposal.strength?.rawValue, written: written),
                       memoised: false)
    }

    /// The reports of the memo's run when nothing it read has changed (`ReportMemo.Inputs`), nil otherwise: no
    /// export is read, only the fingerprint memo's record of each, the customer table and the user mapping.
    private static func nothingNew(_ configuration: PipelineConfiguration, writer: ReportWriter, build: String,
                                   cacheDirectory: String, clock: inout StageClock) throws -> Outcome? {
        guard let known = try? Pipeline.knownInputs(configuration), let memo = ReportMemo.load(cacheDirectory: cacheDirectory),
              let inputs = memo.inputs, inputs.clockAllows(known.latestAllowed),
              inputs.key == ReportMemo.inputKey(configuration: configuration, customers: known.customers,
                                                userAccounts: known.userAccounts, exports: known.exports, build: build)
        else { return nil }
        // Nothing read from the cache or the exports: every export's fingerprint remembered.
        let cache = ExportCacheStatistics(units: known.exports.count, remembered: known.exports.count)
        guard let written = try writer.write(nothingNew: memo, inputs: inputs, configuration: configuration, cacheStatistics: cache,
                                             timings: ["memo": clock.lap()], to: configuration.outputDirectory) else { return nil }
        return Outcome(written: written, summary: inputs.summaryHead + summaryTail(written) + "; nothing new since the last run: its reports, from the memo",
                       memoised: true)
    }

    /// What a run with the same inputs needs to take this run's reports (`ReportMemo.Inputs`; the rejects' digest is
    /// added when rejects.csv is written).
    private static func inputsRecord(_ run: PreparedRun, configuration: PipelineConfiguration, build: String,
                                     summaryHead: String) -> ReportMemo.Inputs? {
        guard let latestAllowed = try? Pipeline.resolveInputs(configuration).latestAllowed else { return nil }
        let record = DataFiles.RunRecordInputs(run)
        let later = run.rejects.filter { $0.reason == .timestampInFuture || $0.reason == .signupAfterDataEnd }.count
        return ReportMemo.Inputs(
            key: ReportMemo.inputKey(configuration: configuration, customers: run.customerFile, userAccounts: run.userAccountsFile,
                                     exports: run.eventFiles.map { InputFile(path: $0.path, bytes: $0.bytes, sha256: $0.sha256) }, build: build),
            latestAllowed: latestAllowed, rejectedAsLater: later, customers: record.customers, userAccounts: record.userAccounts,
            eventFiles: record.eventFiles, behaviours: record.behaviours, evidence: record.evidence, summaryHead: summaryHead,
            rejects: .init(name: "rejects.csv", bytes: 0, digest: ""))
    }

    /// "activation: 20 files, … rows …; proposed: …; report in …".
    package static func summaryLine(_ run: PreparedRun, proposal: String?, strength: String?, written: ReportWriter.Written) -> String {
        var summary = summaryHead(run, proposal: proposal, strength: strength) + summaryTail(written)
        if let cache = run.cacheStatistics, cache.reused > 0 {
            // Large exports are cached piece by piece: counted in pieces when there are any.
            let whole = cache.units == run.eventFiles.count
            summary += "; \(cache.reused) of \(whole ? run.eventFiles.count : cache.units) \(whole ? "exports" : "export pieces") from the cache"
        }
        return summary
    }

    /// The summary line up to the report's path: files, rows and the proposal.
    package static func summaryHead(_ run: PreparedRun, proposal: String?, strength: String?) -> String {
        var summary = "activation: \(run.eventFiles.count) files, \(run.eventRowsRead) event rows "
        summary += "(\(run.eventRowsUsed) used, \(run.eventRowsBeforeSignup + run.eventRowsAfterWindow) outside the window, "
        if run.eventRowsExcluded > 0 { summary += "\(run.eventRowsExcluded) excluded, " }
        if run.configuration.deduplicate { summary += "\(run.eventRowsDuplicate) duplicates, " }
        summary += "\(run.eventRowsRejected) rejected); \(run.rejects.count) rows in rejects.csv; "
        if let proposal {
            summary += "proposed: \(proposal) (\(strength ?? ""))"
        } else {
            summary += "no behaviour qualifies as the activation event"
        }
        return summary
    }

    /// "; report in …" and the runs pruned.
    package static func summaryTail(_ written: ReportWriter.Written) -> String {
        var summary = "; report in \(written.latest)/activation-report.md"
        if !written.pruned.isEmpty { summary += "; pruned \(written.pruned.count) old runs" }
        return summary
    }
}
