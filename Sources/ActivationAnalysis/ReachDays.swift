import ActivationFeatures

/// For one behaviour, the day each decided customer first reached each count 1…N (or nil): one pass over the daily
/// counts, after which any "≥ n within D days" question is a comparison.
package struct ReachDays: Sendable {
    package let maximum: Int
    /// Row of each customer in `days`, -1 for customers not scanned.
    private var row: [Int32]
    /// `days[row * maximum + n - 1]`: the day the running count reached n, `Int16.max` when never.
    private var days: [Int16]

    package init(_ features: BehaviourFeatures, customers: [Int], maximum: Int) {
        self.maximum = maximum
        var row = [Int32](repeating: -1, count: features.customerCount)
        var days = [Int16](repeating: .max, count: customers.count * maximum)
        for (r, c) in customers.enumerated() {
            row[c] = Int32(r)
            let base = r * maximum
            features.daily.forEachDayReaching(upTo: maximum, customer: c) { n, day in days[base + n - 1] = Int16(day) }
        }
        self.row = row
        self.days = days
    }

    /// Day the customer reached `n`, nil when not within the window.
    package func day(_ n: Int, customer: Int) -> Int? {
        let r = Int(row[customer])
        guard r >= 0 else { return nil }
        let d = days[r * maximum + n - 1]
        return d == .max ? nil : Int(d)
    }
}
