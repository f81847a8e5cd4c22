/// Comparing and copying the short byte strings of the hot paths (ids, event names, CSV fields) inline, a word at a
/// time: for strings of a few to a few dozen bytes a call to `memcmp` or `memmove` costs more than the work.
@usableFromInline package enum ShortBytes {
    /// Whether the `n` bytes at `a` and at `b` are equal.
    @inlinable @inline(__always)
    package static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        if n >= 8 {
            var i = 0
            while i + 8 < n {
                if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                i += 8
            }
            return a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        for i in 0..<n where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        return true
    }

    /// Copies `n` bytes from `source` to `target` (not overlapping); words for up to 32 bytes, `memmove` beyond.
    @inlinable @inline(__always)
    package static func copy(_ source: UnsafeRawPointer, to target: UnsafeMutableRawPointer, _ n: Int) {
        if n >= 8 && n <= 32 {
            var i = 0
            while i + 8 < n {
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
                i += 8
            }
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), toByteOffset: n - 8, as: UInt64.self)
        } else if n < 8 {
            for i in 0..<n { target.storeBytes(of: source.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
        } else {
            target.copyMemory(from: source, byteCount: n)
        }
    }
}
