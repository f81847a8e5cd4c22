import CLibCSV

/// A set of 64-bit keys (packed ids, row hashes) for the ingest hot path: open addressing with linear probing and a
/// multiplicative mixer, instead of `Set<UInt64>`'s seeded SipHash, which showed in profiles at millions of
/// inserts. Iteration order is the table's (callers that need an order sort).
struct KeySet: Sendable, Sequence {
    /// Slot → key + 1, 0 = empty (so that key 0 can be stored); `UInt64.max` cannot be stored.
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h) & mask
    }

    /// Adds `key`; `inserted` is false when it was there already (as `Set.insert`).
    @inline(__always)
    @discardableResult
    mutating func insert(_ key: UInt64) -> (inserted: Bool, memberAfterInsert: UInt64) {
        precondition(key != .max, "UInt64.max cannot be stored")
        let stored = key &+ 1
        var i = Self.slot(key, mask)
        while true {
            let entry = slots[i]
            if entry == stored { return (false, key) }
            if entry == 0 { break }
            i = (i + 1) & mask
        }
        slots[i] = stored
        count += 1
        if count * 2 > slots.count { grow() }
        return (true, key)
    }

    /// Inserts the keys in order and calls `inserted` with each that was new. Made for hundreds of thousands of keys
    /// at once (a merge): the table is grown once up front, and while a key is placed the slot of the key `ahead`
    /// places on is already being loaded (each slot is otherwise a cache miss in a table of tens of MB).
    mutating func insertAll(_ keys: UnsafeBufferPointer<UInt64>, ahead: Int = 16, inserted: (UInt64) -> Void) {
        while (count + keys.count) * 2 > slots.count { grow() }
        let mask = self.mask
        var added = 0
        slots.withUnsafeMutableBufferPointer { slots in
            let base = slots.baseAddress!
            for i in 0..<keys.count {
                if i + ahead < keys.count { activation_prefetch(base + Self.slot(keys[i + ahead], mask)) }
                let key = keys[i]
                precondition(key != .max, "UInt64.max cannot be stored")
                let stored = key &+ 1
                var s = Self.slot(key, mask)
                while true {
                    let entry = base[s]
                    if entry == stored { break }
                    if entry == 0 {
                        base[s] = stored
                        added += 1
                        inserted(key)
                        break
                    }
                    s = (s + 1) & mask
                }
            }
        }
        count += added
    }

    /// Every key, in table order, without an iterator object per call.
    @inline(__always)
    func forEachKey(_ body: (UInt64) -> Void) {
        slots.withUnsafeBufferPointer { slots in
            for entry in slots where entry != 0 { body(entry &- 1) }
        }
    }

    func contains(_ key: UInt64) -> Bool {
        let stored = key &+ 1
        var i = Self.slot(key, mask)
        while true {
            let entry = slots[i]
            if entry == stored { return true }
            if entry == 0 { return false }
            i = (i + 1) & mask
        }
    }

    func makeIterator() -> AnyIterator<UInt64> {
        var i = 0
        let slots = self.slots
        return AnyIterator {
            while i < slots.count {
                defer { i += 1 }
                if slots[i] != 0 { return slots[i] &- 1 }
            }
            return nil
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for entry in old where entry != 0 {
            var i = Self.slot(entry &- 1, mask)
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = entry
        }
    }
}
