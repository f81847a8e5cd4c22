import ActivationCore

/// Passes bytes through while fingerprinting them, so an input is read once for both parsing and its checksum.
public struct FingerprintingByteSource<Base: ByteSource>: ByteSource {
    public var base: Base
    public private(set) var hasher = SHA256()
    public private(set) var bytesRead = 0
    /// False when the fingerprint is already known (taken before reading): the bytes are only counted.
    public let hashing: Bool
    public init(_ base: Base, hashing: Bool = true) { self.base = base; self.hashing = hashing }
    public mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let n = try base.read(into: buffer, capacity: capacity)
        if hashing { hasher.update(UnsafeBufferPointer(start: buffer, count: n)) }
        bytesRead += n
        return n
    }
    public mutating func digest() -> String { hasher.finalize() }
}

extension FileFingerprint {
    /// Size and SHA-256 of the file at `path` as stored, read whole (the export cache looks entries up by it
    /// before parsing).
    package static func reading(_ path: String) throws -> FileFingerprint {
        var source = FingerprintingByteSource(try FileByteSource(path: path))
        defer { source.base.close() }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
        defer { buffer.deallocate() }
        while try source.read(into: buffer, capacity: 1 << 20) > 0 {}
        return FileFingerprint(bytes: source.bytesRead, sha256: source.digest())
    }
}
