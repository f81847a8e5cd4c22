import Foundation

/// Small descriptive statistics used throughout.
public enum Descriptive {
    public static func mean(_ x: [Double]) -> Double {
        x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count)
    }

    /// Sample variance with denominator n − 1 (0 for fewer than two values).
    public static func sampleVariance(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        var s = 0.0
        for v in x { s += (v - m) * (v - m) }
        return s / Double(x.count - 1)
    }

    /// Sample covariance with denominator n − 1.
    public static func sampleCovariance(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count)
        guard x.count > 1 else { return 0 }
        let mx = mean(x), my = mean(y)
        var s = 0.0
        for i in x.indices { s += (x[i] - mx) * (y[i] - my) }
        return s / Double(x.count - 1)
    }

    /// The q-quantile (q in [0, 1]) with linear interpolation between order statistics (Hyndman & Fan type 7,
    /// numpy's default `linear`). `sorted` must be ascending and non-empty.
    public static func quantile(sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty)
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

}

/// Mid-ranks (average ranks for ties), 1-based.
public enum Ranks {
    public static func midRanks(_ x: [Double]) -> [Double] {
        if let ranks = smallIntegerMidRanks(x) { return ranks }
        if let ranks = fewDistinctMidRanks(x, limit: 32) { return ranks }
        if !x.contains(where: \.isNaN) { return sortedValueMidRanks(x) }
        let order = x.indices.sorted { x[$0] < x[$1] || (x[$0] == x[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let r = Double(i + j + 2) / 2
            for k in i...j { ranks[order[k]] = r }
            i = j + 1
        }
        return ranks
    }

    /// Mid-ranks from the sorted values (a plain sort of doubles, several times quicker than sorting indices through
    /// a closure): each distinct value's mid-rank is the mean of the positions it takes, and each element finds its
    /// value by binary search. For data without NaN.
    static func sortedValueMidRanks(_ x: [Double]) -> [Double] {
        let sorted = x.sorted()
        var values: [Double] = [], ranks: [Double] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[i] { j += 1 }
            values.append(sorted[i])
            ranks.append(Double(i + j + 2) / 2)
            i = j + 1
        }
        return values.withUnsafeBufferPointer { values in
            x.map { v in
                var lo = 0, hi = values.count - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if values[mid] < v { lo = mid + 1 } else { hi = mid }
                }
                return ranks[lo]
            }
        }
    }

    /// Mid-ranks by counting when every value is a whole number in 0..<max(1024, 2n) (counts, 0/1 flags, and their
    /// weighted copies): one tally per value, whose mid-rank is the count below it plus half its own count plus one
    /// half, `Double(2 · below + count + 1) / 2` as the sort computes it, so the same bits in O(n + largest value);
    /// nil otherwise (a fraction, a negative, a large value or a NaN).
    static func smallIntegerMidRanks(_ x: [Double]) -> [Double]? {
        let bound = Double(max(1024, 2 * x.count))
        var largest = 0.0
        for v in x {
            guard v >= 0, v < bound, v.rounded(.down) == v else { return nil }
            largest = max(largest, v)
        }
        let values = Int(largest) + 1
        var counts = [Int](repeating: 0, count: values)
        counts.withUnsafeMutableBufferPointer { c in for v in x { c[Int(v)] += 1 } }
        var rankOf = [Double](repeating: 0, count: values)
        var below = 0
        for k in 0..<values where counts[k] > 0 {
            rankOf[k] = Double(2 * below + counts[k] + 1) / 2
            below += counts[k]
        }
        return rankOf.withUnsafeBufferPointer { r in x.map { r[Int($0)] } }
    }

    /// Mid-ranks by counting when `x` holds at most `limit` distinct values (0/1 reach flags, a model's predictions
    /// from a count): the distinct values are ranked and each value's mid-rank is the count below it plus half its
    /// own count plus one half. O(n · distinct) instead of a sort; nil (use the sort) beyond `limit` or with a NaN.
    static func fewDistinctMidRanks(_ x: [Double], limit: Int) -> [Double]? {
        var distinct: [Double] = []
        var counts: [Int] = []
        var codes = [UInt8](repeating: 0, count: x.count)
        precondition(limit <= 255)
        for (i, v) in x.enumerated() {
            if v.isNaN { return nil }
            var k = 0
            while k < distinct.count && distinct[k] != v { k += 1 }
            if k == distinct.count {
                if k == limit { return nil }
                distinct.append(v)
                counts.append(0)
            }
            counts[k] += 1
            codes[i] = UInt8(k)
        }
        var rankOf = [Double](repeating: 0, count: distinct.count)
        var below = 0
        for k in distinct.indices.sorted(by: { distinct[$0] < distinct[$1] }) {
            rankOf[k] = Double(2 * below + counts[k] + 1) / 2
            below += counts[k]
        }
        return codes.map { rankOf[Int($0)] }
    }
}
