import ActivationCore
import ActivationFastPaths
import Foundation

/// The SHA-256 of each export as last hashed, with the file's identity and times then, kept in the export cache
/// folder so that a nightly run does not re-read gigabytes of unchanged exports only to find their cache entries.
///
/// A memo is used only when the file is provably the one hashed: same device, inode, size, modification time and
/// status-change time (`ctime`, which the kernel sets on every write and which no tool can set back), and both
/// times at least `settleSeconds` older than the moment hashing started (a file written in the same instant it
/// was hashed could change again without moving its times: the "racy" case Git guards the same way). Anything else
/// is hashed again. The memo file carries its own SHA-256; a damaged one is ignored and rewritten.
package final class FingerprintMemo: @unchecked Sendable {
    /// A file's identity and times, as `stat(2)` gives them.
    package typealias Identity = FileIdentity

    package struct Entry {
        package var sha256: String
        /// When hashing started (nanoseconds since 1970).
        package var hashedAt: Int64
    }

    /// How much older than the hashing a file's times must be for the memo to vouch for it (2 s covers file
    /// systems that keep whole seconds).
    package let settleSeconds: Int64
    package static let fileName = "fingerprints"

    package let path: String
    private let lock = NSLock()
    /// The memo as loaded (read only); `used` is what this run will save.
    private let entries: [Identity: Entry]
    private var used: [Identity: Entry] = [:]
    /// Files hashed because the memo could not vouch for them, and files it did vouch for (for run.json).
    package private(set) var hashed = 0, remembered = 0

    package init(directory: String, settleSeconds: Int64 = 2) {
        path = directory + "/" + Self.fileName
        self.settleSeconds = settleSeconds
        entries = Self.load(path)
    }

    /// Size and SHA-256 of the file at `path` when the memo vouches for it (nothing is read); nil otherwise.
    package func remembered(_ file: String) -> FileFingerprint? {
        guard let identity = Identity(path: file), let known = entries[identity],
              Self.settled(identity, at: known.hashedAt, margin: settleSeconds) else { return nil }
        return FileFingerprint(bytes: identity.size, sha256: known.sha256)
    }

    /// Size and SHA-256 of the file at `path`: remembered when the memo vouches for it, otherwise read and hashed.
    package func fingerprint(of file: String) throws -> FileFingerprint {
        let started = Self.now()
        if let identity = Identity(path: file), let known = entries[identity],
           Self.settled(identity, at: known.hashedAt, margin: settleSeconds) {
            lock.lock(); used[identity] = known; remembered += 1; lock.unlock()
            return FileFingerprint(bytes: identity.size, sha256: known.sha256)
        }
        let print = try FileFingerprint.reading(file)
        // The identity after hashing: a change while hashing moved its times past `started`, so the next run will
        // not vouch for it (and a change of size is not remembered at all).
        let identity = Identity(path: file)
        lock.lock()
        if let identity, identity.size == print.bytes { used[identity] = Entry(sha256: print.sha256, hashedAt: started) }
        hashed += 1
        lock.unlock()
        return print
    }

    /// Whether a file's times are old enough, at the moment it was hashed, that a change after it must move them.
    package static func settled(_ identity: Identity, at hashedAt: Int64, margin seconds: Int64) -> Bool {
        let margin = seconds * 1_000_000_000
        return identity.modified <= hashedAt - margin && identity.changed <= hashedAt - margin
    }

    /// Writes the memo of the files this run fingerprinted (others are forgotten), through a temporary file.
    package func save() {
        lock.lock(); let used = self.used; lock.unlock()
        var text = "activation fingerprints 1\n"
        for (id, entry) in used.sorted(by: { ($0.key.device, $0.key.inode) < ($1.key.device, $1.key.inode) }) {
            text += "\(id.device) \(id.inode) \(id.size) \(id.modified) \(id.changed) \(entry.hashedAt) \(entry.sha256)\n"
        }
        var hasher = SHA256()
        hasher.update(Array(text.utf8))
        text += hasher.finalize() + "\n"
        let temporary = path + ".\(getpid()).tmp"
        if (try? FileOutput.write(text, to: temporary)) == nil || rename(temporary, path) != 0 { unlink(temporary) }
    }

    private static func load(_ path: String) -> [Identity: Entry] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return [:] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "", lines.count >= 3, lines[0] == "activation fingerprints 1" else { return [:] }
        lines.removeLast()
        let checksum = lines.removeLast()
        var hasher = SHA256()
        hasher.update(Array(lines.map { $0 + "\n" }.joined().utf8))
        guard hasher.finalize() == checksum else { return [:] }
        var entries: [Identity: Entry] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: " ")
            guard f.count == 7, let device = UInt64(f[0]), let inode = UInt64(f[1]), let size = Int(f[2]),
                  let modified = Int64(f[3]), let changed = Int64(f[4]), let hashedAt = Int64(f[5]), f[6].count == 64
            else { return [:] }
            entries[Identity(device: device, inode: inode, size: size, modified: modified, changed: changed)] =
                Entry(sha256: String(f[6]), hashedAt: hashedAt)
        }
        return entries
    }

    package static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
