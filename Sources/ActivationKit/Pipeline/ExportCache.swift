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

    enum CodingKeys: String, CodingKey {
        case reused, read, units, stale, corrupt, writeFailures = "write_failures", hashed, remembered
    }
}

/// Per-export partial aggregates kept between runs, keyed by the export's content hash, so that a nightly run after
/// a new monthly export re-parses only that export.
///
/// An entry is used only when all of these hold, and is otherwise re-read (never trusted):
/// - the export's bytes are the same: the entry's name is the SHA-256 of the file as stored;
/// - the settings that shape ingest are the same: window, columns, timestamp format and zone, renames and exclusions,
///   de-duplication, the user-to-account mapping's content, the customer table's path, and this very build of the
///   tool (its executable's size and modification time): `settingsKey`, part of the name;
/// - every customer the export's rows were placed against still exists with the same signup date, and every id it
///   rejected as unknown is still unknown (renewals, segments and new customers do not matter);
/// - the file is whole: an XXH64 checksum of its payload is checked before anything is decoded, and decoding checks every
///   bound, so a truncated or altered entry is detected, deleted and rebuilt.
/// Writes go to a temporary name and are renamed into place, so a killed run leaves no half-written entry.
final class ExportCache: @unchecked Sendable {
    typealias Statistics = ExportCacheStatistics

    static let formatVersion: UInt32 = 4
    static let magic = Array("ACTAGG02".utf8)
    /// Bytes of the frame around a payload: magic and length (8 bytes) before it, checksum after it.
    static let headerBytes = magic.count + 8, checksumBytes = 8

    let directory: String
    let settingsKey: String
    /// The exports' SHA-256s as last hashed, so that unchanged exports are not read again to find their entries.
    let memo: FingerprintMemo
    let windowDays: Int
    private let lock = NSLock()
    private(set) var statistics = Statistics()
    private var used = Set<String>()

