/// The design matrix of a regression: n rows of p values (the intercept's 1 first), row-major in one buffer, with
/// the two products every Newton step of a logistic fit needs.
///
/// Why a type of its own: the fits spend nearly all their time in XᵀWX over tens of thousands of customers, and
/// Swift's checked subscripts in that triple loop cost a factor of several. The loops here run on raw buffer
/// pointers and touch only the lower triangle (Cholesky reads nothing else), in the same order and with the same
/// arithmetic as the checked loops they replace, `((wᵢ · xᵢⱼ) · xᵢₖ)` summed over i ascending, so estimates are
/// bit-identical to the plain triple loop.
struct DesignMatrix {
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

    /// ηᵢ = Σⱼ xᵢⱼ βⱼ (j ascending from 0.0) for row i.
    @inline(__always)
    static func dot(_ row: UnsafePointer<Double>, _ beta: UnsafeBufferPointer<Double>, _ p: Int) -> Double {
        var eta = 0.0
        for j in 0..<p { eta += row[j] * beta[j] }
        return eta
    }

    /// Calls `body(i, ηᵢ, rowᵢ)` for every row with its linear predictor at `beta`.
    func forEachRow(_ beta: [Double], _ body: (Int, Double, UnsafePointer<Double>) -> Void) {
        let p = columns
        values.withUnsafeBufferPointer { v in
            beta.withUnsafeBufferPointer { b in
                guard let base = v.baseAddress else { return }
                for i in 0..<rows {
                    let row = base + i * p
                    body(i, Self.dot(row, b, p), row)
                }
            }
        }
    }

    /// The linear predictor of every row at `beta`.
    func linearPredictor(_ beta: [Double]) -> [Double] {
        var eta = [Double](repeating: 0, count: rows)
        eta.withUnsafeMutableBufferPointer { e in forEachRow(beta) { i, value, _ in e[i] = value } }
        return eta
    }

    /// The lower triangle (k ≤ j) of Σᵢ wᵢ xᵢxᵢᵀ as a p × p row-major matrix, the upper triangle left 0;
    /// `weight(i, ηᵢ)` gives wᵢ from the row's index and its linear predictor at `beta`.
    func lowerGram(at beta: [Double], weight: (Int, Double) -> Double) -> [Double] {
        let p = columns
        var h = [Double](repeating: 0, count: p * p)
        h.withUnsafeMutableBufferPointer { hb in
            guard let out = hb.baseAddress else { return }
            forEachRow(beta) { i, eta, row in Self.addLower(row: row, weight: weight(i, eta), into: out, p) }
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

    /// Copies the lower triangle onto the upper one.
    static func mirrorLower(_ h: inout [Double], _ p: Int) {
        for j in 0..<p { for k in 0..<j { h[k * p + j] = h[j * p + k] } }
    }
}
