import ActivationCore
import ActivationFastPaths
import ActivationIngest

/// Accumulates each customer's first-window activity per behaviour as it streams in: one count per customer,
/// behaviour and day of the window, and the distinct users seen; after the window, two follow-up counts (to day 90,
/// and later) for activation rates "within 90 days" and "ever".
///
/// Counts are held only for the (customer, behaviour) pairs that occur (`PairCounts`): a slot of the window's daily
/// counts and the distinct users per pair with an in-window event, a slot of two follow-up counts per pair with a
/// later one. Memory follows the pairs that occur (about `4 × (window days + 2) + 14` bytes each, and 26 for a
/// follow-up pair), independent of the number of events and of the pairs that never occur.
public final class FirstWindowAccumulator: FirstWindowEventSink {
    public let customerCount: Int
    public let windowDays: Int
    /// Days since signup the first follow-up count covers: up to day 90, or to the window's end if that is later.
    public var followUpHorizon: Int { FollowUp.horizon(windowDays: windowDays) }
    private let horizon: Int
    package private(set) var behaviourCount = 0
    /// Per pair with an in-window event (cell `behaviour * customers + customer`): `[day]` events that day
    /// (saturating) for each day of the window, then `[windowDays]` its distinct users.
    package let daily: PairCounts
    /// Per pair with a later event: `[0]` events from the window's end to `followUpHorizon`, `[1]` events on or
    /// after `followUpHorizon` (saturating).
    package let later: FollowUpPairCounts
    /// Whether any event after the first window was recorded (a feature table made elsewhere may not carry them).
    package internal(set) var sawLaterEvents = false
    /// (customer, behaviour, user) triples already counted (`CountCells.userKey`).
    private var seenUsers = KeySet()
    package internal(set) var sawUsers = false

    public init(customerCount: Int, windowDays: Int) {
        precondition(customerCount < CountCells.maximumCells, "more than 4 billion customers")
        self.customerCount = customerCount
        self.windowDays = windowDays
        horizon = FollowUp.horizon(windowDays: windowDays)
        daily = PairCounts(width: windowDays + 1, customers: customerCount)
        later = FollowUpPairCounts(customers: customerCount)
    }

    public func addBehaviour() {
        precondition((behaviourCount + 1) * customerCount < CountCells.maximumCells, "more than 2^32 customer-behaviour cells")
        behaviourCount += 1
    }

    @inline(__always)
    private func cell(_ customer: Int, _ behaviour: Int) -> UInt32 {
        CountCells.pair(customer: customer, behaviour: behaviour, customers: customerCount)
    }

    /// One event row after the first window, for the follow-up counts: `day` is 0-based from signup, at least
    /// `windowDays`.
    @inline(__always)
    public func recordLater(customer: Int, behaviour: Int, day: Int, count: Int) {
        sawLaterEvents = true
        later.counts(cell(customer, behaviour))[CountCells.followUpSlot(day: day, horizon: horizon)].addSaturating(UInt32(clamping: count))
    }

    @inline(__always)
    public func record(customer: Int, behaviour: Int, day: Int, user: Int, count: Int) {
        daily.counts(cell(customer, behaviour))[day].addSaturating(UInt32(clamping: count))
        if user >= 0 { insertUser(customer: customer, behaviour: behaviour, user: user) }
    }

    /// The events of one customer, behaviour and day of the window.
    package func dailyCount(customer: Int, behaviour: Int, day: Int) -> UInt32 {
        daily.existing(cell(customer, behaviour))?[day] ?? 0
    }

    /// Behaviour `b`'s follow-up counts per customer, dense: `[2 * customer]` and `[2 * customer + 1]`.
    package func laterCounts(_ b: Int) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: 2 * customerCount)
        later.forEach { cell, counts in
            guard cell / customerCount == b else { return }
            out[2 * (cell % customerCount)] = counts[0]; out[2 * (cell % customerCount) + 1] = counts[1]
        }
        return out
    }

    /// Behaviour `b`'s distinct users per customer, dense.
    package func distinctUserCounts(_ b: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: customerCount)
        daily.forEach { cell, counts in
            if cell / customerCount == b { out[cell % customerCount] = Int32(bitPattern: counts[windowDays]) }
        }
        return out
    }

    /// Sets a customer's distinct users for a behaviour directly, for feature tables computed elsewhere (SQL), where
    /// the distinct count comes ready-made.
    public func setDistinctUsers(customer: Int, behaviour: Int, count: Int) {
        sawUsers = true
        daily.counts(cell(customer, behaviour))[windowDays] = UInt32(bitPattern: Int32(clamping: count))
    }

    /// Counts a (customer, behaviour, user) triple once.
    @inline(__always)
    package func insertUser(customer: Int, behaviour: Int, user: Int) {
        sawUsers = true
        if seenUsers.insert(CountCells.userKey(customer: customer, behaviour: behaviour, user: user, customers: customerCount)).inserted {
            daily.counts(cell(customer, behaviour))[windowDays] &+= 1
        }
    }

    /// Counts packed (customer, behaviour, user) triples (`CountCells.userKey`), each once: a merge's many at once.
    package func insertUsers(keys: [UInt64]) {
        guard !keys.isEmpty else { return }
        sawUsers = true
        let customers = customerCount, window = windowDays, daily = daily
        keys.withUnsafeBufferPointer { keys in
            seenUsers.insertAll(keys) { key in
                let (customer, behaviour, _) = CountCells.unpackUserKey(key, customers: customers)
                daily.counts(CountCells.pair(customer: customer, behaviour: behaviour, customers: customers))[window] &+= 1
            }
        }
    }

    /// Takes back one row's count (a duplicate of an earlier export's row found when merging): `day` inside the
    /// window or, past it, a follow-up count.
    package func subtract(customer: Int, behaviour: Int, day: Int, count: UInt32) {
        if day < windowDays {
            guard let counts = daily.existing(cell(customer, behaviour)) else { return }
            counts[day] -= min(counts[day], count)
        } else {
            guard let counts = later.existing(cell(customer, behaviour)) else { return }
            let slot = CountCells.followUpSlot(day: day, horizon: horizon)
            counts[slot] -= min(counts[slot], count)
        }
    }
}
