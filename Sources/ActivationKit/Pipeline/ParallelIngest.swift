import Dispatch
import Foundation

/// Reads the event exports on both cores: the files are dealt to two workers (largest first, each to the less
/// loaded), each with its own ingestor and accumulator, and the results are merged in file order, so the output is
/// the same as a sequential read. Used when there are several files and no de-duplication (which needs one set of
/// rows seen across all files).
struct ParallelIngest {
    struct Outcome {
        var accumulator: FirstWindowAccumulator
        var behaviourNames: [String]
        var files: [EventFileAccounting]
        var rejects: [RejectedRow]
        var exportNames: [(name: String, resolution: EventNaming.Resolution)]
        var latestTimestamp: Int64?
    }

    /// One worker's state; touched by one thread at a time (its own while reading, the merging thread after).
    final class Worker: @unchecked Sendable {
        var files: [Int] = []
        var bytes = 0
        var ingestor: EventIngestor<FirstWindowAccumulator>?
        var accumulator: FirstWindowAccumulator?
        var fingerprints: [Int: (bytes: Int, sha256: String)] = [:]
        var failure: (index: Int, error: Error)?
    }

    let customers: CustomerTable
    let windowDays: Int
    let columns: EventColumns
    let options: EventReadingOptions
    var progress: Progress?

    func run(_ paths: [String], workers count: Int = 2) throws -> Outcome {
        let workers = (0..<count).map { _ in Worker() }
        let sizes = paths.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }
        for i in paths.indices.sorted(by: { (sizes[$0], -$0) > (sizes[$1], -$1) }) {
            let w = workers.min { $0.bytes < $1.bytes }!
            w.files.append(i)
            w.bytes += sizes[i]
        }
        let (customers, windowDays, columns, options, progress) = (self.customers, self.windowDays, self.columns, self.options, self.progress)
        DispatchQueue.concurrentPerform(iterations: count) { k in
            let w = workers[k]
            w.files.sort()
            let accumulator = FirstWindowAccumulator(customerCount: customers.count, windowDays: windowDays)
            let ingestor = EventIngestor(customers: customers, windowDays: windowDays, columns: columns, options: options, sink: accumulator)
            for i in w.files {
                do {
                    var source = try ExportByteSource(path: paths[i])
                    defer { source.close() }
                    try ingestor.read(&source, file: paths[i])
                    w.fingerprints[i] = source.fingerprint()
                    progress?.fileDone(bytes: sizes[i], rows: ingestor.files.last?.rowsRead ?? 0)
                } catch {
                    w.failure = (i, error)
                    break
                }
            }
            w.ingestor = ingestor
            w.accumulator = accumulator
        }
        // The error a sequential read would have met first.
        if let failure = workers.compactMap(\.failure).min(by: { $0.index < $1.index }) { throw failure.error }

        // Merge into the first worker's accumulator, in file order.
        let base = workers[0].accumulator!
        var names = (0..<workers[0].ingestor!.behaviours.count).map { workers[0].ingestor!.behaviours.string($0) }
        var users = workers[0].ingestor!.users
        for w in workers.dropFirst() {
            let ingestor = w.ingestor!
            let behaviourMap = (0..<ingestor.behaviours.count).map { b -> Int in
                let name = ingestor.behaviours.string(b)
                if let existing = names.firstIndex(of: name) { return existing }
                names.append(name)
                base.addBehaviour()
                return names.count - 1
            }
            let userMap = (0..<ingestor.users.count).map { u in users.intern(ingestor.users.string(u)) }
            base.merge(w.accumulator!, behaviourMap: behaviourMap, userMap: userMap)
        }
        var files: [EventFileAccounting?] = Array(repeating: nil, count: paths.count)
        var rejectsByFile: [[RejectedRow]] = Array(repeating: [], count: paths.count)
        var exportNames: [(name: String, resolution: EventNaming.Resolution)] = []
        var seenExports = Set<String>()
        var latest: Int64?
        for w in workers {
            let ingestor = w.ingestor!
            for (k, i) in w.files.enumerated() where k < ingestor.files.count {
                var accounting = ingestor.files[k]
                if let print = w.fingerprints[i] { (accounting.bytes, accounting.sha256) = print }
                files[i] = accounting
            }
            let index = Dictionary(uniqueKeysWithValues: w.files.map { (paths[$0], $0) })
            for reject in ingestor.rejects { rejectsByFile[index[reject.file] ?? 0].append(reject) }
            for entry in ingestor.exportNames where seenExports.insert(entry.name).inserted { exportNames.append(entry) }
            if let t = ingestor.latestTimestamp { latest = max(latest ?? t, t) }
        }
        return Outcome(accumulator: base, behaviourNames: names, files: files.compactMap { $0 },
                       rejects: rejectsByFile.flatMap { $0 }, exportNames: exportNames, latestTimestamp: latest)
    }
}

/// Progress of a long ingest on stderr: files, bytes and rows done, rows per second, time left. Printed only when
/// stderr is a terminal (or when asked), at most every half second, on one line rewritten in place.
public final class Progress: @unchecked Sendable {
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

    func fileDone(bytes b: Int, rows r: Int) {
        lock.lock()
        defer { lock.unlock() }
        files += 1; bytes += b; rows += r
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
