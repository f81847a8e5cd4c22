/// One parsed CSV record, borrowed from the reader: its bytes are valid only during the `consume` call that
/// receives it. Fields are raw bytes (no `String` is made on the hot path).
public struct CSVRecord {
    let bytes: UnsafePointer<UInt8>
    let ends: UnsafePointer<Int>
    /// Number of fields.
    public let count: Int
    /// Physical line (1-based) on which the record starts.
    public let line: Int
    /// The record's raw text as it stood in the file (line terminator removed), for rejects.
    public let raw: UnsafeBufferPointer<UInt8>

    /// The bytes of field `i` (0-based).
    @inline(__always)
    public subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
        let start = i == 0 ? 0 : ends[i - 1]
        return UnsafeBufferPointer(start: bytes + start, count: ends[i] - start)
    }

    /// Field `i` decoded as a String (lossy), for error messages and small tables, never the event hot path.
    public func string(_ i: Int) -> String { String(decoding: self[i], as: UTF8.self) }
    public var rawText: String { String(decoding: raw, as: UTF8.self) }
}

/// A record the CSV grammar itself rejects (a stray quote, an unterminated quoted field).
public struct CSVSyntaxError: Sendable, Equatable {
    /// Physical line where the broken record starts.
    public var line: Int
    /// 1-based field number where the parser gave up.
    public var column: Int
    public var reason: String
    public var raw: String
}

/// Receives the records of one file, in order.
public protocol CSVRecordSink: AnyObject {
    func consume(_ record: CSVRecord)
    func syntaxError(_ error: CSVSyntaxError)
    /// Whether `prefetch(line:)` does anything (the reader then scouts lines ahead of the parser).
    var prefetchesAhead: Bool { get }
    /// A raw line some rows ahead of the record being parsed (not yet parsed; it may even be part of a quoted
    /// field): a hint to start loading what its record will need. Must not change any state that affects results.
    func prefetch(line: UnsafeBufferPointer<UInt8>)
}

extension CSVRecordSink {
    public var prefetchesAhead: Bool { false }
    public func prefetch(line: UnsafeBufferPointer<UInt8>) {}
}
