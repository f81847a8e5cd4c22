import ActivationCore
import ActivationFastPaths
import ActivationIncremental
import ActivationIngest
import ActivationPipeline
import ActivationReport
import ActivationStatistics
import ActivationTestSupport
import Foundation
import Testing

@Suite("Incremental nightly: the per-export cache", .serialized)
struct ExportCacheTests {
    /// A private copy of a sample set (the tests change files in it).
    static func copySet(_ set: String, into dir: URL) throws -> (customers: String, events: URL) {
        let fm = FileManager.default
        try fm.copyItem(atPath: Repository.path("\(set)/customers.csv"), toPath: dir.appendingPathComponent("customers.csv").path)
        try fm.copyItem(atPath: Repository.path("\(set)/events"), toPath: dir.appendingPathComponent("events").path)
        return (dir.appendingPathComponent("customers.csv").path, dir.appendingPathComponent("events"))
    }

    static func configuration(customers: String, events: URL, out: URL, cache: Bool = true) -> PipelineConfiguration {
        var c = PipelineConfiguration(customersPath: customers, eventPaths: [events.path], outputDirectory: out.path)
        c.cacheExports = cache
        c.rejectBudget = 0.05
        return c
    }

    /// The cache's entries (the folder also holds the fingerprint memo).
    static func entryFiles(_ cache: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasSuffix(".agg") }
    }

    /// Every report file but run.json (timings and cache counts differ from run to run by design).
    static func reports(_ result: PipelineResult, _ dir: URL) throws -> [String: Data] {
        try ReportWriter(runName: "2026-11-23").write(result, to: dir.path)
        let latest = dir.appendingPathComponent("latest")
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: latest.path) where name != "run.json" {
            files[name] = try Data(contentsOf: latest.appendingPathComponent(name))
        }
        return files
    }

    /// The same run without the cache, written elsewhere: what every cached run must reproduce byte for byte.
    static func uncached(_ configuration: PipelineConfiguration, _ dir: URL) throws -> [String: Data] {
        var plain = configuration
        plain.cacheExports = false
        plain.outputDirectory = dir.path
        return try reports(Pipeline.run(plain), dir)
    }

    @Test(arguments: ["SampleData", "SampleData/dirty"])
    func aRunFromTheCacheGivesByteIdenticalReports(set: String) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (customers, events) = try Self.copySet(set, into: dir)
        var configuration = Self.configuration(customers: customers, events: events, out: dir.appendingPathComponent("out"))
        if set.hasSuffix("dirty") {
            configuration.deduplicate = true
            configuration.naming = EventNaming(renames: ["invite_teammate": ["Invite Sent"]])
        }
        let files = try InputPaths.expandEventPaths([events.path]).count
        let first = try Pipeline.run(configuration)
        #expect(first.cacheStatistics?.entries == ExportCacheStatistics(reused: 0, read: files))
        let second = try Pipeline.run(configuration)
        #expect(second.cacheStatistics?.entries == ExportCacheStatistics(reused: files, read: 0))
        let expected = try Self.uncached(configuration, dir.appendingPathComponent("plain"))
        #expect(try Self.reports(first, dir.appendingPathComponent("a")) == expected)
        #expect(try Self.reports(second, dir.appendingPathComponent("b")) == expected)
        #expect(expected["rejects.csv"].map { $0.count > 100 } ?? false)
        if set.hasSuffix("dirty") { #expect(second.eventRowsDuplicate == 150) }
    }

    @Test func addingAMonthlyExportReadsOnlyThatExport() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (customers, events) = try Self.copySet("SampleData", into: dir)
        let all = try InputPaths.expandEventPaths([events.path])
        let held = dir.appendingPathComponent(URL(fileURLWithPath: all.last!).lastPathComponent)
        try FileManager.default.moveItem(atPath: all.last!, toPath: held.path)
        let configuration = Self.configuration(customers: customers, events: events, out: dir.appendingPathComponent("out"))
        #expect(try Pipeline.run(configuration).cacheStatistics?.read == all.count - 1)
        try FileManager.default.moveItem(atPath: held.path, toPath: all.last!)
        let next = try Pipeline.run(configuration)
        #expect(next.cacheStatistics?.entries == ExportCacheStatistics(reused: all.count - 1, read: 1))
        #expect(try Self.reports(next, dir.appendingPathComponent("a")) == Self.uncached(configuration, dir.appendingPathComponent("plain")))
        // A changed export is read again; the old entry is pruned.
        let cache = dir.appendingPathComponent("out/cache")
        #expect(try Self.entryFiles(cache).count == all.count)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: all[3]))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("acct_0001,login,2026-01-01T10:00:00Z,acct_0001-u1,\n".utf8))
        try handle.close()
        let changed = try Pipeline.run(configuration)
        #expect(changed.cacheStatistics?.entries == ExportCacheStatistics(reused: all.count - 1, read: 1))
        #expect(try Self.entryFiles(cache).count == all.count)
        #expect(try Self.reports(changed, dir.appendingPathComponent("b")) == Self.uncached(configuration, dir.appendingPathComponent("plain2")))
    }

    /// Exports the cache cannot give are read first (while the other core restores the cached ones); still, when
    /// two of them are broken, the error is the one a reader going through the files in order meets first.
    @Test func theFirstBrokenExportInOrderIsReportedWhenMostComeFromTheCache() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (customers, events) = try Self.copySet("SampleData", into: dir)
        let all = try InputPaths.expandEventPaths([events.path])
        let configuration = Self.configuration(customers: customers, events: events, out: dir.appendingPathComponent("out"))
        _ = try Pipeline.run(configuration)
        // A changed export (read first), then two broken ones after it.
        let changed = try FileHandle(forWritingTo: URL(fileURLWithPath: all[2]))
        try changed.seekToEnd()
        try changed.write(contentsOf: Data("acct_0001,login,2026-01-01T10:00:00Z,acct_0001-u1,\n".utf8))
        try changed.close()
        for i in [all.count - 8, all.count - 2] {
            let text = try String(contentsOfFile: all[i], encoding: .utf8)
            try text.replacingOccurrences(of: "customer_id,event,", with: "customer_id,evnt,")
                .write(toFile: all[i], atomically: true, encoding: .utf8)
        }
        for _ in 0..<3 {
            #expect {
                try Pipeline.run(configuration)
            } throws: { error in
                let message = (error as? InputError)?.message ?? ""
                return message.hasPrefix(all[all.count - 8] + ":1: missing required column 'event'")
            }
        }
        // Mended (back to the content cached before), everything comes from the cache: the changed export was
        // cached by the failed runs, which read it.
        for i in [all.count - 8, all.count - 2] {
            let text = try String(contentsOfFile: all[i], encoding: .utf8)
            try text.replacingOccurrences(of: "customer_id,evnt,", with: "customer_id,event,")
                .write(toFile: all[i], atomically: true, encoding: .utf8)
        }
        let mended = try Pipeline.run(configuration)
        #expect(mended.cacheStatistics?.entries == ExportCacheStatistics(reused: all.count, read: 0))
    }

    @Test func anyChangeOfReadingSettingsStartsAfresh() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (customers, events) = try Self.copySet("SampleData/dirty", into: dir)
        let base = Self.configuration(customers: customers, events: events, out: dir.appendingPathComponent("out"))
        let files = try InputPaths.expandEventPaths([events.path]).count
        _ = try Pipeline.run(base)
        var changes: [(String, PipelineConfiguration)] = []
        var c = base; c.windowDays = 14; changes.append(("window", c))
        c = base; c.naming.excluded = ["login"]; changes.append(("exclusions", c))
        c = base; c.naming.renames = ["invite_teammate": ["Invite Sent"]]; changes.append(("renames", c))
        c = base; c.deduplicate = true; changes.append(("de-duplication", c))
        c = base; c.eventColumns.userID = "nobody"; changes.append(("columns", c))
        c = base; c.timeZone = try NaiveTimeZone("+05:00"); changes.append(("time zone", c))
        c = base; c.timestampFormat = .epochSeconds; c.rejectBudget = 1; changes.append(("timestamp format", c))
        for (what, changed) in changes {
            let result = try Pipeline.run(changed)
            #expect(result.cacheStatistics?.reused == 0 && result.cacheStatistics?.read == files, "\(what)")
            #expect(try Self.reports(result, dir.appendingPathComponent("r")) == Self.uncached(changed, dir.appendingPathComponent("p")), "\(what)")
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("r"))
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("p"))
        }
        // Each run keeps only the entries it used: back to the base settings, everything is read again once.
        #expect(try Pipeline.run(base).cacheStatistics?.read == files)
        // Renewal labels and segments do not shape ingest: the cache is used.
        var labels = base
        labels.renewalLabels.undecided = ["", "maybe"]
        #expect(try Pipeline.run(labels).cacheStatistics?.reused == files)
    }

    @Test func customersTheRowsWerePlacedAgainstAreChecked() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (customers, events) = try Self.copySet("SampleData/dirty", into: dir)
        let configuration = Self.configuration(customers: customers, events: events, out: dir.appendingPathComponent("out"))
        let files = try InputPaths.expandEventPaths([events.path]).count
        _ = try Pipeline.run(configuration)
        var text = try String(contentsOfFile: customers, encoding: .utf8)
        // A new customer nobody's rows mention, and a changed renewal: every entry still holds.
        text += "acct_8888,2026-01-10,yes,self-serve,1200\n"
        text = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("acct_0005,") else { return String(line) }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[2] = fields[2] == "yes" ? "no" : "yes"
            return fields.joined(separator: ",")
        }.joined(separator: "\n")
        try Data(text.utf8).write(to: URL(fileURLWithPath: customers))
        #expect(try Pipeline.run(configuration).cacheStatistics?.reused == files)
        // The unknown customer of the damaged export now exists: that export is read again.
        try Data((text + "acct_7777,2026-01-01,no,self-serve,1000\n").utf8).write(to: URL(fileURLWithPath: customers))
        let appeared = try Pipeline.run(configuration)
        #expect(appeared.cacheStatistics?.stale == 1 && appeared.cacheStatistics?.reused == files - 1)
        #expect(try Self.reports(appeared, dir.appendingPathComponent("a")) == Self.uncached(configuration, dir.appendingPathComponent("p1")))
        // A signup date moves: every export with rows of that customer is read again, with the new date.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let moved = lines.map { $0.hasPrefix("acct_0010,") ? $0.replacingOccurrences(of: ",20", with: ",19", options: [], range: $0.range(of: ",20")) : String($0) }
        try Data((moved.joined(separator: "\n") + "acct_7777,2026-01-01,no,self-serve,1000\n").utf8).write(to: URL(fileURLWithPath: customers))
        let after = try Pipeline.run(configuration)
        #expect((after.cacheStatistics?.stale ?? 0) >= 1)
        #expect(try Self.reports(after, dir.appendingPathComponent("b")) == Self.uncached(configuration, dir.appendingPathComponent("p2")))
    }

    @Test func aDamagedEntryIsDetectedDeletedAndRebuilt() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (customers, events) = try Self.copySet("SampleData", into: dir)
        let configuration = Self.configuration(customers: customers, events: events, out: dir.appendingPathComponent("out"))
        let files = try InputPaths.expandEventPaths([events.path]).count
        _ = try Pipeline.run(configuration)
        let cache = dir.appendingPathComponent("out/cache")
        let entries = try Self.entryFiles(cache).sorted().map { cache.appendingPathComponent($0) }
        // One flipped bit, a truncation, garbage, an empty file.
        var bytes = try Data(contentsOf: entries[0]); bytes[bytes.count / 2] ^= 0x10; try bytes.write(to: entries[0])
        bytes = try Data(contentsOf: entries[1]); try bytes.prefix(bytes.count - 100).write(to: entries[1])
        try Data(repeating: 0x41, count: 5000).write(to: entries[2])
        try Data().write(to: entries[3])
        let result = try Pipeline.run(configuration)
        #expect(result.cacheStatistics?.entries == ExportCacheStatistics(reused: files - 4, read: 4, corrupt: 4))
        #expect(try Self.reports(result, dir.appendingPathComponent("a")) == Self.uncached(configuration, dir.appendingPathComponent("p")))
        #expect(try Pipeline.run(configuration).cacheStatistics?.reused == files)
    }

    /// User-level exports mapped to accounts by a user-to-account file: the cache is used when nothing changed, and
    /// a changed mapping starts it afresh (its content is part of the settings key). Mapping every user to the
    /// account named in the export gives exactly the features of reading the account column.
    @Test func userLevelExportsUseTheMappingsContentInTheKey() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (customers, events) = try Self.copySet("SampleData", into: dir)
        var mapping = "user_id,account_id\n"
        var seen = Set<Substring>()
        for file in try InputPaths.expandEventPaths([events.path]) {
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                if seen.insert(f[3]).inserted { mapping += "\(f[3]),\(f[0])\n" }
            }
        }
        let mappingFile = dir.appendingPathComponent("users.csv")
        try Data(mapping.utf8).write(to: mappingFile)
        var configuration = Self.configuration(customers: customers, events: events, out: dir.appendingPathComponent("out"))
        let byAccount = try Pipeline.run(configuration)
        configuration.userAccountsPath = mappingFile.path
        let files = try InputPaths.expandEventPaths([events.path]).count
        let first = try Pipeline.run(configuration)
        #expect(first.cacheStatistics?.read == files)
        #expect(DataFiles.features(first.features) == DataFiles.features(byAccount.features))
        #expect(try Pipeline.run(configuration).cacheStatistics?.reused == files)
        // One user moved to another account: every export is read again, and the result is the uncached one.
        let moved = mapping.replacingOccurrences(of: "acct_0527-u1,acct_0527", with: "acct_0527-u1,acct_0528")
        #expect(moved != mapping)
        try Data(moved.utf8).write(to: mappingFile)
        let changed = try Pipeline.run(configuration)
        #expect(changed.cacheStatistics?.entries == ExportCacheStatistics(reused: 0, read: files))
        #expect(try Self.reports(changed, dir.appendingPathComponent("a")) == Self.uncached(configuration, dir.appendingPathComponent("p")))
    }

    /// An export that grows between its fingerprint and its read (still being written) stops the run instead of
    /// being cached under the hash of other content.
    @Test func anExportChangingWhileReadIsNotCachedUnderTheWrongHash() throws {
        var source = try ExportByteSource(path: Repository.path("SampleData/customers.csv"))
        let table = try CustomerTableReader().read(&source, file: "customers.csv").table
        let file = Repository.path("SampleData/events/events-2025-06.csv")
        let print = try FileFingerprint.reading(file)
        #expect(throws: InputError.self) {
            try ExportAggregate.read(file, customers: table, windowDays: 30, columns: EventColumns(), options: EventReadingOptions(),
                                     fingerprint: FileFingerprint(bytes: print.bytes - 10, sha256: print.sha256))
        }
        let read = try ExportAggregate.read(file, customers: table, windowDays: 30, columns: EventColumns(), options: EventReadingOptions(),
                                            fingerprint: print)
        #expect(read.accounting.sha256 == print.sha256 && read.accounting.bytes == print.bytes)
    }

    /// A large export read in pieces on both cores: each piece is its own cache entry, and the reports are the
    /// same as reading the export whole, with or without the cache.
    @Test func piecesOfALargeExportAreCachedOneByOne() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (customers, events) = try Self.copySet("SampleData", into: dir)
        // All months in one export, one header.
        var text = ""
        for (k, file) in try InputPaths.expandEventPaths([events.path]).enumerated() {
            let body = try String(contentsOfFile: file, encoding: .utf8)
            text += k == 0 ? body : String(body.drop { $0 != "\n" }.dropFirst())
            try FileManager.default.removeItem(atPath: file)
        }
        try Data(text.utf8).write(to: events.appendingPathComponent("all.csv"))
        var configuration = Self.configuration(customers: customers, events: events, out: dir.appendingPathComponent("out"))
        configuration.pieceBytes = 400_000
        let first = try Pipeline.run(configuration)
        let pieces = first.cacheStatistics?.read ?? 0
        #expect(pieces >= 10)
        let second = try Pipeline.run(configuration)
        #expect(second.cacheStatistics?.entries == ExportCacheStatistics(reused: pieces, read: 0))
        #expect(first.cacheStatistics?.units == pieces && second.cacheStatistics?.units == pieces)
        #expect(second.eventFiles.count == 1 && second.eventRowsRead > 130_000)
        var whole = configuration
        whole.pieceBytes = 1 << 40
        let expected = try Self.uncached(whole, dir.appendingPathComponent("plain"))
        #expect(try Self.reports(first, dir.appendingPathComponent("a")) == expected)
        #expect(try Self.reports(second, dir.appendingPathComponent("b")) == expected)
    }

    /// Entries whose checksum is right but whose structure is damaged (what a bug or a crafted file could give)
    /// are refused by the decoder's bound checks, never trusted blindly and never a crash.
    @Test func structurallyDamagedEntriesWithAValidChecksumAreRefused() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var source = try ExportByteSource(path: Repository.path("SampleData/dirty/customers.csv"))
        let table = try CustomerTableReader().read(&source, file: "customers.csv").table
        let file = Repository.path("SampleData/dirty/events/events-a.csv")
        var options = EventReadingOptions()
        options.deduplicate = true
        let aggregate = try ExportAggregate.read(file, customers: table, windowDays: 30, columns: EventColumns(), options: options)
        let encoded = ExportCache.encode(aggregate, customers: table)
        let print = aggregate.accounting.fingerprint
        let restored = try ExportCache.decode(encoded, path: file, fingerprint: print, customers: table, windowDays: 30, naming: EventNaming())
        #expect(restored.accounting == aggregate.accounting && restored.rejects == aggregate.rejects)
        #expect(restored.dedupeLog == aggregate.dedupeLog && restored.behaviourNames == aggregate.behaviourNames)
        let payload = Array(encoded[ExportCache.headerBytes..<(encoded.count - ExportCache.checksumBytes)])
        #expect(ExportCache.frame(payload) == encoded)
        // A damaged length field, up to the largest: refused, never an overflow.
        for length in [UInt64.max, UInt64.max - 20, UInt64(payload.count) + 1, 0] {
            var framed = encoded
            for k in 0..<8 { framed[ExportCache.magic.count + k] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(k))) }
            #expect(throws: (any Error).self) {
                try ExportCache.decode(framed, path: file, fingerprint: print, customers: table, windowDays: 30, naming: EventNaming())
            }
        }
        var rng = SplitMix64(seed: 7)
        var refused = 0
        for _ in 0..<400 {
            var damaged = payload
            switch rng.next() % 3 {
            case 0: damaged[Int(rng.next() % UInt64(damaged.count))] ^= UInt8(1 << (rng.next() % 8))
            case 1: damaged.removeLast(Int(rng.next() % UInt64(min(200, damaged.count))) + 1)
            default: damaged.insert(UInt8(rng.next() % 256), at: Int(rng.next() % UInt64(damaged.count)))
            }
            if (try? ExportCache.decode(ExportCache.frame(damaged), path: file, fingerprint: print, customers: table, windowDays: 30, naming: EventNaming())) == nil {
                refused += 1
            }
        }
        // Most damage is refused; the rest decodes to some aggregate (a flipped count digit is still a count).
        #expect(refused > 200)
    }
}

