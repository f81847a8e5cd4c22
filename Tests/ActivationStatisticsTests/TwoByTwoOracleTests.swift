import Foundation
import Testing
import ActivationStatistics

@Suite("Threshold tables against scipy / statsmodels")
struct TwoByTwoOracleTests {
    @Test func thresholdScanMatchesOracle() {
        let c = Oracle.case("threshold_scan")
        let (values, labels) = Oracle.columns(c["input"] as! String)
        let rows = c["rows"] as! [[String: Any]]
        #expect(rows.count == 8)
        for row in rows {
            let k = number(row["threshold"])
            var a = 0, b = 0, cc = 0, d = 0
            for (x, renewed) in zip(values, labels) {
                switch (x >= k, renewed) {
                case (true, true): a += 1
                case (true, false): b += 1
                case (false, true): cc += 1
                case (false, false): d += 1
                }
            }
            let t = TwoByTwoTable(reachedRenewed: a, reachedChurned: b, notReachedRenewed: cc, notReachedChurned: d)
            #expect(t.reached == Int(number(row["reached"])))
            func close(_ v: Double?, _ key: String) {
                #expect(abs(v! - number(row[key])) < 1e-9, "\(key) at threshold \(k)")
            }
            close(t.reachRate, "reach_rate")
            close(t.renewRateReached, "renew_rate_reached")
            close(t.renewRateNotReached, "renew_rate_not_reached")
            close(t.lift, "lift")
            close(t.precision, "precision")
            close(t.recall, "recall")
            close(t.specificity, "specificity")
            close(t.binaryAUC, "auc_binary")
            close(t.youdenJ, "youden_j")
            close(t.phi, "phi")
            close(t.oddsRatio, "odds_ratio")
            let p = number(row["fisher_p_two_sided"])
            #expect(abs(t.fisherExactPValue - p) <= 1e-6 * p, "fisher at \(k)")
        }
    }

    @Test func haldaneOddsRatioIsFiniteWithEmptyCells() {
        let t = TwoByTwoTable(reachedRenewed: 10, reachedChurned: 0, notReachedRenewed: 50, notReachedChurned: 40)
        #expect(t.oddsRatio == nil)
        let or = t.correctedOddsRatio()
        #expect(or.estimate.isFinite && or.low.isFinite && or.high.isFinite)
        #expect(abs(or.estimate - (10.5 * 40.5) / (0.5 * 50.5)) < 1e-12)
        #expect(or.low < or.estimate && or.estimate < or.high)
    }
}