    /// - Parameter memo: the fingerprint memo of this folder, when the run made it already (`FingerprintBatch`).
    init(directory: String, settingsKey: String, windowDays: Int, memo: FingerprintMemo? = nil) throws {
        self.directory = directory
        self.settingsKey = settingsKey
        self.windowDays = windowDays
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError("cannot create the export cache folder \(directory): \(error.localizedDescription)", kind: .output)
        }
        self.memo = memo ?? FingerprintMemo(directory: directory)
    }

    /// What the cache did, the fingerprint memo included.
    var statisticsWithFingerprints: Statistics {
        var s = statistics
        (s.hashed, s.remembered) = (memo.hashed, memo.remembered)
        return s
    }

    /// The settings key: a SHA-256 of everything besides an export's bytes and the customers that shapes what
    /// reading it gives.
    static func settingsKey(_ configuration: PipelineConfiguration, userAccounts: InputFile?) -> String {
        var text = "format \(formatVersion)\ntool \(ActivationDiscovery.version)\n"
        var st = stat()
        if stat("/proc/self/exe", &st) == 0 { text += "build \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)\n" }
        text += "window \(configuration.windowDays)\ncolumns \(configuration.eventColumns)\n"
        text += "timestamps \(configuration.timestampFormat) zone \(configuration.timeZone.name)\n"
        for target in configuration.naming.renames.keys.sorted() {
            text += "rename \(target) <- \(configuration.naming.renames[target]!.joined(separator: "\u{1F}"))\n"
        }
        text += "exclude \(configuration.naming.excluded.joined(separator: "\u{1F}"))\ndeduplicate \(configuration.deduplicate)\n"
        text += "customers \(configuration.customersPath)\n"
        if let userAccounts {
            text += "user accounts \(userAccounts.path) \(userAccounts.sha256) \(configuration.userAccountColumns)\n"
        }
        var hasher = SHA256()
        hasher.update(Array(text.utf8))
        return hasher.finalize()
    }

    /// Size and SHA-256 of a file as stored, read ahead of parsing to look the cache up.
    static func fingerprint(of path: String) throws -> (bytes: Int, sha256: String) {
        var source = FingerprintingByteSource(try FileByteSource(path: path))
        defer { source.base.close() }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
        defer { buffer.deallocate() }
        while try source.read(into: buffer, capacity: 1 << 20) > 0 {}
        return (source.bytesRead, source.digest())
    }

    /// `<file sha256>-<settings>[-<start>-<end>].agg`: a piece of a large export has its own entry.
    private func entryName(_ sha256: String, _ unit: ExportUnit) -> String {
        "\(sha256)-\(settingsKey.prefix(16))" + (unit.range.map { "-\($0.lowerBound)-\($0.upperBound)" } ?? "") + ".agg"
    }

    private func count(_ change: (inout Statistics) -> Void) {
        lock.lock(); change(&statistics); lock.unlock()
    }

    /// Whether the cache has an entry for the unit (it may still prove stale or damaged): a scheduling hint.
    func holdsEntry(for unit: ExportUnit, fingerprint: (bytes: Int, sha256: String)) -> Bool {
        access(directory + "/" + entryName(fingerprint.sha256, unit), F_OK) == 0
    }

    /// The export's aggregate from the cache, or nil when there is no usable entry.
    func restore(unit: ExportUnit, fingerprint: (bytes: Int, sha256: String), customers: CustomerTable, naming: EventNaming) -> ExportAggregate? {
        let path = unit.path
        let name = entryName(fingerprint.sha256, unit)
        let file = directory + "/" + name
        lock.lock(); used.insert(name); lock.unlock()
        guard let data = FileInput.read(file) else { return nil }
        do {
            let aggregate = try Self.decode(data, path: path, fingerprint: fingerprint, customers: customers,
                                            windowDays: windowDays, naming: naming)
            count { $0.reused += 1 }
            return aggregate
        } catch CacheEntryError.stale {
            count { $0.stale += 1 }
        } catch {
            count { $0.corrupt += 1 }
            unlink(file)
        }
        return nil
    }

    /// Writes an export's aggregate (taken with a known fingerprint) to the cache.
    func store(_ aggregate: ExportAggregate, unit: ExportUnit, customers: CustomerTable) {
        count { $0.read += 1 }
        let name = entryName(aggregate.accounting.sha256, unit)
        let bytes = Self.encode(aggregate, customers: customers)
        let temporary = directory + "/.\(name).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let written = (try? bytes.withUnsafeBytes { try FileOutput.write($0, to: temporary) }) != nil
        if !written || rename(temporary, directory + "/" + name) != 0 {
            unlink(temporary)
            count { $0.writeFailures += 1 }
        }
    }

    /// Deletes the entries this run did not use (other settings, exports no longer read) and the temporary files of
    /// killed runs, so the cache holds one entry per current export.
    func prune() {
        memo.save()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        lock.lock(); let used = self.used; lock.unlock()
        for name in names where (name.hasSuffix(".agg") || name.hasSuffix(".tmp")) && !used.contains(name) {
            unlink(directory + "/" + name)
        }
    }

    // MARK: Encoding

    enum CacheEntryError: Error { case corrupt, stale }

    static func encode(_ a: ExportAggregate, customers: CustomerTable) -> [UInt8] {
        var w = BinaryWriter()
        w.u32(formatVersion)
        let f = a.accounting
        for v in [f.rowsRead, f.used, f.beforeSignup, f.afterWindow, f.excluded, f.duplicates] { w.i64(Int64(v)) }
        let reasons = f.rejected.keys.sorted()
        w.u32(UInt32(reasons.count))
        for r in reasons { w.string(r); w.i64(Int64(f.rejected[r]!)) }
        w.u8(a.latestTimestamp == nil ? 0 : 1); w.i64(a.latestTimestamp ?? 0)
        w.i64(Int64(a.lines)); w.u8(a.endedInsideRecord ? 1 : 0)
        w.u32(UInt32(a.exportNames.count)); for e in a.exportNames { w.string(e.name) }
        w.u32(UInt32(a.behaviourNames.count)); for n in a.behaviourNames { w.string(n) }
        w.u32(UInt32(a.userNames.count)); a.userNames.forEach { w.bytes($0) }
        // Customers by their place in this list, with the signup date the rows were placed against.
        var reference = [Int32](repeating: -1, count: customers.count)
        w.u32(UInt32(a.placedCustomers.count))
        for (k, c) in a.placedCustomers.enumerated() {
            reference[Int(c)] = Int32(k)
            w.string(customers.customers[Int(c)].id); w.i64(Int64(customers.customers[Int(c)].signupDay))
        }
        w.u32(UInt32(a.unknownCustomerIDs.count)); for id in a.unknownCustomerIDs { w.string(id) }
        let counts = a.counts
        w.u32(UInt32(counts.rowCustomers.count)); for c in counts.rowCustomers { w.u32(UInt32(reference[Int(c)])) }
        var laterPairs = [[UInt32]](repeating: [], count: a.behaviourNames.count)
        counts.forEachLater { b, i, v in laterPairs[b].append(UInt32(reference[i / 2]) * 2 + UInt32(i % 2)); laterPairs[b].append(v) }
        var pairs: [UInt32] = []
        for b in a.behaviourNames.indices {
            pairs.removeAll(keepingCapacity: true)
            counts.forEachDaily(behaviour: b) { i, v in pairs.append(UInt32(i)); pairs.append(v) }
            w.u32(UInt32(pairs.count / 2)); w.u32s(pairs)
            w.u32(UInt32(laterPairs[b].count / 2)); w.u32s(laterPairs[b])
        }
        var userKeys: [UInt64] = []
        userKeys.reserveCapacity(counts.userTripleCount)
        counts.forEachUserKey { userKeys.append($0) }
        userKeys.sort()
        w.u32(UInt32(userKeys.count))
        for key in userKeys {
            let (customer, b, u) = CountCells.unpackUserKey(key)
            w.u32(UInt32(reference[customer])); w.u32(UInt32(b)); w.u32(UInt32(u))
        }
        w.u32(UInt32(a.dedupeLog.count))
        for e in a.dedupeLog { w.u64(e.key); w.u32(UInt32(reference[Int(e.customer)])); w.u32(UInt32(e.behaviour)); w.u32(UInt32(e.day)); w.u32(e.count) }
        w.u32(UInt32(a.rejects.count))
        for r in a.rejects { w.i64(Int64(r.line)); w.string(r.column); w.string(r.reason.rawValue); w.string(r.detail); w.string(r.raw) }

        return frame(w.bytes)
    }

    /// An entry's bytes: magic, payload length (8 bytes), payload, XXH64 of the payload (8 bytes; little-endian).
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(headerBytes + payload.count + checksumBytes)
        var length = UInt64(payload.count).littleEndian
        withUnsafeBytes(of: &length) { out += $0 }
        out += payload
        var checksum = payload.withUnsafeBytes { XXHash64.hash($0) }.littleEndian
        withUnsafeBytes(of: &checksum) { out += $0 }
        return out
    }

    static func decode(_ data: [UInt8], path: String, fingerprint: (bytes: Int, sha256: String), customers: CustomerTable,
                       windowDays window: Int, naming: EventNaming) throws -> ExportAggregate {
        // Frame (`frame(_:)`): magic, payload length, payload, XXH64 of the payload.
        guard data.count >= headerBytes + checksumBytes, data[0..<magic.count].elementsEqual(magic) else { throw CacheEntryError.corrupt }
        // Hashed and decoded where it lies (entries are megabytes; a copy of the payload cost as much as the hash).
        let payload = headerBytes..<(data.count - checksumBytes)
        var length = BinaryReader(data, range: magic.count..<headerBytes), checksum = BinaryReader(data, range: payload.upperBound..<data.count)
        guard try length.u64() == UInt64(payload.count),
              try checksum.u64() == data.withUnsafeBytes({ XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[payload])) }) else {
            throw CacheEntryError.corrupt
        }

        var r = BinaryReader(data, range: payload)
        guard try r.u32() == formatVersion else { throw CacheEntryError.corrupt }
        var f = EventFileAccounting(path: path)
        (f.bytes, f.sha256) = fingerprint
        f.rowsRead = try r.int(); f.used = try r.int(); f.beforeSignup = try r.int(); f.afterWindow = try r.int()
        f.excluded = try r.int(); f.duplicates = try r.int()
        for _ in 0..<(try r.count(limit: 64)) { f.rejected[try r.string()] = try r.int() }
        let hasLatest = try r.u8() == 1
        let latest = try r.i64()
        let lines = try r.int(), endedInsideRecord = try r.u8() == 1
        let exportNames = try (0..<r.count()).map { _ in try r.string() }
        let behaviourNames = try (0..<r.count()).map { _ in try r.string() }
        let userNames = try r.strings()
        guard userNames.count < 1 << 24, behaviourNames.count < 1 << 16 else { throw CacheEntryError.corrupt }

        // Every customer the rows were placed against must still be there with the same signup date. Tens of
        // thousands of ids per entry: looked up as bytes in the hot customer index (no String made), each id's
        // entry loaded a few ids ahead of its lookup.
        let placedCount = try r.count()
        var placed: [(id: Range<Int>, signup: Int64)] = []
        placed.reserveCapacity(placedCount)
        for _ in 0..<placedCount { placed.append((try r.span(), try r.i64())) }
        let global = try data.withUnsafeBufferPointer { bytes in
            func id(_ k: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[placed[k].id]) }
            let ahead = 8
            var global = [Int32](repeating: 0, count: placedCount)
            for k in 0..<(placedCount + ahead) {
                if k < placedCount { _ = customers.prefetch(id(k)) }
                let j = k - ahead
                guard j >= 0 else { continue }
                guard let found = customers.locate(id(j)), found.signupSeconds == placed[j].signup &* 86_400 else {
                    throw CacheEntryError.stale
                }
                global[j] = Int32(found.customer)
            }
            return global
        }
        let unknown = try (0..<r.count()).map { _ in try r.string() }
        if unknown.contains(where: { customers.index(of: $0) != nil }) { throw CacheEntryError.stale }
        func customer(_ reference: UInt32) throws -> Int {
            guard Int(reference) < global.count else { throw CacheEntryError.corrupt }
            return Int(global[Int(reference)])
        }

        let counts = ExportAccumulator(customerCount: customers.count, windowDays: window, restoring: true)
        for _ in behaviourNames { counts.addBehaviour() }
        let rows = try r.count()
        for _ in 0..<rows { _ = counts.row(for: try customer(r.u32())) }
        // A customer listed twice makes fewer rows than listed: cells are checked against the rows made.
        let rowsMade = counts.rowCustomers.count
        // The count cells are read in bulk (hundreds of thousands of pairs per entry), then checked and mapped.
        for b in behaviourNames.indices {
            let daily = try r.u32s(2 * r.count())
            var i = 0
            while i < daily.count {
                guard Int(daily[i]) < rowsMade * window else { throw CacheEntryError.corrupt }
                i += 2
            }
            var later = try r.u32s(2 * r.count())
            i = 0
            while i < later.count {
                later[i] = UInt32(try customer(later[i] / 2)) * 2 + later[i] % 2
                i += 2
            }
            counts.restore(behaviour: b, daily: daily, later: later)
        }
        let users = try r.u32s(3 * r.count())
        var userKeys: [UInt64] = []
        userKeys.reserveCapacity(users.count / 3)
        var i = 0
        while i < users.count {
            let c = try customer(users[i]), b = Int(users[i + 1]), u = Int(users[i + 2])
            guard b < behaviourNames.count, u < userNames.count else { throw CacheEntryError.corrupt }
            userKeys.append(CountCells.userKey(customer: c, behaviour: b, user: u))
            i += 3
        }
        counts.restoreUsers(userKeys)
        var dedupeLog: [DedupeEntry] = []
        for _ in 0..<(try r.count()) {
            let key = try r.u64(), c = try customer(r.u32()), b = try r.u32(), day = try r.u32(), n = try r.u32()
            guard Int(b) < behaviourNames.count else { throw CacheEntryError.corrupt }
            dedupeLog.append(DedupeEntry(key: key, customer: Int32(c), behaviour: Int32(b), day: Int32(bitPattern: day), count: n))
        }
        var rejects: [RejectedRow] = []
        for _ in 0..<(try r.count()) {
            let line = try r.int(), column = try r.string(), reasonName = try r.string(), detail = try r.string(), raw = try r.string()
            guard let reason = RejectReason(rawValue: reasonName) else { throw CacheEntryError.corrupt }
            rejects.append(RejectedRow(file: path, line: line, column: column, reason: reason, detail: detail, raw: raw))
        }
        guard r.atEnd else { throw CacheEntryError.corrupt }
        let aggregate = ExportAggregate(
            accounting: f, rejects: rejects, exportNames: exportNames.map { ($0, naming.resolve($0)) },
            behaviourNames: behaviourNames, userNames: userNames, latestTimestamp: hasLatest ? latest : nil, counts: counts,
            dedupeLog: dedupeLog, placedCustomers: global, unknownCustomerIDs: unknown)
        aggregate.lines = lines
        aggregate.endedInsideRecord = endedInsideRecord
        return aggregate
    }
}

