/// Builds RFC 4180 CSV text: fields with commas, quotes or line breaks are quoted, quotes doubled; `\n` line ends.
///
/// Works on bytes: the feature files have millions of fields, so integers are written as digits straight into
/// the buffer and strings are copied as UTF-8, with no intermediate `String` per field.
public struct CSVWriter {
    public private(set) var bytes: [UInt8] = []
    private var rowOpen = false

    public init(header: [String]) {
        bytes.reserveCapacity(1 << 16)
        row(header)
    }

    private init() {}

    /// Makes room for `bytes` more bytes.
    public mutating func reserve(_ bytes: Int) { self.bytes.reserveCapacity(self.bytes.count + bytes) }

    /// The CSV so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends one row.
    public mutating func row(_ fields: [String]) {
        for field in fields { self.field(field) }
        endRow()
    }

    /// Appends one field to the current row, quoted when it needs it.
    public mutating func field(_ value: String) {
        separate()
        var value = value
        value.withUTF8 { utf8 in
            if Self.needsQuoting(utf8) {
                bytes.append(0x22)
                for b in utf8 {
                    if b == 0x22 { bytes.append(0x22) }
                    bytes.append(b)
                }
                bytes.append(0x22)
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
    }

    /// A string as it appears in a CSV field (quoted when it needs it), for values written on many rows.
    public static func encoded(_ value: String) -> [UInt8] {
        var writer = CSVWriter()
        writer.field(value)
        return writer.bytes
    }

    /// Appends a field made by `encoded(_:)`.
    public mutating func field(encoded: [UInt8]) {
        separate()
        bytes.append(contentsOf: encoded)
    }

    /// Appends a whole number to the current row: its digits are written least significant first, then turned
    /// round in place.
    public mutating func field(_ value: Int) {
        separate()
        if value < 0 { bytes.append(0x2D) }
        let start = bytes.count
        var magnitude = value.magnitude
        repeat {
            bytes.append(UInt8(truncatingIfNeeded: magnitude % 10) + 0x30)
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// Appends an empty field.
    public mutating func emptyField() { separate() }

    /// Ends the current row.
    public mutating func endRow() {
        bytes.append(0x0A)
        rowOpen = false
    }

    @inline(__always)
    private mutating func separate() {
        if rowOpen { bytes.append(0x2C) }
        rowOpen = true
    }

    static func needsQuoting(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in utf8 where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { return true }
        return utf8.first == 0x20 || utf8.last == 0x20
    }

    static func needsQuoting(_ field: String) -> Bool {
        var field = field
        return field.withUTF8 { needsQuoting($0) }
    }

    public static func escape(_ field: String) -> String {
        guard needsQuoting(field) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
