import Foundation

/// A 2×2 table of a yes/no rule ("reached the threshold") against renewal, and the statistics read off it.
///
///                  renewed   churned
///     reached         a         b
///     not reached     c         d
public struct TwoByTwoTable: Sendable, Equatable, Hashable {
    public var reachedRenewed: Int
    public var reachedChurned: Int
    public var notReachedRenewed: Int
    public var notReachedChurned: Int

    public init(reachedRenewed a: Int, reachedChurned b: Int, notReachedRenewed c: Int, notReachedChurned d: Int) {
        reachedRenewed = a; reachedChurned = b; notReachedRenewed = c; notReachedChurned = d
    }

    public var reached: Int { reachedRenewed + reachedChurned }
    public var notReached: Int { notReachedRenewed + notReachedChurned }
    public var renewed: Int { reachedRenewed + notReachedRenewed }
    public var churned: Int { reachedChurned + notReachedChurned }
    public var total: Int { reached + notReached }

    private static func ratio(_ x: Int, _ y: Int) -> Double? { y == 0 ? nil : Double(x) / Double(y) }

    /// Share of customers reaching the rule.
    public var reachRate: Double? { Self.ratio(reached, total) }
    /// Renewal rate of those who reach it (= precision, positive predictive value).
    public var renewRateReached: Double? { Self.ratio(reachedRenewed, reached) }
    public var renewRateNotReached: Double? { Self.ratio(notReachedRenewed, notReached) }
    /// Renewal rate reached / not reached.
    public var lift: Double? {
        guard let r = renewRateReached, let n = renewRateNotReached, n > 0 else { return nil }
        return r / n
    }
    /// Churn rate of those who did not reach it over the churn rate of those who did: "non-activated customers
    /// churn k times as often". Unlike a retention lift, it is not capped by a high base renewal rate.
    public var churnRatio: Double? {
        guard let r = renewRateReached, let n = renewRateNotReached, r < 1 else { return nil }
        return (1 - n) / (1 - r)
    }
    public var precision: Double? { renewRateReached }
    /// Negative predictive value: churn rate among those who did not reach it.
    public var negativePredictiveValue: Double? { Self.ratio(notReachedChurned, notReached) }
    /// Sensitivity: share of renewed customers who reached it.
    public var recall: Double? { Self.ratio(reachedRenewed, renewed) }
    public var specificity: Double? { Self.ratio(notReachedChurned, churned) }
    /// Youden's J = recall + specificity − 1.
    public var youdenJ: Double? {
        guard let r = recall, let s = specificity else { return nil }
        return r + s - 1
    }
    /// AUC of the binary rule, (1 + J) / 2.
    public var binaryAUC: Double? { youdenJ.map { (1 + $0) / 2 } }
    /// The φ coefficient (Pearson correlation of the two indicators).
    public var phi: Double? {
        let den = Double(reached) * Double(notReached) * Double(renewed) * Double(churned)
        guard den > 0 else { return nil }
        return (Double(reachedRenewed) * Double(notReachedChurned) - Double(reachedChurned) * Double(notReachedRenewed)) / den.squareRoot()
    }
    /// The sample odds ratio ad / bc; nil (infinite or undefined) when a cell of the denominator is empty.
    public var oddsRatio: Double? {
        let den = Double(reachedChurned) * Double(notReachedRenewed)
        guard den > 0 else { return nil }
        return Double(reachedRenewed) * Double(notReachedChurned) / den
    }

    /// The Haldane-Anscombe odds ratio (0.5 added to every cell, so it is finite with empty cells) with its Woolf
    /// (log-scale normal) confidence interval: exp(log OR ± z √(Σ 1/(cell + ½))).
    public func correctedOddsRatio(level: Double = 0.95) -> (estimate: Double, low: Double, high: Double) {
        let a = Double(reachedRenewed) + 0.5, b = Double(reachedChurned) + 0.5
        let c = Double(notReachedRenewed) + 0.5, d = Double(notReachedChurned) + 0.5
        let logOR = log(a * d / (b * c))
        let se = (1 / a + 1 / b + 1 / c + 1 / d).squareRoot()
        let z = NormalDistribution.quantile(0.5 + level / 2)
        return (exp(logOR), exp(logOR - z * se), exp(logOR + z * se))
    }

