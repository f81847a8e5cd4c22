import Foundation
import Testing
import ActivationStatistics

/// The joint model of six log1p behaviour counts and two segment dummies against statsmodels `Logit` and
/// scikit-learn's L2 `LogisticRegression` (oracle case `joint_logit`).
@Suite("Joint logistic regression against statsmodels and scikit-learn")
struct JointLogisticRegressionOracleTests {
    static let data = JointLogit.load()

    @Test func jointMaximumLikelihoodMatchesStatsmodels() {
        let mle = JointLogit.expected["joint_mle"] as! [String: Any]
        let names = mle["terms"] as! [String]
        #expect(names == ["intercept"] + JointLogit.terms)
        let fit = LogisticRegression().fit(x: Self.data.x, y: Self.data.y)
        #expect(fit.status == .converged)
        #expect(fit.isIdentifiable)
        let coef = JointLogit.vector(mle["coef"], names), se = JointLogit.vector(mle["se"], names)
        let z = JointLogit.vector(mle["z"], names), p = JointLogit.vector(mle["p"], names)
        let low = JointLogit.vector(mle["ci95_low"], names), high = JointLogit.vector(mle["ci95_high"], names)
        let intervals = fit.waldIntervals()
        #expect(intervals.count == names.count)
        for j in names.indices {
            #expect(abs(fit.coefficients[j] - coef[j]) < 1e-6, "coef \(names[j])")
            #expect(abs(fit.standardErrors[j] - se[j]) < 1e-6, "se \(names[j])")
            #expect(abs(fit.zScores[j] - z[j]) < 1e-6, "z \(names[j])")
            #expect(abs(fit.pValues[j] - p[j]) <= 1e-6 * p[j], "p \(names[j]): \(fit.pValues[j]) vs \(p[j])")
            #expect(abs(intervals[j].lowerBound - low[j]) < 1e-6, "ci low \(names[j])")
            #expect(abs(intervals[j].upperBound - high[j]) < 1e-6, "ci high \(names[j])")
        }
        #expect(abs(fit.logLikelihood - number(mle["loglik"])) < 1e-6)
        #expect(abs(fit.nullLogLikelihood - number(mle["loglik_null"])) < 1e-6)
        #expect(abs(fit.mcFaddenR2 - number(mle["mcfadden_r2"])) < 1e-6)
        #expect(abs(fit.penalisedObjective(penalty: 0) + number(mle["loglik"])) < 1e-6)
        let auc = ROCArea(scores: Self.data.x.map { fit.probability($0) }, labels: Self.data.y).auc
        #expect(abs(auc - number(mle["auc_of_fitted_probabilities"])) < 1e-9)
    }

    @Test(arguments: JointLogit.behaviours)
    func univariateFitMatchesStatsmodels(behaviour: String) {
        let u = (JointLogit.expected["univariate"] as! [String: Any])[behaviour] as! [String: Any]
        let column = JointLogit.behaviours.firstIndex(of: behaviour)!
        let x = Self.data.x.map { [$0[column]] }
        let fit = LogisticRegression().fit(x: x, y: Self.data.y)
        #expect(fit.isIdentifiable)
        #expect(abs(fit.intercept - number(u["intercept"])) < 1e-6)
        #expect(abs(fit.coefficients[1] - number(u["coef"])) < 1e-6)
        #expect(abs(fit.standardErrors[0] - number(u["se_intercept"])) < 1e-6)
        #expect(abs(fit.standardErrors[1] - number(u["se_coef"])) < 1e-6)
        #expect(abs(fit.zScores[1] - number(u["z_coef"])) < 1e-6)
        let p = number(u["p_coef"])
        #expect(abs(fit.pValues[1] - p) <= 1e-6 * p)
        #expect(abs(fit.logLikelihood - number(u["loglik"])) < 1e-6)
        // The AUC of the raw count equals that of log1p(count) (a monotone transform).
        let auc = ROCArea(scores: x.map { $0[0] }, labels: Self.data.y).auc
        #expect(abs(auc - number(u["auc_of_count"])) < 1e-12)
    }

    /// `penalty` is λ = 1/C of scikit-learn's Σ logloss + ‖w‖²/(2C): `LogisticRegression.l2(C: 1)` is `penalty: 1`.
    @Test func l2FitMatchesScikitLearnAtC1() {
        let l2 = JointLogit.expected["l2_C1"] as! [String: Any]
        let exact = l2["exact_optimum"] as! [String: Any]
        let model = LogisticRegression.l2(C: 1)
        #expect(model.penalty == 1)
        let fit = model.fit(x: Self.data.x, y: Self.data.y)
        #expect(fit.status == .converged)
        for (reference, name) in [(l2, "sklearn"), (exact, "exact")] {
            #expect(abs(fit.intercept - number(reference["intercept"])) < 1e-6, "\(name) intercept")
            for (j, b) in JointLogit.vector(reference["coef"]).enumerated() {
                #expect(abs(fit.coefficients[j + 1] - b) < 1e-6, "\(name) \(JointLogit.terms[j])")
            }
        }
        let objective = fit.penalisedObjective(penalty: model.penalty)
        #expect(abs(objective - number(l2["objective_value"])) <= 1e-8 * number(l2["objective_value"]))
        let auc = ROCArea(scores: Self.data.x.map { fit.probability($0) }, labels: Self.data.y).auc
        #expect(abs(auc - number(l2["auc_of_probabilities"])) < 1e-9)
    }

    @Test func nonIdentifiableFitsAreFlaggedAndFallBackToL2() {
        // Separation: the oracle's logit_separation rows.
        let (sx, sy, _) = LogisticRegressionOracleTests.data("logit_separation")
        let mle = LogisticRegression().fit(x: sx, y: sy)
        #expect(!mle.isIdentifiable)
        let (fit, penalised) = LogisticRegression().fitFallingBackToL2(x: sx, y: sy, fallbackC: 1)
        #expect(penalised)
        #expect(fit.status == .converged)
        let l2 = Oracle.case("logit_separation")["l2_C1"] as! [String: Any]
        #expect(abs(fit.coefficients[1] - number(l2["coef"])) < 1e-6)
        // A duplicated column: XᵀX singular.
        let duplicated = Self.data.x.map { $0 + [$0[0]] }
        let singular = LogisticRegression().fit(x: duplicated, y: Self.data.y)
        #expect(singular.status == .singular)
        #expect(!singular.isIdentifiable)
        #expect(singular.waldIntervals().isEmpty)
        let rescued = LogisticRegression().fitFallingBackToL2(x: duplicated, y: Self.data.y)
        #expect(rescued.penalised && rescued.fit.status == .converged)
        #expect(rescued.fit.coefficients.allSatisfy { $0.isFinite })
        // An identifiable fit is returned as it is.
        let plain = LogisticRegression().fitFallingBackToL2(x: Self.data.x, y: Self.data.y)
        #expect(!plain.penalised)
        #expect(plain.fit == LogisticRegression().fit(x: Self.data.x, y: Self.data.y))
    }
}
