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
    var userNames: ByteStrings
    var latestTimestamp: Int64?
    var counts: ExportAccumulator
    var dedupeLog: [DedupeEntry]
    /// Customers whose signup date placed at least one row (the result depends on those dates).
    var placedCustomers: [Int32]
    /// Ids rejected as not in the customer table (the result depends on their staying unknown).
    var unknownCustomerIDs: [String]
    /// Physical lines read, the header line put in front of a piece included.
    var lines = 0
    /// The read ended inside an open quoted field (see `CSVReader.Summary`).
    var endedInsideRecord = false

    init(accounting: EventFileAccounting, rejects: [RejectedRow], exportNames: [(name: String, resolution: EventNaming.Resolution)],
         behaviourNames: [String], userNames: ByteStrings, latestTimestamp: Int64?, counts: ExportAccumulator,
         dedupeLog: [DedupeEntry], placedCustomers: [Int32], unknownCustomerIDs: [String]) {
        self.accounting = accounting; self.rejects = rejects; self.exportNames = exportNames
        self.behaviourNames = behaviourNames; self.userNames = userNames; self.latestTimestamp = latestTimestamp
        self.counts = counts; self.dedupeLog = dedupeLog; self.placedCustomers = placedCustomers
        self.unknownCustomerIDs = unknownCustomerIDs
    }

    /// Reads one export completely. The fingerprint is taken while reading unless it is already known.
    static func read(_ path: String, customers: CustomerTable, windowDays: Int, columns: EventColumns,
                     options: EventReadingOptions, fingerprint known: (bytes: Int, sha256: String)? = nil) throws -> ExportAggregate {
        try read(ExportUnit(file: 0, path: path), customers: customers, windowDays: windowDays, columns: columns, options: options,
                 fingerprint: known)
    }

    /// Reads one unit: a whole export, or a piece of one behind the export's header line. Line numbers in the
    /// result are the piece's own (the header is line 1); `IngestMerger` turns them into the file's.
    static func read(_ unit: ExportUnit, customers: CustomerTable, windowDays: Int, columns: EventColumns,
                     options: EventReadingOptions, fingerprint known: (bytes: Int, sha256: String)?) throws -> ExportAggregate {
        let counts = ExportAccumulator(customerCount: customers.count, windowDays: windowDays)
        let ingestor = EventIngestor(customers: customers, windowDays: windowDays, columns: columns, options: options, sink: counts)
        let summary: CSVReader.Summary
        var accounting: EventFileAccounting
        if let range = unit.range {
            var source = try FileRangeByteSource(path: unit.path, range: range, prefix: range.lowerBound > 0 ? unit.header : [])
            defer { source.close() }
            summary = try ingestor.read(&source, file: unit.path)
            accounting = ingestor.files[0]
            (accounting.bytes, accounting.sha256) = known!
        } else {
            var source = try ExportByteSource(path: unit.path, fingerprinting: known == nil)
            defer { source.close() }
            summary = try ingestor.read(&source, file: unit.path)
            accounting = ingestor.files[0]
            let read = source.fingerprint()
            // Fingerprinted beforehand: an export still being written must not be cached under another content's hash.
            if let known, read.bytes != known.bytes {
                throw InputError("\(unit.path): the file changed while it was being read (\(known.bytes) bytes, then \(read.bytes)); run again once the export is complete")
            }
            (accounting.bytes, accounting.sha256) = known ?? read
        }
        let aggregate = ExportAggregate(
            accounting: accounting, rejects: ingestor.rejects, exportNames: ingestor.exportNames,
            behaviourNames: (0..<ingestor.behaviours.count).map { ingestor.behaviours.string($0) },
            userNames: ingestor.users.keys,
            latestTimestamp: ingestor.latestTimestamp, counts: counts, dedupeLog: ingestor.dedupeLog,
            placedCustomers: ingestor.placedCustomers.indices.filter { ingestor.placedCustomers[$0] != 0 }.map { Int32($0) },
            unknownCustomerIDs: ingestor.unknownCustomerIDs.sorted())
        aggregate.lines = summary.lines
        aggregate.endedInsideRecord = summary.endedInsideRecord
        return aggregate
    }
}

