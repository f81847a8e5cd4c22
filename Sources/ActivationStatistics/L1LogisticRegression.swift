import Foundation

/// L1-penalised (lasso) logistic regression, solved by proximal Newton with coordinate descent.
///
/// Objective (scikit-learn's `LogisticRegression(C:, l1_ratio: 1)` without its division by n, which does not move
/// the minimiser):
///
///     F(β₀, w) = Σᵢ vᵢ [softplus(ηᵢ) − yᵢ ηᵢ] + ‖w‖₁ / C,    ηᵢ = β₀ + w·xᵢ,
///
/// with case weights vᵢ (1 by default), the intercept β₀ not penalised and the columns not standardised.
///
/// Method: proximal Newton (Lee, Sun & Saunders 2014, "Proximal Newton-type methods for minimizing composite
/// functions", SIAM J. Optim. 24(3); the scheme of glmnet, Friedman, Hastie & Tibshirani 2010, J. Stat. Softw. 33(1),
/// and newGLMNET, Yuan, Ho & Lin 2012). At the current point with gradient g = Xᵀv(p − y) and Hessian H = XᵀVWX
/// (W = diag p(1 − p)), the direction d minimises the penalised quadratic model
///
///     gᵀd + ½ dᵀHd + λ‖w + d_w‖₁,    λ = 1/C,
///
/// by cyclic coordinate descent with soft thresholding (the intercept coordinate unthresholded), swept until no
/// coordinate moves by more than 1e-13 (in units of √Hⱼⱼ). The step t d is then taken with backtracking (Armijo) on F, t halving from 1, with
/// Δ = gᵀd + λ(‖w + d_w‖₁ − ‖w‖₁) as the predicted decrease. The outer loop stops when the KKT conditions hold to
/// `kktTolerance`:
///
///     |Σ vᵢ(pᵢ − yᵢ)| ≤ tol;   |g_j + sign(w_j)/C| ≤ tol where w_j ≠ 0;   |g_j| ≤ 1/C + tol where w_j = 0,
///
/// all in the sum-of-losses scale. Coefficients set to zero by the thresholding are exactly 0.
///
/// Edge cases: an all-zero column keeps a zero coefficient; a column collinear with others is handled (the
/// quadratic model is then only semidefinite, and coordinate descent still converges because the L1 term
/// bounds it); separable data have a finite optimum for any finite C (the penalty grows without bound). With one
/// class only the intercept diverges; the fit stops at `maxIterations` with `converged == false`.
public struct L1LogisticRegression: Sendable {
    /// scikit-learn's C: the inverse of the L1 strength λ = 1/C. Must be positive.
    public var C: Double
    /// Stop when the largest KKT violation (sum scale) is at most this.
    public var kktTolerance = 1e-8
    /// Newton iterations at most.
    public var maxIterations = 200

    public init(C: Double) {
        precondition(C > 0, "C must be positive")
        self.C = C
    }

    public struct Fit: Sendable, Equatable {
        public var C: Double
        /// β₀ (intercept) followed by one coefficient per predictor column; exact zeros where the L1 term holds a
        /// coefficient at 0.
        public var coefficients: [Double]
        /// F at the coefficients: Σ logloss + ‖w‖₁ / C.
        public var objective: Double
        /// The largest breach of the KKT conditions at the coefficients (sum scale; see the type's documentation).
        public var kktViolation: Double
        /// min over zero coefficients of 1/C − |g_j|: how far the nearest zero is from entering; nil when none is 0.
        public var zeroSlack: Double?
        public var iterations: Int
        public var converged: Bool

        public var intercept: Double { coefficients[0] }
        /// Indices (0-based, into the predictor columns, the intercept excluded) of the non-zero coefficients.
        public var nonZero: [Int] { coefficients.indices.dropFirst().filter { coefficients[$0] != 0 }.map { $0 - 1 } }

        /// Predicted probability for one row of predictors (without the intercept column).
        public func probability(_ x: [Double]) -> Double {
            var eta = coefficients[0]
            for j in x.indices { eta += coefficients[j + 1] * x[j] }
            return LogisticRegression.sigmoid(eta)
        }
    }

