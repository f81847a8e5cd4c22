import ActivationAnalysis
import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import ActivationPipeline
import Foundation
import Glibc

/// The report memo: what a run's analysis gave, kept in the export cache folder (`<out>/cache/report-memo`) so that
/// the next run on the same data skips the analysis and the writing of the large feature files.
///
/// Everything the reports hold is a function of the prepared run (`PreparedRun`: inputs read, feature table, row
/// accounting, rejects, evidence), the configuration and this build of the tool, except two things: the part of
/// the report that compares with the previous run ("what changed since the last run"), and run.json's timings and
/// cache counts. The memo's key is a SHA-256 of all of the first (`key(_:)`: the feature table's arrays and every
/// customer's fields byte by byte, not a list of input fingerprints, so whatever changed the table or anything the
/// report prints from the run changes the key; the clock matters only through what it rejected, which is in it).
/// It holds the rendered files (without the part that compares), the run's summary, and a digest of each feature
/// file; a run with the same key renders the comparison and run.json again and takes the rest from the memo, and
/// hard-links the feature files from the previous `latest/` when their bytes still have the recorded digest
/// (otherwise writes them again). Memory: the memo holds a few rendered files, never per-event data.
package struct ReportMemo: Codable, Equatable {
    package static let fileName = "report-memo"
    /// Bumped whenever what the memo holds or how the key is made changes.
    package static let formatVersion = 2

    package var format = ReportMemo.formatVersion
    package var key: String
    /// The Markdown report before and after "what changed since the last run".
    package var markdownBefore: String
    package var markdownAfter: String
    package var summary: RunSummary
    package var proposal: String?
    package var strength: String?
    /// The charts, in the order the report writes them.
    package var charts: [NamedText]
    /// Other files whose bytes depend only on the key (at_risk.csv, behaviours.csv, thresholds.csv, drivers.csv).
    package var files: [NamedText]
    /// `first_window_daily.csv` and `features.csv`: size and digest (`BlockDigest`) of the bytes written.
    package var featureFiles: [FileDigest]
    /// What a run with the same inputs byte for byte (by their fingerprints) needs to write the reports without
    /// reading any export (`Inputs`); nil when the run that made the memo could not record it.
    package var inputs: Inputs? = nil

    /// The memo's second key, checked before anything is read: this build, the configuration (without a test's
    /// fixed clock), the customer table's and the user mapping's size and SHA-256, and every export's path, size
    /// and SHA-256 in order, as the export cache's fingerprint memo vouches for them. The clock matters only through
    /// rows rejected as stamped after it: with none (`rejectedAsLater` 0) a later clock rejects none either; with some,
    /// only the same latest moment does. With this key equal, `Pipeline.prepare` would read the same bytes and build
    /// the same prepared run, so its reports are the memo's: everything it writes besides the comparison with the
    /// previous run and run.json's timings and cache counts is kept here or linked from `latest/`.
    package struct Inputs: Codable, Equatable {
        package var key: String
        package var latestAllowed: Int64
        /// Event rows and customers rejected for being stamped after `latestAllowed`.
        package var rejectedAsLater: Int
        package var customers: DataFiles.RunRecord.Customers
        package var userAccounts: DataFiles.RunRecord.UserAccounts?
        package var eventFiles: [EventFileAccounting]
        package var behaviours: Int
        package var evidence: Evidence
        /// The command line's summary up to the report's path (`NightlyRun.summaryHead`).
        package var summaryHead: String
        /// `rejects.csv` as written (linked from `latest/` when its bytes still have this digest).
        package var rejects: FileDigest

        /// Whether a run whose latest allowed moment is `latestAllowed` would reject the same rows as the memo's run.
        package func clockAllows(_ latestAllowed: Int64) -> Bool {
            rejectedAsLater == 0 ? latestAllowed >= self.latestAllowed : latestAllowed == self.latestAllowed
        }
    }

    /// The inputs' key (`Inputs`).
    package static func inputKey(configuration: PipelineConfiguration, customers: InputFile, userAccounts: InputFile?,
                                 exports: [InputFile], build: String = ReportMemo.build) -> String {
        var k = KeyHasher()
        k.text("activation input memo \(formatVersion)")
        k.text(build)
        var settings = configuration
        settings.clockSeconds = nil
        k.text(StableDescription.of(settings))
        k.text(StableDescription.of(customers))
        k.text(StableDescription.of(userAccounts as Any))
        k.int(exports.count)
        for e in exports { k.text(e.path); k.int(e.bytes); k.text(e.sha256) }
        return k.finalize()
    }

    package struct NamedText: Codable, Equatable {
        package var name: String
        package var text: String
    }

    package struct FileDigest: Codable, Equatable {
        package var name: String
        package var bytes: Int
        package var digest: String
    }

    /// The memo in `<out>/cache/`, or nil when there is none or it is damaged, of another format, or of another key.
    package static func load(cacheDirectory: String, key: String) -> ReportMemo? {
        guard let memo = load(cacheDirectory: cacheDirectory), memo.key == key else { return nil }
        return memo
    }

    /// The memo in `<out>/cache/` whatever its key, or nil when there is none or it is damaged or of another format.
    package static func load(cacheDirectory: String) -> ReportMemo? {
        guard let data = FileInput.read(cacheDirectory + "/" + fileName), data.count > 72 else { return nil }
        // Framed as JSON, a line break and the SHA-256 of the JSON (hex) and a line break.
        let body = data.prefix(data.count - 66)
        guard data[data.count - 66] == 0x0A, data.last == 0x0A else { return nil }
        var hasher = SHA256()
        hasher.update(Array(body))
        guard Array(hasher.finalize().utf8) == Array(data[(data.count - 65)..<(data.count - 1)]),
              let memo = try? JSONDecoder().decode(ReportMemo.self, from: Data(body)),
              memo.format == formatVersion else { return nil }
        return memo
    }

    /// Writes the memo through a temporary file (a failure only costs the memo).
    package func save(cacheDirectory: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard (try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)) != nil,
              let json = try? encoder.encode(self) else { return }
        var bytes = Array(json)
        var hasher = SHA256()
        hasher.update(bytes)
        bytes.append(0x0A)
        bytes += Array(hasher.finalize().utf8)
        bytes.append(0x0A)
        let path = cacheDirectory + "/" + Self.fileName
        let temporary = path + ".\(getpid()).tmp"
        unlink(temporary)
        let written = (try? bytes.withUnsafeBytes { try FileOutput.write($0, to: temporary) }) != nil
        if !written || rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// Deletes the memo (a run whose key could not be made or whose analysis is not memoised).
    package static func remove(cacheDirectory: String) {
        unlink(cacheDirectory + "/" + fileName)
    }

    // MARK: The key

    /// This build of the tool: its version, and its executable's size and modification time (as the export cache's
    /// settings key), so that a rebuilt binary never takes a memo of another build's analysis.
    package static let build: String = {
        var text = "version \(ActivationDiscovery.version)"
        var st = stat()
        if stat("/proc/self/exe", &st) == 0 { text += " build \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)" }
        return text
    }()

    /// The SHA-256 of everything the reports hold besides the comparison with the previous run and run.json's
    /// timings and cache counts: this build of the tool, the configuration, the customer table as read, the inputs'
    /// sizes and SHA-256, the row accounting, every rejected row, the export names, the feature table (every array of
    /// every behaviour, byte for byte), the data's end and the evidence counts. The fitted table is a function of the
    /// feature table, the window and the data's end, all in the key.
    package static func key(_ run: PreparedRun, build: String = ReportMemo.build) -> String {
        var k = KeyHasher()
        k.text("activation report memo \(formatVersion)")
        k.text(build)
        k.text(StableDescription.of(run.configuration))
        k.text(StableDescription.of(run.customerFile))
        k.text(StableDescription.of(run.userAccountsFile as Any))
        k.int(run.customers.rowsRead); k.int(run.customers.identicalDuplicates); k.int(run.customers.table.count)
        k.text(StableDescription.of(run.customers.fieldWarnings))
        k.text(StableDescription.of(run.customers.firstFieldWarning as Any))
        if let map = run.userAccounts {
            k.text("user accounts \(map.file) \(map.userColumn)"); k.int(map.rowsRead); k.int(map.userCount)
            k.int(map.identicalDuplicates); k.int(map.rejects.count)
        }
        k.customers(run.customers.table.customers)
        k.text(StableDescription.of(run.eventFiles))
        k.text(StableDescription.of(run.exportNames))
        k.int(run.rejects.count)
        for r in run.rejects {
            k.text(r.file); k.int(r.line); k.text(r.column); k.text(r.reason.rawValue); k.text(r.detail); k.text(r.raw)
        }
        k.features(run.features)
        k.int(run.dataEndDay)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        k.text((try? encoder.encode(run.evidence)).map { String(decoding: $0, as: UTF8.self) } ?? "no evidence")
        return k.finalize()
    }

    /// A SHA-256 fed with length-prefixed values (no two sequences of values give the same bytes). Small values are
    /// gathered in a buffer and hashed a megabyte at a time (one digest call per value cost more than the hashing).
    package struct KeyHasher {
        private var hasher = SHA256()
        private var buffer: [UInt8] = []

        package init() { buffer.reserveCapacity(1 << 20 + 4096) }

        private mutating func flush() {
            buffer.withUnsafeBufferPointer { hasher.update($0) }
            buffer.removeAll(keepingCapacity: true)
        }

        package mutating func int(_ v: Int) {
            withUnsafeBytes(of: Int64(v).littleEndian) { buffer.append(contentsOf: $0) }
        }

        package mutating func text(_ s: String) {
            var s = s
            s.withUTF8 { int($0.count); buffer.append(contentsOf: $0) }
            if buffer.count >= 1 << 20 { flush() }
        }

        package mutating func array<T: BitwiseCopyable>(_ values: [T]) {
            int(values.count); int(MemoryLayout<T>.stride)
            flush()
            values.withUnsafeBytes { hasher.update($0.bindMemory(to: UInt8.self)) }
        }

        package mutating func customers(_ customers: [Customer]) {
            int(customers.count)
            for c in customers {
                text(c.id); int(c.signupDay); text(c.outcome.rawValue); text(c.segment)
                if let acv = c.acv { int(1); int(Int(bitPattern: UInt(acv.bitPattern))) } else { int(0) }
            }
        }

        /// Every stored property of the table, its behaviours, their daily counts and distinct users (the memo's
        /// test checks that these are all the stored properties there are).
        package mutating func features(_ table: FeatureTable) {
            int(table.windowDays); int(table.hasUserColumn ? 1 : 0); int(table.followUpHorizon); int(table.hasFollowUp ? 1 : 0)
            customers(table.customers)
            int(table.behaviours.count)
            for b in table.behaviours {
                text(b.name); int(b.customerCount); int(b.followUpHorizon)
                int(b.daily.windowDays); array(b.daily.doers); array(b.daily.cellStart); array(b.daily.days); array(b.daily.events)
                array(b.doerCounts)
                if let users = b.distinctUsers { int(1); array(users.customers); array(users.values) } else { int(0) }
                array(b.laterCustomers); array(b.laterWithin); array(b.laterAfter)
            }
        }

        package mutating func finalize() -> String { flush(); return hasher.finalize() }
    }
}

