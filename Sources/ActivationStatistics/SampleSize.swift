import Foundation

/// Sample sizes for experiments that compare two proportions (a renewal rate with and without a nudge).
public enum SampleSize {
    /// Per-arm n for a two-sided, two-sample test of p₁ against p₂ with equal arms, the classic normal-approximation
    /// formula (Fleiss, Levin & Paik, "Statistical Methods for Rates and Proportions", 3rd ed., 2003, eq. 4.14
    /// without the continuity correction): pooled variance under the null, unpooled under the alternative,
    ///
    ///     n = (z₁₋α/₂ √(2 p̄ q̄) + z₁₋β √(p₁q₁ + p₂q₂))² / (p₁ − p₂)²,   p̄ = (p₁ + p₂)/2, q = 1 − p.
    ///
    /// It belongs to the pooled two-proportion z-test (the 2×2 chi-square test) and equals statsmodels'
    /// `samplesize_proportions_2indep_onetail`. Returns the unrounded n and ⌈n⌉, the customers needed per arm.
    /// Requires 0 < p₁, p₂ < 1, p₁ ≠ p₂, 0 < α < 1 and 0 < power < 1.
    public static func twoProportionsPerArm(p1: Double, p2: Double, alpha: Double = 0.05,
                                            power: Double = 0.8) -> (n: Double, perArm: Int) {
        precondition(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1 && p1 != p2, "need two different proportions in (0, 1)")
        precondition(alpha > 0 && alpha < 1 && power > 0 && power < 1, "need α and power in (0, 1)")
        let za = NormalDistribution.quantile(1 - alpha / 2)
        let zb = NormalDistribution.quantile(power)
        let pbar = (p1 + p2) / 2
        let root = za * (2 * pbar * (1 - pbar)).squareRoot() + zb * (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot()
        let n = root * root / ((p1 - p2) * (p1 - p2))
        return (n, Int(n.rounded(.up)))
    }

    /// The arcsine approximation 2((z₁₋α/₂ + z₁₋β)/h)² per arm with Cohen's h = 2 asin √p₁ − 2 asin √p₂ (Cohen,
    /// "Statistical Power Analysis for the Behavioral Sciences", 2nd ed., 1988, ch. 6), for comparison: it ignores
    /// the far rejection tail and asks for fewer customers than `twoProportionsPerArm` near 0 or 1.
    public static func arcsinePerArm(p1: Double, p2: Double, alpha: Double = 0.05, power: Double = 0.8) -> Double {
        precondition(p1 >= 0 && p1 <= 1 && p2 >= 0 && p2 <= 1 && p1 != p2, "need two different proportions in [0, 1]")
        precondition(alpha > 0 && alpha < 1 && power > 0 && power < 1, "need α and power in (0, 1)")
        let h = cohensH(p1, p2)
        let z = NormalDistribution.quantile(1 - alpha / 2) + NormalDistribution.quantile(power)
        return 2 * (z / h) * (z / h)
    }

    /// Cohen's effect size h = 2 asin √p₁ − 2 asin √p₂ (statsmodels `proportion_effectsize(p1, p2)`).
    public static func cohensH(_ p1: Double, _ p2: Double) -> Double {
        2 * asin(p1.squareRoot()) - 2 * asin(p2.squareRoot())
    }
}
