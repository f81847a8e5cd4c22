import ActivationCore
import ActivationFeatures
import ActivationIngest
import Foundation

/// A run up to the analysis (`Pipeline.prepare`): its inputs read, the feature table built and checked, the table the
/// models are fitted on, and the evidence counts. `Pipeline.analyse` turns it into the `PipelineResult` the report
/// needs; the report memo (`ReportMemo`) reuses a previous run's analysis when nothing it depends on changed.
public struct PreparedRun: InputsRead, Sendable {
    public var configuration: PipelineConfiguration
    public var customerFile: InputFile
    public var customers: CustomerTableReader.Result
    public var userAccountsFile: InputFile?
    public var userAccounts: UserAccountMap?
    public var eventFiles: [EventFileAccounting]
    public var exportNames: [(name: String, resolution: EventNaming.Resolution)]
    /// Every row not used, customers table first, then the mapping, then events in file order.
    public var rejects: [RejectedRow]
    /// The feature table as read (renewals as in the customer table; the feature files are written from it).
    public var features: FeatureTable
    /// The same table with decided customers whose first window is not over by the data's end seen as undecided:
    /// what the analysis fits.
    public var fitted: FeatureTable
    public var dataEndDay: Int
    /// Wall-clock seconds of the stages so far (ingest, features).
    public var timings: [String: Double]
    public var cacheStatistics: ExportCacheStatistics?
    public var evidence: Evidence

}
