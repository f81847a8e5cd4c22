/// A list of byte strings stored back to back in one buffer (an export's user ids, tens of thousands of them): made,
/// cached, restored and interned without a `String` or an allocation per string.
package struct ByteStrings: Sendable {
    package private(set) var bytes: [UInt8] = []
    /// String `i` is `bytes[ends[i - 1]..<ends[i]]` (from 0 for the first).
    package private(set) var ends: [Int] = []

    package init() {}

    package init(bytes: [UInt8], ends: [Int]) {
        precondition(ends.last ?? 0 == bytes.count, "ends must cover the bytes")
        self.bytes = bytes
        self.ends = ends
    }

    package var count: Int { ends.count }

    package mutating func reserve(strings: Int, bytes byteCount: Int) {
        ends.reserveCapacity(strings)
        bytes.reserveCapacity(byteCount)
    }

    package mutating func append<C: Collection>(_ string: C) where C.Element == UInt8 {
        bytes.append(contentsOf: string)
        ends.append(bytes.count)
    }

    /// Calls `body` with the bytes of every string, in order.
    package func forEach(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { all in
            var start = 0
            for end in ends {
                try body(UnsafeBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
    }

    /// Whether every string is valid UTF-8: the whole buffer is, and no string starts inside a character.
    package var isValidUTF8: Bool {
        var start = 0
        for end in ends {
            if start < end && bytes[start] & 0xC0 == 0x80 { return false }
            start = end
        }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
