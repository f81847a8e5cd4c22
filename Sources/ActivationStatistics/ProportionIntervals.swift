import Foundation

/// Confidence intervals for a binomial proportion, for the difference of two independent proportions and for
/// their ratio. No continuity corrections. Each takes counts (successes, trials) and a two-sided `level`.
public enum ProportionIntervals {
    /// The Wilson score interval (Wilson 1927, JASA 22): the p with |p̂ − p| ≤ z √(p(1 − p)/n), i.e.
    ///
    ///     (p̂ + z²/2n ∓ z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n),   z = Φ⁻¹(1 − α/2),
    ///
    /// clipped to [0, 1] (statsmodels `proportion_confint(method: "wilson")`). Defined for 0 ≤ successes ≤ n, n ≥ 1;
    /// at 0/n the lower end is 0 and at n/n the upper end is 1.
    public static func wilson(successes x: Int, trials n: Int, level: Double = 0.95) -> ClosedRange<Double> {
        precondition(n >= 1 && x >= 0 && x <= n, "need 0 ≤ successes ≤ trials, trials ≥ 1")
        let z = criticalValue(level)
        let dn = Double(n), p = Double(x) / dn, z2 = z * z
        let denominator = 1 + z2 / dn
        let centre = (p + z2 / (2 * dn)) / denominator
        let half = z / denominator * (p * (1 - p) / dn + z2 / (4 * dn * dn)).squareRoot()
        let low = x == 0 ? 0 : max(0, centre - half)
        let high = x == n ? 1 : min(1, centre + half)
        return low...high
    }

    /// The Clopper–Pearson "exact" interval (Clopper & Pearson 1934, Biometrika 26), inverting two one-sided
    /// binomial tests through the beta quantiles
    ///
    ///     low = B⁻¹(α/2; x, n − x + 1) (0 when x = 0),   high = B⁻¹(1 − α/2; x + 1, n − x) (1 when x = n),
    ///
    /// as statsmodels `proportion_confint(method: "beta")`. Its coverage is at least the nominal level.
    public static func clopperPearson(successes x: Int, trials n: Int, level: Double = 0.95) -> ClosedRange<Double> {
        precondition(n >= 1 && x >= 0 && x <= n, "need 0 ≤ successes ≤ trials, trials ≥ 1")
        precondition(level > 0 && level < 1, "level must be in (0, 1)")
        let alpha = 1 - level
        let low = x == 0 ? 0 : BetaDistribution.quantile(alpha / 2, a: Double(x), b: Double(n - x + 1))
        let high = x == n ? 1 : BetaDistribution.quantile(1 - alpha / 2, a: Double(x + 1), b: Double(n - x))
        return low...high
    }

    /// p₁ − p₂ with Newcombe's hybrid score interval (Newcombe 1998, "Interval estimation for the difference between
    /// independent proportions: comparison of eleven methods", Statistics in Medicine 17, method 10), built from the
    /// two Wilson intervals (l₁, u₁) and (l₂, u₂):
    ///
    ///     low  = (p₁ − p₂) − √((p₁ − l₁)² + (u₂ − p₂)²),
    ///     high = (p₁ − p₂) + √((u₁ − p₁)² + (p₂ − l₂)²),
    ///
    /// as statsmodels `confint_proportions_2indep(method: "newcomb", compare: "diff")`. Defined for zero counts
    /// (0/n, n/n) too; the ends stay in [−1, 1].
    public static func newcombeDifference(successes1 x1: Int, trials1 n1: Int, successes2 x2: Int, trials2 n2: Int,
                                          level: Double = 0.95) -> (difference: Double, interval: ClosedRange<Double>) {
        let w1 = wilson(successes: x1, trials: n1, level: level)
        let w2 = wilson(successes: x2, trials: n2, level: level)
        let p1 = Double(x1) / Double(n1), p2 = Double(x2) / Double(n2)
        let d = p1 - p2
        let low = d - ((p1 - w1.lowerBound) * (p1 - w1.lowerBound) + (w2.upperBound - p2) * (w2.upperBound - p2)).squareRoot()
        let high = d + ((w1.upperBound - p1) * (w1.upperBound - p1) + (p2 - w2.lowerBound) * (p2 - w2.lowerBound)).squareRoot()
        return (d, max(-1, low)...min(1, high))
    }

    /// The risk ratio p₁/p₂ with the log (Katz) interval exp(log(p₁/p₂) ∓ z · se),
    /// se = √(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂) (Katz, Baptista, Azen & Pike 1978, Biometrics 34; statsmodels
    /// `confint_proportions_2indep(method: "log", compare: "ratio")`).
    ///
    /// nil when x₁ or x₂ is 0: the log of the ratio (0 or ∞) and its standard error are undefined there.
    public static func riskRatio(successes1 x1: Int, trials1 n1: Int, successes2 x2: Int, trials2 n2: Int,
                                 level: Double = 0.95) -> (ratio: Double, interval: ClosedRange<Double>, logStandardError: Double)? {
        precondition(n1 >= 1 && n2 >= 1 && x1 >= 0 && x1 <= n1 && x2 >= 0 && x2 <= n2, "need 0 ≤ successes ≤ trials")
        guard x1 > 0, x2 > 0 else { return nil }
        let ratio = (Double(x1) / Double(n1)) / (Double(x2) / Double(n2))
        let se = (1 / Double(x1) - 1 / Double(n1) + 1 / Double(x2) - 1 / Double(n2)).squareRoot()
        let z = criticalValue(level)
        let logRatio = log(ratio)
        return (ratio, exp(logRatio - z * se)...exp(logRatio + z * se), se)
    }

    /// z₁₋α/₂ = Φ⁻¹(0.5 + level/2).
    static func criticalValue(_ level: Double) -> Double {
        precondition(level > 0 && level < 1, "level must be in (0, 1)")
        return NormalDistribution.quantile(0.5 + level / 2)
    }
}
