import ActivationCore
import Glibc

/// A stream of bytes read in chunks: a plain file today, a decompressor tomorrow.
public protocol ByteSource {
    /// Reads up to `capacity` bytes; 0 at end of input.
    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int
}

/// A file read with `read(2)`.
public struct FileByteSource: ByteSource {
    package let descriptor: Int32
    public let path: String

    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY)
        if descriptor < 0 { throw InputError("\(path): cannot open: \(String(cString: strerror(errno)))", kind: .missingInput) }
    }

    public func close() { _ = Glibc.close(descriptor) }

    public mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            let n = Glibc.read(descriptor, buffer, capacity)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw InputError("\(path): read failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// Bytes held in memory (tests, small inputs).
public struct MemoryByteSource: ByteSource {
    package let bytes: [UInt8]
    package var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }
    public mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let n = min(capacity, bytes.count - offset)
        if n == 0 { return 0 }
        bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + offset, count: n) }
        offset += n
        return n
    }
}

/// One piece of a file, `[start, end)`, read with `pread(2)`, optionally behind a prefix (the file's header line,
/// so that a piece from the middle of an export reads like an export of its own).
public struct FileRangeByteSource: ByteSource {
    package let descriptor: Int32
    public let path: String
    private let prefix: [UInt8]
    private var prefixOffset = 0
    private var offset: Int
    private let end: Int

    public init(path: String, range: Range<Int>, prefix: [UInt8] = []) throws {
        self.path = path
        descriptor = open(path, O_RDONLY)
        if descriptor < 0 { throw InputError("\(path): cannot open: \(String(cString: strerror(errno)))", kind: .missingInput) }
        self.prefix = prefix
        offset = range.lowerBound
        end = range.upperBound
    }

    public func close() { _ = Glibc.close(descriptor) }

    public mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if prefixOffset < prefix.count {
            let n = min(capacity, prefix.count - prefixOffset)
            prefix.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + prefixOffset, count: n) }
            prefixOffset += n
            return n
        }
        guard offset < end else { return 0 }
        while true {
            let n = pread(descriptor, buffer, min(capacity, end - offset), off_t(offset))
            if n >= 0 { offset += n; return n }
            if errno == EINTR { continue }
            throw InputError("\(path): read failed: \(String(cString: strerror(errno)))")
        }
    }
}
