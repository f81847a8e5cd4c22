import Foundation

/// What the export cache did in one run (run.json; not part of the deterministic report).
public struct ExportCacheStatistics: Sendable, Codable, Equatable {
    /// Exports restored from the cache (a large export read in pieces counts once per piece: see `units`).
    public var reused = 0
    /// Exports read and written to the cache (no entry, or one that could not be used; pieces counted one by one).
    public var read = 0
    /// What the run's exports were read as: whole exports, and the pieces of large ones each counted.
    public var units = 0
    /// Entries found but not usable because a customer they refer to changed its signup date or appeared.
    public var stale = 0
    /// Entries found damaged (checksum or structure): deleted and rebuilt.
    public var corrupt = 0
    /// Entries that could not be written (the run goes on without them).
    public var writeFailures = 0
    /// Exports whose SHA-256 was taken by reading them, and exports whose SHA-256 the fingerprint memo vouched for
    /// (same inode, size and times as when last hashed: `FingerprintMemo`).
    public var hashed = 0, remembered = 0

    public init(reused: Int = 0, read: Int = 0, units: Int = 0, stale: Int = 0, corrupt: Int = 0, writeFailures: Int = 0,
                hashed: Int = 0, remembered: Int = 0) {
        (self.reused, self.read, self.units, self.stale) = (reused, read, units, stale)
        (self.corrupt, self.writeFailures, self.hashed, self.remembered) = (corrupt, writeFailures, hashed, remembered)
    }

    package enum CodingKeys: String, CodingKey {
        case reused, read, units, stale, corrupt, writeFailures = "write_failures", hashed, remembered
    }
}