/// A piece of ingest work: a whole export, or, for a large plain-text export, a byte range of it cut just after a
/// line break, read behind the export's header line so that both cores can work on one big file.
///
/// A line break inside a quoted field is not a record boundary, so a cut may be unsafe. It is proven safe, not
/// assumed: the piece before the cut must end outside any record (`CSVReader.Summary.endedInsideRecord`). When it
/// does not, the merge discards the pieces after it and reads the rest of the file in one go from that piece's
/// start, which is a proven boundary (`ParallelIngest`).
struct ExportUnit: Sendable {
    /// Index of the export in the run's file list.
    var file: Int
    var path: String
    /// nil: the whole file (any kind, gzip included).
    var range: Range<Int>?
    var isLastOfFile = true
    /// The export's first line (with its line break), put in front of pieces after the first.
    var header: [UInt8] = []

    /// Cuts plain exports larger than `2 * pieceBytes` into pieces of about `pieceBytes`, each ending just after a
    /// line break; other exports are one unit each.
    static func plan(_ paths: [String], sizes: [Int], pieceBytes: Int) -> [ExportUnit] {
        var units: [ExportUnit] = []
        for (i, path) in paths.enumerated() {
            let size = sizes[i]
            guard isDivisible(path, size: size, pieceBytes: pieceBytes),
                  let (header, cuts) = lineBreakCuts(path, size: size, pieces: size / pieceBytes), cuts.count > 2 else {
                units.append(ExportUnit(file: i, path: path))
                continue
            }
            for k in 0..<(cuts.count - 1) {
                units.append(ExportUnit(file: i, path: path, range: cuts[k]..<cuts[k + 1], isLastOfFile: k == cuts.count - 2,
                                        header: header))
            }
        }
        return units
    }

    /// Whether an export is cut into pieces of `pieceBytes`: plain text (a gzip stream cannot be entered at a byte
    /// offset) and larger than two pieces.
    static func isDivisible(_ path: String, size: Int, pieceBytes: Int) -> Bool {
        pieceBytes > 0 && size > 2 * pieceBytes && !path.lowercased().hasSuffix(".gz")
    }

    /// The header line (with its line break) and the offsets 0, c1, …, size: each cut just after the first line
    /// break at or after an even share of the file (and after the header line); nil when the header line runs over
    /// 1 MiB.
    static func lineBreakCuts(_ path: String, size: Int, pieces: Int) -> (header: [UInt8], cuts: [Int])? {
        guard let head = FileInput.read(path, 0..<min(size, 1 << 20)), let headerEnd = head.firstIndex(of: 0x0A) else { return nil }
        var cuts = [0]
        var lowest = headerEnd + 1
        for k in 1..<max(1, pieces) {
            let nominal = max(lowest, size / pieces * k)
            var offset = nominal
            var found: Int?
            while found == nil && offset < size {
                guard let window = FileInput.read(path, offset..<min(size, offset + 65_536)), !window.isEmpty else { break }
                if let i = window.firstIndex(of: 0x0A) { found = offset + i + 1 } else { offset += window.count }
            }
            guard let cut = found, cut < size else { break }
            cuts.append(cut)
            lowest = cut
        }
        cuts.append(size)
        return (Array(head[...headerEnd]), cuts)
    }
}

/// Merges export aggregates, in file order, into the run's first-window counts: the result is exactly what one
/// reader going through the files in order would give, de-duplication across exports included (a kept row whose
/// key an earlier export already holds is taken back out and counted as a duplicate of its own file). Used by one
/// thread at a time (under `ParallelIngest`'s lock).
final class IngestMerger: @unchecked Sendable {
    let accumulator: FirstWindowAccumulator
    private var behaviours = ByteInterner(capacity: 64)
    var behaviourNames: [String] { (0..<behaviours.count).map { behaviours.string($0) } }
    private var users = ByteInterner(capacity: 4096)
    private var seenRows = KeySet()
    private(set) var files: [EventFileAccounting] = []
    private(set) var rejects: [RejectedRow] = []
    private(set) var exportNames: [(name: String, resolution: EventNaming.Resolution)] = []
    private var seenExports = Set<String>()
    private(set) var latestTimestamp: Int64?

