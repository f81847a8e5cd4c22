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

    /// Appends the rows assembled in `scratch` (complete rows, each ending in a line break) and empties it.
    public mutating func append(_ scratch: inout RowScratch) {
        precondition(!rowOpen, "a row is open")
        bytes.append(contentsOf: UnsafeBufferPointer(start: scratch.base, count: scratch.count))
        scratch.count = 0
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

/// Rows assembled in a buffer of their own and appended to a `CSVWriter` in one copy (`CSVWriter.append(_:)`), for
/// the files of millions of rows: appending to the writer's array byte by byte costs a capacity and uniqueness check
/// per byte, which made writing `first_window_daily.csv` take longer than the models.
public struct RowScratch: ~Copyable {
    fileprivate(set) var base: UnsafeMutablePointer<UInt8>
    fileprivate(set) var count = 0
    private var capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        while count + extra > capacity { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
    }

    /// Appends bytes as they are (an `CSVWriter.encoded(_:)` field, or a field and its separator).
    /// The bytes assembled so far, as an array.
    public func makeArray() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    @inline(__always)
    public mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        reserve(bytes.count)
        bytes.withUnsafeBufferPointer { ShortBytes.copy($0.baseAddress!, to: base + count, $0.count) }
        count += bytes.count
    }

    @inline(__always)
    public mutating func append(byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends the decimal digits of `value`.
    @inline(__always)
    public mutating func append(digitsOf value: UInt64) {
        reserve(20)
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        var v = value
        var i = count + digits
        repeat {
            i -= 1
            base[i] = UInt8(truncatingIfNeeded: v % 10) + 0x30
            v /= 10
        } while v > 0
        count += digits
    }
}