    /// Fits y on the predictor rows `x` (one row per customer, without an intercept column), optionally with case
    /// weights and from a starting point `start` (intercept first; a warm start along a path of C).
    public func fit(x: [[Double]], y: [Bool], weights: [Double]? = nil, start: [Double]? = nil) -> Fit {
        precondition(x.count == y.count && (weights?.count ?? x.count) == x.count, "rows, outcomes and weights differ in length")
        return fit(design: DesignMatrix(x), y: y, weights: weights, start: start)
    }

    /// `fit(x:y:weights:start:)` on rows already laid out as a design matrix (a path fits one at several C).
    func fit(design: DesignMatrix, y: [Bool], weights: [Double]? = nil, start: [Double]? = nil) -> Fit {
        precondition(design.rows == y.count && (weights?.count ?? y.count) == y.count, "rows, outcomes and weights differ in length")
        let n = design.rows
        let p = design.columns
        let lambda = 1 / C
        let v = weights ?? [Double](repeating: 1, count: n)
        let yv = y.map { $0 ? 1.0 : 0.0 }
        // The linear predictors and e^−|η| at `beta` (from its objective) and at a line search's candidate: the
        // gradient and the Hessian at a point read them rather than recomputing them.
        var eta = [Double](repeating: 0, count: n), decay = eta
        var candidateEta = eta, candidateDecay = eta

        func objective(_ beta: [Double], eta: inout [Double], decay: inout [Double]) -> Double {
            design.linearPredictors(beta, eta: &eta, decay: &decay)
            var loss = 0.0
            for i in 0..<n { loss += v[i] * (LogisticRegression.softplus(eta[i], decay: decay[i]) - yv[i] * eta[i]) }
            var l1 = 0.0
            for j in 1..<p { l1 += abs(beta[j]) }
            return loss + lambda * l1
        }
        var residual = eta, curvature = eta
        /// The gradient at the point whose linear predictors `eta` holds.
        func gradient() -> [Double] {
            for i in 0..<n { residual[i] = v[i] * (LogisticRegression.sigmoid(eta[i], decay: decay[i]) - yv[i]) }
            var g = [Double](repeating: 0, count: p)
            design.addGradient(residuals: residual, into: &g)
            return g
        }
        func kkt(_ beta: [Double], _ g: [Double]) -> (violation: Double, slack: Double?) {
            var violation = abs(g[0])
            var slack: Double? = nil
            for j in 1..<p {
                if beta[j] != 0 {
                    violation = max(violation, abs(g[j] + (beta[j] > 0 ? lambda : -lambda)))
                } else {
                    violation = max(violation, abs(g[j]) - lambda)
                    slack = min(slack ?? .infinity, lambda - abs(g[j]))
                }
            }
            return (max(0, violation), slack)
        }

        var beta = start ?? [Double](repeating: 0, count: p)
        precondition(beta.count == p, "start has the wrong length")
        if start == nil {
            let total = v.reduce(0, +)
            let ybar = total > 0 ? zip(yv, v).reduce(0) { $0 + $1.0 * $1.1 } / total : 0.5
            if ybar > 0 && ybar < 1 { beta[0] = log(ybar / (1 - ybar)) }
        }
        var value = objective(beta, eta: &eta, decay: &decay)
        var g = gradient()
        var (violation, slack) = kkt(beta, g)
        var iterations = 0
        while violation > kktTolerance && iterations < maxIterations {
            iterations += 1
            // The quadratic model over the active set only: the intercept, the non-zero coefficients and the zeros
            // whose gradient breaks the KKT bound (glmnet's active-set iteration). A zero with |gⱼ| ≤ λ would stay at
            // zero in the first sweep; should it want to move once others have, the KKT check on the full gradient
            // brings it in at the next iteration, so the optimum is the same.
            let active = (0..<p).filter { $0 == 0 || beta[$0] != 0 || abs(g[$0]) > lambda }
            var d = [Double](repeating: 0, count: p)
            for i in 0..<n {
                let mu = LogisticRegression.sigmoid(eta[i], decay: decay[i])
                curvature[i] = v[i] * mu * (1 - mu)
            }
            var h = design.lowerGram(weights: curvature, subset: active)
            DesignMatrix.mirrorLower(&h, active.count)
            let step = Self.quadraticModelStep(h: h, g: active.map { g[$0] }, beta: active.map { beta[$0] }, lambda: lambda,
                                               size: active.count)
            for (k, j) in active.enumerated() { d[j] = step[k] }
            var l1Now = 0.0, l1Next = 0.0, gd = 0.0
            for j in 0..<p { gd += g[j] * d[j] }
            for j in 1..<p { l1Now += abs(beta[j]); l1Next += abs(beta[j] + d[j]) }
            let predicted = min(0, gd + lambda * (l1Next - l1Now))
            var t = 1.0
            var candidate = beta
            var candidateValue = value
            var accepted = false
            for _ in 0..<40 {
                for j in 0..<p { candidate[j] = beta[j] + t * d[j] }
                candidateValue = objective(candidate, eta: &candidateEta, decay: &candidateDecay)
                // Rounding of F (about 1e-13 relative) must not reject the tiny steps near the optimum.
                if candidateValue <= value + 1e-4 * t * predicted + 1e-12 * max(1, abs(value)) { accepted = true; break }
                t /= 2
            }
            if !accepted { break }
            beta = candidate
            value = candidateValue
            swap(&eta, &candidateEta)
            swap(&decay, &candidateDecay)
            g = gradient()
            (violation, slack) = kkt(beta, g)
        }
        return Fit(C: C, coefficients: beta, objective: value, kktViolation: violation, zeroSlack: slack,
                   iterations: iterations, converged: violation <= kktTolerance)
    }

