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

/// Byte strings laid end to end in memory of their own (ids, names, days repeated on millions of rows), each found
/// by index without an array per piece.
final class BytePieces {
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let starts: UnsafeMutableBufferPointer<Int>
    /// The longest piece's length.
    let longest: Int
    let count: Int

    init(_ pieces: [[UInt8]]) {
        count = pieces.count
        bytes = .allocate(capacity: max(1, pieces.reduce(0) { $0 + $1.count }))
        starts = .allocate(capacity: pieces.count + 1)
        var offset = 0
        for (i, piece) in pieces.enumerated() {
            starts[i] = offset
            _ = UnsafeMutableBufferPointer(rebasing: bytes[offset...]).initialize(from: piece)
            offset += piece.count
        }
        starts[pieces.count] = offset
        longest = pieces.map(\.count).max() ?? 0
    }

    deinit {
        bytes.deallocate()
        starts.deallocate()
    }

    /// The distinct values among `keys`, each encoded once, in order of first appearance, and each key's piece.
    static func distinct<Key: Hashable>(_ keys: [Key], encode: (Key) -> [UInt8]) -> (pieces: BytePieces, index: [Int]) {
        var seen: [Key: Int] = [:]
        var pieces: [[UInt8]] = []
        let index = keys.map { key -> Int in
            if let k = seen[key] { return k }
            seen[key] = pieces.count
            pieces.append(encode(key))
            return pieces.count - 1
        }
        return (BytePieces(pieces), index)
    }

    /// Piece `i`: valid while this object is alive (callers keep it so with `withExtendedLifetime`).
    @inline(__always)
    subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes.baseAddress! + starts[i], count: starts[i + 1] - starts[i])
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

    /// Appends the decimal digits of `value`.
    @inline(__always)
    mutating func appendDigits(_ value: UInt64) {
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        precondition(count + digits <= capacity, "row buffer sized too small")
        // Last digit first, from the end of the number's place.
        var v = value
        var i = count + digits
        repeat {
            i -= 1
            base[i] = UInt8(truncatingIfNeeded: v % 10) + 0x30
            v /= 10
        } while v > 0
        count += digits
    }

    /// Appends bytes as they are.
    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { if $0.count > 0 { put($0) } }
    }

    /// Appends bytes as they are.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count > 0 { put(bytes) }
    }

    /// Appends one byte.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        precondition(count < capacity, "row buffer sized too small")
        base[count] = byte
        count += 1
    }

    /// Appends one `first_window_daily.csv`-shaped row: `prefix` ("id,name,"), the day (ending in its comma), the
    /// events, and `suffix` (",users,data_end\n").
    @inline(__always)
    mutating func appendRow(_ prefix: borrowing RowScratch, _ day: UnsafeBufferPointer<UInt8>, events: UInt32,
                            _ suffix: borrowing RowScratch) {
        put(UnsafeBufferPointer(start: prefix.base, count: prefix.count))
        put(day)
        appendDigits(UInt64(events))
        put(UnsafeBufferPointer(start: suffix.base, count: suffix.count))
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}
