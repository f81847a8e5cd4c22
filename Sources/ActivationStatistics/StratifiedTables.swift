import Foundation

/// 2×2 tables of one rule against renewal, one per stratum (segment), pooled.
///
/// - Mantel-Haenszel common odds ratio: OR_MH = Σ aᵢdᵢ/nᵢ / Σ bᵢcᵢ/nᵢ (Mantel & Haenszel 1959), with the
///   Robins-Breslow-Greenland (1986) variance of log OR_MH for its confidence interval.
/// - Breslow-Day test of homogeneity: does the odds ratio differ between strata? For each stratum the expected
///   reached-and-renewed count Eᵢ under the common OR_MH solves (E(nᵢ − r₁ᵢ − c₁ᵢ + E)) / ((r₁ᵢ − E)(c₁ᵢ − E)) = OR_MH,
///   and χ² = Σ (aᵢ − Eᵢ)² / Var(aᵢ), Var = 1 / (1/E + 1/(r₁−E) + 1/(c₁−E) + 1/(n−r₁−c₁+E)), on K − 1 degrees of
///   freedom (Breslow & Day 1980; without Tarone's correction, as statsmodels' `test_equal_odds(adjust=False)`).
///   Strata whose table has an empty margin carry no information and are skipped.
public struct StratifiedTables: Sendable {
    public var strata: [TwoByTwoTable]

    public init(_ strata: [TwoByTwoTable]) {
        self.strata = strata
    }

    /// Strata that inform the pooled estimate: both rows and both columns non-empty.
    var informative: [TwoByTwoTable] {
        strata.filter { $0.reached > 0 && $0.notReached > 0 && $0.renewed > 0 && $0.churned > 0 }
    }

    /// The Mantel-Haenszel common odds ratio, nil when undefined (no informative stratum, or a zero sum).
    public var mantelHaenszelOddsRatio: Double? {
        var numerator = 0.0, denominator = 0.0
        for t in informative {
            let n = Double(t.total)
            numerator += Double(t.reachedRenewed) * Double(t.notReachedChurned) / n
            denominator += Double(t.reachedChurned) * Double(t.notReachedRenewed) / n
        }
        guard numerator > 0, denominator > 0 else { return nil }
        return numerator / denominator
    }

    /// The Robins-Breslow-Greenland 95% (by default) interval of the Mantel-Haenszel odds ratio.
    public func mantelHaenszelInterval(level: Double = 0.95) -> ClosedRange<Double>? {
        guard let or = mantelHaenszelOddsRatio else { return nil }
        var r = 0.0, s = 0.0, pr = 0.0, psqr = 0.0, qs = 0.0
        for t in informative {
            let a = Double(t.reachedRenewed), b = Double(t.reachedChurned), c = Double(t.notReachedRenewed), d = Double(t.notReachedChurned)
            let n = a + b + c + d
            let p = (a + d) / n, q = (b + c) / n
            let ri = a * d / n, si = b * c / n
            r += ri; s += si
            pr += p * ri
            psqr += p * si + q * ri
            qs += q * si
        }
        let variance = pr / (2 * r * r) + psqr / (2 * r * s) + qs / (2 * s * s)
        let z = NormalDistribution.quantile(0.5 + level / 2)
        let half = z * variance.squareRoot()
        return exp(log(or) - half)...exp(log(or) + half)
    }

    /// The Breslow-Day statistic and its p-value (χ², K − 1 df), nil with fewer than two informative strata.
    public var breslowDay: (statistic: Double, degreesOfFreedom: Int, pValue: Double)? {
        let tables = informative
        guard tables.count >= 2, let or = mantelHaenszelOddsRatio else { return nil }
        var statistic = 0.0
        for t in tables {
            let a = Double(t.reachedRenewed)
            let r1 = Double(t.reached), c1 = Double(t.renewed), n = Double(t.total)
            // Solve (1 − OR) E² + (n − r1 − c1 + OR(r1 + c1)) E − OR r1 c1 = 0 for E in the feasible range.
            let lower = max(0, r1 + c1 - n), upper = min(r1, c1)
            let e: Double
            if abs(or - 1) < 1e-12 {
                e = r1 * c1 / n
            } else {
                let qa = 1 - or, qb = n - r1 - c1 + or * (r1 + c1), qc = -or * r1 * c1
                let disc = (qb * qb - 4 * qa * qc).squareRoot()
                let roots = [(-qb + disc) / (2 * qa), (-qb - disc) / (2 * qa)]
                e = roots.first { $0 >= lower - 1e-9 && $0 <= upper + 1e-9 } ?? r1 * c1 / n
            }
            let cells = [e, r1 - e, c1 - e, n - r1 - c1 + e]
            guard cells.allSatisfy({ $0 > 1e-12 }) else { continue }
            let variance = 1 / cells.reduce(0) { $0 + 1 / $1 }
            statistic += (a - e) * (a - e) / variance
        }
        let df = tables.count - 1
        return (statistic, df, ChiSquared.survival(statistic, degreesOfFreedom: df))
    }
}

/// The χ² distribution's upper tail, through the regularised incomplete gamma function.
public enum ChiSquared {
    /// P(X > x) for X ~ χ²(k) = Q(k/2, x/2).
    public static func survival(_ x: Double, degreesOfFreedom k: Int) -> Double {
        guard x > 0 else { return 1 }
        return regularizedUpperGamma(Double(k) / 2, x / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a): a series for x < a + 1, Lentz's continued fraction otherwise
    /// (Numerical Recipes, 3rd ed., §6.2).
    static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        let logPrefix = -x + a * log(x) - lgamma(a)
        if x < a + 1 {
            var term = 1 / a, sum = term, ap = a
            for _ in 0..<1000 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * 1e-16 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<1000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return min(1, exp(logPrefix) * h)
    }
}
