import CActivationShims

/// A set of 64-bit keys (packed ids, row hashes) for the ingest hot path: open addressing with linear probing and a
/// multiplicative mixer, instead of `Set<UInt64>`'s seeded SipHash, which showed in profiles at millions of
/// inserts. Iteration order is the table's (callers that need an order sort).
package struct KeySet: Sendable {
    /// Slot → key + 1, 0 = empty (so that key 0 can be stored); `UInt64.max` cannot be stored.
    private var slots: [UInt64]
    private var mask: Int
    package private(set) var count = 0

    package init(capacity: Int = 16) {
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

    /// The slot holding `key`, or where it goes when absent (linear probing from its home slot).
    @inline(__always)
    private static func probe(_ key: UInt64, in slots: UnsafeBufferPointer<UInt64>, mask: Int) -> (slot: Int, present: Bool) {
        let stored = key &+ 1
        var i = slot(key, mask)
        while true {
            let entry = slots[i]
            if entry == stored { return (i, true) }
            if entry == 0 { return (i, false) }
            i = (i + 1) & mask
        }
    }

    /// Adds `key`; `inserted` is false when it was there already (as `Set.insert`).
    @inline(__always)
    @discardableResult
    package mutating func insert(_ key: UInt64) -> (inserted: Bool, memberAfterInsert: UInt64) {
        precondition(key != .max, "UInt64.max cannot be stored")
        let mask = self.mask
        let found = slots.withUnsafeBufferPointer { Self.probe(key, in: $0, mask: mask) }
        if found.present { return (false, key) }
        slots[found.slot] = key &+ 1
        count += 1
        if count * 2 > slots.count { grow(toHold: count) }
        return (true, key)
    }

    /// Inserts the keys in order and calls `inserted` with each that was new. Made for hundreds of thousands of keys
    /// at once (a merge): the table is grown once up front (for the case that every key is new), and while a key is
    /// placed the slot of the key `ahead` places on is already being loaded (each slot is otherwise a cache miss in
    /// a table of tens of MB).
    package mutating func insertAll(_ keys: UnsafeBufferPointer<UInt64>, ahead: Int = 16, inserted: (UInt64) -> Void) {
        if (count + keys.count) * 2 > slots.count { grow(toHold: count + keys.count) }
        let mask = self.mask
        var added = 0
        slots.withUnsafeMutableBufferPointer { slots in
            let base = slots.baseAddress!
            for i in 0..<keys.count {
                if i + ahead < keys.count { activation_prefetch(base + Self.slot(keys[i + ahead], mask)) }
                let key = keys[i]
                precondition(key != .max, "UInt64.max cannot be stored")
                let found = Self.probe(key, in: UnsafeBufferPointer(slots), mask: mask)
                guard !found.present else { continue }
                base[found.slot] = key &+ 1
                added += 1
                inserted(key)
            }
        }
        count += added
    }

    /// Every key, in table order, without an iterator object per call.
    @inline(__always)
    package func forEachKey(_ body: (UInt64) -> Void) {
        slots.withUnsafeBufferPointer { slots in
            for entry in slots where entry != 0 { body(entry &- 1) }
        }
    }

    package func contains(_ key: UInt64) -> Bool {
        slots.withUnsafeBufferPointer { Self.probe(key, in: $0, mask: mask).present }
    }

    /// Doubles the table until `keys` fit at most half full, then places the keys again (once).
    private mutating func grow(toHold keys: Int) {
        let old = slots
        var size = old.count * 2
        while keys * 2 > size { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = slots.count - 1
        for entry in old where entry != 0 {
            var i = Self.slot(entry &- 1, mask)
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = entry
        }
    }
}
