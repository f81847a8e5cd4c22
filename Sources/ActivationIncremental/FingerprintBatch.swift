import ActivationCore
import ActivationFastPaths
import Dispatch
import Foundation

/// Export fingerprints (size and SHA-256) taken from the start of a run on the core the customer table leaves idle.
///
/// The ingest needs them before any export is read: to find cache entries, and for an export read in pieces, which
/// no one reader sees whole. Reading the customer table comes first and keeps one core busy, so a helper thread
/// starts on the fingerprints at once (in a nightly run that adds a month, hashing the new month is most of them);
/// `finish()` then takes what is left on the calling thread too and waits for the helper.
package final class FingerprintBatch: @unchecked Sendable {

    private let paths: [String]
    /// Indices into `paths`, in the order they are taken.
    private let wanted: [Int]
    private let memo: FingerprintMemo?
    private let lock = NSLock()
    private var next = 0
    private var results: [Int: Result<FileFingerprint, Error>] = [:]
    private let helperDone = DispatchSemaphore(value: 0)
    private var helperJoined = false
    private var finished: [Int: Result<FileFingerprint, Error>]?

    /// Starts fingerprinting `paths[i]` for each `i` in `wanted`, through `memo` when given.
    package init(paths: [String], wanted: [Int], memo: FingerprintMemo?) {
        self.paths = paths
        self.wanted = wanted
        self.memo = memo
        DispatchQueue.global().async {
            self.work()
            self.helperDone.signal()
        }
    }

    /// The exports a run will want fingerprinted before reading: all of them when the cache is used (to look their
    /// entries up), otherwise the ones large enough to be read in pieces (`ExportUnit.isDivisible`).
    package static func wanted(_ paths: [String], cache: Bool, pieceBytes: Int) -> [Int] {
        if cache { return Array(paths.indices) }
        return paths.indices.filter { i in
            guard let identity = FileIdentity(path: paths[i]) else { return false }
            return ExportUnit.isDivisible(paths[i], size: identity.size, pieceBytes: pieceBytes)
        }
    }

    /// Size and SHA-256 of the export at `path`: vouched for by `memo` when it can, otherwise read and hashed.
    package static func fingerprint(_ path: String, memo: FingerprintMemo?) throws -> FileFingerprint {
        try memo?.fingerprint(of: path) ?? FileFingerprint.reading(path)
    }

    private func work() {
        while true {
            lock.lock()
            guard next < wanted.count else { lock.unlock(); return }
            let i = wanted[next]
            next += 1
            lock.unlock()
            let print = Result { try Self.fingerprint(paths[i], memo: memo) }
            lock.lock(); results[i] = print; lock.unlock()
        }
    }

    /// Every wanted fingerprint (or the error taking it), by index into `paths`: takes the ones not started yet on
    /// this thread as well, and waits for the helper. Safe to call more than once (from the thread that made it).
    package func finish() -> [Int: Result<FileFingerprint, Error>] {
        if let finished { return finished }
        work()
        joinHelper()
        lock.lock(); let all = results; lock.unlock()
        finished = all
        return all
    }

    /// Starts no more fingerprints and waits for the one under way (a run that failed before its ingest).
    package func cancel() {
        lock.lock(); next = wanted.count; lock.unlock()
        joinHelper()
    }

    private func joinHelper() {
        if !helperJoined { helperDone.wait(); helperJoined = true }
    }
}
