import ActivationCore
import ActivationFeatures
import ActivationIngest

/// What a run read and set aside before any model: the same for the prepared run (`PreparedRun`) and the finished
/// one (`PipelineResult`), so that what is made of it (run.json's records, the command line's summary, the row
/// accounting's totals) is written once.
public protocol InputsRead {
    var configuration: PipelineConfiguration { get }
    var customerFile: InputFile { get }
    var customers: CustomerTableReader.Result { get }
    var userAccountsFile: InputFile? { get }
    var userAccounts: UserAccountMap? { get }
    var eventFiles: [EventFileAccounting] { get }
    /// Every row not used, customers table first, then the mapping, then events in file order.
    var rejects: [RejectedRow] { get }
    var features: FeatureTable { get }
    var cacheStatistics: ExportCacheStatistics? { get }
    var evidence: Evidence { get }
}

extension InputsRead {
    /// The row accounting's totals over every export: read = used + before signup + after the window + excluded +
    /// duplicates + rejected.
    public var eventRowsRead: Int { eventFiles.reduce(0) { $0 + $1.rowsRead } }
    public var eventRowsUsed: Int { eventFiles.reduce(0) { $0 + $1.used } }
    public var eventRowsBeforeSignup: Int { eventFiles.reduce(0) { $0 + $1.beforeSignup } }
    public var eventRowsAfterWindow: Int { eventFiles.reduce(0) { $0 + $1.afterWindow } }
    public var eventRowsRejected: Int { eventFiles.reduce(0) { $0 + $1.rejectedTotal } }
    public var eventRowsExcluded: Int { eventFiles.reduce(0) { $0 + $1.excluded } }
    public var eventRowsDuplicate: Int { eventFiles.reduce(0) { $0 + $1.duplicates } }
}
