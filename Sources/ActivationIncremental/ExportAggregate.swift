import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import ActivationIngest
import Dispatch
import Foundation

/// Everything reading one export produced, on its own: no state shared with other exports, so exports can be read
/// in parallel, cached by content hash (`ExportCache`) and merged in file order (`IngestMerger`).
package final class ExportAggregate: @unchecked Sendable {
    package var accounting: EventFileAccounting
    package var rejects: [RejectedRow]
    /// Export event names in order of first appearance, and what they became.
    package var exportNames: [(name: String, resolution: EventNaming.Resolution)]
    /// Behaviour names (after renames) by this export's behaviour id.
    package var behaviourNames: [String]
    /// User ids by this export's user id.
    package var userNames: ByteStrings
    package var latestTimestamp: Int64?
    package var counts: ExportAccumulator
    package var dedupeLog: [DedupeEntry]
    /// Customers whose signup date placed at least one row (the result depends on those dates).
    package var placedCustomers: [Int32]
    /// Ids rejected as not in the customer table (the result depends on their staying unknown).
    package var unknownCustomerIDs: [String]
    /// Physical lines read, the header line put in front of a piece included.
    package var lines = 0
    /// The read ended inside an open quoted field (see `CSVReader.Summary`).
    package var endedInsideRecord = false

    package init(accounting: EventFileAccounting, rejects: [RejectedRow], exportNames: [(name: String, resolution: EventNaming.Resolution)],
         behaviourNames: [String], userNames: ByteStrings, latestTimestamp: Int64?, counts: ExportAccumulator,
         dedupeLog: [DedupeEntry], placedCustomers: [Int32], unknownCustomerIDs: [String]) {
        self.accounting = accounting; self.rejects = rejects; self.exportNames = exportNames
        self.behaviourNames = behaviourNames; self.userNames = userNames; self.latestTimestamp = latestTimestamp
        self.counts = counts; self.dedupeLog = dedupeLog; self.placedCustomers = placedCustomers
        self.unknownCustomerIDs = unknownCustomerIDs
    }

    /// Reads one export completely. The fingerprint is taken while reading unless it is already known.
    package static func read(_ path: String, customers: CustomerTable, windowDays: Int, columns: EventColumns,
                     options: EventReadingOptions, fingerprint known: FileFingerprint? = nil) throws -> ExportAggregate {
        try read(ExportUnit(file: 0, path: path), customers: customers, windowDays: windowDays, columns: columns, options: options,
                 fingerprint: known)
    }

    /// Reads one unit: a whole export, or a piece of one behind the export's header line. Line numbers in the
    /// result are the piece's own (the header is line 1); `IngestMerger` turns them into the file's.
    package static func read(_ unit: ExportUnit, customers: CustomerTable, windowDays: Int, columns: EventColumns,
                     options: EventReadingOptions, fingerprint known: FileFingerprint?) throws -> ExportAggregate {
        let counts = ExportAccumulator(customerCount: customers.count, windowDays: windowDays)
        let ingestor = EventIngestor(customers: customers, windowDays: windowDays, columns: columns, options: options, sink: counts)
        let summary: CSVReader.Summary
        var accounting: EventFileAccounting
        if let range = unit.range {
            var source = try FileRangeByteSource(path: unit.path, range: range, prefix: range.lowerBound > 0 ? unit.header : [])
            defer { source.close() }
            summary = try ingestor.read(&source, file: unit.path)
            accounting = ingestor.files[0]
            accounting.fingerprint = known!
        } else {
            var source = try ExportByteSource(path: unit.path, fingerprinting: known == nil)
            defer { source.close() }
            summary = try ingestor.read(&source, file: unit.path)
            accounting = ingestor.files[0]
            let read = source.fingerprint()
            // Fingerprinted beforehand: an export still being written must not be cached under another content's hash.
            if let known, read.bytes != known.bytes {
                throw InputError.changedWhileRead(unit.path, before: known.bytes, now: read.bytes)
            }
            accounting.fingerprint = known ?? read
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