extension ExportCacheStatistics {
    /// The entry counts alone: how many exports were hashed or vouched for by the fingerprint memo depends on how
    /// long ago the test wrote its files (`FingerprintMemo.settleSeconds`), and is tested apart (as are `units`).
    var entries: ExportCacheStatistics {
        var s = self
        (s.hashed, s.remembered, s.units) = (0, 0, 0)
        return s
    }
}

@Suite("Fingerprint memo: unchanged exports are not re-hashed")
struct FingerprintMemoTests {
    /// A fresh memo over `dir` (no settling margin unless given) fingerprints `file` and saves: the SHA-256, and
    /// whether it was hashed (1, 0) or remembered (0, 1).
    static func fingerprint(_ file: String, in dir: URL, settleSeconds: Int64 = 0) throws -> (sha256: String, hashed: Int, remembered: Int) {
        let memo = FingerprintMemo(directory: dir.path, settleSeconds: settleSeconds)
        let print = try memo.fingerprint(of: file)
        memo.save()
        return (print.sha256, memo.hashed, memo.remembered)
    }

    /// A temporary folder holding `events.csv` with `text`.
    static func export(_ text: String) throws -> (dir: URL, file: String) {
        let dir = temporaryDirectory()
        let file = dir.appendingPathComponent("events.csv").path
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        return (dir, file)
    }