/// A description of a value that is the same in every process: every stored property by name (`Mirror`),
/// dictionaries and sets in sorted order (their iteration order changes from process to process).
package enum StableDescription {
    package static func of(_ value: Any) -> String {
        var out = ""
        describe(value, into: &out)
        return out
    }

    private static func describe(_ value: Any, into out: inout String) {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .dictionary?:
            let entries = mirror.children.map { entry -> String in
                let pair = Array(Mirror(reflecting: entry.value).children)
                var text = ""
                if pair.count == 2 { describe(pair[0].value, into: &text); text += ": "; describe(pair[1].value, into: &text) }
                return text
            }.sorted()
            out += "[" + entries.joined(separator: ", ") + "]"
        case .set?:
            out += "{" + mirror.children.map { of($0.value) }.sorted().joined(separator: ", ") + "}"
        case .optional?:
            if let some = mirror.children.first { out += "some("; describe(some.value, into: &out); out += ")" } else { out += "nil" }
        default:
            if mirror.children.isEmpty {
                out += String(reflecting: value)
                return
            }
            out += "\(type(of: value))("
            for (i, child) in mirror.children.enumerated() {
                if i > 0 { out += ", " }
                out += (child.label ?? "_") + ": "
                describe(child.value, into: &out)
            }
            out += ")"
        }
    }
}

