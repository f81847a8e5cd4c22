#if canImport(Glibc)
import Glibc
#endif

/// A stream of bytes read in chunks: a plain file today, a decompressor tomorrow.
public protocol ByteSource {
    /// Reads up to `capacity` bytes; 0 at end of input.
    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int
}

/// An error reading input, naming the file.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A file read with `read(2)`.
public struct FileByteSource: ByteSource {
    let descriptor: Int32
    public let path: String

    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY)
        if descriptor < 0 { throw InputError("\(path): cannot open: \(String(cString: strerror(errno)))") }
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
    let bytes: [UInt8]
    var offset = 0
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