/// Little-endian binary output for cache entries.
struct BinaryWriter {
    var bytes: [UInt8] = []
    init() { bytes.reserveCapacity(1 << 16) }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    @inline(__always)
    mutating func u32(_ v: UInt32) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { bytes.append(contentsOf: $0) }
    }
    /// Many values at once (the count cells).
    mutating func u32s(_ values: [UInt32]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in values { u32(v) }
        #endif
    }
    @inline(__always)
    mutating func u64(_ v: UInt64) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { bytes.append(contentsOf: $0) }
    }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func string(_ s: String) { let utf8 = Array(s.utf8); u32(UInt32(utf8.count)); bytes += utf8 }
    /// The same as `string` for bytes that are already UTF-8.
    mutating func bytes(_ b: UnsafeBufferPointer<UInt8>) { u32(UInt32(b.count)); bytes.append(contentsOf: b) }
}

/// Reads what `BinaryWriter` wrote, checking every bound: a damaged entry throws, it never traps.
struct BinaryReader {
    private let bytes: [UInt8]
    private var position: Int
    /// Where the bytes read end (the payload's end inside a framed entry).
    private let end: Int
    /// Reads `bytes[range]` only; `span()` gives positions in `bytes`.
    init(_ bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
    }
    var atEnd: Bool { position == end }

