@testable import ActivationStatistics
import Foundation
import Testing

/// The design matrix's passes against the plain loops they stand for: the same products summed in the same order, so
/// the same bits (a fit's estimates must not move by an ulp when its loops are rearranged for speed).
@Suite("Design matrix: the blocked, vectorised passes equal the plain loops bit for bit")
struct DesignMatrixTests {
    /// Rows of `p − 1` predictors with zeros, negatives, ±0 and values of very different sizes.
    static func rows(_ n: Int, predictors: Int, seed: UInt64) -> [[Double]] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in
            (0..<predictors).map { _ -> Double in
                switch rng.next() % 6 {
                case 0: return 0
                case 1: return -0.0
                case 2: return 1
                case 3: return log1p(Double(rng.next() % 40))
                case 4: return (Double(rng.next() % 2_000_000) - 1_000_000) / 3_000
                default: return Double(rng.next() % 1000) * 1e-7
                }
            }
        }
    }

    static func weights(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in Double(rng.next() % 1_000_000) / 997 * (rng.next() % 2 == 0 ? 1 : 1e-9) }
    }

    /// Σᵢ (wᵢ · xᵢⱼ) · xᵢₖ for k ≤ j, i ascending, one row at a time, over the columns `subset` of the rows with
    /// their intercept's 1 first.
    static func plainLowerGram(_ x: [[Double]], _ w: [Double], subset: [Int]) -> [Double] {
        let m = subset.count
        var h = [Double](repeating: 0, count: m * m)
        for (i, r) in x.enumerated() {
            let row = [1.0] + r
            for j in 0..<m {
                let a = w[i] * row[subset[j]]
                for k in 0...j { h[j * m + k] += a * row[subset[k]] }
            }
        }
        return h
    }

    @Test(arguments: [(0, 0), (1, 1), (3, 4), (4, 5), (5, 20), (37, 21), (203, 8), (1001, 22)])
    func lowerGramEqualsThePlainTripleLoop(rows n: Int, predictors: Int) {
        let x = Self.rows(n, predictors: predictors, seed: UInt64(n * 31 + predictors))
        let w = Self.weights(n, seed: UInt64(n + 7))
        let design = DesignMatrix(x)
        let all = Array(0...predictors)
        #expect(design.lowerGram(weights: w).map(\.bitPattern) == Self.plainLowerGram(x, w, subset: all).map(\.bitPattern))
        // A subset of the columns (the lasso's active set), the intercept always in it.
        let subset = all.filter { $0 == 0 || $0 % 3 != 1 }
        #expect(design.lowerGram(weights: w, subset: subset).map(\.bitPattern)
                == Self.plainLowerGram(x, w, subset: subset).map(\.bitPattern))
    }

    @Test(arguments: [(0, 0), (3, 1), (9, 21), (402, 13)])
    func linearPredictorsAndGradientEqualThePlainLoops(rows n: Int, predictors: Int) {
        let x = Self.rows(n, predictors: predictors, seed: UInt64(n * 17 + predictors))
        let r = Self.weights(n, seed: UInt64(n + 3)).enumerated().map { $0.offset % 2 == 0 ? $0.element : -$0.element }
        var rng = SplitMix64(seed: 5)
        let beta = (0...predictors).map { _ in (Double(rng.next() % 20_000) - 10_000) / 1_000 }
        let design = DesignMatrix(x)
        var eta = [Double](repeating: 0, count: n), decay = eta
        design.linearPredictors(beta, eta: &eta, decay: &decay)
        var gradient = [Double](repeating: 0, count: predictors + 1)
        design.addGradient(residuals: r, into: &gradient)
        var plainGradient = [Double](repeating: 0, count: predictors + 1)
        for (i, row) in x.enumerated() {
            let full = [1.0] + row
            var t = 0.0
            for j in full.indices { t += full[j] * beta[j] }
            #expect(eta[i].bitPattern == t.bitPattern)
            #expect(decay[i].bitPattern == exp(-abs(t)).bitPattern)
            for j in full.indices { plainGradient[j] += full[j] * r[i] }
        }
        #expect(gradient.map(\.bitPattern) == plainGradient.map(\.bitPattern))
    }

    @Test func sigmoidAndSoftplusFromTheDecayAreTheDirectOnes() {
        var values: [Double] = [0, -0.0, 1e-300, -1e-300, 36.7, -36.7, 745, -745, 800, -800, .infinity, -.infinity]
        var rng = SplitMix64(seed: 11)
        for _ in 0..<2000 { values.append((Double(rng.next() % 2_000_001) - 1_000_000) / 10_000) }
        for t in values {
            let e = exp(-abs(t))
            #expect(LogisticRegression.sigmoid(t, decay: e).bitPattern == LogisticRegression.sigmoid(t).bitPattern)
            #expect(LogisticRegression.softplus(t, decay: e).bitPattern == LogisticRegression.softplus(t).bitPattern)
            #expect(LogisticRegression.softplus(-t, decay: e).bitPattern == LogisticRegression.softplus(-t).bitPattern)
        }
    }
}
