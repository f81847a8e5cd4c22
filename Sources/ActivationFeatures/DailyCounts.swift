/// One behaviour's first-window daily counts, kept for the customers who did it only: per such customer (a
/// "doer", ascending), its days with at least one event, ascending, and the events on each (compressed sparse
/// rows).
///
/// Why sparse: most customers do a few of many behaviours, and a dense customers × window days table per
/// behaviour was most of a run's memory. Readers loop over a customer's non-zero days (`cells(of:)`), which gives
/// what a loop over every day gives for running counts and is shorter; a customer is found by binary search among
/// the doers (ids ascending), a few steps in a small array.
public struct DailyCounts: Sendable {
    public let windowDays: Int
    /// Customers with at least one event in the window, ascending.
    package let doers: [Int32]
    /// Doer `k`'s cells are `cellStart[k]..<cellStart[k + 1]` (one more entry than doers).
    package let cellStart: [Int32]
    /// Per cell: the day (0-based from signup), ascending within a doer, and its events (non-zero, saturating).
    package let days: [UInt16]
    package let events: [UInt32]

    package init(windowDays: Int, doers: [Int32], cellStart: [Int32], days: [UInt16], events: [UInt32]) {
        precondition(cellStart.count == doers.count + 1 && days.count == events.count && Int(cellStart.last ?? 0) == days.count)
        self.windowDays = windowDays
        self.doers = doers
        self.cellStart = cellStart
        self.days = days
        self.events = events
    }

    /// Where `customer` is among the doers, nil when it did not do the behaviour.
    @inline(__always)
    package func doerIndex(of customer: Int) -> Int? { CustomerValues.index(of: customer, in: doers) }

    /// The indices in `days` and `events` of `customer`'s non-zero days: empty when it did not do the behaviour.
    @inline(__always)
    package func cells(of customer: Int) -> Range<Int> {
        guard let k = doerIndex(of: customer) else { return 0..<0 }
        return cells(ofDoer: k)
    }

    /// Doer `k`'s cells (`doers[k]`'s non-zero days).
    @inline(__always)
    package func cells(ofDoer k: Int) -> Range<Int> { Int(cellStart[k])..<Int(cellStart[k + 1]) }

    /// The running count of one customer's `cells` at each of `ends` (ascending days): `body(k, n)` with the
    /// events on days before `ends[k]`, in one pass over the cells.
    @inline(__always)
    package func forEachCount(before ends: [Int], cells: Range<Int>, _ body: (_ k: Int, _ count: Int) -> Void) {
        var n = 0, next = cells.lowerBound
        for (k, end) in ends.enumerated() {
            while next < cells.upperBound && Int(days[next]) < end { n += Int(events[next]); next += 1 }
            body(k, n)
        }
    }

    /// The events of `customer` on `day` (0 when none).
    package func count(customer: Int, day: Int) -> UInt32 {
        for i in cells(of: customer) where Int(days[i]) == day { return events[i] }
        return 0
    }

    /// "Reaches n by day d", the one definition every rule question uses: for n = 1, 2, … `maximum` in turn,
    /// `body(n, day)` with the day (0-based from signup) on which the customer's running count of events first
    /// reached n; counts it never reached within the window are not reported. One pass over the customer's non-zero
    /// days; several n can be reached on one day (a day with 3 events from 0 reports n = 1, 2, 3 on it).
    @inline(__always)
    package func forEachDayReaching(upTo maximum: Int, customer: Int, _ body: (_ n: Int, _ day: Int) -> Void) {
        guard let k = doerIndex(of: customer) else { return }
        forEachDayReaching(upTo: maximum, doer: k, body)
    }

    /// `forEachDayReaching` for doer `k` (`doers[k]`), for loops that walk the doers in order instead of searching
    /// for each customer.
    @inline(__always)
    package func forEachDayReaching(upTo maximum: Int, doer k: Int, _ body: (_ n: Int, _ day: Int) -> Void) {
        var total = 0, next = 1
        for i in cells(ofDoer: k) {
            guard next <= maximum else { return }
            total += Int(events[i])
            let day = Int(days[i])
            while next <= maximum && total >= next { body(next, day); next += 1 }
        }
    }

    /// `dayReaching` over every customer at once: `body(customer, day)` for each doer whose running count reaches
    /// `threshold` (at least 1) within the window, doers ascending, with the same day `forEachDayReaching` gives for
    /// n = `threshold` (tested against it). Customers who did not do the behaviour never reach it; walking the
    /// doers in order needs no search per customer (a rule's reach days for every customer).
    @inline(__always)
    package func forEachDoerReaching(_ threshold: Int, _ body: (_ customer: Int, _ day: Int) -> Void) {
        precondition(threshold >= 1)
        doers.withUnsafeBufferPointer { doers in
            cellStart.withUnsafeBufferPointer { start in
                days.withUnsafeBufferPointer { days in
                    events.withUnsafeBufferPointer { events in
                        for k in 0..<doers.count {
                            var total = 0
                            for i in Int(start[k])..<Int(start[k + 1]) {
                                total += Int(events[i])
                                if total >= threshold { body(Int(doers[k]), Int(days[i])); break }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The day on which the customer's running count first reaches `threshold`, nil if it never does in the window
    /// (`forEachDayReaching` for one n; a threshold of 0 or less is met on day 0).
    @inline(__always)
    package func dayReaching(_ threshold: Int, customer: Int) -> Int? {
        if threshold <= 0 { return windowDays > 0 ? 0 : nil }
        var reached: Int?
        forEachDayReaching(upTo: threshold, customer: customer) { n, day in if n == threshold { reached = day } }
        return reached
    }

    /// The count within the first `days` days.
    @inline(__always)
    package func count(withinDays limit: Int, customer: Int) -> Int {
        var total = 0
        for i in cells(of: customer) where Int(days[i]) < limit { total += Int(events[i]) }
        return total
    }
}
