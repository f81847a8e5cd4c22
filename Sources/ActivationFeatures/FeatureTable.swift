import ActivationCore
import CActivationShims

/// Stage 2's output: each customer's first-window feature vector, per behaviour.
public struct FeatureTable: Sendable {
    public var customers: [Customer]
    /// Behaviours sorted by name (byte order), so output does not depend on file order.
    public var behaviours: [BehaviourFeatures]
    public var windowDays: Int
    public var hasUserColumn: Bool
    /// Days since signup the follow-up counts reach (90, or the window if longer).
    public var followUpHorizon: Int
    /// Whether events after the first window were seen, so that activation "within 90 days" and "ever" can be
    /// told. False for a feature table computed elsewhere without follow-up rows.
    public var hasFollowUp: Bool

    /// Indices of customers whose renewal is decided, in customer-table order.
    public var decidedCustomers: [Int] { customers.indices.filter { customers[$0].outcome != .undecided } }

    /// Builds the table from the streamed daily counts.
    /// - Parameter followUpComplete: whether every event after the window went to the accumulator (true when it
    ///   read the exports themselves); otherwise follow-up is known only if some later event was recorded.
    public init(customers: [Customer], behaviourNames: [String], accumulator: FirstWindowAccumulator, followUpComplete: Bool = true) {
        self.customers = customers
        windowDays = accumulator.windowDays
        hasUserColumn = accumulator.sawUsers
        followUpHorizon = accumulator.followUpHorizon
        hasFollowUp = followUpComplete || accumulator.sawLaterEvents
        let order = behaviourNames.indices.sorted { Array(behaviourNames[$0].utf8).lexicographicallyPrecedes(Array(behaviourNames[$1].utf8)) }
        let window = accumulator.windowDays, horizon = accumulator.followUpHorizon
        precondition(window <= Int(UInt16.max) + 1, "a window of more than 65,536 days")
        let customerCount = customers.count, behaviourCount = behaviourNames.count
        // The accumulator's pairs in cell order, which is behaviour-major and by customer within a behaviour: one
        // sort of (cell, slot) keys; then the behaviours summarised on both cores, each reading its own pairs' slots
        // (nothing writes the accumulator meanwhile).
        var keys: [UInt64] = [], slots: [UnsafeMutablePointer<UInt32>] = []
        keys.reserveCapacity(accumulator.daily.count); slots.reserveCapacity(accumulator.daily.count)
        accumulator.daily.forEach { cell, counts in keys.append(UInt64(cell) << 32 | UInt64(slots.count)); slots.append(counts) }
        keys.sort()
        let behaviourStart = Self.behaviourStarts(keys, behaviours: behaviourCount, customers: customerCount)
        // The follow-up counts likewise in cell order: (cell, index) keys sorted, each behaviour's customers ascending.
        var laterKeys: [UInt64] = [], laterWithin: [UInt32] = [], laterAfter: [UInt32] = []
        laterKeys.reserveCapacity(accumulator.later.count)
        laterWithin.reserveCapacity(accumulator.later.count); laterAfter.reserveCapacity(accumulator.later.count)
        accumulator.later.forEach { cell, counts in
            laterKeys.append(UInt64(cell) << 32 | UInt64(laterWithin.count))
            laterWithin.append(counts[0]); laterAfter.append(counts[1])
        }
        laterKeys.sort()
        let laterStart = Self.behaviourStarts(laterKeys, behaviours: behaviourCount, customers: customerCount)
        let sawUsers = accumulator.sawUsers
        let later = SortedFollowUps(keys: laterKeys, within: laterWithin, after: laterAfter, behaviourStart: laterStart)
        let pairs = SortedSlots(keys: keys, slots: slots, behaviourStart: behaviourStart, window: window)
        behaviours = withExtendedLifetime(accumulator) {
            parallelMap(order) { b in
                let range = pairs.behaviourStart[b]..<pairs.behaviourStart[b + 1]
                var doers: [Int32] = [], cellStart: [Int32] = [0], days: [UInt16] = [], events: [UInt32] = []
                var doerCounts: [Int] = [], userCustomers: [Int32] = [], userCounts: [Int32] = []
                doers.reserveCapacity(range.count); cellStart.reserveCapacity(range.count + 1); doerCounts.reserveCapacity(range.count)
                for k in range {
                    // Slots lie in order of first event, not of customer: the one eight ahead is loaded meanwhile.
                    if k + 8 < range.upperBound { pairs.prefetch(k + 8) }
                    let key = pairs.keys[k], slot = pairs.slots[Int(key & 0xFFFF_FFFF)]
                    let c = Int(key >> 32) % customerCount
                    // Every slot's users, also one whose events were all taken back or zero: as the dense vector had.
                    if sawUsers, slot[window] != 0 {
                        userCustomers.append(Int32(c)); userCounts.append(Int32(bitPattern: slot[window]))
                    }
                    var total = 0, first = -1
                    for day in 0..<window where slot[day] > 0 {
                        if first < 0 { first = day }
                        total += Int(slot[day])
                        days.append(UInt16(day)); events.append(slot[day])
                    }
                    guard first >= 0 else { continue }
                    precondition(days.count <= Int(Int32.max), "more than 2^31 daily counts in one behaviour")
                    doers.append(Int32(c))
                    doerCounts.append(total)
                    cellStart.append(Int32(days.count))
                }
                let daily = DailyCounts(windowDays: window, doers: doers, cellStart: cellStart, days: days, events: events)
                let followUps = later.behaviourStart[b]..<later.behaviourStart[b + 1]
                var laterCustomers: [Int32] = [], within: [UInt32] = [], after: [UInt32] = []
                laterCustomers.reserveCapacity(followUps.count); within.reserveCapacity(followUps.count); after.reserveCapacity(followUps.count)
                for k in followUps {
                    let key = later.keys[k], i = Int(key & 0xFFFF_FFFF)
                    laterCustomers.append(Int32(Int(key >> 32) % customerCount))
                    within.append(later.within[i]); after.append(later.after[i])
                }
                return BehaviourFeatures(name: behaviourNames[b], customerCount: customerCount, daily: daily, doerCounts: doerCounts,
                                         distinctUsers: sawUsers ? CustomerValues(customers: userCustomers, values: userCounts) : nil,
                                         laterCustomers: laterCustomers, laterWithin: within, laterAfter: after, followUpHorizon: horizon)
            }
        }
    }

