import Foundation

/// Pearson correlations and variance inflation factors of predictor columns: how much predictors overlap before
/// they enter a joint model.
public enum Collinearity {
    /// The Pearson correlation matrix of `columns` (each column one variable, all of the same length n ≥ 2):
    ///
    ///     r_jk = Σᵢ (x_ij − x̄_j)(x_ik − x̄_k) / √(Σᵢ (x_ij − x̄_j)² · Σᵢ (x_ik − x̄_k)²),
    ///
    /// computed in two passes (means first) so large means do not cancel. The diagonal is exactly 1; an entry that
    /// involves a constant column (zero variance) is NaN, as in `numpy.corrcoef`.
    public static func correlationMatrix(_ columns: [[Double]]) -> [[Double]] {
        let m = columns.count
        guard let n = columns.first?.count else { return [] }
        precondition(columns.allSatisfy { $0.count == n } && n >= 2, "columns need the same length, at least 2")
        let centred = columns.map { c -> [Double] in
            let mean = c.reduce(0, +) / Double(n)
            return c.map { $0 - mean }
        }
        var result = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        let ss = centred.map { c in c.reduce(0) { $0 + $1 * $1 } }
        for j in 0..<m {
            for k in 0...j {
                if j == k {
                    result[j][j] = ss[j] > 0 ? 1 : .nan
                    continue
                }
                var s = 0.0
                for i in 0..<n { s += centred[j][i] * centred[k][i] }
                let r = ss[j] > 0 && ss[k] > 0 ? s / (ss[j] * ss[k]).squareRoot() : .nan
                result[j][k] = r
                result[k][j] = r
            }
        }
        return result
    }

    /// Variance inflation factors VIF_j = 1 / (1 − R_j²), R_j² the coefficient of determination of the least-squares
    /// regression of column j on all other columns and a constant (statsmodels' `variance_inflation_factor` on a
    /// design with a constant column). Marquardt (1970), Technometrics 12(3); Belsley, Kuh & Welsch (1980).
    ///
    /// Computed as the diagonal of R⁻¹, R the correlation matrix (with a constant in every auxiliary regression,
    /// 1/(1 − R_j²) = (R⁻¹)_jj exactly), R inverted by Cholesky. nil when R is not positive definite: a constant
    /// column, or columns that are exactly collinear (some R_j² = 1, VIF infinite). A single column has VIF 1.
    public static func varianceInflationFactors(_ columns: [[Double]]) -> [Double]? {
        let m = columns.count
        guard m > 0 else { return [] }
        let r = correlationMatrix(columns)
        guard !r.joined().contains(where: \.isNaN), let chol = Cholesky(matrix: Array(r.joined()), size: m) else { return nil }
        return (0..<m).map { j in
            var e = [Double](repeating: 0, count: m)
            e[j] = 1
            return chol.solve(e)[j]
        }
    }
}