/// A digest of a byte stream that does not depend on how it is cut into pieces: XXH64 of each 1 MiB block, the
/// block hashes and the total length fed to a SHA-256 (fast enough for a quarter-gigabyte file at each end).
package struct BlockDigest {
    package static let blockBytes = 1 << 20
    private var block: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var total = 0
    private var hasher = SHA256()

    package init() {
        block = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.blockBytes, alignment: 64)
    }

    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        total += bytes.count
        while offset < bytes.count {
            let n = min(Self.blockBytes - filled, bytes.count - offset)
            if filled == 0 && n == Self.blockBytes {
                hashBlock(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            } else {
                UnsafeMutableRawBufferPointer(rebasing: block[filled..<(filled + n)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
                filled += n
                if filled == Self.blockBytes { hashBlock(UnsafeRawBufferPointer(block)); filled = 0 }
            }
            offset += n
        }
    }

    private mutating func hashBlock(_ bytes: UnsafeRawBufferPointer) {
        var h = XXHash64.hash(bytes).littleEndian
        withUnsafeBytes(of: &h) { hasher.update($0.bindMemory(to: UInt8.self)) }
    }

    /// The digest (hex), with the byte count; frees the block buffer: call once.
    package mutating func finalize() -> (bytes: Int, digest: String) {
        if filled > 0 { hashBlock(UnsafeRawBufferPointer(rebasing: block[0..<filled])) }
        var n = UInt64(total).littleEndian
        withUnsafeBytes(of: &n) { hasher.update($0.bindMemory(to: UInt8.self)) }
        block.deallocate()
        return (total, hasher.finalize())
    }

    /// The digest of a file's bytes, read in blocks; nil when it cannot be read.
    package static func ofFile(_ path: String) -> (bytes: Int, digest: String)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var digest = BlockDigest()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockBytes, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress!, blockBytes)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { _ = digest.finalize(); return nil }
            if n == 0 { break }
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return digest.finalize()
    }
}