    init(customerCount: Int, windowDays: Int) {
        accumulator = FirstWindowAccumulator(customerCount: customerCount, windowDays: windowDays)
    }

    /// The file of the last unit merged, and the physical lines of that file merged so far.
    private var currentFile = -1
    private var linesOfCurrentFile = 0

    /// Merges the next unit in order: a whole export, or the next piece of the current one (its row accounting is
    /// added to the file's, its line numbers moved to the file's).
    func add(_ export: ExportAggregate, unit: ExportUnit = ExportUnit(file: -1, path: "")) {
        let continuesFile = unit.file >= 0 && unit.file == currentFile
        if !continuesFile { currentFile = unit.file; linesOfCurrentFile = 0 }
        // A piece after the first starts with the header line (its line 1): its line 2 is the file's next line.
        let primed = (unit.range?.lowerBound ?? 0) > 0
        let lineShift = primed ? linesOfCurrentFile - 1 : 0
        linesOfCurrentFile += export.lines - (primed ? 1 : 0)
        if lineShift != 0 { for k in export.rejects.indices { export.rejects[k].line += lineShift } }
        let behaviourMap = export.behaviourNames.map { name -> Int in
            let known = behaviours.count
            let id = behaviours.intern(name)
            if id == known { accumulator.addBehaviour() }
            return id
        }
        var userMap: [Int] = []
        userMap.reserveCapacity(export.userNames.count)
        export.userNames.forEach { userMap.append(users.intern($0).id) }
        accumulator.add(export.counts, behaviourMap: behaviourMap, userMap: userMap)
        var accounting = export.accounting
        for entry in export.dedupeLog where !seenRows.insert(entry.key).inserted {
            accumulator.subtract(customer: Int(entry.customer), behaviour: behaviourMap[Int(entry.behaviour)], day: Int(entry.day), count: entry.count)
            if Int(entry.day) < accumulator.windowDays { accounting.used -= 1 } else { accounting.afterWindow -= 1 }
            accounting.duplicates += 1
        }
        if continuesFile {
            files[files.count - 1].add(accounting)
        } else {
            files.append(accounting)
        }
        rejects += export.rejects
        for entry in export.exportNames where seenExports.insert(entry.name).inserted { exportNames.append(entry) }
        if let t = export.latestTimestamp { latestTimestamp = max(latestTimestamp ?? t, t) }
    }
}

/// Reads the event exports on both cores: workers take the units (exports, or pieces of a large export) in order,
/// each read on its own or restored from the cache when its content, the settings and the customers it refers to
/// are unchanged, and the results are merged in order as soon as they are ready, so the output is the same as a
/// sequential read and at most a few units' counts are held at once.
struct ParallelIngest {
    struct Outcome {
        var accumulator: FirstWindowAccumulator
        var behaviourNames: [String]
        var files: [EventFileAccounting]
        var rejects: [RejectedRow]
        var exportNames: [(name: String, resolution: EventNaming.Resolution)]
        var latestTimestamp: Int64?
        var cache: ExportCache.Statistics?
        /// Units read (pieces of large exports counted one by one) and pieces re-read because a cut fell inside a
        /// quoted field.
        var units = 0
        var unsafeCuts = 0
    }

    let customers: CustomerTable
    let windowDays: Int
    let columns: EventColumns
    let options: EventReadingOptions
    var progress: Progress?
    var cache: ExportCache?
    /// Plain exports larger than twice this are read in pieces of about this size (0: never).
    var pieceBytes = 32 << 20
    /// Fingerprints started before the ingest (while the customer table was read); the ones it lacks are taken here.
    var fingerprintsAhead: FingerprintBatch?

