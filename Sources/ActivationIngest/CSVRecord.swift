/// One parsed CSV record, borrowed from the reader: its bytes are valid only during the `consume` call that
/// receives it. Fields are raw bytes (no `String` is made on the hot path).
public struct CSVRecord {
    package let bytes: UnsafePointer<UInt8>
    package let ends: UnsafePointer<Int>
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
