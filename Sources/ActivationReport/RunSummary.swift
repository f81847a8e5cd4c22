import ActivationPipeline
import Foundation

/// The few numbers of a run that the next run compares against (stored in `run.json` as `summary`).
public struct RunSummary: Codable, Sendable, Equatable {
    public var proposal: String?
    public var strength: String?
    public var holdoutAUC: Double?
    /// The holdout AUC's 95% interval, and the bootstrap shares of resamples that chose the same behaviour, the same
    /// rule or one on its plateau, and a strong rule.
    public var holdoutAUCLow: Double?
    public var holdoutAUCHigh: Double?
    public var bootstrapSameBehaviour: Double?
    public var bootstrapSameRuleOrPlateau: Double?
    public var bootstrapStrong: Double?
    /// Share of decided customers who reached the proposal.
    public var activationRate: Double?
    public var decidedCustomers: Int
    public var eventRowsRead: Int
    /// Event rows used (the next run's circuit breaker compares against it); nil in older run.json files.
    public var eventRowsUsed: Int?
    public var rejectedRows: Int
    /// Event exports with their SHA-256 (a list, not a dictionary: JSON key conversion must never touch paths).
    public var exports: [Export]
    public struct Export: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
    }

    package enum CodingKeys: String, CodingKey {
        case proposal, strength, holdoutAUC = "holdout_auc", holdoutAUCLow = "holdout_auc_ci_low",
             holdoutAUCHigh = "holdout_auc_ci_high", bootstrapSameBehaviour = "bootstrap_same_behaviour",
             bootstrapSameRuleOrPlateau = "bootstrap_same_rule_or_plateau", bootstrapStrong = "bootstrap_strong", activationRate = "activation_rate",
             decidedCustomers = "decided_customers", eventRowsRead = "event_rows_read", eventRowsUsed = "event_rows_used",
             rejectedRows = "rejected_rows", exports
    }

    public init(_ result: PipelineResult) {
        let chosen = result.proposal.chosen
        proposal = chosen?.candidate.rule
        strength = result.proposal.strength?.rawValue
        holdoutAUC = chosen?.diagnostics.holdoutAUC.auc
        holdoutAUCLow = result.proposal.verdict?.interval.lowerBound
        holdoutAUCHigh = result.proposal.verdict?.interval.upperBound
        bootstrapSameBehaviour = result.stability?.sameBehaviour
        bootstrapSameRuleOrPlateau = result.stability?.sameRuleOrPlateau
        bootstrapStrong = result.stability?.strong
        activationRate = chosen?.candidate.table.reachRate
        decidedCustomers = result.features.decidedCustomers.count
        eventRowsRead = result.eventRowsRead
        eventRowsUsed = result.eventRowsUsed
        rejectedRows = result.rejects.filter { $0.reason != .eventBeforeSignup }.count
        exports = result.eventFiles.map { Export(path: $0.path, sha256: $0.sha256) }
    }

    /// The `summary` block of a previous run's `run.json`, or nil when there is none or it cannot be read (a
    /// report from an older version: then the comparison is skipped, never guessed).
    public static func previous(inReportsRoot root: String) -> RunSummary? {
        let url = URL(fileURLWithPath: root).appendingPathComponent("latest/run.json")
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let summary = object["summary"],
              let summaryData = try? JSONSerialization.data(withJSONObject: summary) else { return nil }
        return try? JSONDecoder().decode(RunSummary.self, from: summaryData)
    }
}