    /// Shared by the workers, under `lock`; the merger itself is used by one worker at a time, under `mergeLock`,
    /// so that the other worker can park its unit and take the next one while a merge runs.
    private final class Shared: @unchecked Sendable {
        let lock = NSLock()
        let mergeLock = NSLock()
        /// Units taken by a worker.
        var taken: [Bool]
        /// Units in order, from the first not known to be taken.
        var nextInOrder = 0
        /// The units that must be read (no cache entry), in order, from the first not known to be taken.
        let toRead: [Int]
        var nextToRead = 0
        /// Units read and waiting for their turn to merge; nil for a piece of a file read another way.
        var ready: [Int: ExportAggregate?] = [:]
        var merged = 0
        /// The first unit in order that failed, and its error.
        var failure: (index: Int, error: Error)?
        /// Files whose remaining pieces were replaced by one sequential read.
        var superseded = Set<Int>()
        var unsafeCuts = 0

        init(units: Int, toRead: [Int]) {
            taken = [Bool](repeating: false, count: units)
            self.toRead = toRead
        }

        /// Under `lock`: the unit a worker takes next, nil when none is left or one before it failed.
        ///
        /// Units are taken in order, except that the reading worker (`readsFirst`) takes the units the cache cannot
        /// give first: reading an export costs far more than restoring one, so in a nightly run that adds a month,
        /// the new month is read while the other worker restores and merges the cached months in order (a few ms
        /// each), then takes what is left. (Both cores reading first measured slower: the merges then all wait for
        /// the reading.) Only while few units are parked: read early, they wait for their turn to merge, holding
        /// their counts.
        func take(readsFirst: Bool) -> Int? {
            var unit: Int?
            if readsFirst && ready.count < 4 && failure == nil {
                while nextToRead < toRead.count && taken[toRead[nextToRead]] { nextToRead += 1 }
                if nextToRead < toRead.count { unit = toRead[nextToRead] }
            }
            if unit == nil {
                while nextInOrder < taken.count && taken[nextInOrder] { nextInOrder += 1 }
                if nextInOrder < taken.count { unit = nextInOrder }
            }
            // After a failure only the units before it are still read: the error reported is the first in order.
            guard let u = unit, failure.map({ u < $0.index }) ?? true else { return nil }
            taken[u] = true
            return u
        }

        /// The next unit in order if it is ready (taken out), with its index.
        func takeNext() -> (index: Int, aggregate: ExportAggregate?)? {
            lock.lock(); defer { lock.unlock() }
            guard let next = ready.removeValue(forKey: merged) else { return nil }
            merged += 1
            return (merged - 1, next)
        }

        var nextIsReady: Bool {
            lock.lock(); defer { lock.unlock() }
            return ready[merged] != nil
        }
    }

    /// Restores a unit from the cache or reads it (and caches it).
    private func obtain(_ unit: ExportUnit, fingerprint: (bytes: Int, sha256: String)?) throws -> ExportAggregate {
        if let cache, let fingerprint {
            if let restored = cache.restore(unit: unit, fingerprint: fingerprint, customers: customers, naming: options.naming) {
                return restored
            }
            let aggregate = try ExportAggregate.read(unit, customers: customers, windowDays: windowDays, columns: columns,
                                                     options: options, fingerprint: fingerprint)
            cache.store(aggregate, unit: unit, customers: customers)
            return aggregate
        }
        return try ExportAggregate.read(unit, customers: customers, windowDays: windowDays, columns: columns, options: options,
                                        fingerprint: fingerprint)
    }

    func run(_ paths: [String], workers count: Int = 2) throws -> Outcome {
        let merger = IngestMerger(customerCount: customers.count, windowDays: windowDays)
        let sizes = paths.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }
        let units = ExportUnit.plan(paths, sizes: sizes, pieceBytes: count > 1 ? pieceBytes : 0)
        let workers = max(1, min(count, units.count))

