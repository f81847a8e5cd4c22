/// What identifies a file's content: its size and the SHA-256 of its bytes (lowercase hex). The export cache keys
/// its entries by it, and run.json records it for every input, so a report can be traced to the exact bytes read.
public struct FileFingerprint: Sendable, Equatable, Hashable {
    public var bytes: Int
    public var sha256: String

    public init(bytes: Int, sha256: String) {
        self.bytes = bytes
        self.sha256 = sha256
    }
}
