import ActivationFeatures
import Foundation

/// The two feature files of a run (`first_window_daily.csv`, `features.csv`), written on a thread of their own while
/// the analysis runs, into a hidden folder beside the reports; `ReportWriter` moves them into its staging folder
/// when it publishes the reports.
///
/// Why: both files depend only on the feature table, which is final before the analysis starts, and the long-form
/// file is large (tens of bytes a customer, behaviour and active day); written after the analysis, it made the
/// run's last stretch one core writing while the other idled. Written now, its writing shares the cores with the
/// models instead.
///
/// All or nothing as the reports are: the folder is `.features.tmp-<pid>` under the reports root, which
/// `ReportWriter.recoverAbandoned` removes once this process is gone, and `discard()` removes it when the run
/// stops before publishing. Nothing in `latest/` changes until the reports are swapped in.
package final class FeatureFilesAhead: @unchecked Sendable {
    /// The hidden folder the files are written into.
    package let folder: URL
    private let finished = DispatchSemaphore(value: 0)
    /// Set by the writing thread before it signals `finished`; read only after waiting for it.
    private var outcome: Result<[ReportMemo.FileDigest], Error> = .success([])
    private var waited = false

    /// The name prefix of the folder (`ReportWriter.recoverAbandoned` leaves this process's own alone).
    package static let folderPrefix = ".features.tmp-"

    /// Starts writing `table`'s feature files under `root` (created when missing) on a thread of its own.
    package init(_ table: FeatureTable, dataEndDay: Int, root: String) {
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        folder = rootURL.appendingPathComponent(Self.folderPrefix + "\(ProcessInfo.processInfo.processIdentifier)")
        let folder = self.folder
        Thread.detachNewThread { [self] in
            outcome = Result {
                let fm = FileManager.default
                try fm.createDirectory(at: rootURL, withIntermediateDirectories: true)
                try? fm.removeItem(at: folder)
                try fm.createDirectory(at: folder, withIntermediateDirectories: false)
                return try ReportWriter.featureFileNames.map { name in
                    try ReportWriter.writeFeatureFile(name, table, dataEndDay: dataEndDay, into: folder)
                }
            }
            finished.signal()
        }
    }

    /// Waits for the files, and returns their digests (in `ReportWriter.featureFileNames` order), or throws the
    /// error that stopped the writing.
    package func wait() throws -> [ReportMemo.FileDigest] {
        if !waited { finished.wait(); waited = true }
        return try outcome.get()
    }

    /// Waits for the writing to end and removes the folder with whatever is left in it (nothing once the files were
    /// moved into the reports).
    package func discard() {
        if !waited { finished.wait(); waited = true }
        try? FileManager.default.removeItem(at: folder)
    }
}
