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
        var behaviourStart = [Int](repeating: keys.count, count: behaviourCount + 1)
        for k in stride(from: keys.count - 1, through: 0, by: -1) { behaviourStart[Int(keys[k] >> 32) / customerCount] = k }
        for b in stride(from: behaviourCount - 1, through: 0, by: -1) { behaviourStart[b] = min(behaviourStart[b], behaviourStart[b + 1]) }
        var laters = [[UInt32]](repeating: [UInt32](repeating: 0, count: 2 * customerCount), count: behaviourCount)
        accumulator.later.forEach { cell, counts in
            let b = cell / customerCount, c = cell % customerCount
            laters[b][2 * c] = counts[0]; laters[b][2 * c + 1] = counts[1]
        }
        let sawUsers = accumulator.sawUsers, laterLists = laters
        let pairs = SortedSlots(keys: keys, slots: slots, behaviourStart: behaviourStart, window: window)
        behaviours = withExtendedLifetime(accumulator) {
            parallelMap(order) { b in
                var counts = [Int](repeating: 0, count: customerCount)
                var firstDay = [Int?](repeating: nil, count: customerCount)
                var active = [Int](repeating: 0, count: customerCount)
                var users = [Int](repeating: 0, count: sawUsers ? customerCount : 0)
                let range = pairs.behaviourStart[b]..<pairs.behaviourStart[b + 1]
                var doers: [Int32] = [], cellStart: [Int32] = [0], days: [UInt16] = [], events: [UInt32] = []
                doers.reserveCapacity(range.count); cellStart.reserveCapacity(range.count + 1)
                for k in range {
                    // Slots lie in order of first event, not of customer: the one eight ahead is loaded meanwhile.
                    if k + 8 < range.upperBound { pairs.prefetch(k + 8) }
                    let key = pairs.keys[k], slot = pairs.slots[Int(key & 0xFFFF_FFFF)]
                    let c = Int(key >> 32) % customerCount
                    if sawUsers { users[c] = Int(Int32(bitPattern: slot[window])) }
                    var total = 0, first = -1
                    for day in 0..<window where slot[day] > 0 {
                        if first < 0 { first = day }
                        total += Int(slot[day])
                        days.append(UInt16(day)); events.append(slot[day])
                    }
                    guard first >= 0 else { continue }
                    precondition(days.count <= Int(Int32.max), "more than 2^31 daily counts in one behaviour")
                    counts[c] = total; firstDay[c] = first; active[c] = days.count - Int(cellStart[cellStart.count - 1])
                    doers.append(Int32(c))
                    cellStart.append(Int32(days.count))
                }
                let daily = DailyCounts(windowDays: window, doers: doers, cellStart: cellStart, days: days, events: events)
                return BehaviourFeatures(name: behaviourNames[b], counts: counts, firstDay: firstDay, activeDays: active,
                                         users: sawUsers ? users : nil, daily: daily, later: laterLists[b], followUpHorizon: horizon)
            }
        }
    }
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
