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

    /// Makes room for about `rows` rows of short fields (digits, ids), so that a large file does not grow its
    /// buffer a dozen times.
    public mutating func reserve(rows: Int, fieldsPerRow: Int) {
        bytes.reserveCapacity(bytes.count + rows * (fieldsPerRow * 3 + 24))
    }

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

    /// Appends a whole number to the current row: written into a small buffer on the stack, then copied in one
    /// append (a byte-by-byte append checks the array's capacity per digit; the feature file has millions of numbers).
    public mutating func field(_ value: Int) {
        separate()
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            let start = buffer.baseAddress!
            var n = 0
            if value < 0 { start[0] = 0x2D; n = 1 }
            let digits = Self.digitCount(of: UInt64(value.magnitude))
            Self.writeDigits(of: UInt64(value.magnitude), count: digits, to: start + n)
            n += digits
            bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: n))
        }
    }

    /// How many decimal digits `value` has (1 for 0).
    @inline(__always)
    static func digitCount(of value: UInt64) -> Int {
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        return digits
    }

    /// Writes the `count` (`digitCount(of: value)`) decimal digits of `value` at `target`, last digit first.
    @inline(__always)
    static func writeDigits(of value: UInt64, count: Int, to target: UnsafeMutablePointer<UInt8>) {
        var v = value
        var i = count
        repeat {
            i -= 1
            target[i] = UInt8(truncatingIfNeeded: v % 10) + 0x30
            v /= 10
        } while v > 0
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

/// A chunk of a file of millions of rows, in a buffer of fixed size, so that appending is a copy with no capacity
/// or uniqueness check: appending to an array byte by byte made writing `first_window_daily.csv` take longer than
/// the models. The caller empties it (`withBytes`, then `removeAll`) before a row might not fit.
struct RowScratch: ~Copyable {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count = 0

    /// - Parameter capacity: the bytes the buffer holds (checked on every append).
    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: max(capacity, 1))
    }

    deinit { base.deallocate() }

    /// Empties the buffer, keeping its memory.
    mutating func removeAll() { count = 0 }

    @inline(__always)
    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(count + bytes.count <= capacity, "row buffer sized too small")
        ShortBytes.copy(bytes.baseAddress!, to: base + count, bytes.count)
        count += bytes.count
    }

    @inline(__always)
    private mutating func put(digitsOf value: UInt64) {
        let digits = CSVWriter.digitCount(of: value)
        precondition(count + digits <= capacity, "row buffer sized too small")
        CSVWriter.writeDigits(of: value, count: digits, to: base + count)
        count += digits
    }

    /// Appends bytes as they are.
    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { if $0.count > 0 { put($0) } }
    }

    /// Appends one `first_window_daily.csv`-shaped row: the pieces (each ending in its comma), the events, a comma,
    /// the users when known, and `end` (",data_end\n").
    @inline(__always)
    mutating func appendRow(_ id: [UInt8], _ name: [UInt8], _ day: [UInt8], events: UInt32, users: UInt64?, _ end: [UInt8]) {
        id.withUnsafeBufferPointer { put($0) }
        name.withUnsafeBufferPointer { put($0) }
        day.withUnsafeBufferPointer { put($0) }
        put(digitsOf: UInt64(events))
        precondition(count < capacity, "row buffer sized too small")
        base[count] = 0x2C
        count += 1
        if let users { put(digitsOf: users) }
        end.withUnsafeBufferPointer { put($0) }
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}