    @Test func anUnchangedFileIsRememberedAndAnyChangeIsHashedAgain() throws {
        let (dir, file) = try Self.export("customer_id,event,timestamp\nc1,login,2025-01-01T00:00:00Z\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let truth = try FileFingerprint.reading(file)

        // No settling margin here (the margin's rule is checked below): the second memo vouches for the file.
        #expect(try Self.fingerprint(file, in: dir) == (truth.sha256, 1, 0))
        #expect(try Self.fingerprint(file, in: dir) == (truth.sha256, 0, 1))

        // Same size, modification time set back: the status-change time still moves, so it is hashed again.
        let modified = try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as! Date
        try "customer_id,event,timestamp\nc2,login,2025-01-01T00:00:00Z\n".write(toFile: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file)
        let changed = try FileFingerprint.reading(file)
        #expect(changed.bytes == truth.bytes && changed.sha256 != truth.sha256)
        #expect(try Self.fingerprint(file, in: dir) == (changed.sha256, 1, 0))
    }

    @Test func filesChangedShortlyBeforeHashingAreNotVouchedFor() throws {
        // A file whose times are within the margin of the moment it was hashed could have changed again in the
        // same clock tick: never vouched for, whatever the memo says.
        let second: Int64 = 1_000_000_000
        let hashedAt: Int64 = 1_800_000_000 * second
        func identity(modified: Int64, changed: Int64) -> FileIdentity {
            .init(device: 1, inode: 2, size: 3, modified: modified, changed: changed)
        }
        #expect(FingerprintMemo.settled(identity(modified: hashedAt - 3 * second, changed: hashedAt - 3 * second), at: hashedAt, margin: 2))
        #expect(!FingerprintMemo.settled(identity(modified: hashedAt - 3 * second, changed: hashedAt - second), at: hashedAt, margin: 2))
        #expect(!FingerprintMemo.settled(identity(modified: hashedAt - second, changed: hashedAt - 3 * second), at: hashedAt, margin: 2))
        #expect(!FingerprintMemo.settled(identity(modified: hashedAt + second, changed: hashedAt + second), at: hashedAt, margin: 2))

        // And in use: a file written just now is hashed on every run until it has settled.
        let (dir, file) = try Self.export("customer_id,event,timestamp\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sha256 = try FileFingerprint.reading(file).sha256
        #expect(try Self.fingerprint(file, in: dir, settleSeconds: 2) == (sha256, 1, 0))
        #expect(try Self.fingerprint(file, in: dir, settleSeconds: 2) == (sha256, 1, 0))
    }

    @Test func aDamagedMemoIsIgnoredAndRewritten() throws {
        let (dir, file) = try Self.export("customer_id,event,timestamp\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let truth = try FileFingerprint.reading(file)
        #expect(try Self.fingerprint(file, in: dir) == (truth.sha256, 1, 0))
        // Change one character of the remembered SHA-256: the memo's checksum no longer matches.
        let memoPath = dir.appendingPathComponent(FingerprintMemo.fileName).path
        var text = try String(contentsOfFile: memoPath, encoding: .utf8)
        let digit = text.range(of: truth.sha256)!.lowerBound
        text.replaceSubrange(digit...digit, with: text[digit] == "0" ? "1" : "0")
        try text.write(toFile: memoPath, atomically: false, encoding: .utf8)
        #expect(try Self.fingerprint(file, in: dir) == (truth.sha256, 1, 0))
        #expect(try Self.fingerprint(file, in: dir) == (truth.sha256, 0, 1))
    }
}

@Suite("Fingerprints taken while the customer table is read")
struct FingerprintBatchTests {
    /// Files of several sizes, one missing and one gzip: every wanted fingerprint is the file's own, by index, and a
    /// file that cannot be read gives its error there, whether the helper thread or the caller took it.
    @Test func theBatchGivesEachFilesFingerprintOrItsError() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for k in 0..<12 {
            let path = dir.appendingPathComponent("events-\(k).csv").path
            let rows = (0..<(k * 500)).map { "c\($0),login,2025-01-01T00:00:00Z" }.joined(separator: "\n")
            try ("customer_id,event,timestamp\n" + rows).write(toFile: path, atomically: false, encoding: .utf8)
            paths.append(path)
        }
        paths.insert(dir.appendingPathComponent("missing.csv").path, at: 5)
        for memo in [nil, FingerprintMemo(directory: dir.path, settleSeconds: 0)] {
            let wanted = Array(paths.indices.reversed())
            let batch = FingerprintBatch(paths: paths, wanted: wanted, memo: memo)
            let prints = batch.finish()
            #expect(Set(prints.keys) == Set(wanted))
            for i in paths.indices {
                if i == 5 {
                    #expect(throws: (any Error).self) { try prints[i]!.get() }
                } else {
                    let truth = try FileFingerprint.reading(paths[i])
                    let print = try prints[i]!.get()
                    #expect(print.bytes == truth.bytes && print.sha256 == truth.sha256)
                }
            }
            batch.cancel()  // after finish: nothing left to wait for
            #expect(batch.finish().count == wanted.count)
        }
        // Cancelled at once: returns, and whatever was taken is right.
        let cancelled = FingerprintBatch(paths: paths, wanted: Array(paths.indices), memo: nil)
        cancelled.cancel()
    }

    /// Without the cache only the plain exports that will be read in pieces are fingerprinted ahead; with it, all.
    @Test func theWantedExportsFollowTheCacheAndThePieceSize() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let small = dir.appendingPathComponent("small.csv").path, large = dir.appendingPathComponent("large.csv").path
        let gz = dir.appendingPathComponent("large.csv.gz").path
        try String(repeating: "x", count: 100).write(toFile: small, atomically: false, encoding: .utf8)
        try String(repeating: "x", count: 5_000).write(toFile: large, atomically: false, encoding: .utf8)
        try String(repeating: "x", count: 5_000).write(toFile: gz, atomically: false, encoding: .utf8)
        let paths = [small, large, gz, dir.appendingPathComponent("missing.csv").path]
        #expect(FingerprintBatch.wanted(paths, cache: true, pieceBytes: 1_000) == [0, 1, 2, 3])
        #expect(FingerprintBatch.wanted(paths, cache: false, pieceBytes: 1_000) == [1])
        #expect(FingerprintBatch.wanted(paths, cache: false, pieceBytes: 0) == [])
        #expect(FingerprintBatch.wanted(paths, cache: false, pieceBytes: 3_000) == [])
    }
}
