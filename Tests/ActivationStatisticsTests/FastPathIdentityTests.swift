@testable import ActivationStatistics
import Foundation
import Testing

/// The shortcuts of the analysis' hot paths give the same bits as the plain computations they replace.
@Suite("Fast paths: the same bits as the plain computations")
struct FastPathIdentityTests {
    /// Fisher's exact p-value summed over every x, as before the tails were cut.
    static func fisherOverEveryTerm(_ t: TwoByTwoTable) -> Double {
        let row1 = t.reached, col1 = t.renewed, n = t.total
        guard n > 0 else { return 1 }
        let lo = max(0, row1 + col1 - n), hi = min(row1, col1)
        let logFactorial = LogFactorials.shared.upTo(n)
        func logChoose(_ n: Int, _ k: Int) -> Double { logFactorial[n] - logFactorial[k] - logFactorial[n - k] }
        func logProbability(_ x: Int) -> Double { logChoose(col1, x) + logChoose(n - col1, row1 - x) - logChoose(n, row1) }
        let observed = logProbability(t.reachedRenewed)
        var p = 0.0
        for x in lo...hi {
            let lp = logProbability(x)
            if lp <= observed + log1p(1e-7) { p += exp(lp) }
        }
        return min(1, p)
    }

    @Test func fisherWithoutTheUnderflowingTailsIsTheFullSum() {
        var rng = SplitMix64(seed: 7)
        var tables: [TwoByTwoTable] = [
            TwoByTwoTable(reachedRenewed: 0, reachedChurned: 0, notReachedRenewed: 0, notReachedChurned: 1),
            TwoByTwoTable(reachedRenewed: 30_000, reachedChurned: 2_000, notReachedRenewed: 20_000, notReachedChurned: 12_000),
            TwoByTwoTable(reachedRenewed: 40_000, reachedChurned: 0, notReachedRenewed: 0, notReachedChurned: 24_000),
            TwoByTwoTable(reachedRenewed: 1, reachedChurned: 60_000, notReachedRenewed: 3_000, notReachedChurned: 1),
            TwoByTwoTable(reachedRenewed: 5, reachedChurned: 3, notReachedRenewed: 2, notReachedChurned: 7),
        ]
        for _ in 0..<300 {
            let scale = [10, 1_000, 70_000][Int(rng.next() % 3)]
            let cells = (0..<4).map { _ in Int(rng.next() % UInt64(scale)) }
            tables.append(TwoByTwoTable(reachedRenewed: cells[0], reachedChurned: cells[1], notReachedRenewed: cells[2],
                                        notReachedChurned: cells[3]))
        }
        for t in tables {
            #expect(t.fisherExactPValue.bitPattern == Self.fisherOverEveryTerm(t).bitPattern, "\(t)")
        }
    }

    @Test(arguments: [1, 2, 3, 50, 4_000])
    func binaryROCOfRepeatedRowsIsTheROCOfTheRowsLaidOut(customers: Int) {
        var rng = SplitMix64(seed: UInt64(customers))
        for round in 0..<20 {
            let reached = (0..<customers).map { _ in rng.next() % UInt64(2 + round % 3) == 0 }
            let labels = (0..<customers).map { _ in rng.next() % 3 != 0 }
            let repeats = (0..<customers).map { _ in Int32(rng.next() % 4) }
            var scores: [Double] = [], expanded: [Bool] = []
            for i in 0..<customers {
                for _ in 0..<repeats[i] { scores.append(reached[i] ? 1 : 0); expanded.append(labels[i]) }
            }
            let plain = ROCArea(scores: scores, labels: expanded)
            let binary = ROCArea(binary: reached, labels: labels, repeats: repeats)
            #expect(binary.auc.bitPattern == plain.auc.bitPattern)
            #expect(binary.variance.bitPattern == plain.variance.bitPattern)
            #expect(binary == plain)
        }
    }

    @Test(arguments: [10, 65, 300, 5_000])
    func oneColumnFitIsTheFitOfOneValueRows(customers: Int) {
        var rng = SplitMix64(seed: UInt64(customers) &+ 99)
        for distinct in [1, 3, 40, 100_000] {
            let x = (0..<customers).map { _ in log1p(Double(rng.next() % UInt64(distinct))) * (rng.next() % 7 == 0 ? -1 : 1) }
            let y = x.map { v in Double(rng.next() % 1000) / 1000 < 1 / (1 + exp(-v)) }
            for model in [LogisticRegression(), LogisticRegression.l2(C: 1)] {
                let rows = model.fit(x: x.map { [$0] }, y: y)
                let column = model.fit(column: x, y: y)
                #expect(rows == column, "\(customers) customers, \(distinct) values")
                #expect(rows.coefficients.map(\.bitPattern) == column.coefficients.map(\.bitPattern))
            }
        }
    }

    @Test(arguments: [20, 400, 3_000])
    func flatRowsFitAsTheRowArrays(customers: Int) {
        var rng = SplitMix64(seed: UInt64(customers) &+ 5)
        // Few distinct rows (tallied), many (laid out), and a separating column (the penalised refit).
        for shape in 0..<3 {
            let width = 3
            var x: [[Double]] = [], y: [Bool] = []
            for _ in 0..<customers {
                let flag = Double(rng.next() % 2)
                let count = shape == 1 ? log1p(Double(rng.next() % 10_000)) : log1p(Double(rng.next() % 4))
                let dummy = Double(rng.next() % 2) * (rng.next() % 5 == 0 ? -0.0 : 1)
                let renewed = shape == 2 ? flag == 1 : Double(rng.next() % 1000) / 1000 < 1 / (1 + exp(-(flag + count - 1)))
                x.append([flag, count, dummy]); y.append(renewed)
            }
            let rows = LogisticRegression().fitFallingBackToL2(x: x, y: y, fallbackC: 1)
            let flat = LogisticRegression().fitFallingBackToL2(flat: x.flatMap { $0 }, width: width, y: y, fallbackC: 1)
            #expect(rows.penalised == flat.penalised)
            #expect(rows.fit == flat.fit, "shape \(shape)")
            #expect(rows.fit.coefficients.map(\.bitPattern) == flat.fit.coefficients.map(\.bitPattern))
        }
    }
}
