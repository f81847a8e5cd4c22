import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import ActivationIngest
import Dispatch
import Foundation

/// Reads the event exports on both cores: workers take the units (exports, or pieces of a large export) in order,
/// each read on its own or restored from the cache when its content, the settings and the customers it refers to
/// are unchanged, and the results are merged in order as soon as they are ready, so the output is the same as a
/// sequential read and at most a few units' counts are held at once.
package struct ParallelIngest {
    package struct Outcome {
        package var accumulator: FirstWindowAccumulator
        package var behaviourNames: [String]
        package var files: [EventFileAccounting]
        package var rejects: [RejectedRow]
        package var exportNames: [(name: String, resolution: EventNaming.Resolution)]
        package var latestTimestamp: Int64?
        package var cache: ExportCache.Statistics?
        /// Units read (pieces of large exports counted one by one) and pieces re-read because a cut fell inside a
        /// quoted field.
        package var units = 0
        package var unsafeCuts = 0
    }

    package let customers: CustomerTable
    package let windowDays: Int
    package let columns: EventColumns
    package let options: EventReadingOptions
    package var progress: IngestProgress?
    package var cache: ExportCache?
    /// Plain exports larger than twice this are read in pieces of about this size (0: never).
    package var pieceBytes = 32 << 20
    /// Fingerprints started before the ingest (while the customer table was read); the ones it lacks are taken here.
    package var fingerprintsAhead: FingerprintBatch?
    /// For tests: called once the exports' sizes are taken and their pieces planned, before any fingerprint is
    /// finished or any row is read (a test appends to an export there, deterministically).
    package var afterPlanning: (@Sendable () -> Void)?

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
    private func obtain(_ unit: ExportUnit, fingerprint: FileFingerprint?) throws -> ExportAggregate {
        if let cache, let fingerprint {
            // An entry read under another limit of the latest allowed timestamp (the clock moves every night) is
            // used only when that limit cannot have changed it: none of its rows was rejected as in the future and
            // none it used is later than today's limit. Otherwise the export is read again.
            if let restored = cache.restore(unit: unit, fingerprint: fingerprint, customers: customers, naming: options.naming),
               restored.accounting.rejected[RejectReason.timestampInFuture.rawValue, default: 0] == 0,
               (restored.latestTimestamp ?? .min) <= options.latestAllowedSeconds {
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

    package func run(_ paths: [String], workers count: Int = 2) throws -> Outcome {
        let merger = IngestMerger(customerCount: customers.count, windowDays: windowDays)
        merger.memoryBudget = options.memoryBudget
        // Each export's identity (size, times) before any of it is read: the pieces are cut to this size, and the
        // run stops if any export differs from it when the reading is done (`changedWhileRead`).
        let identities = paths.map { FileIdentity(path: $0) }
        let sizes = identities.map { $0?.size ?? 0 }
        let units = ExportUnit.plan(paths, sizes: sizes, pieceBytes: count > 1 ? pieceBytes : 0)
        let workers = max(1, min(count, units.count))
        afterPlanning?()

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
        // A fingerprint taken before the reading (for the cache, or of an export read in pieces) must be of the
        // bytes the reading parses: an export appended to between the two would be recorded with a size and SHA-256
        // of bytes that were not all parsed.
        for i in needPrints where fingerprints[i]!.bytes != sizes[i] {
            throw InputError.changedWhileRead(paths[i], before: sizes[i], now: fingerprints[i]!.bytes)
        }
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
                    try merger.add(try obtain(rest, fingerprint: fingerprints[unit.file]), unit: rest)
                } else {
                    try merger.add(ready, unit: unit)
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
        // Written to while the run read it (appended to by an export job still running, rewritten): what was parsed
        // is not the file that run.json would describe, and the torn last row would be rejected as if damaged.
        for (i, path) in paths.enumerated() {
            let now = FileIdentity(path: path)
            if now != identities[i] { throw InputError.changedWhileRead(path, before: sizes[i], now: now?.size) }
        }
        var statistics = cache?.statisticsWithFingerprints
        statistics?.units = units.count
        return Outcome(accumulator: merger.accumulator, behaviourNames: merger.behaviourNames, files: merger.files,
                       rejects: merger.rejects, exportNames: merger.exportNames, latestTimestamp: merger.latestTimestamp,
                       cache: statistics, units: units.count, unsafeCuts: shared.unsafeCuts)
    }

    package init(customers: CustomerTable, windowDays: Int, columns: EventColumns, options: EventReadingOptions, progress: IngestProgress? = nil, cache: ExportCache? = nil) {
        self.customers = customers
        self.windowDays = windowDays
        self.columns = columns
        self.options = options
        self.progress = progress
        self.cache = cache
    }
}

extension InputError {
    /// An export that was written to while the run read it: stop, naming it, rather than record a size and SHA-256
    /// of other bytes than those parsed (issue 17, item 13). `now` is nil when the file is gone.
    package static func changedWhileRead(_ path: String, before: Int, now: Int?) -> InputError {
        let state = now.map { $0 == before ? "written to at the same size" : "\(Format.count($0)) bytes now" } ?? "gone now"
        return InputError("\(path): the export changed while the run read it (\(Format.count(before)) bytes when the run began reading it, \(state)); its size and SHA-256 would not describe the bytes parsed: run again once the export is complete", kind: .data)
    }
}