    private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= end - position else { throw ExportCache.CacheEntryError.corrupt }
        defer { position += n }
        return bytes[position..<(position + n)]
    }
    mutating func u8() throws -> UInt8 { try take(1).first! }
    @inline(__always)
    mutating func u32() throws -> UInt32 {
        guard position + 4 <= end else { throw ExportCache.CacheEntryError.corrupt }
        defer { position += 4 }
        return UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }
    /// `n` values at once (the count cells).
    mutating func u32s(_ n: Int) throws -> [UInt32] {
        guard n >= 0, n <= (end - position) / 4 else { throw ExportCache.CacheEntryError.corrupt }
        var values = [UInt32](repeating: 0, count: n)
        values.withUnsafeMutableBytes { target in
            bytes.withUnsafeBytes { source in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + 4 * n)]))
            }
        }
        #if !_endian(little)
        for k in values.indices { values[k] = UInt32(littleEndian: values[k]) }
        #endif
        position += 4 * n
        return values
    }
    mutating func u64() throws -> UInt64 { let low = try u32(); return UInt64(low) | UInt64(try u32()) << 32 }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
    mutating func int() throws -> Int { Int(try i64()) }
    /// An element count, bounded by the bytes left (every element takes at least one byte) or `limit`.
    mutating func count(limit: Int = .max) throws -> Int {
        let n = Int(try u32())
        guard n <= end - position, n <= limit else { throw ExportCache.CacheEntryError.corrupt }
        return n
    }
    /// Where a string's bytes are (for lookups that need no `String`).
    mutating func span() throws -> Range<Int> { try take(Int(try u32())).indices }
    /// A count, then that many strings (as `string()` reads them), kept as bytes.
    mutating func strings() throws -> ByteStrings {
        let n = try count()
        var strings = ByteStrings()
        strings.reserve(strings: n, bytes: min(end - position, 16 * n))
        for _ in 0..<n { strings.append(try take(Int(try u32()))) }
        guard strings.isValidUTF8 else { throw ExportCache.CacheEntryError.corrupt }
        return strings
    }
    mutating func string() throws -> String {
        let n = Int(try u32())
        guard let s = String(validating: try take(n), as: UTF8.self) else { throw ExportCache.CacheEntryError.corrupt }
        return s
    }
}
