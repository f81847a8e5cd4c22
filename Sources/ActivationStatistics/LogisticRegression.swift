import Foundation

/// Logistic regression fitted by Newton-Raphson (equivalently iteratively reweighted least squares) in double
/// precision.
///
/// Model: P(y = 1 | x) = σ(β₀ + β·x) with σ(t) = 1 / (1 + e^−t). The fit maximises
///
///     ℓ(β) − λ/2 ‖β₁..ₚ‖²,    λ = 1/C,
///
/// where ℓ is the Bernoulli log-likelihood. λ = 0 gives the maximum-likelihood estimate (statsmodels `Logit`);
/// λ = 1/C gives scikit-learn's L2 `LogisticRegression(C:)` objective (intercept not penalised). Each Newton step
/// solves (XᵀWX + λI′) Δ = Xᵀ(y − μ) − λβ′ by Cholesky, with step halving whenever the penalised log-likelihood
/// would fall. Standard errors of the unpenalised fit are the square roots of the diagonal of (XᵀWX)⁻¹ at the
/// optimum (observed = expected information for the logit link), Wald z = β / se, p = 2(1 − Φ(|z|)).
public struct LogisticRegression: Sendable {
    /// What happened to the fit.
    public enum Status: String, Sendable, Equatable {
        /// Newton converged to a finite optimum.
        case converged
        /// The maximum-likelihood estimate does not exist: the outcome is (quasi-)separated by the predictors,
        /// so coefficients diverge. Only a penalised fit is finite.
        case separation
        /// The information matrix is singular: a predictor is constant or collinear with others.
        case singular
        /// The iteration limit was reached without convergence, without evidence of separation.
        case notConverged = "not_converged"
    }

    public struct Fit: Sendable, Equatable {
        public var status: Status
        /// β₀ (intercept) followed by one coefficient per predictor column.
        public var coefficients: [Double]
        /// Standard errors (unpenalised information), same order; empty when the information is singular.
        public var standardErrors: [Double]
        public var iterations: Int
        public var logLikelihood: Double
        /// Log-likelihood of the intercept-only model.
        public var nullLogLikelihood: Double

        public var intercept: Double { coefficients[0] }
        public var zScores: [Double] {
            guard standardErrors.count == coefficients.count else { return [] }
            return zip(coefficients, standardErrors).map { $1 > 0 ? $0 / $1 : 0 }
        }
        public var pValues: [Double] { zScores.map { NormalDistribution.twoSidedPValue(z: $0) } }
        /// McFadden's pseudo-R² = 1 − ℓ / ℓ₀.
        public var mcFaddenR2: Double { nullLogLikelihood == 0 ? 0 : 1 - logLikelihood / nullLogLikelihood }

        /// Predicted probability for one row of predictors (without the intercept column).
        public func probability(_ x: [Double]) -> Double {
            var eta = coefficients[0]
            for j in x.indices { eta += coefficients[j + 1] * x[j] }
            return LogisticRegression.sigmoid(eta)
        }
    }

    public var maxIterations = 100
    /// Convergence when every |Δβⱼ| < tolerance · (1 + |βⱼ|).
    public var tolerance = 1e-10
    /// L2 penalty λ on the slopes (not the intercept); 0 for maximum likelihood.
    public var penalty: Double

    /// A fitter for maximum likelihood (`penalty: 0`) or for scikit-learn's L2 objective with `penalty: 1 / C`.
    public init(penalty: Double = 0) { self.penalty = penalty }

    public static func sigmoid(_ t: Double) -> Double {
        t >= 0 ? 1 / (1 + exp(-t)) : { let e = exp(t); return e / (1 + e) }()
    }

    /// log(1 + e^t) computed without overflow.
    static func softplus(_ t: Double) -> Double { t > 0 ? t + log1p(exp(-t)) : log1p(exp(t)) }

    /// `sigmoid(t)` from t and e = e^−|t| (`DesignMatrix.linearPredictors`): the same operations on the same
    /// values, so the same bits.
    @inline(__always)
    static func sigmoid(_ t: Double, decay e: Double) -> Double { t >= 0 ? 1 / (1 + e) : e / (1 + e) }

    /// `softplus(t)` from t and e = e^−|t|, bit for bit (e^−|−t| = e^−|t|, so softplus(−t) takes the same e).
    @inline(__always)
    static func softplus(_ t: Double, decay e: Double) -> Double { t > 0 ? t + log1p(e) : log1p(e) }

