import Foundation
import Testing
import ActivationStatistics

/// The stratified AUC of oracle case `stratified_auc` (three strata; pooled AUC inflated by between-stratum pairs).
@Suite("Stratified AUC against the oracle")
struct StratifiedAUCOracleTests {
    static func rows() -> (scores: [Double], labels: [Bool], strata: [String]) {
        let text = try! String(contentsOf: Oracle.directory.appendingPathComponent("stratified_auc.csv"), encoding: .utf8)
        var scores: [Double] = [], labels: [Bool] = [], strata: [String] = []
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let parts = line.split(separator: ",")
            scores.append(Double(parts[0])!)
            labels.append(parts[1] == "1")
            strata.append(String(parts[2]))
        }
        return (scores, labels, strata)
    }

    @Test func matchesOracle() {
        let c = Oracle.case("stratified_auc")
        let (scores, labels, strata) = Self.rows()
        let s = StratifiedROCArea(scores: scores, labels: labels, strata: strata)
        let pooled = c["pooled"] as! [String: Any]
        #expect(abs(s.pooled.auc - number(pooled["auc"])) < 1e-12)
        #expect(abs(s.pooled.variance - number(pooled["delong_variance"])) < 1e-9)
        #expect(abs(s.pooled.standardError - number(pooled["delong_se"])) < 1e-9)
        let perStratum = c["per_stratum"] as! [String: Any]
        #expect(Set(s.strata.map(\.stratum)) == Set(c["strata_order"] as! [String]))
        for entry in s.strata {
            let e = perStratum[entry.stratum] as! [String: Any]
            #expect(entry.roc.positives == Int(number(e["positives"])))
            #expect(entry.roc.negatives == Int(number(e["negatives"])))
            #expect(entry.pairs == Int(number(e["pairs"])))
            #expect(abs(entry.roc.auc - number(e["auc"])) < 1e-12, "\(entry.stratum)")
            #expect(abs(entry.roc.variance - number(e["delong_variance"])) < 1e-9)
            #expect(abs(entry.roc.standardError - number(e["delong_se"])) < 1e-9)
            #expect(abs(entry.weight - number(e["weight"])) < 1e-12)
        }
        let st = c["stratified"] as! [String: Any]
        #expect(abs(s.auc - number(st["auc"])) < 1e-12)
        #expect(abs(s.variance - number(st["variance"])) < 1e-9)
        #expect(abs(s.standardError - number(st["se"])) < 1e-9)
        let ci = s.confidenceInterval()
        #expect(abs(ci.lowerBound - number(st["ci95_low"])) < 1e-9)
        #expect(abs(ci.upperBound - number(st["ci95_high"])) < 1e-9)
        #expect(s.pairs == Int(number(st["within_stratum_pairs"])))
        #expect(abs(s.winsTiesHalf - number(st["within_stratum_wins_ties_half"])) < 1e-6)
    }

    @Test func strataWithoutPairsContributeNothing() {
        // Stratum "b" has positives only, "c" negatives only: no pairs, weight 0.
        let scores = [1.0, 2, 3, 4, 5, 6, 7, 8]
        let labels = [false, true, true, false, true, true, false, false]
        let strata = ["a", "a", "a", "a", "b", "b", "c", "c"]
        let s = StratifiedROCArea(scores: scores, labels: labels, strata: strata)
        #expect(s.strata.map(\.stratum) == ["a", "b", "c"])
        #expect(s.strata.map(\.pairs) == [4, 0, 0])
        #expect(s.strata.map(\.weight) == [1, 0, 0])
        let a = ROCArea(scores: [1, 2, 3, 4], labels: [false, true, true, false])
        #expect(s.auc == a.auc && s.variance == a.variance)
        let none = StratifiedROCArea(scores: [1, 2], labels: [true, false], strata: [1, 2])
        #expect(none.pairs == 0 && none.auc == 0.5 && none.variance == 0)
        #expect(none.confidenceInterval() == 0.5...0.5)
    }
}

@Suite("Frequency-weighted stratified AUC")
struct FrequencyAUCTests {
    /// From weights per score level it is the stratified AUC of the rows the weights stand for.
    @Test func equalsTheStratifiedAUCOfTheExpandedRows() {
        var rng = SplitMix64(seed: 11)
        var scores: [Double] = [], labels: [Bool] = [], strata: [Int] = []
        var levels: [[Int: (Double, Double)]] = [[:], [:], [:]]
        for _ in 0..<600 {
            let stratum = Int(rng.next() % 3), score = Int(rng.next() % 7) + stratum
            let label = rng.nextUnit() < 0.3 + 0.08 * Double(score)
            let weight = Int(rng.next() % 3)
            for _ in 0..<weight { scores.append(Double(score)); labels.append(label); strata.append(stratum) }
            var w = levels[stratum][score] ?? (0, 0)
            if label { w.0 += Double(weight) } else { w.1 += Double(weight) }
            levels[stratum][score] = w
        }
        let expected = StratifiedROCArea(scores: scores, labels: labels, strata: strata).auc
        let fromLevels = FrequencyAUC.stratified(levels.map { s in s.keys.sorted().map { (positive: s[$0]!.0, negative: s[$0]!.1) } })
        #expect(abs(fromLevels - expected) < 1e-12)
        #expect(FrequencyAUC.stratified([[(positive: 3, negative: 0)]]) == 0.5)
    }
}

@Suite("Holm's step-down adjustment")
struct HolmTests {
    /// Each sorted p-value times the hypotheses left, made non-decreasing (as statsmodels' `multipletests` with
    /// `method="holm"`).
    @Test func matchesTheStepDownDefinition() {
        let p = [0.01, 0.04, 0.03, 0.2, 0.5]
        // Sorted: 0.01 (×5 = 0.05), 0.03 (×4 = 0.12), 0.04 (×3 = 0.12), 0.2 (×2 = 0.4), 0.5 (×1 = 0.5).
        let expected = [0.05, 0.12, 0.12, 0.4, 0.5]
        for (a, b) in zip(Holm.adjust(p), expected) { #expect(abs(a - b) < 1e-12) }
        #expect(Holm.adjust([]).isEmpty)
        #expect(Holm.adjust([0.9, 0.8]) == [1, 1])
    }
}
