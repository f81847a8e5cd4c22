/// The cell layouts the first-window accumulators share (`FirstWindowAccumulator`, `ExportAccumulator`), in one
/// place so that an export's counts and the run's always agree.
package enum CountCells {
    /// A (customer, behaviour, user) triple packed into 64 bits: the (behaviour, customer) cell
    /// `behaviour * customers + customer` in the high 32 bits, the user in the low 32. Exact for up to 2^32 - 1
    /// users per run and 2^32 - 1 cells (customers × behaviours; the daily counts of that many cells would need
    /// hundreds of GB, so the memory estimate stops a run long before). The user field used to be 24 bits wide and
    /// masked: user 1 and user 1 + 2^24 were one user.
    @inline(__always)
    package static func userKey(customer: Int, behaviour: Int, user: Int, customers: Int) -> UInt64 {
        UInt64(behaviour * customers + customer) << 32 | UInt64(UInt32(truncatingIfNeeded: user))
    }

    @inline(__always)
    package static func unpackUserKey(_ key: UInt64, customers: Int) -> (customer: Int, behaviour: Int, user: Int) {
        let cell = Int(key >> 32)
        return (cell % customers, cell / customers, Int(key & 0xFFFF_FFFF))
    }

    /// A (customer, behaviour) pair's cell: `behaviour * customers + customer`, below 2^32 - 1 (the memory budget
    /// stops a run before it has more cells), the key of its counts (`PairCounts`). Behaviour-major, so that a
    /// cell stays the same as behaviours are added.
    @inline(__always)
    package static func pair(customer: Int, behaviour: Int, customers: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: behaviour &* customers &+ customer)
    }

    /// The most users a run can count exactly, and the most (customer, behaviour) cells.
    package static let maximumUsers = Int(UInt32.max)
    package static let maximumCells = Int(UInt32.max)

    /// A customer's follow-up cell for an event `day` days after signup (at or past the window): `2 * customer`
    /// up to the follow-up horizon, `2 * customer + 1` on or after it.
    @inline(__always)
    package static func followUp(customer: Int, day: Int, horizon: Int) -> Int { 2 * customer + followUpSlot(day: day, horizon: horizon) }

    /// Which of a customer's two follow-up counts an event `day` days after signup goes to: 0 up to the horizon,
    /// 1 on or after it.
    @inline(__always)
    package static func followUpSlot(day: Int, horizon: Int) -> Int { day < horizon ? 0 : 1 }
}

extension UInt32 {
    /// Adds, stopping at `UInt32.max` instead of trapping: counts saturate.
    @inline(__always)
    package mutating func addSaturating(_ n: UInt32) {
        let (sum, overflow) = addingReportingOverflow(n)
        self = overflow ? .max : sum
    }
}