    /// Fits y on the predictor rows `x` (each row one customer, without an intercept column).
    ///
    /// Customers with the same predictor values and outcome are fitted as one weighted row when that shrinks the
    /// data at least fourfold (a count feature takes a few dozen values over tens of thousands of customers; a
    /// reach flag, a log count and segment dummies a few thousand combinations): the likelihood, its derivatives and
    /// so the estimates are the same, at a fraction of the cost per Newton step.
    public func fit(x: [[Double]], y: [Bool]) -> Fit {
        precondition(x.count == y.count, "rows and outcomes differ in length")
        guard x.count > Self.smallestGrouped else { return fit(x: x, y: y, weights: nil) }
        return fitGroupedRows(x: x, y: y)
    }

    /// `fit(x: x.map { [$0] }, y: y)` for one predictor, bit for bit, without a one-value row per customer: the
    /// values are tallied by value and outcome (-0 and 0 one value) in a dictionary, and the tallies fitted when
    /// `fit(x:y:)` would fit them (more than 64 customers, at least four per distinct value); otherwise the rows.
    public func fit(column x: [Double], y: [Bool]) -> Fit {
        precondition(x.count == y.count, "rows and outcomes differ in length")
        let n = x.count
        guard n > Self.smallestGrouped else { return fit(x: x.map { [$0] }, y: y, weights: nil) }
        var group: [Double: Int] = [:]
        var values: [Double] = [], churned: [Double] = [], renewed: [Double] = []
        for i in 0..<n {
            let v = x[i] == 0 ? 0 : x[i]
            let g: Int
            if let k = group[v] { g = k } else {
                g = values.count
                group[v] = g
                values.append(v); churned.append(0); renewed.append(0)
                // A quarter of the customers distinct: `fit(x:y:)` fits the rows.
                if !Self.groups(distinctRows: values.count, customers: n) { return fit(x: x.map { [$0] }, y: y, weights: nil) }
            }
            if y[i] { renewed[g] += 1 } else { churned[g] += 1 }
        }
        return fit(rows: values.map { [$0] }, churned: churned, renewed: renewed)
    }

    /// Below this many customers `fit(x:y:)` fits the rows as they are.
    static let smallestGrouped = 64

    /// Whether `fit(x:y:)` fits `customers` rows as the tallies of their `distinctRows` distinct rows
    /// (`fit(rows:churned:renewed:)`): more than 64 customers, and at least four per distinct row.
    static func groups(distinctRows: Int, customers: Int) -> Bool {
        customers > smallestGrouped && distinctRows * 4 < customers
    }

    /// `fit(x:y:)` over customers tallied by predictor row and outcome (`tallyDistinctRows`), unless that does not
    /// shrink the data fourfold.
    private func fitGroupedRows(x: [[Double]], y: [Bool]) -> Fit {
        func normalised(_ v: Double) -> Double { v == 0 ? 0 : v }
        let tallies = Self.tallyDistinctRows(count: x.count, y: y,
                                             hash: { i, hasher in for v in x[i] { hasher.combine(normalised(v)) } },
                                             equal: { a, b in x[a].elementsEqual(x[b], by: { normalised($0) == normalised($1) }) })
        guard let tallies else { return fit(x: x, y: y, weights: nil) }
        return fit(rows: tallies.firstRow.map { x[$0] }, churned: tallies.churned, renewed: tallies.renewed)
    }

    /// Customers 0..<n tallied by predictor row and outcome, or nil as soon as a quarter of the rows are distinct
    /// (`groups(distinctRows:customers:)`), which with a few continuous columns happens after a quarter of the
    /// customers. The rows are hashed where they lie (`hash` feeds row i's values, -0 as 0; `equal` compares two rows
    /// the same way), with no key array per customer: open addressing over row indices, each group's first row
    /// standing for it, groups in the order of their first rows.
    private static func tallyDistinctRows(count n: Int, y: [Bool], hash: (Int, inout Hasher) -> Void,
                                          equal: (Int, Int) -> Bool) -> (firstRow: [Int], churned: [Double], renewed: [Double])? {
        var capacity = 16
        while capacity < n / 2 + 2 { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)  // -1: empty
        var groupOfSlot = [Int32](repeating: -1, count: capacity)
        var firstRow: [Int] = [], churned: [Double] = [], renewed: [Double] = []
        for i in 0..<n {
            var hasher = Hasher()
            hash(i, &hasher)
            var slot = hasher.finalize() & (capacity - 1)
            while true {
                let r = slots[slot]
                if r < 0 {
                    slots[slot] = Int32(i)
                    groupOfSlot[slot] = Int32(firstRow.count)
                    firstRow.append(i); churned.append(y[i] ? 0 : 1); renewed.append(y[i] ? 1 : 0)
                    break
                }
                if equal(Int(r), i) {
                    let g = Int(groupOfSlot[slot])
                    if y[i] { renewed[g] += 1 } else { churned[g] += 1 }
                    break
                }
                slot = (slot + 1) & (capacity - 1)
            }
            if !groups(distinctRows: firstRow.count, customers: n) { return nil }
        }
        return (firstRow, churned, renewed)
    }

