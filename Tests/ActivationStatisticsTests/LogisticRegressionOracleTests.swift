import Foundation
import Testing
import ActivationStatistics

@Suite("Logistic regression against statsmodels and scikit-learn")
struct LogisticRegressionOracleTests {
    static func data(_ name: String) -> (x: [[Double]], y: [Bool], c: [String: Any]) {
        let c = Oracle.case(name)
        let (values, labels) = Oracle.columns(c["input"] as! String)
        let transform = c["transform"] as! String
        let x = values.map { [transform == "log1p" ? log1p($0) : $0] }
        return (x, labels, c)
    }

    @Test(arguments: ["logit_log1p", "logit_negative"])
    func maximumLikelihoodMatchesStatsmodels(name: String) {
        let (x, y, c) = Self.data(name)
        let mle = c["mle"] as! [String: Any]
        let fit = LogisticRegression().fit(x: x, y: y)
        #expect(fit.status == .converged)
        #expect(abs(fit.intercept - number(mle["intercept"])) < 1e-6)
        #expect(abs(fit.coefficients[1] - number(mle["coef"])) < 1e-6)
        #expect(abs(fit.standardErrors[0] - number(mle["se_intercept"])) < 1e-6)
        #expect(abs(fit.standardErrors[1] - number(mle["se_coef"])) < 1e-6)
        #expect(abs(fit.zScores[1] - number(mle["z_coef"])) < 1e-6)
        let p = number(mle["p_coef"])
        #expect(abs(fit.pValues[1] - p) <= 1e-6 * p)
        #expect(abs(fit.logLikelihood - number(mle["loglik"])) < 1e-6)
        #expect(abs(fit.nullLogLikelihood - number(mle["loglik_null"])) < 1e-6)
        #expect(abs(fit.mcFaddenR2 - number(mle["mcfadden_r2"])) < 1e-6)
    }

    @Test(arguments: ["logit_log1p", "logit_negative", "logit_separation", "logit_constant"],
          ["l2_C1", "l2_C0.1"])
    func penalisedFitMatchesScikitLearn(name: String, variant: String) {
        let (x, y, c) = Self.data(name)
        let expected = c[variant] as! [String: Any]
        let inverseC = variant == "l2_C1" ? 1.0 : 10.0
        let fit = LogisticRegression(penalty: inverseC).fit(x: x, y: y)
        #expect(fit.status == .converged)
        #expect(abs(fit.intercept - number(expected["intercept"])) < 1e-6)
        #expect(abs(fit.coefficients[1] - number(expected["coef"])) < 1e-6)
        let probabilities = x.map { fit.probability($0) }
        let auc = ROCArea(scores: probabilities, labels: y).auc
        #expect(abs(auc - number(expected["auc_of_probabilities"])) < 1e-9)
    }

    @Test func separationIsFlaggedNotNaN() {
        let (x, y, _) = Self.data("logit_separation")
        let fit = LogisticRegression().fit(x: x, y: y)
        #expect(fit.status == .separation)
        #expect(fit.coefficients.allSatisfy { $0.isFinite })
    }

    @Test func constantPredictorIsSingular() {
        let (x, y, _) = Self.data("logit_constant")
        let fit = LogisticRegression().fit(x: x, y: y)
        #expect(fit.status == .singular)
        #expect(fit.coefficients.allSatisfy { $0.isFinite })
        #expect(ROCArea(scores: x.map { $0[0] }, labels: y).auc == 0.5)
    }

    /// Fitting customers with equal values as one weighted row gives the same estimates as fitting every row, for
    /// the oracle cases (converged, separated, constant), a large count sample with many ties and a four-predictor
    /// sample shaped like the adjusted model, with and without the L2 penalty.
    @Test(arguments: ["logit_log1p", "logit_negative", "logit_separation", "logit_constant", "counts", "adjusted"])
    func groupedRowsGiveTheSameFitAsEveryRow(name: String) {
        var (x, y): ([[Double]], [Bool])
        if name == "counts" {
            var rng = SplitMix64(seed: 11)
            x = []; y = []
            for _ in 0..<5000 {
                let count = Int(rng.next() % 9)
                x.append([log1p(Double(count))])
                y.append(rng.nextUnit() < LogisticRegression.sigmoid(-0.5 + 0.6 * Double(count)))
            }
        } else if name == "adjusted" {
            // The diagnoser's adjusted model: a reach flag, the log of the other events and two segment dummies.
            var rng = SplitMix64(seed: 12)
            x = []; y = []
            for _ in 0..<6000 {
                let reached = rng.next() % 3 == 0 ? 1.0 : 0.0, other = Double(rng.next() % 40), segment = Int(rng.next() % 3)
                x.append([reached, log1p(other), segment == 1 ? 1 : 0, segment == 2 ? 1 : 0])
                y.append(rng.nextUnit() < LogisticRegression.sigmoid(-0.3 + 0.9 * reached + 0.2 * log1p(other) - 0.4 * Double(segment)))
            }
        } else {
            (x, y, _) = Self.data(name)
            // Repeat the oracle's rows so that grouping applies (it does from 65 rows).
            x = Array(repeating: x, count: 80 / max(1, x.count) + 1).flatMap { $0 }
            y = Array(repeating: y, count: 80 / max(1, y.count) + 1).flatMap { $0 }
        }
        for penalty in [0.0, 1.0] {
            let grouped = LogisticRegression(penalty: penalty).fit(x: x, y: y)
            let everyRow = LogisticRegression(penalty: penalty).fit(x: x, y: y, weights: nil)
            #expect(grouped.status == everyRow.status, "\(name) \(penalty)")
            for (a, b) in zip(grouped.coefficients, everyRow.coefficients) { #expect(abs(a - b) <= 1e-8 * max(1, abs(b)), "\(name) \(penalty)") }
            #expect(grouped.standardErrors.count == everyRow.standardErrors.count)
            for (a, b) in zip(grouped.standardErrors, everyRow.standardErrors) { #expect(abs(a - b) <= 1e-8 * max(1, abs(b)), "\(name) \(penalty)") }
            #expect(abs(grouped.logLikelihood - everyRow.logLikelihood) <= 1e-8 * max(1, abs(everyRow.logLikelihood)))
            #expect(abs(grouped.nullLogLikelihood - everyRow.nullLogLikelihood) <= 1e-8 * max(1, abs(everyRow.nullLogLikelihood)))
            // One predictor tallied beforehand (the behaviour models' cross-validation) is the grouped fit, bit for bit.
            if x.first?.count == 1 {
                let values = Set(x.map { $0[0] }).sorted()
                var churned = [Double](repeating: 0, count: values.count), renewed = churned
                for (row, outcome) in zip(x, y) {
                    let k = values.firstIndex(of: row[0])!
                    if outcome { renewed[k] += 1 } else { churned[k] += 1 }
                }
                let tallied = LogisticRegression(penalty: penalty).fit(values: values, churned: churned, renewed: renewed)
                if values.count * 4 < x.count {
                    #expect(tallied == grouped, "\(name) \(penalty)")
                } else {
                    #expect(tallied.status == everyRow.status, "\(name) \(penalty)")
                    for (a, b) in zip(tallied.coefficients, everyRow.coefficients) { #expect(abs(a - b) <= 1e-8 * max(1, abs(b)), "\(name) \(penalty)") }
                }
            }
        }
    }
}
