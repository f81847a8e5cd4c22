import ActivationFastPaths

/// A chunk of a file of millions of rows, in a buffer of fixed size, so that appending is a copy with no capacity
/// or uniqueness check: appending to an array byte by byte made writing `first_window_daily.csv` take longer than
/// the models. The caller empties it (`withBytes`, then `removeAll`) before a row might not fit.
package struct RowScratch: ~Copyable {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    package private(set) var count = 0

    /// - Parameter capacity: the bytes the buffer holds (checked on every append).
    package init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: max(capacity, 1))
    }

    deinit { base.deallocate() }

    /// Empties the buffer, keeping its memory.
    package mutating func removeAll() { count = 0 }

    @inline(__always)
    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(count + bytes.count <= capacity, "row buffer sized too small")
        ShortBytes.copy(bytes.baseAddress!, to: base + count, bytes.count)
        count += bytes.count
    }

    /// Appends the decimal digits of `value`.
    @inline(__always)
    package mutating func appendDigits(_ value: UInt64) {
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
    package mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { if $0.count > 0 { put($0) } }
    }

    /// Appends bytes as they are.
    @inline(__always)
    package mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count > 0 { put(bytes) }
    }

    /// Appends one byte.
    @inline(__always)
    package mutating func append(_ byte: UInt8) {
        precondition(count < capacity, "row buffer sized too small")
        base[count] = byte
        count += 1
    }

    /// Appends one `first_window_daily.csv`-shaped row: `prefix` ("id,name,"), the day (ending in its comma), the
    /// events, and `suffix` (",users,data_end\n").
    @inline(__always)
    package mutating func appendRow(_ prefix: borrowing RowScratch, _ day: UnsafeBufferPointer<UInt8>, events: UInt32,
                            _ suffix: borrowing RowScratch) {
        put(UnsafeBufferPointer(start: prefix.base, count: prefix.count))
        put(day)
        appendDigits(UInt64(events))
        put(UnsafeBufferPointer(start: suffix.base, count: suffix.count))
    }

    package func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}
