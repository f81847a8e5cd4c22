import Foundation
import Testing
import ActivationStatistics

/// Proportion intervals and two-proportion sample sizes against statsmodels (oracle cases `proportion_intervals`
/// and `sample_size_two_proportions`).
@Suite("Proportion intervals and sample sizes against statsmodels")
struct ProportionIntervalsOracleTests {
    static var intervals: [String: Any] { Oracle.case("proportion_intervals") }

    @Test func singleProportionWilsonAndClopperPearson() {
        let rows = Self.intervals["single"] as! [[String: Any]]
        #expect(rows.count == 10)
        for row in rows {
            let x = Int(number(row["successes"])), n = Int(number(row["n"]))
            let w = ProportionIntervals.wilson(successes: x, trials: n)
            #expect(abs(w.lowerBound - number(row["wilson_low"])) < 1e-9, "wilson \(x)/\(n)")
            #expect(abs(w.upperBound - number(row["wilson_high"])) < 1e-9, "wilson \(x)/\(n)")
            let cp = ProportionIntervals.clopperPearson(successes: x, trials: n)
            #expect(abs(cp.lowerBound - number(row["clopper_pearson_low"])) < 1e-9, "CP \(x)/\(n): \(cp)")
            #expect(abs(cp.upperBound - number(row["clopper_pearson_high"])) < 1e-9, "CP \(x)/\(n): \(cp)")
        }
    }

    @Test func twoProportionsNewcombeAndRiskRatio() {
        let rows = Self.intervals["two_sample"] as! [[String: Any]]
        #expect(rows.count == 9)
        for row in rows {
            let x1 = Int(number(row["successes1"])), n1 = Int(number(row["n1"]))
            let x2 = Int(number(row["successes2"])), n2 = Int(number(row["n2"]))
            let label = "\(x1)/\(n1) vs \(x2)/\(n2)"
            let d = ProportionIntervals.newcombeDifference(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
            #expect(abs(d.difference - number(row["diff"])) < 1e-12, "\(label)")
            #expect(abs(d.interval.lowerBound - number(row["newcombe_low"])) < 1e-9, "\(label)")
            #expect(abs(d.interval.upperBound - number(row["newcombe_high"])) < 1e-9, "\(label)")
            let rr = ProportionIntervals.riskRatio(successes1: x1, trials1: n1, successes2: x2, trials2: n2)
            if row["ratio"] is NSNull {
                #expect(rr == nil, "\(label)")
            } else {
                let r = try! #require(rr)
                #expect(abs(r.ratio - number(row["ratio"])) < 1e-9, "\(label)")
                #expect(abs(r.interval.lowerBound - number(row["ratio_log_low"])) < 1e-9, "\(label)")
                #expect(abs(r.interval.upperBound - number(row["ratio_log_high"])) < 1e-9, "\(label)")
                #expect(abs(r.logStandardError - number(row["ratio_log_se"])) < 1e-9, "\(label)")
            }
        }
    }

    /// The beta quantile inverts the regularised incomplete beta, including in the far tails and for large counts.
    @Test func betaQuantileInvertsTheCDF() {
        for (a, b) in [(1.0, 1.0), (0.5, 0.5), (2.0, 30.0), (731.0, 270.0), (1.0, 20.0), (45.0, 16.0)] {
            for q in [1e-12, 0.001, 0.025, 0.5, 0.975, 0.999999] {
                let x = BetaDistribution.quantile(q, a: a, b: b)
                // As close as a double allows: q lies within the CDF's values one ulp either side of x (where the
                // density is huge, near 1 with b < 1, one ulp moves the CDF by more than 1e-12).
                let close = abs(BetaDistribution.cdf(x, a: a, b: b) - q) <= 1e-12 * max(q, 1e-3)
                let bracketed = BetaDistribution.cdf(x.nextDown, a: a, b: b) <= q && q <= BetaDistribution.cdf(x.nextUp, a: a, b: b)
                #expect(close || bracketed, "a \(a) b \(b) q \(q)")
            }
        }
        // Closed forms: I_x(1, 1) = x, I_x(a, 1) = x^a, I_x(1, b) = 1 − (1 − x)^b.
        #expect(abs(BetaDistribution.cdf(0.3, a: 1, b: 1) - 0.3) < 1e-15)
        #expect(abs(BetaDistribution.cdf(0.3, a: 4, b: 1) - pow(0.3, 4)) < 1e-15)
        #expect(abs(BetaDistribution.cdf(0.3, a: 1, b: 7) - (1 - pow(0.7, 7))) < 1e-15)
        #expect(BetaDistribution.quantile(0, a: 2, b: 3) == 0 && BetaDistribution.quantile(1, a: 2, b: 3) == 1)
    }

    @Test func sampleSizePerArmMatchesStatsmodels() {
        let rows = Oracle.case("sample_size_two_proportions")["rows"] as! [[String: Any]]
        #expect(rows.count == 8)
        for row in rows {
            let pc = number(row["p_control"]), pt = number(row["p_treatment"])
            let alpha = number(row["alpha"]), power = number(row["power"])
            let classic = SampleSize.twoProportionsPerArm(p1: pt, p2: pc, alpha: alpha, power: power)
            let expected = number(row["classic_n_per_arm"])
            #expect(abs(classic.n - expected) <= 1e-9 * expected, "\(pc) vs \(pt) at \(power)")
            #expect(classic.perArm == Int(number(row["classic_n_per_arm_ceil"])))
            // Symmetric in the two proportions.
            #expect(SampleSize.twoProportionsPerArm(p1: pc, p2: pt, alpha: alpha, power: power).perArm == classic.perArm)
            #expect(abs(SampleSize.cohensH(pt, pc) - number(row["cohens_h"])) < 1e-12)
            let arcsine = SampleSize.arcsinePerArm(p1: pt, p2: pc, alpha: alpha, power: power)
            #expect(abs(arcsine - number(row["arcsine_closed_form_n_per_arm"])) <= 1e-9 * arcsine)
            #expect(abs(arcsine - number(row["normalindpower_n_per_arm"])) < 0.01)
        }
    }
}
