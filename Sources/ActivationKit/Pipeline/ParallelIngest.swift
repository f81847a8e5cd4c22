import Dispatch
import Foundation

/// Everything reading one export produced, on its own: no state shared with other exports, so exports can be read
/// in parallel, cached by content hash (`ExportCache`) and merged in file order (`IngestMerger`).
final class ExportAggregate: @unchecked Sendable {
    var accounting: EventFileAccounting
    var rejects: [RejectedRow]
    /// Export event names in order of first appearance, and what they became.
    var exportNames: [(name: String, resolution: EventNaming.Resolution)]
    /// Behaviour names (after renames) by this export's behaviour id.
    var behaviourNames: [String]
    /// User ids by this export's user id.
    var userNames: [String]
    var latestTimestamp: Int64?
    var counts: ExportAccumulator
    var dedupeLog: [DedupeEntry]
    /// Customers whose signup date placed at least one row (the result depends on those dates).
    var placedCustomers: [Int32]
    /// Ids rejected as not in the customer table (the result depends on their staying unknown).
    var unknownCustomerIDs: [String]

    init(accounting: EventFileAccounting, rejects: [RejectedRow], exportNames: [(name: String, resolution: EventNaming.Resolution)],
         behaviourNames: [String], userNames: [String], latestTimestamp: Int64?, counts: ExportAccumulator,
         dedupeLog: [DedupeEntry], placedCustomers: [Int32], unknownCustomerIDs: [String]) {
        self.accounting = accounting; self.rejects = rejects; self.exportNames = exportNames
        self.behaviourNames = behaviourNames; self.userNames = userNames; self.latestTimestamp = latestTimestamp
        self.counts = counts; self.dedupeLog = dedupeLog; self.placedCustomers = placedCustomers
        self.unknownCustomerIDs = unknownCustomerIDs
    }

    /// Reads one export completely. The fingerprint is taken while reading unless it is already known.
    static func read(_ path: String, customers: CustomerTable, windowDays: Int, columns: EventColumns,
                     options: EventReadingOptions, fingerprint known: (bytes: Int, sha256: String)? = nil) throws -> ExportAggregate {
        let counts = ExportAccumulator(customerCount: customers.count, windowDays: windowDays)
        let ingestor = EventIngestor(customers: customers, windowDays: windowDays, columns: columns, options: options, sink: counts)
        var source = try ExportByteSource(path: path, fingerprinting: known == nil)
        defer { source.close() }
        try ingestor.read(&source, file: path)
        var accounting = ingestor.files[0]
        (accounting.bytes, accounting.sha256) = known ?? source.fingerprint()
        return ExportAggregate(
            accounting: accounting, rejects: ingestor.rejects, exportNames: ingestor.exportNames,
            behaviourNames: (0..<ingestor.behaviours.count).map { ingestor.behaviours.string($0) },
            userNames: (0..<ingestor.users.count).map { ingestor.users.string($0) },
            latestTimestamp: ingestor.latestTimestamp, counts: counts, dedupeLog: ingestor.dedupeLog,
            placedCustomers: ingestor.placedCustomers.indices.filter { ingestor.placedCustomers[$0] != 0 }.map { Int32($0) },
            unknownCustomerIDs: ingestor.unknownCustomerIDs.sorted())
    }
}

/// Merges export aggregates, in file order, into the run's first-window counts: the result is exactly what one
/// reader going through the files in order would give, de-duplication across exports included (a kept row whose
/// key an earlier export already holds is taken back out and counted as a duplicate of its own file). Used by one
/// thread at a time (under `ParallelIngest`'s lock).
final class IngestMerger: @unchecked Sendable {
    let accumulator: FirstWindowAccumulator
    private(set) var behaviourNames: [String] = []
    private var behaviourIDs: [String: Int] = [:]
    private var users = ByteInterner(capacity: 4096)
    private var seenRows = Set<UInt64>()
    private(set) var files: [EventFileAccounting] = []
    private(set) var rejects: [RejectedRow] = []
    private(set) var exportNames: [(name: String, resolution: EventNaming.Resolution)] = []
    private var seenExports = Set<String>()
    private(set) var latestTimestamp: Int64?

    init(customerCount: Int, windowDays: Int) {
        accumulator = FirstWindowAccumulator(customerCount: customerCount, windowDays: windowDays)
    }

