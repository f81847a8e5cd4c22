import Dispatch
import Foundation

/// IngestProgress of a long ingest on stderr: files, bytes and rows done, rows per second, time left. Printed only when
/// stderr is a terminal (or when asked), at most every half second, on one line rewritten in place.
public final class IngestProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let totalFiles: Int
    private let totalBytes: Int
    private var files = 0, bytes = 0, rows = 0
    private let start = Date()
    private var lastPrint = Date.distantPast

    public init(totalFiles: Int, totalBytes: Int) {
        self.totalFiles = totalFiles
        self.totalBytes = totalBytes
    }

    /// Whether progress should be shown: stderr is a terminal, unless `force` says otherwise.
    public static func wanted(force: Bool) -> Bool { force || isatty(2) == 1 }

    /// Work done: bytes and rows read, and files finished (0 for a piece of a file that is not its last).
    package func done(bytes b: Int, rows r: Int, files f: Int = 1) {
        lock.lock()
        defer { lock.unlock() }
        files += f; bytes += b; rows += r
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= 0.5 || files == totalFiles else { return }
        lastPrint = now
        let elapsed = max(now.timeIntervalSince(start), 1e-3)
        let left = bytes > 0 ? elapsed * Double(totalBytes - bytes) / Double(bytes) : 0
        let line = String(format: "\rreading exports: %d/%d files, %.0f/%.0f MB, %@ rows, %@ rows/s, ~%.0f s left   ",
                          files, totalFiles, Double(bytes) / 1e6, Double(totalBytes) / 1e6, Format.count(rows),
                          Format.count(Int(Double(rows) / elapsed)), left)
        FileHandle.standardError.write(Data(line.utf8))
        if files == totalFiles { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
