import ActivationFastPaths
import CActivationShims

/// Customer id bytes → (customer, signup second) in one cache line, for the event hot path.
///
/// Every event row looks up its customer id. With tens of thousands of customers the general `ByteInterner`
/// costs three cache misses per lookup (its slot, the key's offset, the key's bytes) and the signup time a fourth.
/// This table keeps ids of up to 16 bytes inline in 32-byte entries together with the signup second, so a lookup
/// touches one line (linear probing, load factor at most 2/3). Longer ids are not stored here: their lookups go to
/// the interner (`CustomerTable.locate`).
public struct CustomerKeyIndex: Sendable {
    /// The longest id kept inline.
    public static let maximumInlineLength = 16

    package struct Entry: Sendable {
        /// The id's bytes, zero-padded: bytes 0-7 and 8-15, little-endian.
        package var word0: UInt64 = 0
        package var word1: UInt64 = 0
        /// Length << 32 | (customer + 1); 0 = empty.
        package var meta: UInt64 = 0
        package var signupSeconds: Int64 = 0
    }

    /// `mask + 1` entries (huge pages: see `ZeroedPages`), shared by copies until one of them inserts.
    private var storage: ZeroedPages
    private var mask: Int
    private var count = 0

    /// - Parameter capacity: ids expected; the table is sized to hold them without growing (it grows past them).
    public init(capacity: Int = 42) {
        var size = 64
        while size * 2 < capacity * 3 { size <<= 1 }
        mask = size - 1
        storage = ZeroedPages(byteCount: size * MemoryLayout<Entry>.stride)
    }

    @inline(__always)
    private var entries: UnsafeMutablePointer<Entry> { storage.pointer(to: Entry.self) }

    /// The id's bytes as two zero-padded words; nil when longer than `maximumInlineLength`.
    @inline(__always)
    package static func words(_ key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        let n = key.count
        guard n <= maximumInlineLength else { return nil }
        guard n > 0 else { return (0, 0) }
        let p = UnsafeRawPointer(key.baseAddress!)
        if n >= 8 {
            let w0 = p.loadUnaligned(as: UInt64.self)
            let w1 = n > 8 ? p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) >> UInt64(8 * (16 - n)) : 0
            return (w0, w1)
        }
        if n >= 4 {
            let lo = UInt64(p.loadUnaligned(as: UInt32.self))
            let hi = UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) >> UInt32(8 * (8 - n)))
            return (lo | hi << 32, 0)
        }
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(key[i]) << UInt64(8 * i) }
        return (w, 0)
    }

    /// MurmurHash3's 64-bit finaliser over the two words and the length.
    @inline(__always)
    package static func slot(_ w0: UInt64, _ w1: UInt64, _ n: Int) -> UInt64 {
        ByteInterner.finalise((w0 &* 0x9E37_79B9_7F4A_7C15) ^ (w1 &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(n))
    }

    /// Adds an id of at most `maximumInlineLength` bytes (returns false, storing nothing, for a longer one).
    @discardableResult
    package mutating func insert(_ key: UnsafeBufferPointer<UInt8>, customer: Int, signupSeconds: Int64) -> Bool {
        guard let (w0, w1) = Self.words(key) else { return false }
        if !isKnownUniquelyReferenced(&storage) { rehash(size: mask + 1) }
        if (count + 1) * 3 > (mask + 1) * 2 { rehash(size: 2 * (mask + 1)) }
        place(Entry(word0: w0, word1: w1, meta: UInt64(key.count) << 32 | UInt64(customer + 1), signupSeconds: signupSeconds))
        count += 1
        return true
    }

    private mutating func place(_ entry: Entry) {
        var slot = Int(truncatingIfNeeded: Self.slot(entry.word0, entry.word1, Int(entry.meta >> 32))) & mask
        while entries[slot].meta != 0 { slot = (slot + 1) & mask }
        entries[slot] = entry
    }

    private mutating func rehash(size: Int) {
        let old = storage, oldSize = mask + 1
        storage = ZeroedPages(byteCount: size * MemoryLayout<Entry>.stride)
        mask = size - 1
        let oldEntries = old.pointer(to: Entry.self)
        for i in 0..<oldSize where oldEntries[i].meta != 0 { place(oldEntries[i]) }
    }

    /// Starts loading the entries where a lookup of `key` begins (a hint: nothing changes).
    @inline(__always)
    package func prefetch(_ key: UnsafeBufferPointer<UInt8>) {
        guard let (w0, w1) = Self.words(key) else { return }
        let home = Int(truncatingIfNeeded: Self.slot(w0, w1, key.count)) & mask
        activation_prefetch(entries + home)
        // And the next entry, on the next line when the home is a line's second entry: at the load factor of
        // one half to two thirds, about every other lookup probes past its home.
        activation_prefetch(entries + ((home + 1) & mask))
    }

    @inline(__always)
    private func find(_ w0: UInt64, _ w1: UInt64, _ length: UInt64, from start: Int) -> (customer: Int, signupSeconds: Int64)? {
        let e = entries
        var slot = start
        while true {
            let entry = e[slot]
            if entry.meta == 0 { return nil }
            if entry.word0 == w0 && entry.word1 == w1 && entry.meta >> 32 == length {
                return (Int(entry.meta & 0xFFFF_FFFF) - 1, entry.signupSeconds)
            }
            slot = (slot + 1) & mask
        }
    }

    /// The customer and signup second of an id of at most `maximumInlineLength` bytes; nil when unknown.
    /// (Callers send longer ids elsewhere: see `CustomerTable.locate`.)
    @inline(__always)
    package func lookup(_ key: UnsafeBufferPointer<UInt8>) -> (customer: Int, signupSeconds: Int64)? {
        guard let (w0, w1) = Self.words(key) else { return nil }
        return find(w0, w1, UInt64(key.count), from: Int(truncatingIfNeeded: Self.slot(w0, w1, key.count)) & mask)
    }
}
