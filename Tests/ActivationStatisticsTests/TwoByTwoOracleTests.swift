import Foundation
import Testing
import ActivationStatistics

@Suite("Threshold tables, Benjamini-Hochberg and Kaplan-Meier against scipy / statsmodels / lifelines")
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

    @Test func benjaminiHochbergMatchesStatsmodels() {
        let c = Oracle.case("benjamini_hochberg")
        let p = (c["p_values"] as! [Any]).map { number($0) }
        let expected = (c["adjusted"] as! [Any]).map { number($0) }
        let rejected = (c["rejected"] as! [Any]).map { ($0 as! NSNumber).boolValue }
        let adjusted = BenjaminiHochberg.adjust(p)
        for i in p.indices { #expect(abs(adjusted[i] - expected[i]) < 1e-12) }
        #expect(BenjaminiHochberg.rejected(p, alpha: number(c["alpha"])) == rejected)
        // Order of the input does not matter.
        let reversed = BenjaminiHochberg.adjust(p.reversed())
        #expect(Array(reversed.reversed()) == adjusted)
    }

    @Test func kaplanMeierMatchesLifelines() {
        let c = Oracle.case("km_t2v")
        let (days, activated) = Oracle.columns(c["input"] as! String)
        let km = KaplanMeier(durations: days, observed: activated)
        let quantiles = c["km_quantiles_days"] as! [String: Any]
        #expect(km.quantile(0.25) == number(quantiles["p25"]))
        #expect(km.quantile(0.50) == number(quantiles["p50"]))
        #expect(km.quantile(0.75) == number(quantiles["p75"]))
        #expect(km.quantile(0.90) == number(quantiles["p90"]))
        let s = c["km_survival_at_day"] as! [String: Any]
        for day in ["7", "14", "30"] {
            #expect(abs(km.survival(at: Double(day)!) - number(s[day])) < 1e-9)
        }
    }

    @Test func normalQuantileInvertsCDF() {
        for p in [1e-10, 0.001, 0.025, 0.3, 0.5, 0.975, 0.999999] {
            #expect(abs(NormalDistribution.cdf(NormalDistribution.quantile(p)) - p) < 1e-14 + 1e-12 * p)
        }
        #expect(abs(NormalDistribution.quantile(0.975) - 1.959963984540054) < 1e-12)
    }
}
