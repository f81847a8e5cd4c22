import Foundation

// Inference on a fitted `LogisticRegression` with several predictors (a joint model: counts, dummies and an
// intercept), and the mapping between the fitter's `penalty` and scikit-learn's `C`.

extension LogisticRegression {
    /// A fitter for scikit-learn's L2 objective `LogisticRegression(C: C)`:
    ///
    ///     Σᵢ logloss(yᵢ, σ(β₀ + β·xᵢ)) + ‖β‖² / (2C),
    ///
    /// the intercept β₀ not penalised and the columns not standardised. Maximising ℓ(β) − λ/2 ‖β‖² with λ = 1/C is
    /// the same problem (the sum of log-losses is −ℓ), so this is `LogisticRegression(penalty: 1 / C)`.
    /// `C` must be positive; `C = .infinity` is maximum likelihood.
    public static func l2(C: Double) -> LogisticRegression {
        precondition(C > 0, "C must be positive")
        return LogisticRegression(penalty: 1 / C)
    }

    /// Fits by maximum likelihood and, when the estimate is not identifiable (`Fit.isIdentifiable` false:
    /// separation, a singular information matrix or no convergence), refits with the L2 objective at `fallbackC`,
    /// whose optimum is finite and unique for any data (the penalised objective is strictly convex in the slopes).
    ///
    /// Returns the fit used and whether it is the penalised one. The penalised fit's standard errors are those of
    /// the unpenalised information at the penalised estimate and are not valid Wald standard errors; callers
    /// should report the candidate as flagged, not ranked by its p-value.
    public func fitFallingBackToL2(x: [[Double]], y: [Bool], fallbackC: Double = 1) -> (fit: Fit, penalised: Bool) {
        let mle = fit(x: x, y: y)
        if mle.isIdentifiable { return (mle, false) }
        var penalised = LogisticRegression.l2(C: fallbackC)
        penalised.maxIterations = maxIterations
        penalised.tolerance = tolerance
        return (penalised.fit(x: x, y: y), true)
    }

    /// `fitFallingBackToL2(x:y:fallbackC:)` for rows laid out one after another in `flat` (`width` values each, no
    /// intercept), the same fits bit for bit: the rows are grouped (or laid out as a design matrix) once, for both the
    /// maximum-likelihood fit and the penalised one, and no array is made per row.
    public func fitFallingBackToL2(flat: [Double], width: Int, y: [Bool], fallbackC: Double = 1) -> (fit: Fit, penalised: Bool) {
        let prepared = Self.prepare(flat: flat, width: width, y: y)
        let mle = fit(prepared, y: y)
        if mle.isIdentifiable { return (mle, false) }
        var penalised = LogisticRegression.l2(C: fallbackC)
        penalised.maxIterations = maxIterations
        penalised.tolerance = tolerance
        return (penalised.fit(prepared, y: y), true)
    }
}

extension LogisticRegression.Fit {
    /// Whether the estimate is a finite, unique optimum: Newton converged (`status == .converged`).
    ///
    /// False under (quasi-)complete separation (the maximum-likelihood estimate does not exist; coefficients run to
    /// ±∞), when XᵀX or XᵀWX is singular (a constant predictor, or one collinear with others, so a slope is not
    /// identifiable), or without convergence. Such a fit must not be ranked by its Wald statistics; refit with an
    /// L2 penalty (`LogisticRegression.fitFallingBackToL2(x:y:fallbackC:)`) or flag it.
    public var isIdentifiable: Bool { status == .converged && standardErrors.count == coefficients.count }

    /// Wald confidence intervals βⱼ ∓ z₁₋α/₂ · seⱼ, one per coefficient (intercept first), as statsmodels'
    /// `Logit.fit().conf_int()`; z₁₋α/₂ = Φ⁻¹(0.5 + level/2) (1.959964 for 95%).
    ///
    /// Empty when there are no standard errors (singular information). Valid only for an identifiable,
    /// unpenalised fit.
    public func waldIntervals(level: Double = 0.95) -> [ClosedRange<Double>] {
        precondition(level > 0 && level < 1, "level must be in (0, 1)")
        guard standardErrors.count == coefficients.count else { return [] }
        let z = NormalDistribution.quantile(0.5 + level / 2)
        return zip(coefficients, standardErrors).map { ($0 - z * $1)...($0 + z * $1) }
    }

    /// The L2-penalised objective in scikit-learn's scale, Σ logloss + λ/2 ‖β₁..ₚ‖² = −ℓ + ‖β₁..ₚ‖² / (2C),
    /// with λ = `penalty` = 1/C (the intercept not penalised). With `penalty: 0` it is −ℓ, the negative
    /// log-likelihood.
    public func penalisedObjective(penalty: Double) -> Double {
        var squares = 0.0
        for b in coefficients.dropFirst() { squares += b * b }
        return -logLikelihood + penalty / 2 * squares
    }
}