    /// The fit of y on one predictor from customers already tallied: `churned[i]` and `renewed[i]` the customers at
    /// `values[i]` with y = 0 and y = 1 (`fit(rows:churned:renewed:)` with one value a row).
    public func fit(values: [Double], churned: [Double], renewed: [Double]) -> Fit {
        fit(rows: values.map { [$0] }, churned: churned, renewed: renewed)
    }

    /// Customers tallied by predictor row and outcome, fitted as weighted rows.
    ///
    /// The rows may come in any order: they are fitted in ascending lexicographic order of their values (-0 as 0),
    /// each row's y = 0 tally before its y = 1 tally, so the summation order, and with it the last bits of the
    /// estimates, depends on the data alone, never on how a caller (or a hash table) ordered its tallies. These are
    /// also the weighted rows `fit(x:y:)` fits when it groups customers, so both give the same estimates to the last
    /// bit.
    public func fit(rows: [[Double]], churned: [Double], renewed: [Double]) -> Fit {
        precondition(rows.count == churned.count && rows.count == renewed.count, "tallies differ in length")
        let normalised = rows.map { $0.map { $0 == 0 ? 0 : $0 } }
        let order = normalised.indices.sorted {
            normalised[$0].lexicographicallyPrecedes(normalised[$1]) || (normalised[$0] == normalised[$1] && $0 < $1)
        }
        var gx: [[Double]] = [], gy: [Bool] = [], gw: [Double] = []
        for i in order {
            if churned[i] > 0 { gx.append(normalised[i]); gy.append(false); gw.append(churned[i]) }
            if renewed[i] > 0 { gx.append(normalised[i]); gy.append(true); gw.append(renewed[i]) }
        }
        return fit(x: gx, y: gy, weights: gw)
    }

    /// Fits y on `x` with case weights (frequencies): row i stands for `weights[i]` identical customers.
    public func fit(x: [[Double]], y: [Bool], weights: [Double]?) -> Fit {
        precondition(x.count == y.count && (weights?.count ?? x.count) == x.count, "rows, outcomes and weights differ in length")
        // Design matrix with the intercept column (its products: `DesignMatrix`).
        return fit(design: DesignMatrix(x), y: y, weights: weights)
    }

    /// What `fit(x:y:)` fits for rows laid out one after another (`width` values each): the tallies of the distinct
    /// rows, or the rows themselves as a design matrix. Prepared once, fitted by more than one fitter.
    enum PreparedRows {
        case tallied(rows: [[Double]], churned: [Double], renewed: [Double])
        case design(DesignMatrix)
    }

    /// `fit(x:y:)`'s choice for the rows `flat` (`width` values each, row after row), made as it makes it: rows
    /// tallied when there are more than 64 and at most a quarter of them are distinct (-0 and 0 one value).
    static func prepare(flat: [Double], width: Int, y: [Bool]) -> PreparedRows {
        precondition(width > 0 && flat.count == y.count * width, "rows of `width` values, one outcome each")
        let n = y.count
        guard n > smallestGrouped else { return .design(DesignMatrix(flat: flat, width: width)) }
        func normalised(_ v: Double) -> Double { v == 0 ? 0 : v }
        let tallies = flat.withUnsafeBufferPointer { x in
            tallyDistinctRows(count: n, y: y,
                              hash: { i, hasher in for j in 0..<width { hasher.combine(normalised(x[i * width + j])) } },
                              equal: { a, b in
                                  for j in 0..<width where normalised(x[a * width + j]) != normalised(x[b * width + j]) { return false }
                                  return true
                              })
        }
        guard let tallies else { return .design(DesignMatrix(flat: flat, width: width)) }
        return .tallied(rows: tallies.firstRow.map { Array(flat[($0 * width)..<(($0 + 1) * width)]) },
                        churned: tallies.churned, renewed: tallies.renewed)
    }

