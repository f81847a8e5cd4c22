import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import ActivationIngest
import Foundation

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
package final class ExportCache: @unchecked Sendable {
    package typealias Statistics = ExportCacheStatistics

    package static let formatVersion: UInt32 = 4
    package static let magic = Array("ACTAGG02".utf8)
    /// Bytes of the frame around a payload: magic and length (8 bytes) before it, checksum after it.
    package static let headerBytes = magic.count + 8, checksumBytes = 8

    package let directory: String
    package let settingsKey: String
    /// The exports' SHA-256s as last hashed, so that unchanged exports are not read again to find their entries.
    package let memo: FingerprintMemo
    package let windowDays: Int
    private let lock = NSLock()
    package private(set) var statistics = Statistics()
    private var used = Set<String>()

    /// - Parameter memo: the fingerprint memo of this folder, when the run made it already (`FingerprintBatch`).
    package init(directory: String, settingsKey: String, windowDays: Int, memo: FingerprintMemo? = nil) throws {
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
    package var statisticsWithFingerprints: Statistics {
        var s = statistics
        (s.hashed, s.remembered) = (memo.hashed, memo.remembered)
        return s
    }

    /// The settings key: a SHA-256 of everything besides an export's bytes and the customers that shapes what
    /// reading it gives.
    package static func settingsKey(_ definition: FeatureDefinition, customersPath: String, userAccounts: InputFile?,
                            userAccountColumns: UserAccountColumns) -> String {
        var text = "format \(formatVersion)\ntool \(ActivationDiscovery.version)\n"
        var st = stat()
        if stat("/proc/self/exe", &st) == 0 { text += "build \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)\n" }
        text += "window \(definition.windowDays)\ncolumns \(definition.eventColumns)\n"
        text += "timestamps \(definition.timestampFormat) zone \(definition.timeZone.name)\n"
        for target in definition.naming.renames.keys.sorted() {
            text += "rename \(target) <- \(definition.naming.renames[target]!.joined(separator: "\u{1F}"))\n"
        }
        text += "exclude \(definition.naming.excluded.joined(separator: "\u{1F}"))\ndeduplicate \(definition.deduplicate)\n"
        text += "customers \(customersPath)\n"
        if let userAccounts {
            text += "user accounts \(userAccounts.path) \(userAccounts.sha256) \(userAccountColumns)\n"
        }
        var hasher = SHA256()
        hasher.update(Array(text.utf8))
        return hasher.finalize()
    }

    /// `<file sha256>-<settings>[-<start>-<end>].agg`: a piece of a large export has its own entry.
    private func entryName(_ sha256: String, _ unit: ExportUnit) -> String {
        "\(sha256)-\(settingsKey.prefix(16))" + (unit.range.map { "-\($0.lowerBound)-\($0.upperBound)" } ?? "") + ".agg"
    }

    private func count(_ change: (inout Statistics) -> Void) {
        lock.lock(); change(&statistics); lock.unlock()
    }

    /// Whether the cache has an entry for the unit (it may still prove stale or damaged): a scheduling hint.
    package func holdsEntry(for unit: ExportUnit, fingerprint: FileFingerprint) -> Bool {
        access(directory + "/" + entryName(fingerprint.sha256, unit), F_OK) == 0
    }

    /// The export's aggregate from the cache, or nil when there is no usable entry.
    package func restore(unit: ExportUnit, fingerprint: FileFingerprint, customers: CustomerTable, naming: EventNaming) -> ExportAggregate? {
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
    package func store(_ aggregate: ExportAggregate, unit: ExportUnit, customers: CustomerTable) {
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
    package func prune() {
        memo.save()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        lock.lock(); let used = self.used; lock.unlock()
        for name in names where (name.hasSuffix(".agg") || name.hasSuffix(".tmp")) && !used.contains(name) {
            unlink(directory + "/" + name)
        }
    }

    // MARK: Encoding

    package enum CacheEntryError: Error { case corrupt, stale }

    package static func encode(_ a: ExportAggregate, customers: CustomerTable) -> [UInt8] {
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
        let (rows, dailyCells) = counts.dailyRows()
        w.u32(UInt32(rows.count)); for c in rows { w.u32(UInt32(reference[Int(c)])) }
        var laterPairs = [[UInt32]](repeating: [], count: a.behaviourNames.count)
        counts.forEachLater { b, i, v in laterPairs[b].append(UInt32(reference[i / 2]) * 2 + UInt32(i % 2)); laterPairs[b].append(v) }
        for b in a.behaviourNames.indices {
            let pairs = b < dailyCells.count ? dailyCells[b] : []
            w.u32(UInt32(pairs.count / 2)); w.u32s(pairs)
            w.u32(UInt32(laterPairs[b].count / 2)); w.u32s(laterPairs[b])
        }
        var userKeys: [UInt64] = []
        userKeys.reserveCapacity(counts.userTripleCount)
        counts.forEachUserKey { userKeys.append($0) }
        userKeys.sort()
        w.u32(UInt32(userKeys.count))
        for key in userKeys {
            let (customer, b, u) = CountCells.unpackUserKey(key, customers: counts.customerCount)
            w.u32(UInt32(reference[customer])); w.u32(UInt32(b)); w.u32(UInt32(u))
        }
        w.u32(UInt32(a.dedupeLog.count))
        for e in a.dedupeLog { w.u64(e.key); w.u32(UInt32(reference[Int(e.customer)])); w.u32(UInt32(e.behaviour)); w.u32(UInt32(e.day)); w.u32(e.count) }
        w.u32(UInt32(a.rejects.count))
        for r in a.rejects { w.i64(Int64(r.line)); w.string(r.column); w.string(r.reason.rawValue); w.string(r.detail); w.string(r.raw) }

        return frame(w.bytes)
    }

    /// An entry's bytes: magic, payload length (8 bytes), payload, XXH64 of the payload (8 bytes; little-endian).
    package static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(headerBytes + payload.count + checksumBytes)
        var length = UInt64(payload.count).littleEndian
        withUnsafeBytes(of: &length) { out += $0 }
        out += payload
        var checksum = payload.withUnsafeBytes { XXHash64.hash($0) }.littleEndian
        withUnsafeBytes(of: &checksum) { out += $0 }
        return out
    }

    package static func decode(_ data: [UInt8], path: String, fingerprint: FileFingerprint, customers: CustomerTable,
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
        f.fingerprint = fingerprint
        f.rowsRead = try r.int(); f.used = try r.int(); f.beforeSignup = try r.int(); f.afterWindow = try r.int()
        f.excluded = try r.int(); f.duplicates = try r.int()
        for _ in 0..<(try r.count(limit: 64)) { f.rejected[try r.string()] = try r.int() }
        let hasLatest = try r.u8() == 1
        let latest = try r.i64()
        let lines = try r.int(), endedInsideRecord = try r.u8() == 1
        let exportNames = try (0..<r.count()).map { _ in try r.string() }
        let behaviourNames = try (0..<r.count()).map { _ in try r.string() }
        let userNames = try r.strings()
        guard userNames.count < CountCells.maximumUsers, behaviourNames.count < 1 << 16 else { throw CacheEntryError.corrupt }

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
                if k < placedCount { customers.prefetch(id(k)) }
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
            userKeys.append(CountCells.userKey(customer: c, behaviour: b, user: u, customers: customers.count))
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
