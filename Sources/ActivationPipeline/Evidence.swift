import ActivationAnalysis
import ActivationCore
import Foundation

/// How much evidence a run had, and what it set aside so that a thin or odd input cannot give a confident answer
/// (written to run.json as `checks`; the report states it in a line).
public struct Evidence: Sendable, Equatable, Codable {
    /// Decided renewals and churners in the training cohort and in the holdout (fitted customers only).
    public var trainingRenewed = 0, trainingChurned = 0, holdoutRenewed = 0, holdoutChurned = 0
    /// The fewest of each the run needs before it makes any claim (`analysis.min_outcomes`).
    public var minimumOutcomes = 10
    /// Whether the data's end was fixed by `analysis.data_end` (false: the latest usable event's day).
    public var dataEndConfigured = false
    /// Event rows rejected as stamped after the run's clock plus a day (or after `analysis.data_end`).
    public var eventRowsInFuture = 0
    /// Customer rows rejected because their signup is after the data's end.
    public var signupsAfterDataEnd = 0
    /// Decided customers whose first window is not over by the data's end: counted, not used to fit.
    public var decidedWindowOpen = 0
    /// Optional customer fields left blank because they were unusable, by column.
    public var fieldWarnings: [String: Int] = [:]
    /// The previous run's used event rows and decided customers, when its run.json has them.
    public var previousEventRowsUsed: Int?
    public var previousDecidedCustomers: Int?

    /// Whether training and holdout each hold at least `minimumOutcomes` renewals and churners.
    public var enough: Bool {
        min(trainingRenewed, trainingChurned, holdoutRenewed, holdoutChurned) >= minimumOutcomes
    }

    public init() {}

    /// Counts the outcomes of a split.
    public init(split: CohortSplit, customers: [Customer], minimum: Int) {
        minimumOutcomes = minimum
        for i in split.training { if customers[i].outcome == .renewed { trainingRenewed += 1 } else { trainingChurned += 1 } }
        for i in split.holdout { if customers[i].outcome == .renewed { holdoutRenewed += 1 } else { holdoutChurned += 1 } }
    }

    package enum CodingKeys: String, CodingKey {
        case trainingRenewed = "training_renewed", trainingChurned = "training_churned", holdoutRenewed = "holdout_renewed",
             holdoutChurned = "holdout_churned", minimumOutcomes = "minimum_outcomes", enough = "enough_evidence",
             dataEndConfigured = "data_end_configured", eventRowsInFuture = "event_rows_in_future",
             signupsAfterDataEnd = "signups_after_data_end", decidedWindowOpen = "decided_window_open",
             fieldWarnings = "field_warnings"
    }

    /// The counts as `encode(to:)` writes them (the previous run's are not written: nil).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trainingRenewed = try c.decode(Int.self, forKey: .trainingRenewed)
        trainingChurned = try c.decode(Int.self, forKey: .trainingChurned)
        holdoutRenewed = try c.decode(Int.self, forKey: .holdoutRenewed)
        holdoutChurned = try c.decode(Int.self, forKey: .holdoutChurned)
        minimumOutcomes = try c.decode(Int.self, forKey: .minimumOutcomes)
        dataEndConfigured = try c.decode(Bool.self, forKey: .dataEndConfigured)
        eventRowsInFuture = try c.decode(Int.self, forKey: .eventRowsInFuture)
        signupsAfterDataEnd = try c.decode(Int.self, forKey: .signupsAfterDataEnd)
        decidedWindowOpen = try c.decode(Int.self, forKey: .decidedWindowOpen)
        fieldWarnings = try c.decode([String: Int].self, forKey: .fieldWarnings)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(trainingRenewed, forKey: .trainingRenewed)
        try c.encode(trainingChurned, forKey: .trainingChurned)
        try c.encode(holdoutRenewed, forKey: .holdoutRenewed)
        try c.encode(holdoutChurned, forKey: .holdoutChurned)
        try c.encode(minimumOutcomes, forKey: .minimumOutcomes)
        try c.encode(enough, forKey: .enough)
        try c.encode(dataEndConfigured, forKey: .dataEndConfigured)
        try c.encode(eventRowsInFuture, forKey: .eventRowsInFuture)
        try c.encode(signupsAfterDataEnd, forKey: .signupsAfterDataEnd)
        try c.encode(decidedWindowOpen, forKey: .decidedWindowOpen)
        try c.encode(fieldWarnings, forKey: .fieldWarnings)
    }
}

/// The figures of the previous run that the circuit breaker compares against, from `<out>/latest/run.json`.
package struct PreviousRun {
    package var path: String
    package var eventRowsUsed: Int?
    package var decidedCustomers: Int?
    /// The previous run's window: used rows are compared only under the same window (a shorter one uses fewer).
    package var windowDays: Int?

    /// Nil when there is no previous run or its run.json cannot be read (then nothing is compared).
    package init?(reportsRoot: String) {
        path = reportsRoot + "/latest/run.json"
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let summary = object["summary"] as? [String: Any]
        let events = object["events"] as? [String: Any]
        eventRowsUsed = (summary?["event_rows_used"] as? Int) ?? (events?["used"] as? Int)
        decidedCustomers = summary?["decided_customers"] as? Int
        windowDays = (object["options"] as? [String: Any])?["window_days"] as? Int
        guard eventRowsUsed != nil || decidedCustomers != nil else { return nil }
    }
}
