import Foundation

/// The beta distribution Beta(a, b), a, b > 0: its CDF, the regularised incomplete beta function, and its quantile.
public enum BetaDistribution {
    /// I_x(a, b) = B(x; a, b) / B(a, b), the CDF of Beta(a, b) at x (0 for x ≤ 0, 1 for x ≥ 1).
    ///
    /// Evaluated by the continued fraction of DiDonato & Morris / Numerical Recipes (Press et al., 3rd ed., §6.4,
    /// `betacf`, modified Lentz), for x < (a + 1)/(a + b + 2) directly and otherwise through the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a), where the fraction converges fast. The prefactor
    /// x^a (1 − x)^b / (a B(a, b)) is formed in logs (lgamma, log1p) so large a, b do not overflow. Relative
    /// accuracy about 1e-14 for moderate a, b (counts up to a few thousand).
    public static func cdf(_ x: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "beta parameters must be positive")
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logPrefix = a * log(x) + b * log1p(-x) - logBeta(a, b)
        if x < (a + 1) / (a + b + 2) {
            return exp(logPrefix) * continuedFraction(x, a, b) / a
        }
        return 1 - exp(logPrefix) * continuedFraction(1 - x, b, a) / b
    }

    /// The q-quantile of Beta(a, b): the x in [0, 1] with I_x(a, b) = q (0 for q ≤ 0, 1 for q ≥ 1).
    ///
    /// I_x is continuous and strictly increasing in x, so bisection on [0, 1] always converges; it runs until the
    /// bracket cannot be halved in floating point (53 halvings plus one per binary order of magnitude below 1/2,
    /// so at most about 1,100), which makes the answer as exact as `cdf` itself (error ≈ cdf error / density).
    public static func quantile(_ q: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "beta parameters must be positive")
        if q <= 0 { return 0 }
        if q >= 1 { return 1 }
        var lo = 0.0, hi = 1.0
        for _ in 0..<2000 {
            let mid = (lo + hi) / 2
            if mid <= lo || mid >= hi { break }
            if cdf(mid, a: a, b: b) < q { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// log B(a, b) = lgamma(a) + lgamma(b) − lgamma(a + b).
    static func logBeta(_ a: Double, _ b: Double) -> Double { lgamma(a) + lgamma(b) - lgamma(a + b) }

    /// The continued fraction for I_x(a, b) (Numerical Recipes `betacf`), modified Lentz's method.
    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let dm = Double(m), m2 = 2 * dm
            var aa = dm * (b - dm) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + dm) * (qab + dm) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