    /// The fit of prepared rows: `fit(x:y:)` on the rows they were prepared from.
    func fit(_ prepared: PreparedRows, y: [Bool]) -> Fit {
        switch prepared {
        case .tallied(let rows, let churned, let renewed): return fit(rows: rows, churned: churned, renewed: renewed)
        case .design(let design): return fit(design: design, y: y, weights: nil)
        }
    }

    /// `fit(x:y:weights:)` on rows already laid out as a design matrix.
    func fit(design: DesignMatrix, y: [Bool], weights: [Double]?) -> Fit {
        precondition(design.rows == y.count && (weights?.count ?? y.count) == y.count, "rows, outcomes and weights differ in length")
        let n = design.rows
        let p = design.columns
        let wt = weights ?? [Double](repeating: 1, count: n)
        let yv = y.map { $0 ? 1.0 : 0.0 }
        let total = wt.reduce(0, +)
        let ybar = total > 0 ? zip(yv, wt).reduce(0) { $0 + $1.0 * $1.1 } / total : 0.5
        let nullLL = (ybar > 0 && ybar < 1) ? total * (ybar * log(ybar) + (1 - ybar) * log(1 - ybar)) : 0

        // The linear predictors and e^−|η| at `beta` (those of the last objective evaluated at it), and at the
        // candidate of a step: every pass over the rows after an objective reads them rather than recomputing them.
        var eta = [Double](repeating: 0, count: n), decay = eta
        var candidateEta = eta, candidateDecay = eta
        // Per row at `beta`: wᵢ(yᵢ − μᵢ) (the gradient's) and wᵢμᵢ(1 − μᵢ) (the Hessian's).
        var residual = eta, curvature = eta
        func fill(residuals: Bool, curvatures: Bool) {
            for i in 0..<n {
                let mu = LogisticRegression.sigmoid(eta[i], decay: decay[i])
                if residuals { residual[i] = wt[i] * (yv[i] - mu) }
                if curvatures { curvature[i] = wt[i] * mu * (1 - mu) }
            }
        }
        func objective(_ beta: [Double], eta: inout [Double], decay: inout [Double]) -> (Double, Double) {
            design.linearPredictors(beta, eta: &eta, decay: &decay)
            var ll = 0.0
            for i in 0..<n {
                // log σ(η) = −softplus(−η), log(1 − σ(η)) = −softplus(η)
                ll -= wt[i] * (yv[i] == 1 ? LogisticRegression.softplus(-eta[i], decay: decay[i])
                                          : LogisticRegression.softplus(eta[i], decay: decay[i]))
            }
            var pen = 0.0
            for j in 1..<p { pen += beta[j] * beta[j] }
            return (ll, ll - penalty / 2 * pen)
        }

        // A constant or collinear predictor makes XᵀX itself singular: the slope is not identifiable from any data.
        // Unpenalised with both outcomes present, the first Newton step starts where every μᵢ = ȳ, so its Hessian
        // is ȳ(1 − ȳ) XᵀVX and its Cholesky factorisation (whose pivot test is relative) tells the same; otherwise
        // XᵀVX + λI′ is factorised first.
        let firstHessianTells = penalty == 0 && ybar > 0 && ybar < 1
        var identifiable = true
        if !firstHessianTells {
            var gram = design.lowerGram(weights: wt)
            for j in 1..<p { gram[j * p + j] += penalty }
            identifiable = Cholesky(matrix: gram, size: p) != nil
        }

        var beta = [Double](repeating: 0, count: p)
        if ybar > 0 && ybar < 1 { beta[0] = log(ybar / (1 - ybar)) }
        var (ll, obj) = objective(beta, eta: &eta, decay: &decay)
        var status = identifiable ? Status.notConverged : Status.singular
        var iterations = 0
        var maxAbsEta = 0.0
        // Near the optimum the Hessian barely changes: once a full Newton step moved no coefficient by more than
        // `freezeBelow` (relative), the next steps reuse its factorisation and need only the gradient, a sixth of
        // the work. The error then still falls by that factor or more per step, so one or two such steps take it
        // below `tolerance`; a frozen step that has to be halved, or that does not converge in a few, goes back to
        // full Newton.
        var factor: Cholesky?
        var frozenSteps = 0
        let freezeBelow = 1e-5
        while identifiable && iterations < maxIterations {
            iterations += 1
            var gradient = [Double](repeating: 0, count: p)
            let step: [Double]
            let frozen = frozenSteps > 0 && factor != nil
            if frozen, let factor {
                fill(residuals: true, curvatures: false)
                design.addGradient(residuals: residual, into: &gradient)
                for j in 1..<p { gradient[j] -= penalty * beta[j] }
                step = factor.solve(gradient)
            } else {
                fill(residuals: true, curvatures: true)
                design.addGradient(residuals: residual, into: &gradient)
                var hessian = design.lowerGram(weights: curvature)
                DesignMatrix.mirrorLower(&hessian, p)
                for j in 1..<p { gradient[j] -= penalty * beta[j]; hessian[j * p + j] += penalty }
                guard let chol = Cholesky(matrix: hessian, size: p) else {
                    if iterations == 1 && firstHessianTells {
                        // The first Hessian is ȳ(1 − ȳ) XᵀVX: singular, so is XᵀVX.
                        status = .singular
                        identifiable = false
                    } else {
                        // XᵀX is regular but XᵀWX is not: the weights μ(1 − μ) vanished as fitted probabilities ran
                        // to 0 or 1.
                        status = penalty == 0 ? .separation : .notConverged
                    }
                    break
                }
                factor = chol
                step = chol.solve(gradient)
            }
            // Step halving keeps the penalised log-likelihood from falling.
            var scale = 1.0
            var candidate = beta
            var candidateObjective = (ll, obj)
            for _ in 0..<30 {
                for j in 0..<p { candidate[j] = beta[j] + scale * step[j] }
                candidateObjective = objective(candidate, eta: &candidateEta, decay: &candidateDecay)
                if candidateObjective.1 >= obj - 1e-12 * abs(obj) { break }
                scale /= 2
            }
            var small = true, largest = 0.0
            for j in 0..<p {
                let change = abs(candidate[j] - beta[j])
                if change >= tolerance * (1 + abs(beta[j])) { small = false }
                largest = max(largest, change / (1 + abs(beta[j])))
            }
            beta = candidate
            (ll, obj) = candidateObjective
            swap(&eta, &candidateEta)
            swap(&decay, &candidateDecay)
            if small { status = .converged; break }
            if frozen {
                frozenSteps = scale == 1 && frozenSteps < 4 ? frozenSteps + 1 : 0
            } else {
                frozenSteps = scale == 1 && largest < freezeBelow ? 1 : 0
            }
        }
        // Divergence is the signature of separation: linear predictors run off to ±∞ while the likelihood
        // creeps towards a supremum it never attains.
        for t in eta { maxAbsEta = max(maxAbsEta, abs(t)) }
        if penalty == 0 && status != .singular && (status == .notConverged || maxAbsEta > 30) {
            status = .separation
        }

        var standardErrors: [Double] = []
        if status != .singular {
            fill(residuals: false, curvatures: true)
            let info = design.lowerGram(weights: curvature)
            if let chol = Cholesky(matrix: info, size: p) {
                standardErrors = (0..<p).map { j -> Double in
                    var e = [Double](repeating: 0, count: p); e[j] = 1
                    return max(0, chol.solve(e)[j]).squareRoot()
                }
            }
        }
        return Fit(status: status, coefficients: beta, standardErrors: standardErrors, iterations: iterations,
                   logLikelihood: ll, nullLogLikelihood: nullLL)
    }
}

