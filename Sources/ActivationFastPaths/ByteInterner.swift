import Glibc

/// Maps byte strings (customer ids, event names, user ids) to dense integer ids without allocating per lookup.
///
/// Open addressing with linear probing over a power-of-two table; keys live back to back in one byte arena.
/// The hash reads keys a word at a time (`hash(_:)`); it is stable across runs and processes.
public struct ByteInterner: Sendable {
    @usableFromInline var arena: [UInt8] = []
    @usableFromInline var keyEnds: [Int] = []
    @usableFromInline var hashes: [UInt64] = []
    /// Slot → the key's hash's upper 32 bits << 32 | (id + 1); 0 = empty. Keeping part of the hash in the slot
    /// lets a probe reject a different key without touching `hashes` (one cache miss fewer per lookup: with tens of
    /// thousands of customer ids these tables do not fit in the cache).
    @usableFromInline var slots: [UInt64]
    @usableFromInline var mask: Int

    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    /// Number of distinct keys.
    public var count: Int { keyEnds.count }

    /// A 64-bit hash of `key`, read eight bytes at a time (a byte-at-a-time FNV loop cost a multiply per byte, the
    /// largest share of a lookup of a short id): each word is mixed in with a multiply-xorshift step, the length
    /// seeds the state, and the result goes through MurmurHash3's 64-bit finaliser (`fmix64`). A key shorter than
    /// 8 bytes is read byte by byte; a longer one's last word overlaps the previous (its length tells them apart).
    @inlinable @inline(__always)
    package static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = UInt64(truncatingIfNeeded: key.count) &* 0x9E37_79B9_7F4A_7C15
        @inline(__always) func mix(_ w: UInt64) {
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
        }
        let n = key.count
        if n > 0 {
            let p = UnsafeRawPointer(key.baseAddress!)
            if n >= 8 {
                var i = 0
                while i + 8 < n { mix(p.loadUnaligned(fromByteOffset: i, as: UInt64.self)); i += 8 }
                mix(p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
            } else {
                var w: UInt64 = 0
                for i in 0..<n { w |= UInt64(key[i]) << (8 * UInt64(i)) }
                mix(w)
            }
        }
        return finalise(h)
    }

    /// MurmurHash3's 64-bit finaliser (`fmix64`): every input bit affects every output bit, so the low bits that
    /// pick a table slot are well spread.
    @inlinable @inline(__always)
    package static func finalise(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    @inlinable @inline(__always)
    func keyEquals(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = id == 0 ? 0 : keyEnds[id - 1]
        let length = keyEnds[id] - start
        guard length == key.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            length == 0 || ShortBytes.equal(a.baseAddress! + start, key.baseAddress!, length)
        }
    }

    /// A slot's entry: the hash's high half as a tag (most probes of other keys fail on it without comparing bytes)
    /// and `id + 1` in the low half (0 marks an empty slot).
    @inline(__always)
    package static func slotEntry(hash: UInt64, id: Int) -> UInt64 { (hash & 0xFFFF_FFFF_0000_0000) | UInt64(id + 1) }

    /// The id of `key`, or nil when it was never interned.
    ///
    /// Inlinable, so that the event reader's lookup reads the tables in place: called across modules on an
    /// interner held in a class's variable, the call first copied the interner (four retains and releases a row).
    @inlinable @inline(__always)
    public func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = Self.hash(key)
        let tag = h & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            let id = Int(entry & 0xFFFF_FFFF) - 1
            if entry & 0xFFFF_FFFF_0000_0000 == tag && keyEquals(id, key) { return id }
            slot = (slot + 1) & mask
        }
    }

    /// The id of `key`, adding it when new. `isNew` tells whether it was added.
    @inline(__always)
    public mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> (id: Int, isNew: Bool) {
        let h = Self.hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        let tag = h & 0xFFFF_FFFF_0000_0000
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let id = Int(entry & 0xFFFF_FFFF) - 1
            if entry & 0xFFFF_FFFF_0000_0000 == tag && keyEquals(id, key) { return (id, false) }
            slot = (slot + 1) & mask
        }
        let id = keyEnds.count
        precondition(id < Int(UInt32.max) - 1, "more than 4 billion distinct keys")
        arena.append(contentsOf: key)
        keyEnds.append(arena.count)
        hashes.append(h)
        slots[slot] = Self.slotEntry(hash: h, id: id)
        if keyEnds.count * 2 > slots.count { grow() }
        return (id, true)
    }

    public mutating func intern(_ key: String) -> Int {
        var key = key
        return key.withUTF8 { intern($0).id }
    }

    public func lookup(_ key: String) -> Int? {
        var key = key
        return key.withUTF8 { lookup($0) }
    }

    /// The 64-bit hash of key `id`: the same for the same bytes in any interner, run or process, so
    /// it can stand for the key in data kept across runs.
    @inline(__always)
    public func keyHash(_ id: Int) -> UInt64 { hashes[id] }

    /// Every key, in id order, as bytes.
    package var keys: ByteStrings { ByteStrings(bytes: arena, ends: keyEnds) }

    /// The key of `id`, decoded as UTF-8.
    public func string(_ id: Int) -> String {
        let start = id == 0 ? 0 : keyEnds[id - 1]
        return String(decoding: arena[start..<keyEnds[id]], as: UTF8.self)
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        for id in 0..<keyEnds.count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Self.slotEntry(hash: hashes[id], id: id)
        }
    }
}

