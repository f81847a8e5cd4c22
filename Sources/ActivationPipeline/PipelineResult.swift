import ActivationAnalysis
import ActivationCore
import ActivationFeatures
import ActivationIngest
import Foundation

/// Everything one run produced, handed to the Report stage.
public struct PipelineResult: InputsRead, Sendable {
    public var configuration: PipelineConfiguration
    public var customerFile: InputFile
    public var customers: CustomerTableReader.Result
    public var userAccountsFile: InputFile?
    public var userAccounts: UserAccountMap?
    public var eventFiles: [EventFileAccounting]
    /// Export event names in order of first appearance, and the behaviour each became (or its exclusion).
    public var exportNames: [(name: String, resolution: EventNaming.Resolution)]
    /// Every row not used, customers table first, then events in file order.
    public var rejects: [RejectedRow]
    public var features: FeatureTable
    /// Training (earlier signups) and holdout (most recent) decided customers.
    public var split: CohortSplit
    /// AND-combinations of the strongest behaviours that beat each part on the holdout.
    public var combinations: [ThresholdCandidate]
    public var ranking: BehaviourRanking
    public var proposal: ActivationProposal
    /// The joint driver model (roles: driver, harmful, proxy, duplicate, unclear).
    public var drivers: DriverModel
    /// The proposal chosen again on bootstrap resamples (nil without a proposal or with resampling off).
    public var stability: SelectionStability?
    /// Renewal by when customers first met the proposal, and the experiment that would prove it (nil without one).
    public var earlyActivation: EarlyActivation?
    public var experiment: ExperimentPlan?
    /// Kaplan-Meier time to the proposed event, and activation rates by signup cohort (nil without a proposal).
    public var timeToValue: TimeToValue?
    public var cohortActivation: CohortActivation?
    /// The last day (days since 1970-01-01) the event data covers.
    public var dataEndDay: Int
    /// Wall-clock seconds per stage (not part of the deterministic output).
    public var timings: [String: Double]
    /// What the export cache did (nil when it is off).
    public var cacheStatistics: ExportCacheStatistics?
    /// How much evidence the run had and what it set aside (the report's and run.json's `checks`).
    public var evidence: Evidence

}
