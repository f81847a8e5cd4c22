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

    /// The lower triangle (k ≤ j) of Σᵢ wᵢ xᵢxᵢᵀ as a p × p row-major matrix, the upper triangle left 0;
    /// `weight(i, ηᵢ, rowᵢ)` gives wᵢ from the row's index, its linear predictor at `beta` and its values (callers
    /// accumulate the gradient there: rows come in ascending order).
    func lowerGram(at beta: [Double], weight: (Int, Double, UnsafePointer<Double>) -> Double) -> [Double] {
        let p = columns
        var h = [Double](repeating: 0, count: p * p)
        h.withUnsafeMutableBufferPointer { hb in
            guard let out = hb.baseAddress else { return }
            var block = RowBlock(width: p)
            forEachRow(beta) { i, eta, row in
                let w = weight(i, eta, row)
                block.add(row, w, into: out)
            }
            block.flush(into: out)
        }
        return h
    }

    /// `lowerGram(at:weight:)` over the columns `subset` only (ascending), as an m × m matrix for m = subset.count.
    func lowerGram(at beta: [Double], subset: [Int], weight: (Int, Double) -> Double) -> [Double] {
        let m = subset.count
        var h = [Double](repeating: 0, count: m * m)
        h.withUnsafeMutableBufferPointer { hb in
            guard let out = hb.baseAddress else { return }
            var block = RowBlock(width: m)
            forEachRow(beta) { i, eta, row in
                let w = weight(i, eta)
                block.add(subset, of: row, w, into: out)
            }
            block.flush(into: out)
        }
        return h
    }

    /// Rows gathered four at a time, so that each element of the triangle is loaded and stored once per four rows
    /// rather than once per row: `t = h[j,k]; t += a₁x₁ₖ; t += a₂x₂ₖ; t += a₃x₃ₖ; t += a₄x₄ₖ; h[j,k] = t` adds in
    /// row order, the same sums as one row at a time.
    private struct RowBlock {
        let width: Int
        var values: [Double]
        var weights = [Double](repeating: 0, count: 4)
        var count = 0

        init(width: Int) {
            self.width = width
            values = [Double](repeating: 0, count: 4 * width)
        }

        mutating func add(_ row: UnsafePointer<Double>, _ w: Double, into h: UnsafeMutablePointer<Double>) {
            let base = count * width
            values.withUnsafeMutableBufferPointer { v in for k in 0..<width { v[base + k] = row[k] } }
            weights[count] = w
            count += 1
            if count == 4 { flush(into: h) }
        }

        mutating func add(_ subset: [Int], of row: UnsafePointer<Double>, _ w: Double, into h: UnsafeMutablePointer<Double>) {
            let base = count * width
            values.withUnsafeMutableBufferPointer { v in for (k, j) in subset.enumerated() { v[base + k] = row[j] } }
            weights[count] = w
            count += 1
            if count == 4 { flush(into: h) }
        }

        mutating func flush(into h: UnsafeMutablePointer<Double>) {
            let p = width, n = count
            count = 0
            values.withUnsafeBufferPointer { v in
                guard let r = v.baseAddress else { return }
                if n == 4 {
                    DesignMatrix.addLower4(r, r + p, r + 2 * p, r + 3 * p, weights[0], weights[1], weights[2], weights[3], into: h, p)
                } else {
                    for b in 0..<n { DesignMatrix.addLower(row: r + b * p, weight: weights[b], into: h, p) }
                }
            }
        }
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

    /// `addLower` for four rows in turn, each element of h updated in registers (see `RowBlock`).
    @inline(__always)
    static func addLower4(_ r1: UnsafePointer<Double>, _ r2: UnsafePointer<Double>, _ r3: UnsafePointer<Double>,
                          _ r4: UnsafePointer<Double>, _ w1: Double, _ w2: Double, _ w3: Double, _ w4: Double,
                          into h: UnsafeMutablePointer<Double>, _ p: Int) {
        for j in 0..<p {
            let a1 = w1 * r1[j], a2 = w2 * r2[j], a3 = w3 * r3[j], a4 = w4 * r4[j]
            let hj = h + j * p
            for k in 0...j {
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
