import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import Dispatch
import Foundation

/// Merges export aggregates, in file order, into the run's first-window counts: the result is exactly what one
/// reader going through the files in order would give, de-duplication across exports included (a kept row whose
/// key an earlier export already holds is taken back out and counted as a duplicate of its own file). Used by one
/// thread at a time (under `ParallelIngest`'s lock).
package final class IngestMerger: @unchecked Sendable {
    package let accumulator: FirstWindowAccumulator
    private var behaviours = ByteInterner(capacity: 64)
    package var behaviourNames: [String] { (0..<behaviours.count).map { behaviours.string($0) } }
    private var users = ByteInterner(capacity: 4096)
    private var seenRows = KeySet()
    package private(set) var files: [EventFileAccounting] = []
    package private(set) var rejects: [RejectedRow] = []
    package private(set) var exportNames: [(name: String, resolution: EventNaming.Resolution)] = []
    private var seenExports = Set<String>()
    package private(set) var latestTimestamp: Int64?

    /// Checked before each behaviour new to the run is allocated in its counts (nil: not checked).
    package var memoryBudget: MemoryBudget?

    package init(customerCount: Int, windowDays: Int) {
        accumulator = FirstWindowAccumulator(customerCount: customerCount, windowDays: windowDays)
    }

    /// The file of the last unit merged, and the physical lines of that file merged so far.
    private var currentFile = -1
    private var linesOfCurrentFile = 0

    /// Merges the next unit in order: a whole export, or the next piece of the current one (its row accounting is
    /// added to the file's, its line numbers moved to the file's).
    /// - Throws: the memory budget's stop, before anything of the unit is merged: checked with the behaviours and
    ///   the pairs the run would hold (its own and, at most, all of the unit's new).
    package func add(_ export: ExportAggregate, unit: ExportUnit = ExportUnit(file: -1, path: "")) throws {
        if let memoryBudget {
            let new = export.behaviourNames.filter { behaviours.lookup($0) == nil }
            try memoryBudget.check(behaviours: behaviours.count + new.count,
                                   pairs: accumulator.daily.count + export.counts.pairBound,
                                   followUpPairs: accumulator.later.count + export.counts.followUpPairCount,
                                   at: new.last.map { "'\($0)' in \(unit.path)" } ?? unit.path)
        }
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
