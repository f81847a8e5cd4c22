import Foundation

/// Reads what `BinaryWriter` wrote, checking every bound: a damaged entry throws, it never traps.
package struct BinaryReader {
    /// The bytes end early, a length or count runs past them, or a string is not UTF-8.
    package struct Malformed: Error {}
    private let bytes: [UInt8]
    private var position: Int
    /// Where the bytes read end (the payload's end inside a framed entry).
    private let end: Int
    /// Reads `bytes[range]` only; `span()` gives positions in `bytes`.
    package init(_ bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
    }
    package var atEnd: Bool { position == end }

    private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= end - position else { throw Malformed() }
        defer { position += n }
        return bytes[position..<(position + n)]
    }
    package mutating func u8() throws -> UInt8 { try take(1).first! }
    @inline(__always)
    package mutating func u32() throws -> UInt32 {
        guard position + 4 <= end else { throw Malformed() }
        defer { position += 4 }
        return UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }
    /// `n` values at once (the count cells).
    package mutating func u32s(_ n: Int) throws -> [UInt32] {
        guard n >= 0, n <= (end - position) / 4 else { throw Malformed() }
        var values = [UInt32](repeating: 0, count: n)
        values.withUnsafeMutableBytes { target in
            bytes.withUnsafeBytes { source in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + 4 * n)]))
            }
        }
        #if !_endian(little)
        for k in values.indices { values[k] = UInt32(littleEndian: values[k]) }
        #endif
        position += 4 * n
        return values
    }
    package mutating func u64() throws -> UInt64 { let low = try u32(); return UInt64(low) | UInt64(try u32()) << 32 }
    package mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
    package mutating func int() throws -> Int { Int(try i64()) }
    /// An element count, bounded by the bytes left (every element takes at least one byte) or `limit`.
    package mutating func count(limit: Int = .max) throws -> Int {
        let n = Int(try u32())
        guard n <= end - position, n <= limit else { throw Malformed() }
        return n
    }
    /// Where a string's bytes are (for lookups that need no `String`).
    package mutating func span() throws -> Range<Int> { try take(Int(try u32())).indices }
    /// A count, then that many strings (as `string()` reads them), kept as bytes.
    package mutating func strings() throws -> ByteStrings {
        let n = try count()
        var strings = ByteStrings()
        strings.reserve(strings: n, bytes: min(end - position, 16 * n))
        for _ in 0..<n { strings.append(try take(Int(try u32()))) }
        guard strings.isValidUTF8 else { throw Malformed() }
        return strings
    }
    package mutating func string() throws -> String {
        let n = Int(try u32())
        guard let s = String(validating: try take(n), as: UTF8.self) else { throw Malformed() }
        return s
    }
}