/// Cholesky factorisation A = L Lᵀ of a small symmetric positive-definite matrix (row-major), nil when A is not
/// numerically positive definite (a constant or collinear predictor).
struct Cholesky {
    let l: [Double]
    let size: Int

    init?(matrix a: [Double], size p: Int) {
        var l = [Double](repeating: 0, count: p * p)
        var maxDiag = 0.0
        for j in 0..<p { maxDiag = max(maxDiag, abs(a[j * p + j])) }
        for j in 0..<p {
            var s = a[j * p + j]
            for k in 0..<j { s -= l[j * p + k] * l[j * p + k] }
            guard s > 1e-13 * max(maxDiag, 1e-300) else { return nil }
            let d = s.squareRoot()
            l[j * p + j] = d
            for i in (j + 1)..<p {
                var t = a[i * p + j]
                for k in 0..<j { t -= l[i * p + k] * l[j * p + k] }
                l[i * p + j] = t / d
            }
        }
        self.l = l
        self.size = p
    }

    func solve(_ b: [Double]) -> [Double] {
        let p = size
        var y = b
        for i in 0..<p {
            var s = y[i]
            for k in 0..<i { s -= l[i * p + k] * y[k] }
            y[i] = s / l[i * p + i]
        }
        var x = y
        for i in stride(from: p - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<p { s -= l[k * p + i] * x[k] }
            x[i] = s / l[i * p + i]
        }
        return x
    }
}
