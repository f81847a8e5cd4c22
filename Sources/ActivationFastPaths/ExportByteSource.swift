import ActivationCore
import CZlib

/// Opens an export for reading: `*.gz` through the gzip decompressor, anything else as is. The fingerprint
/// (SHA-256, size) is of the bytes on disk.
public struct ExportByteSource: ByteSource {
    private enum Kind {
        case plain(FingerprintingByteSource<FileByteSource>)
        case gzip(GzipByteSource<FingerprintingByteSource<FileByteSource>>)
    }
    private var kind: Kind
    public let path: String

    /// - Parameter fingerprinting: false when the fingerprint was taken beforehand (`ExportCache.fingerprint`).
    public init(path: String, fingerprinting: Bool = true) throws {
        self.path = path
        let file = FingerprintingByteSource(try FileByteSource(path: path), hashing: fingerprinting)
        if path.lowercased().hasSuffix(".gz") {
            kind = .gzip(try GzipByteSource(file, path: path))
        } else {
            kind = .plain(file)
        }
    }

    public mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        switch kind {
        case .plain(var source):
            defer { kind = .plain(source) }
            return try source.read(into: buffer, capacity: capacity)
        case .gzip(var source):
            defer { kind = .gzip(source) }
            return try source.read(into: buffer, capacity: capacity)
        }
    }

    /// Size and SHA-256 of the file as stored; call after reading it to the end.
    public mutating func fingerprint() -> FileFingerprint {
        switch kind {
        case .plain(var source): return FileFingerprint(bytes: source.bytesRead, sha256: source.digest())
        case .gzip(var source): return FileFingerprint(bytes: source.base.bytesRead, sha256: source.base.digest())
        }
    }

    public func close() {
        switch kind {
        case .plain(let source): source.base.close()
        case .gzip(let source): source.base.base.close()
        }
    }
}