    /// Where each behaviour's entries start in `keys` (`cell << 32 | index`, sorted; cells `behaviour × customers +
    /// customer`): one more entry than behaviours, the last `keys.count`; a behaviour without entries starts where
    /// the next one does.
    private static func behaviourStarts(_ keys: [UInt64], behaviours: Int, customers: Int) -> [Int] {
        var start = [Int](repeating: keys.count, count: behaviours + 1)
        for k in stride(from: keys.count - 1, through: 0, by: -1) { start[Int(keys[k] >> 32) / customers] = k }
        for b in stride(from: behaviours - 1, through: 0, by: -1) { start[b] = min(start[b], start[b + 1]) }
        return start
    }
}

/// The accumulator's follow-up counts in cell order (`keys`: cell << 32 | index in `within` and `after`), and
/// where each behaviour's counts start.
private struct SortedFollowUps: Sendable {
    let keys: [UInt64]
    let within: [UInt32]
    let after: [UInt32]
    let behaviourStart: [Int]
}

/// The accumulator's pair slots in cell order (`keys`: cell << 32 | index in `slots`), and where each behaviour's
/// pairs start: read by the feature table's workers while the accumulator, which owns the slots, is kept alive and
/// written by no one, hence unchecked.
private struct SortedSlots: @unchecked Sendable {
    let keys: [UInt64]
    let slots: [UnsafeMutablePointer<UInt32>]
    let behaviourStart: [Int]

    /// Starts loading the slot of the `k`-th pair (a hint).
    @inline(__always)
    func prefetch(_ k: Int) {
        let slot = slots[Int(keys[k] & 0xFFFF_FFFF)]
        activation_prefetch(slot)
        activation_prefetch(slot + window)
    }
    /// Days per slot (the slot's counts run from `[0]` to `[window]`, the distinct users).
    let window: Int
}