    /// Two-sided Fisher exact test p-value (Fisher 1935; the "minimum-likelihood" two-sided rule of Agresti,
    /// *Categorical Data Analysis*, §3.5.1, which R's `fisher.test` and scipy's `fisher_exact` use).
    ///
    /// With the margins fixed, the count x in the reached-renewed cell is hypergeometric:
    /// P(x) = C(renewed, x) · C(n − renewed, reached − x) / C(n, reached), for max(0, reached + renewed − n) ≤ x ≤
    /// min(reached, renewed). The p-value is Σ P(x) over every x with P(x) ≤ P(observed), i.e. every table no more
    /// likely than the observed one, in either tail. Probabilities are compared on the log scale with scipy's relative
    /// tolerance of 1e-7, so tables tied with the observed one in exact arithmetic are not lost to rounding. An empty
    /// table gives 1.
    public var fisherExactPValue: Double {
        let row1 = reached, col1 = renewed, n = total
        guard n > 0 else { return 1 }
        let lo = max(0, row1 + col1 - n), hi = min(row1, col1)
        let logFactorial = LogFactorials.shared.upTo(n)
        func logChoose(_ n: Int, _ k: Int) -> Double { logFactorial[n] - logFactorial[k] - logFactorial[n - k] }
        func logProbability(_ x: Int) -> Double {
            logChoose(col1, x) + logChoose(n - col1, row1 - x) - logChoose(n, row1)
        }
        let observed = logProbability(reachedRenewed)
        let bound = observed + log1p(1e-7)
        // Terms far in the tails add exactly nothing: exp underflows to +0 below log(smallest subnormal) ≈ −744.4,
        // and p + 0 = p. The log-probability is unimodal in x (the hypergeometric is log-concave), so the terms above
        // `negligible` form one run around the mode, found by bisection on each side; the sum over that run, in
        // ascending x as before, is the sum over every x to the last bit, for a fraction of the terms (at tens of
        // thousands of customers most of the range lies hundreds of standard deviations out). The margin from
        // −744.4 to −800 dwarfs the rounding of the log-factorials (about 1e-9 here).
        let negligible = -800.0
        let mode = min(hi, max(lo, Int((Double(row1) + 1) * (Double(col1) + 1) / (Double(n) + 2))))
        var first = lo, last = hi
        if logProbability(lo) < negligible {
            // The first x in lo...mode whose term is not negligible (the mode's never is: it is the largest of at
            // most n + 1 probabilities summing to 1).
            var a = lo, b = mode
            while a < b { let m = (a + b) / 2; if logProbability(m) < negligible { a = m + 1 } else { b = m } }
            first = a
        }
        if logProbability(hi) < negligible {
            var a = mode, b = hi
            while a < b { let m = (a + b + 1) / 2; if logProbability(m) < negligible { b = m - 1 } else { a = m } }
            last = a
        }
        var p = 0.0
        for x in first...last {
            let lp = logProbability(x)
            if lp <= bound { p += exp(lp) }
        }
        return min(1, p)
    }
}

/// log k! = lgamma(k + 1) for k = 0...n, computed once per process and grown on demand: Fisher's exact test sums
/// over every table with the observed margins (tens of thousands of terms of three log-binomials each), for
/// hundreds of candidate rules, and lgamma was a tenth of the model stage. The values are lgamma's own, so the
/// p-values are unchanged to the last bit.
final class LogFactorials: @unchecked Sendable {
    static let shared = LogFactorials()
    private let lock = NSLock()
    private var values: [Double] = [0]

    func upTo(_ n: Int) -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        if values.count <= n {
            var size = max(1024, values.count)
            while size <= n { size *= 2 }
            values.reserveCapacity(size)
            for k in values.count..<size { values.append(lgamma(Double(k) + 1)) }
        }
        return values
    }
}
