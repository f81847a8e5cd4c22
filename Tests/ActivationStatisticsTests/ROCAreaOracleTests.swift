import Testing
import ActivationStatistics

@Suite("AUC and DeLong against scikit-learn / DeLong reference")
struct ROCAreaOracleTests {
    @Test(arguments: ["auc_ties", "auc_continuous", "auc_below_half"])
    func matchesOracle(name: String) {
        let c = Oracle.case(name)
        let (scores, labels) = Oracle.columns(c["input"] as! String)
        let roc = ROCArea(scores: scores, labels: labels)
        #expect(roc.positives == Int(number(c["positives"])))
        #expect(abs(roc.auc - number(c["auc"])) < 1e-12)
        #expect(abs(roc.variance - number(c["delong_variance"])) < 1e-9)
        #expect(abs(roc.standardError - number(c["delong_se"])) < 1e-9)
        let ci = roc.confidenceInterval()
        #expect(abs(ci.lowerBound - number(c["ci95_low"])) < 1e-9)
        #expect(abs(ci.upperBound - number(c["ci95_high"])) < 1e-9)
    }

    @Test func emptyClassGivesHalf() {
        let roc = ROCArea(scores: [1, 2, 3], labels: [true, true, true])
        #expect(roc.auc == 0.5)
        #expect(roc.variance == 0)
    }

    @Test func pairedTestOfIdenticalScoresIsNull() {
        let (scores, labels) = Oracle.columns("auc_continuous.csv")
        let a = ROCArea(scores: scores, labels: labels)
        let test = PairedDeLongTest(a, a)
        #expect(test.difference == 0)
        #expect(test.pValue == 1)
    }

    @Test func pairedTestSeparatesAStrongFromAReversedScore() {
        let (scores, labels) = Oracle.columns("auc_continuous.csv")
        let a = ROCArea(scores: scores, labels: labels)
        let b = ROCArea(scores: scores.map { -$0 }, labels: labels)
        let test = PairedDeLongTest(a, b)
        #expect(abs(test.difference - (2 * a.auc - 1)) < 1e-12)
        #expect(test.pValue < 1e-6)
    }
}
