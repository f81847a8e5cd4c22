import Foundation

/// The nonparametric bootstrap (Efron & Tibshirani, "An Introduction to the Bootstrap", 1993): resample the n rows
/// with replacement, recompute the statistic, and read an interval off the replicates.
///
/// Every draw comes from `SplitMix64`, so the same seed gives the same resamples and the same interval on every
/// machine. An index uniform on 0..<n is the high word of the 128-bit product of a 64-bit draw and n (Lemire 2019,
/// without the rejection step: its bias is at most n / 2⁶⁴, far below anything a bootstrap can resolve), so one
/// draw makes one index and the sequence depends on nothing but the seed.
public enum Bootstrap {
    /// A uniform integer in 0..<n (n ≥ 1) from one draw of `rng`.
    public static func index(below n: Int, using rng: inout SplitMix64) -> Int {
        precondition(n >= 1, "need n ≥ 1")
        return Int(rng.next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// n indices drawn uniformly from 0..<n with replacement (one bootstrap resample of n rows).
    public static func resampleIndices(count n: Int, using rng: inout SplitMix64) -> [Int] {
        (0..<n).map { _ in index(below: n, using: &rng) }
    }

    /// Fisher–Yates shuffle in place (Knuth, TAOCP vol. 2, Algorithm 3.4.2P), i from the last element down, each swap
    /// partner from `index(below: i + 1)`.
    public static func shuffle<T>(_ values: inout [T], using rng: inout SplitMix64) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, index(below: i + 1, using: &rng))
        }
    }

    /// The statistic over `resamples` bootstrap resamples of `count` rows drawn from `SplitMix64(seed:)`.
    /// `statistic` gets the resampled row indices and returns nil when it is undefined on that resample (an AUC
    /// on a resample with one class only); such resamples are skipped and counted, not redrawn.
    public static func replicates(count n: Int, resamples: Int, seed: UInt64,
                                  statistic: ([Int]) -> Double?) -> (values: [Double], skipped: Int) {
        precondition(n >= 1 && resamples >= 0, "need rows and a non-negative number of resamples")
        var rng = SplitMix64(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var skipped = 0
        for _ in 0..<resamples {
            if let v = statistic(resampleIndices(count: n, using: &rng)) { values.append(v) } else { skipped += 1 }
        }
        return (values, skipped)
    }

    /// The percentile interval: the (1 − level)/2 and (1 + level)/2 quantiles of the replicates with linear
    /// interpolation between order statistics (Hyndman & Fan type 7, `numpy.percentile`'s default). nil when there
    /// are no replicates. NaN replicates are not allowed.
    public static func percentileInterval(_ replicates: [Double], level: Double = 0.95) -> ClosedRange<Double>? {
        precondition(level > 0 && level < 1, "level must be in (0, 1)")
        guard !replicates.isEmpty else { return nil }
        precondition(!replicates.contains(where: \.isNaN), "NaN replicate")
        let sorted = replicates.sorted()
        return Descriptive.quantile(sorted: sorted, (1 - level) / 2)...Descriptive.quantile(sorted: sorted, (1 + level) / 2)
    }
}
