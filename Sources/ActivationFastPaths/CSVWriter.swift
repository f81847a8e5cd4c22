/// Builds RFC 4180 CSV text: fields with commas, quotes or line breaks are quoted, quotes doubled; `\n` line ends.
///
/// For the report's tables (hundreds to thousands of rows). The two feature files, millions of rows, are assembled
/// in a `RowScratch` instead.
public struct CSVWriter {
    public private(set) var bytes: [UInt8] = []
    private var rowOpen = false

    public init(header: [String]) {
        bytes.reserveCapacity(1 << 16)
        row(header)
    }

    private init() {}

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

    /// RFC 4180: a field holding a comma, a quote or a line break is quoted; so is one with a leading or trailing
    /// space, which spreadsheet programs would otherwise trim.
    package static func needsQuoting(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in utf8 where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { return true }
        return utf8.first == 0x20 || utf8.last == 0x20
    }
}
