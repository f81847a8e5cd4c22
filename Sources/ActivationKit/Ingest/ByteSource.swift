#if canImport(Glibc)
import Glibc
#endif

/// A stream of bytes read in chunks: a plain file today, a decompressor tomorrow.
public protocol ByteSource {
    /// Reads up to `capacity` bytes; 0 at end of input.
    mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int
}

/// A problem that stops the run, in one line naming the file (and line, column) and the fix.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem it is; the CLI maps it to its exit status (sysexits.h).
    public enum Kind: Sendable, Equatable {
        /// The data is unusable: bad header, empty file, no decided customers, reject budget exceeded (65).
        case data
        /// An input file or directory does not exist or cannot be opened (66).
        case missingInput
        /// The reports could not be written (73).
        case output
        /// The config file or an option is wrong, or a path lies outside the allowed folders (78).
        case configuration
    }
    public var message: String
    public var kind: Kind
    public init(_ message: String, kind: Kind = .data) { self.message = message; self.kind = kind }
    public var description: String { message }
}

/// A file read with `read(2)`.
public struct FileByteSource: ByteSource {
    let descriptor: Int32
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

/// One piece of a file, `[start, end)`, read with `pread(2)`, optionally behind a prefix (the file's header line,
/// so that a piece from the middle of an export reads like an export of its own).
public struct FileRangeByteSource: ByteSource {
    let descriptor: Int32
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

/// Reads small files or parts of files (cache entries, a few MB; windows of a large export) into an array with
/// `pread(2)`: one copy, none through `Data`.
enum FileInput {
    /// The bytes of `range` (the whole file when nil), fewer when the file ends first; nil when it cannot be opened
    /// or read.
    static func read(_ path: String, _ range: Range<Int>? = nil) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = Glibc.close(fd) }
        var st = stat()
        guard let range = range ?? (fstat(fd, &st) == 0 ? 0..<Int(st.st_size) : nil) else { return nil }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: range.count) { buffer, count in
            count = 0
            while count < range.count {
                let n = pread(fd, buffer.baseAddress! + count, range.count - count, off_t(range.lowerBound + count))
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failed = true }
                if n <= 0 { break }
                count += n
            }
        }
        return failed ? nil : bytes
    }
}

/// Writes whole files with `write(2)` from bytes already in memory (reports, cache entries): no intermediate copy.
enum FileOutput {
    /// Creates `path` (it must not exist: callers write into fresh staging names) and writes all of `bytes`.
    static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        try write(to: path) { write in try write(bytes) }
    }

    /// Creates `path` (it must not exist) and lets `produce` write it piece by piece, in order, through the function
    /// it is given.
    static func write(to path: String,
                      _ produce: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw InputError("\(path): cannot create: \(String(cString: strerror(errno)))", kind: .output) }
        defer { _ = Glibc.close(fd) }
        try produce { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw InputError("\(path): write failed: \(String(cString: strerror(errno)))", kind: .output) }
                offset += n
            }
        }
    }

    static func write(_ text: String, to path: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0), to: path) }
    }
}
