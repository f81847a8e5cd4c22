/// The cell layouts the first-window accumulators share (`FirstWindowAccumulator`, `ExportAccumulator`), in one
/// place so that an export's counts and the run's always agree.
package enum CountCells {
    /// A (customer, behaviour, user) triple packed into 64 bits: customer << 40 | behaviour << 24 | user
    /// (up to 16 M customers, 65,536 behaviours, 16.7 M users per run).
    @inline(__always)
    package static func userKey(customer: Int, behaviour: Int, user: Int) -> UInt64 {
        UInt64(customer) << 40 | UInt64(behaviour & 0xFFFF) << 24 | UInt64(user & 0xFF_FFFF)
    }

    @inline(__always)
    package static func unpackUserKey(_ key: UInt64) -> (customer: Int, behaviour: Int, user: Int) {
        (Int(key >> 40), Int((key >> 24) & 0xFFFF), Int(key & 0xFF_FFFF))
    }

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
