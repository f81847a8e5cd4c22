import ActivationCore

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
        // The accumulator's pairs (a class, not shared across threads) in cell order, which is behaviour-major and
        // by customer within a behaviour: one sort of (cell, slot) keys, then each pair's non-zero days copied out
        // into flat arrays; then the behaviours summarised on both cores.
        var keys: [UInt64] = [], slots: [UnsafeMutablePointer<UInt32>] = []
        keys.reserveCapacity(accumulator.daily.count); slots.reserveCapacity(accumulator.daily.count)
        accumulator.daily.forEach { cell, counts in keys.append(UInt64(cell) << 32 | UInt64(slots.count)); slots.append(counts) }
        keys.sort()
        var pairCustomer: [Int32] = [], pairUsers: [Int32] = [], pairCellEnd: [Int32] = []
        var days: [UInt16] = [], events: [UInt32] = []
        var behaviourStart = [Int](repeating: keys.count, count: behaviourCount + 1)
        pairCustomer.reserveCapacity(keys.count); pairUsers.reserveCapacity(keys.count); pairCellEnd.reserveCapacity(keys.count)
        for (k, key) in keys.enumerated().reversed() { behaviourStart[Int(key >> 32) / customerCount] = k }
        for b in stride(from: behaviourCount - 1, through: 0, by: -1) { behaviourStart[b] = min(behaviourStart[b], behaviourStart[b + 1]) }
        for key in keys {
            let counts = slots[Int(key & 0xFFFF_FFFF)]
            pairCustomer.append(Int32(Int(key >> 32) % customerCount))
            pairUsers.append(Int32(bitPattern: counts[window]))
            for day in 0..<window where counts[day] > 0 { days.append(UInt16(day)); events.append(counts[day]) }
            precondition(days.count <= Int(Int32.max), "more than 2^31 daily counts")
            pairCellEnd.append(Int32(days.count))
        }
        var laters = [[UInt32]](repeating: [UInt32](repeating: 0, count: 2 * customerCount), count: behaviourCount)
        accumulator.later.forEach { cell, counts in
            let b = cell / customerCount, c = cell % customerCount
            laters[b][2 * c] = counts[0]; laters[b][2 * c + 1] = counts[1]
        }
        let sawUsers = accumulator.sawUsers, laterLists = laters
        let pairs = (customer: pairCustomer, users: pairUsers, cellEnd: pairCellEnd, days: days, events: events, start: behaviourStart)
        behaviours = parallelMap(order) { b in
            var counts = [Int](repeating: 0, count: customerCount)
            var firstDay = [Int?](repeating: nil, count: customerCount)
            var active = [Int](repeating: 0, count: customerCount)
            var users = [Int](repeating: 0, count: sawUsers ? customerCount : 0)
            let range = pairs.start[b]..<pairs.start[b + 1]
            let firstCell = range.isEmpty || range.lowerBound == 0 ? 0 : Int(pairs.cellEnd[range.lowerBound - 1])
            var doers: [Int32] = [], cellStart: [Int32] = [0]
            doers.reserveCapacity(range.count); cellStart.reserveCapacity(range.count + 1)
            var previousEnd = firstCell
            for k in range {
                let c = Int(pairs.customer[k]), end = Int(pairs.cellEnd[k])
                if sawUsers { users[c] = Int(pairs.users[k]) }
                let cells = previousEnd..<end
                previousEnd = end
                guard !cells.isEmpty else { continue }
                var total = 0
                for i in cells { total += Int(pairs.events[i]) }
                counts[c] = total; firstDay[c] = Int(pairs.days[cells.lowerBound]); active[c] = cells.count
                doers.append(Int32(c))
                cellStart.append(Int32(end - firstCell))
            }
            let daily = DailyCounts(windowDays: window, doers: doers, cellStart: cellStart,
                                    days: Array(pairs.days[firstCell..<previousEnd]), events: Array(pairs.events[firstCell..<previousEnd]))
            return BehaviourFeatures(name: behaviourNames[b], counts: counts, firstDay: firstDay, activeDays: active,
                                     users: sawUsers ? users : nil, daily: daily, later: laterLists[b], followUpHorizon: horizon)
        }
    }
}