    func add(_ export: ExportAggregate) {
        let behaviourMap = export.behaviourNames.map { name -> Int in
            if let id = behaviourIDs[name] { return id }
            behaviourIDs[name] = behaviourNames.count
            behaviourNames.append(name)
            accumulator.addBehaviour()
            return behaviourNames.count - 1
        }
        let userMap = export.userNames.map { users.intern($0) }
        accumulator.add(export.counts, behaviourMap: behaviourMap, userMap: userMap)
        var accounting = export.accounting
        for entry in export.dedupeLog where !seenRows.insert(entry.key).inserted {
            accumulator.subtract(customer: Int(entry.customer), behaviour: behaviourMap[Int(entry.behaviour)], day: Int(entry.day), count: entry.count)
            if Int(entry.day) < accumulator.windowDays { accounting.used -= 1 } else { accounting.afterWindow -= 1 }
            accounting.duplicates += 1
        }
        files.append(accounting)
        rejects += export.rejects
        for entry in export.exportNames where seenExports.insert(entry.name).inserted { exportNames.append(entry) }
        if let t = export.latestTimestamp { latestTimestamp = max(latestTimestamp ?? t, t) }
    }
}

/// Reads the event exports on both cores: workers take the files in order, each read on its own (or restored
/// from the cache when its content, the settings and the customers it refers to are unchanged), and the results
/// are merged in file order as soon as they are ready, so the output is the same as a sequential read and at most
/// a few exports' counts are held at once.
struct ParallelIngest {
    struct Outcome {
        var accumulator: FirstWindowAccumulator
        var behaviourNames: [String]
        var files: [EventFileAccounting]
        var rejects: [RejectedRow]
        var exportNames: [(name: String, resolution: EventNaming.Resolution)]
        var latestTimestamp: Int64?
        var cache: ExportCache.Statistics?
    }

    let customers: CustomerTable
    let windowDays: Int
    let columns: EventColumns
    let options: EventReadingOptions
    var progress: Progress?
    var cache: ExportCache?

    /// Shared by the workers, under `lock`.
    private final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var ready: [Int: ExportAggregate] = [:]
        var merged = 0
        var failure: (index: Int, error: Error)?
    }

    func run(_ paths: [String], workers count: Int = 2) throws -> Outcome {
        let merger = IngestMerger(customerCount: customers.count, windowDays: windowDays)
        let shared = Shared()
        let sizes = paths.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }
        let (customers, windowDays, columns, options, progress, cache) = (self.customers, self.windowDays, self.columns, self.options, self.progress, self.cache)
        DispatchQueue.concurrentPerform(iterations: max(1, min(count, paths.count))) { _ in
            while true {
                shared.lock.lock()
                let i = shared.next
                let stop = i >= paths.count || shared.failure != nil
                if !stop { shared.next += 1 }
                shared.lock.unlock()
                if stop { return }
                do {
                    let aggregate: ExportAggregate
                    if let cache {
                        let print = try ExportCache.fingerprint(of: paths[i])
                        if let restored = cache.restore(path: paths[i], fingerprint: print, customers: customers, naming: options.naming) {
                            aggregate = restored
                        } else {
                            aggregate = try ExportAggregate.read(paths[i], customers: customers, windowDays: windowDays, columns: columns,
                                                                 options: options, fingerprint: print)
                            cache.store(aggregate, customers: customers)
                        }
                    } else {
                        aggregate = try ExportAggregate.read(paths[i], customers: customers, windowDays: windowDays, columns: columns, options: options)
                    }
                    progress?.fileDone(bytes: sizes[i], rows: aggregate.accounting.rowsRead)
                    shared.lock.lock()
                    shared.ready[i] = aggregate
                    // Merge whatever is next in file order; one thread merges at a time (the lock is held).
                    while let ready = shared.ready.removeValue(forKey: shared.merged) {
                        merger.add(ready)
                        shared.merged += 1
                    }
                    shared.lock.unlock()
                } catch {
                    shared.lock.lock()
                    if shared.failure == nil || shared.failure!.index > i { shared.failure = (i, error) }
                    shared.lock.unlock()
                    return
                }
            }
        }
        // The error a sequential read would have met first.
        if let failure = shared.failure { throw failure.error }
        return Outcome(accumulator: merger.accumulator, behaviourNames: merger.behaviourNames, files: merger.files,
                       rejects: merger.rejects, exportNames: merger.exportNames, latestTimestamp: merger.latestTimestamp,
                       cache: cache?.statistics)
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
