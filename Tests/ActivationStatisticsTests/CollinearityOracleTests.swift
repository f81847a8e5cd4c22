import Foundation
import Testing
import ActivationStatistics

/// Correlations and VIFs of the `joint_logit` predictors against numpy / statsmodels.
@Suite("Correlation matrix and VIF against numpy and statsmodels")
struct CollinearityOracleTests {
    static let data = JointLogit.load()
    static func columns(_ count: Int) -> [[Double]] { (0..<count).map { j in data.x.map { $0[j] } } }

    @Test func correlationOfLog1pCountsMatchesNumpy() {
        let c = JointLogit.expected["correlation_log1p"] as! [String: Any]
        #expect(c["order"] as! [String] == JointLogit.behaviours)
        let expected = c["matrix"] as! [[Any]]
        let r = Collinearity.correlationMatrix(Self.columns(6))
        for j in 0..<6 {
            for k in 0..<6 { #expect(abs(r[j][k] - number(expected[j][k])) < 1e-9, "\(j),\(k)") }
            #expect(r[j][j] == 1)
        }
    }

    @Test(arguments: ["counts_only", "joint_design"])
    func varianceInflationFactorsMatchStatsmodels(design: String) {
        let names = design == "counts_only" ? JointLogit.behaviours : JointLogit.terms
        let expected = JointLogit.vector((JointLogit.expected["vif"] as! [String: Any])[design], names)
        let vif = Collinearity.varianceInflationFactors(Self.columns(names.count))!
        for j in names.indices { #expect(abs(vif[j] - expected[j]) < 1e-9, "\(names[j]): \(vif[j]) vs \(expected[j])") }
    }

    @Test func degenerateColumns() {
        let a = [1.0, 2, 3, 4], b = [2.0, 1, 4, 3]
        #expect(Collinearity.varianceInflationFactors([a]) == [1])
        #expect(Collinearity.varianceInflationFactors([a, a.map { 2 * $0 + 1 }]) == nil)
        #expect(Collinearity.varianceInflationFactors([a, [5, 5, 5, 5]]) == nil)
        #expect(Collinearity.correlationMatrix([a, [5, 5, 5, 5]])[0][1].isNaN)
        let r = Collinearity.correlationMatrix([a, b])[0][1]
        #expect(abs(r - 0.6) < 1e-15)
        let vif = Collinearity.varianceInflationFactors([a, b])!
        #expect(abs(vif[0] - 1 / (1 - 0.36)) < 1e-12)
    }
}
