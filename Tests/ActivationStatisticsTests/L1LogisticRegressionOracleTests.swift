import Foundation
import Testing
import ActivationStatistics

/// L1-penalised logistic regression against scikit-learn's saga solution of Σ logloss + ‖w‖₁/C (oracle
/// `joint_logit.l1`), and the cross-validated choice of C.
@Suite("L1 logistic regression against scikit-learn")
struct L1LogisticRegressionOracleTests {
    static let data = JointLogit.load()

    @Test(arguments: ["C0.01", "C0.05", "C0.2", "C1"])
    func l1FitMatchesScikitLearn(key: String) {
        let expected = (JointLogit.expected["l1"] as! [String: Any])[key] as! [String: Any]
        let fit = L1LogisticRegression(C: number(expected["C"])).fit(x: Self.data.x, y: Self.data.y)
        #expect(fit.converged)
        #expect(fit.kktViolation <= 1e-8)
        #expect(abs(fit.intercept - number(expected["intercept"])) < 1e-6)
        let coef = JointLogit.vector(expected["coef"])
        for j in coef.indices {
            #expect(abs(fit.coefficients[j + 1] - coef[j]) < 1e-6, "\(key) \(JointLogit.terms[j]): \(fit.coefficients[j + 1]) vs \(coef[j])")
        }
        #expect(fit.nonZero.map { JointLogit.terms[$0] } == expected["nonzero"] as! [String])
        let objective = number(expected["objective_value"])
        #expect(abs(fit.objective - objective) <= 1e-8 * objective, "\(fit.objective) vs \(objective)")
        if let slack = expected["zero_coef_min_slack"] as? NSNumber {
            #expect(abs(fit.zeroSlack! - slack.doubleValue) < 1e-6)
        } else {
            #expect(fit.zeroSlack == nil)
        }
        let auc = ROCArea(scores: Self.data.x.map { fit.probability($0) }, labels: Self.data.y).auc
        #expect(abs(auc - number(expected["auc_of_probabilities"])) < 1e-9)
    }

    /// Warm starts and case weights do not move the optimum: the same rows tallied as weights, or started from
    /// another C's answer, give the same coefficients.
    @Test func warmStartAndWeightsGiveTheSameOptimum() {
        let cold = L1LogisticRegression(C: 0.2).fit(x: Self.data.x, y: Self.data.y)
        let start = L1LogisticRegression(C: 1).fit(x: Self.data.x, y: Self.data.y).coefficients
        let warm = L1LogisticRegression(C: 0.2).fit(x: Self.data.x, y: Self.data.y, start: start)
        #expect(warm.converged)
        for (a, b) in zip(cold.coefficients, warm.coefficients) { #expect(abs(a - b) < 1e-9) }
        // The first 500 rows, each counted twice, against those rows listed twice.
        let x = Array(Self.data.x.prefix(500)), y = Array(Self.data.y.prefix(500))
        let weighted = L1LogisticRegression(C: 0.2).fit(x: x, y: y, weights: [Double](repeating: 2, count: 500))
        let doubled = L1LogisticRegression(C: 0.2).fit(x: x + x, y: y + y)
        for (a, b) in zip(weighted.coefficients, doubled.coefficients) { #expect(abs(a - b) < 1e-9) }
    }

    @Test func separableDataHaveAFiniteL1Optimum() {
        let separation = Oracle.columns("logit_separation.csv")
        let fit = L1LogisticRegression(C: 1).fit(x: separation.values.map { [$0] }, y: separation.labels)
        #expect(fit.converged)
        #expect(fit.coefficients.allSatisfy { $0.isFinite })
        // An all-zero column stays exactly 0.
        let withZero = L1LogisticRegression(C: 1).fit(x: separation.values.map { [$0, 0] }, y: separation.labels)
        #expect(withZero.converged && withZero.coefficients[2] == 0)
        for (a, b) in zip(fit.coefficients, withZero.coefficients) { #expect(abs(a - b) < 1e-9) }
    }

    static let cs = [0.002, 0.01, 0.05, 0.2, 1, 5]

    @Test func crossValidatedPathIsDeterministicAndSensible() {
        let path = L1LogisticPath(x: Self.data.x, y: Self.data.y, cs: Self.cs, folds: 5, seed: 7)
        let again = L1LogisticPath(x: Self.data.x, y: Self.data.y, cs: Self.cs.reversed(), folds: 5, seed: 7)
        #expect(path == again)
        #expect(path.cs == Self.cs)
        #expect(path.meanAUC.count == Self.cs.count && path.foldAUC.allSatisfy { $0.count == 5 })
        for (mean, folds) in zip(path.meanAUC, path.foldAUC) { #expect(abs(mean - folds.reduce(0, +) / 5) < 1e-15) }
        // Folds: stratified, sizes within one of each other for each class.
        for outcome in [true, false] {
            var sizes = [Int](repeating: 0, count: 5)
            for (f, label) in zip(path.foldOfRow, Self.data.y) where label == outcome { sizes[f] += 1 }
            #expect(sizes.max()! - sizes.min()! <= 1)
        }
        // The heaviest penalty keeps only the intercept or one count, and ranks worse than the chosen C.
        #expect(path.meanAUC[0] < path.meanAUC[path.chosenIndex])
        #expect(path.chosenC >= 0.05)
        #expect(path.meanAUC[path.chosenIndex] > 0.70)
        #expect(path.meanAUC[path.chosenIndex] == path.meanAUC.max())
        // The chosen model is the full-data fit at that C and keeps the real driver and the harmful behaviour.
        #expect(path.fit.C == path.chosenC && path.fit.converged)
        #expect(path.fit == L1LogisticRegression(C: path.chosenC).fit(x: Self.data.x, y: Self.data.y))
        #expect(path.fit.coefficients[1] > 0.5)
        #expect(path.fit.coefficients[3] < 0)
        // Another seed gives other folds.
        let other = L1LogisticPath(x: Self.data.x, y: Self.data.y, cs: Self.cs, folds: 5, seed: 8)
        #expect(other.foldOfRow != path.foldOfRow)
    }
}
