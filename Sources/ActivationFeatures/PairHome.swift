/// Where a (customer, behaviour) pair's probe starts in the pair tables (`PairCounts`, `FollowUpPairCounts`): the
/// customer's group of eight entries, chosen by Fibonacci hashing of the customer (the top bits of the customer
/// times 2^64/φ), and within it the entry of the behaviour modulo 8.
///
/// Why by customer: export rows come in time order, each row a different customer, so every row's look-up misses
/// the cache. The event reader can name a row's customer some rows ahead (its customer index entry was loaded
/// earlier) but not cheaply its behaviour; with a customer's pairs in one group, loading the group's line(s) ahead
/// of the row is enough (`prefetchGroup`). A customer with more than eight behaviours, or two customers in one
/// group, continue by linear probing into the following entries, which are on the same or the next line.
///
/// Cells are `behaviour * customers + customer` (`CountCells.pair`); they are split without a division
/// (Lemire, Kaser & Kurz 2019, "Faster remainder by direct computation": for 32-bit n and d,
/// ⌊n / d⌋ = ⌊M · n / 2^64⌋ with M = ⌊(2^64 − 1) / d⌋ + 1).
package struct PairHome: Sendable {
    private let customers: UInt64
    private let reciprocal: UInt64

    /// - Parameter customers: the customer count the cells were made with (at least 1).
    package init(customers: Int) {
        precondition(customers >= 1 && customers <= Int(UInt32.max))
        self.customers = UInt64(customers)
        reciprocal = UInt64.max / UInt64(customers) &+ 1
    }

    /// The behaviour and the customer of a cell.
    @inline(__always)
    package func split(_ cell: UInt32) -> (behaviour: UInt64, customer: UInt64) {
        let behaviour = customers == 1 ? UInt64(cell) : reciprocal.multipliedFullWidth(by: UInt64(cell)).high
        return (behaviour, UInt64(cell) &- behaviour &* customers)
    }

    /// The first entry of `customer`'s group in a table of `2^(64 - shift)` entries (at least 8).
    @inline(__always)
    package func group(customer: UInt64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (customer &* 0x9E37_79B9_7F4A_7C15) >> shift) & ~7
    }

    /// The entry where a probe for `cell` starts in a table of `2^(64 - shift)` entries.
    @inline(__always)
    package func entry(_ cell: UInt32, shift: UInt64) -> Int {
        let (behaviour, customer) = split(cell)
        return group(customer: customer, shift: shift) | Int(truncatingIfNeeded: behaviour & 7)
    }
}