    /// The minimiser d of gᵀd + ½ dᵀHd + λ Σ_{j≥1} |βⱼ + dⱼ| by cyclic coordinate descent (coordinate 0, the
    /// intercept, unpenalised). Each coordinate update is the exact one-dimensional minimiser
    /// zⱼ = S(Hⱼⱼ βⱼ − cⱼ, λ) / Hⱼⱼ with cⱼ = gⱼ + Σ_{k≠j} Hⱼₖ dₖ and S the soft-threshold; coordinates with
    /// Hⱼⱼ = 0 (an all-zero column) do not move.
    /// `h` must be symmetric (both triangles filled): column j of H is read as its row j, contiguous.
    static func quadraticModelStep(h: [Double], g: [Double], beta: [Double], lambda: Double, size p: Int) -> [Double] {
        precondition(h.count == p * p && g.count == p && beta.count == p, "the model's sizes differ")
        var d = [Double](repeating: 0, count: p)
        // Hd, kept up to date as coordinates move.
        var hd = [Double](repeating: 0, count: p)
        h.withUnsafeBufferPointer { h in
            d.withUnsafeMutableBufferPointer { d in
                hd.withUnsafeMutableBufferPointer { hd in
                    for _ in 0..<10_000 {
                        var largest = 0.0
                        for j in 0..<p {
                            let a = h[j * p + j]
                            guard a > 0 else { continue }
                            let c = g[j] + hd[j] - a * d[j]
                            let target: Double
                            if j == 0 {
                                target = beta[j] - c / a
                            } else {
                                let u = a * beta[j] - c
                                target = u > lambda ? (u - lambda) / a : (u < -lambda ? (u + lambda) / a : 0)
                            }
                            let change = (target - beta[j]) - d[j]
                            if change != 0 {
                                d[j] += change
                                // H[k, j] = H[j, k]: the row, contiguous.
                                let column = h.baseAddress! + j * p
                                for k in 0..<p { hd[k] += column[k] * change }
                                largest = max(largest, abs(change) * a.squareRoot())
                            }
                        }
                        if largest <= 1e-13 { break }
                    }
                }
            }
        }
        return d
    }
}
