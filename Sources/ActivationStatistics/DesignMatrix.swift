import Foundation

/// The design matrix of a regression: n rows of p values (the intercept's 1 first), row-major in one buffer, with
/// the passes every Newton step of a logistic fit makes over it: the linear predictors Xβ, the gradient Xᵀr and the
/// lower triangle of XᵀWX.
///
/// Why a type of its own: the fits spend nearly all their time in XᵀWX over tens of thousands of customers, and
/// Swift's checked subscripts in that triple loop cost a factor of several. The loops here run on raw buffer
/// pointers and touch only the lower triangle (Cholesky reads nothing else), in the same order and with the same
/// arithmetic as the checked loops they replace, `((wᵢ · xᵢⱼ) · xᵢₖ)` summed over i ascending, so estimates are
/// bit-identical to the plain triple loop. The passes take per-row weights and residuals that the caller computed
/// from cached linear predictors (`linearPredictors`), so no pass calls back per row.
struct DesignMatrix: Sendable {
    let rows: Int
    /// Columns, the intercept's included.
    let columns: Int
    private(set) var values: [Double]

    /// The rows of `x` (without an intercept column) behind a column of ones.
    init(_ x: [[Double]]) {
        rows = x.count
        columns = (x.first?.count ?? 0) + 1
        let p = columns
        var values = [Double](repeating: 1, count: rows * p)
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<x.count {
                precondition(x[i].count == p - 1, "rows differ in length")
                x[i].withUnsafeBufferPointer { r in
                    for j in 0..<(p - 1) { v[i * p + j + 1] = r[j] }
                }
            }
        }
        self.values = values
    }

    /// The rows of `flat` (`width` values each, row after row, without an intercept column) behind a column of ones:
    /// the same matrix as `init(_:)` on those rows.
    init(flat: [Double], width: Int) {
        precondition(width > 0 && flat.count % width == 0, "rows of `width` values")
        rows = flat.count / width
        columns = width + 1
        let p = columns, n = rows
        var values = [Double](repeating: 1, count: n * p)
        values.withUnsafeMutableBufferPointer { v in
            flat.withUnsafeBufferPointer { x in
                for i in 0..<n { for j in 0..<width { v[i * p + j + 1] = x[i * width + j] } }
            }
        }
        self.values = values
    }

    /// ηᵢ = Σⱼ xᵢⱼ βⱼ (j ascending from 0.0) for row i.
    @inline(__always)
    static func dot(_ row: UnsafePointer<Double>, _ beta: UnsafeBufferPointer<Double>, _ p: Int) -> Double {
        var eta = 0.0
        for j in 0..<p { eta += row[j] * beta[j] }
        return eta
    }

    /// The linear predictors ηᵢ = Σⱼ xᵢⱼ βⱼ at `beta` into `eta`, and e^−|ηᵢ| into `decay`: the log-likelihood
    /// (`LogisticRegression.softplus(_:decay:)`) and the fitted probabilities (`LogisticRegression.sigmoid(_:decay:)`)
    /// are functions of these two alone, so a fit evaluates the exponential once per row and point, and the gradient
    /// and Hessian at that point reuse them.
    func linearPredictors(_ beta: [Double], eta: inout [Double], decay: inout [Double]) {
        precondition(beta.count == columns && eta.count == rows && decay.count == rows, "one linear predictor per row")
        let p = columns
        values.withUnsafeBufferPointer { v in
            beta.withUnsafeBufferPointer { b in
                eta.withUnsafeMutableBufferPointer { e in
                    decay.withUnsafeMutableBufferPointer { d in
                        guard let base = v.baseAddress else { return }
                        // Four rows' sums side by side (each still summed over j ascending): the additions of one
                        // row wait on each other, those of different rows do not.
                        var i = 0
                        while i + 4 <= rows {
                            let x1 = base + i * p, x2 = x1 + p, x3 = x2 + p, x4 = x3 + p
                            var t1 = 0.0, t2 = 0.0, t3 = 0.0, t4 = 0.0
                            for j in 0..<p {
                                let bj = b[j]
                                t1 += x1[j] * bj
                                t2 += x2[j] * bj
                                t3 += x3[j] * bj
                                t4 += x4[j] * bj
                            }
                            e[i] = t1; e[i + 1] = t2; e[i + 2] = t3; e[i + 3] = t4
                            i += 4
                        }
                        while i < rows {
                            e[i] = Self.dot(base + i * p, b, p)
                            i += 1
                        }
                        for i in 0..<rows { d[i] = exp(-abs(e[i])) }
                    }
                }
            }
        }
    }

    /// g[j] += Σᵢ xᵢⱼ rᵢ (i ascending) for the residuals `r`, one per row: the log-likelihood's gradient.
    func addGradient(residuals r: [Double], into g: inout [Double]) {
        precondition(r.count == rows && g.count == columns, "one residual per row, one gradient entry per column")
        let p = columns
        g.withUnsafeMutableBufferPointer { g in
            values.withUnsafeBufferPointer { v in
                r.withUnsafeBufferPointer { r in
                    guard let base = v.baseAddress else { return }
                    for i in 0..<rows {
                        let row = base + i * p, ri = r[i]
                        for j in 0..<p { g[j] += row[j] * ri }
                    }
                }
            }
        }
    }

    /// The lower triangle (k ≤ j) of Σᵢ wᵢ xᵢxᵢᵀ for the weights `w`, one per row, as a p × p row-major matrix,
    /// the upper triangle left 0. Rows are added four at a time (`addLower4`), the last `rows mod 4` one at a time.
    func lowerGram(weights w: [Double]) -> [Double] {
        precondition(w.count == rows, "one weight per row")
        let p = columns
        var h = [Double](repeating: 0, count: p * p)
        h.withUnsafeMutableBufferPointer { hb in
            values.withUnsafeBufferPointer { v in
                w.withUnsafeBufferPointer { w in
                    guard let out = hb.baseAddress, let base = v.baseAddress else { return }
                    var i = 0
                    while i + 4 <= rows {
                        let r = base + i * p
                        Self.addLower4(r, r + p, r + 2 * p, r + 3 * p, w[i], w[i + 1], w[i + 2], w[i + 3], into: out, p)
                        i += 4
                    }
                    while i < rows {
                        Self.addLower(row: base + i * p, weight: w[i], into: out, p)
                        i += 1
                    }
                }
            }
        }
        return h
    }

    /// `lowerGram(weights:)` over the columns `subset` only (ascending), as an m × m matrix for m = subset.count:
    /// each four rows' values in those columns are gathered into one block first, then added as `lowerGram` adds.
    func lowerGram(weights w: [Double], subset: [Int]) -> [Double] {
        precondition(w.count == rows, "one weight per row")
        if subset.count == columns { return lowerGram(weights: w) }
        let m = subset.count, p = columns
        var h = [Double](repeating: 0, count: m * m)
        var block = [Double](repeating: 0, count: 4 * m)
        h.withUnsafeMutableBufferPointer { hb in
            values.withUnsafeBufferPointer { v in
                w.withUnsafeBufferPointer { w in
                    subset.withUnsafeBufferPointer { s in
                        block.withUnsafeMutableBufferPointer { b in
                            guard let out = hb.baseAddress, let base = v.baseAddress, let r = b.baseAddress else { return }
                            var i = 0
                            while i + 4 <= rows {
                                for q in 0..<4 {
                                    let row = base + (i + q) * p
                                    for k in 0..<m { r[q * m + k] = row[s[k]] }
                                }
                                Self.addLower4(r, r + m, r + 2 * m, r + 3 * m, w[i], w[i + 1], w[i + 2], w[i + 3], into: out, m)
                                i += 4
                            }
                            while i < rows {
                                let row = base + i * p
                                for k in 0..<m { r[k] = row[s[k]] }
                                Self.addLower(row: r, weight: w[i], into: out, m)
                                i += 1
                            }
                        }
                    }
                }
            }
        }
        return h
    }

    /// h[j, k] += (w · xⱼ) · xₖ for k ≤ j.
    @inline(__always)
    static func addLower(row: UnsafePointer<Double>, weight w: Double, into h: UnsafeMutablePointer<Double>, _ p: Int) {
        for j in 0..<p {
            let a = w * row[j]
            let hj = h + j * p
            for k in 0...j { hj[k] += a * row[k] }
        }
    }

    /// `addLower` for four rows in turn, each element of the triangle loaded and stored once per four rows rather than
    /// once per row: `t = h[j,k]; t += a₁x₁ₖ; t += a₂x₂ₖ; t += a₃x₃ₖ; t += a₄x₄ₖ; h[j,k] = t` adds in row order, the
    /// same sums as one row at a time. Two neighbouring k at once in the lanes of a `SIMD2`, whose lane-wise products
    /// and sums are the scalar ones: written out rather than left to the auto-vectoriser, which checks at run time
    /// whether h overlaps the four rows before every row of the triangle, a triangle row being only a few elements.
    @inline(__always)
    static func addLower4(_ r1: UnsafePointer<Double>, _ r2: UnsafePointer<Double>, _ r3: UnsafePointer<Double>,
                          _ r4: UnsafePointer<Double>, _ w1: Double, _ w2: Double, _ w3: Double, _ w4: Double,
                          into h: UnsafeMutablePointer<Double>, _ p: Int) {
        typealias Pair = SIMD2<Double>
        @inline(__always) func load(_ x: UnsafePointer<Double>) -> Pair {
            UnsafeRawPointer(x).loadUnaligned(as: Pair.self)
        }
        for j in 0..<p {
            let a1 = w1 * r1[j], a2 = w2 * r2[j], a3 = w3 * r3[j], a4 = w4 * r4[j]
            let b1 = Pair(repeating: a1), b2 = Pair(repeating: a2), b3 = Pair(repeating: a3), b4 = Pair(repeating: a4)
            let hj = h + j &* p
            var k = 0
            while k < j {
                var t = load(hj + k)
                t += b1 * load(r1 + k)
                t += b2 * load(r2 + k)
                t += b3 * load(r3 + k)
                t += b4 * load(r4 + k)
                UnsafeMutableRawPointer(hj + k).storeBytes(of: t, as: Pair.self)
                k &+= 2
            }
            if k == j {
                var t = hj[k]
                t += a1 * r1[k]
                t += a2 * r2[k]
                t += a3 * r3[k]
                t += a4 * r4[k]
                hj[k] = t
            }
        }
    }

    /// Copies the lower triangle onto the upper one.
    static func mirrorLower(_ h: inout [Double], _ p: Int) {
        for j in 0..<p { for k in 0..<j { h[k * p + j] = h[j * p + k] } }
    }
}
