import ActivationCore
import ActivationPipeline
import Foundation

/// A whole run as the command line makes it: the pipeline, then the reports, through the report memo
/// (`ReportMemo`) when the export cache is on: a run whose prepared data, configuration and build are those of the
/// run that made the memo skips the analysis and takes its reports from it, byte for byte what the analysis would
/// have given.
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
        var prepared = try Pipeline.prepare(configuration, progress: progress)
        guard configuration.cacheExports && !configuration.featureTable else {
            let result = Pipeline.analyse(prepared)
            let written = try writer.write(result, to: configuration.outputDirectory)
            return Outcome(written: written, summary: summaryLine(prepared, proposal: result.proposal.chosen?.candidate.rule,
                                                                  strength: result.proposal.strength?.rawValue, written: written),
                           memoised: false)
        }
        var clock = StageClock()
        let cacheDirectory = configuration.outputDirectory + "/cache"
        let key = ReportMemo.key(prepared, build: build)
        if let memo = ReportMemo.load(cacheDirectory: cacheDirectory, key: key) {
            prepared.timings["memo"] = clock.lap()
            let written = try writer.write(prepared, memo: memo, to: configuration.outputDirectory)
            return Outcome(written: written, summary: summaryLine(prepared, proposal: memo.proposal, strength: memo.strength,
                                                                  written: written),
                           memoised: true)
        }
        prepared.timings["memo"] = clock.lap()
        let result = Pipeline.analyse(prepared)
        let written = try writer.write(result, to: configuration.outputDirectory, memoKey: key)
        return Outcome(written: written, summary: summaryLine(prepared, proposal: result.proposal.chosen?.candidate.rule,
                                                              strength: result.proposal.strength?.rawValue, written: written),
                       memoised: false)
    }

    /// "activation: 20 files, … rows …; proposed: …; report in …".
    package static func summaryLine(_ run: PreparedRun, proposal: String?, strength: String?, written: ReportWriter.Written) -> String {
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
        summary += "; report in \(written.latest)/activation-report.md"
        if !written.pruned.isEmpty { summary += "; pruned \(written.pruned.count) old runs" }
        if let cache = run.cacheStatistics, cache.reused > 0 {
            // Large exports are cached piece by piece: counted in pieces when there are any.
            let whole = cache.units == run.eventFiles.count
            summary += "; \(cache.reused) of \(whole ? run.eventFiles.count : cache.units) \(whole ? "exports" : "export pieces") from the cache"
        }
        return summary
    }
}