        // Fingerprints first when the cache needs them or a file is read in pieces (no one reader sees it all).
        let split = Set(units.filter { $0.range != nil }.map(\.file))
        let needPrints = cache != nil ? Array(paths.indices) : split.sorted()
        // Taken on both cores (started early by the run when it could: `FingerprintBatch.wanted` asks for these).
        let batch = fingerprintsAhead ?? (needPrints.isEmpty ? nil : FingerprintBatch(paths: paths, wanted: needPrints, memo: cache?.memo))
        let taken = batch?.finish() ?? [:]
        // In file order, so that the error reported is the first export's that could not be read.
        let fingerprints = Dictionary(uniqueKeysWithValues: try needPrints.map { i in
            (i, try (taken[i] ?? Result { try FingerprintBatch.fingerprint(paths[i], memo: cache?.memo) }).get())
        })
        let toRead = units.indices.filter { u in
            guard let cache, let fingerprint = fingerprints[units[u].file] else { return true }
            return !cache.holdsEntry(for: units[u], fingerprint: fingerprint)
        }
        let shared = Shared(units: units.count, toRead: toRead)

        /// Merges the units that are ready, in order, unless the other worker is merging (it will take them too).
        /// After letting the merge go, looks again: a unit parked meanwhile found the merge taken.
        @Sendable func mergeReadyUnits() throws {
            while shared.mergeLock.try() {
                let merged = Result { try mergeTakenUnits() }
                shared.mergeLock.unlock()
                try merged.get()
                guard shared.nextIsReady else { return }
            }
        }
        /// The merge proper, under `mergeLock`.
        @Sendable func mergeTakenUnits() throws {
            while let (index, next) = shared.takeNext() {
                let unit = units[index]
                shared.lock.lock()
                let dropped = next == nil || shared.superseded.contains(unit.file)
                let unsafeCut = !dropped && next!.endedInsideRecord && !unit.isLastOfFile
                if unsafeCut { shared.superseded.insert(unit.file); shared.unsafeCuts += 1 }
                shared.lock.unlock()
                guard !dropped, let ready = next else { continue }
                if unsafeCut {
                    // The next cut fell inside a quoted field: read the rest of the file in one go from this
                    // piece's start, a proven record boundary, and drop the file's later pieces.
                    var rest = unit
                    rest.range = unit.range!.lowerBound..<sizes[unit.file]
                    rest.isLastOfFile = true
                    merger.add(try obtain(rest, fingerprint: fingerprints[unit.file]), unit: rest)
                } else {
                    merger.add(ready, unit: unit)
                }
            }
        }

        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            while true {
                shared.lock.lock()
                let taken = shared.take(readsFirst: worker == 0)
                let skip = taken.map { shared.superseded.contains(units[$0].file) } ?? false
                shared.lock.unlock()
                guard let u = taken else { return }
                do {
                    let unit = units[u]
                    let aggregate = skip ? nil : try obtain(unit, fingerprint: fingerprints[unit.file])
                    if let aggregate {
                        progress?.done(bytes: unit.range?.count ?? sizes[unit.file], rows: aggregate.accounting.rowsRead,
                                       files: unit.isLastOfFile ? 1 : 0)
                    }
                    shared.lock.lock()
                    shared.ready[u] = .some(aggregate)
                    shared.lock.unlock()
                    try mergeReadyUnits()
                } catch {
                    shared.lock.lock()
                    if shared.failure == nil || shared.failure!.index > u { shared.failure = (u, error) }
                    shared.lock.unlock()
                    return
                }
            }
        }
        // The error a sequential read would have met first.
        if let failure = shared.failure { throw failure.error }
        var statistics = cache?.statisticsWithFingerprints
        statistics?.units = units.count
        return Outcome(accumulator: merger.accumulator, behaviourNames: merger.behaviourNames, files: merger.files,
                       rejects: merger.rejects, exportNames: merger.exportNames, latestTimestamp: merger.latestTimestamp,
                       cache: statistics, units: units.count, unsafeCuts: shared.unsafeCuts)
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

    /// Work done: bytes and rows read, and files finished (0 for a piece of a file that is not its last).
    func done(bytes b: Int, rows r: Int, files f: Int = 1) {
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
