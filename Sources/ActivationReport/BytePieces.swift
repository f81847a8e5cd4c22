/// Byte strings laid end to end in memory of their own (ids, names, days repeated on millions of rows), each found
/// by index without an array per piece.
package final class BytePieces {
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let starts: UnsafeMutableBufferPointer<Int>
    /// The longest piece's length.
    package let longest: Int
    package let count: Int

    package init(_ pieces: [[UInt8]]) {
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
    package static func distinct<Key: Hashable>(_ keys: [Key], encode: (Key) -> [UInt8]) -> (pieces: BytePieces, index: [Int]) {
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
    package subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes.baseAddress! + starts[i], count: starts[i + 1] - starts[i])
    }
}
