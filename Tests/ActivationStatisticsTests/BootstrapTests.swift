import Foundation
import Testing
import ActivationStatistics

/// The seeded bootstrap: determinism, and the percentile interval of the `auc_continuous` AUC against its DeLong
/// interval (oracle `bootstrap_reference`: another RNG gives other digits, so each end is compared with DeLong's
/// within 0.01).
@Suite("Bootstrap")
struct BootstrapTests {
    static func aucReplicates(seed: UInt64) -> (values: [Double], skipped: Int) {
        let (scores, labels) = Oracle.columns("auc_continuous.csv")
        return Bootstrap.replicates(count: scores.count, resamples: 2000, seed: seed) { rows in
            let roc = ROCArea(scores: rows.map { scores[$0] }, labels: rows.map { labels[$0] })
            return roc.positives > 0 && roc.negatives > 0 ? roc.auc : nil
        }
    }

    @Test func percentileIntervalOfTheAUCIsCloseToDeLong() {
        let c = Oracle.case("bootstrap_reference")
        let reference = Oracle.case("auc_continuous")
        #expect(c["input"] as! String == "auc_continuous.csv")
        let (values, skipped) = Self.aucReplicates(seed: 20_261_126)
        #expect(values.count + skipped == Int(number(c["resamples"])))
        let interval = Bootstrap.percentileInterval(values)!
        #expect(abs(interval.lowerBound - number(reference["ci95_low"])) < 0.01, "\(interval)")
        #expect(abs(interval.upperBound - number(reference["ci95_high"])) < 0.01, "\(interval)")
        #expect(abs(number(c["delong_ci95_low"]) - number(reference["ci95_low"])) < 1e-12)
    }

    @Test func sameSeedSameResamples() {
        let a = Self.aucReplicates(seed: 99), b = Self.aucReplicates(seed: 99), other = Self.aucReplicates(seed: 100)
        #expect(a.values == b.values && a.skipped == b.skipped)
        #expect(a.values != other.values)
        #expect(Bootstrap.percentileInterval(a.values) == Bootstrap.percentileInterval(b.values))
        var r1 = SplitMix64(seed: 5), r2 = SplitMix64(seed: 5)
        let i1 = Bootstrap.resampleIndices(count: 50, using: &r1), i2 = Bootstrap.resampleIndices(count: 50, using: &r2)
        #expect(i1 == i2 && i1.allSatisfy { (0..<50).contains($0) })
        // The first draws of seed 5, pinned so a change of the mapping from draws to indices is noticed.
        var r3 = SplitMix64(seed: 5)
        let expected = (0..<5).map { _ -> Int in Int(r3.next().multipliedFullWidth(by: 50).high) }
        #expect(Array(i1.prefix(5)) == expected)
    }

    @Test func percentileIntervalInterpolatesLikeNumpy() {
        // numpy.percentile([1, 2, 3, 4, 5], [2.5, 97.5]) = [1.1, 4.9].
        let interval = Bootstrap.percentileInterval([5, 3, 1, 4, 2])!
        #expect(abs(interval.lowerBound - 1.1) < 1e-12 && abs(interval.upperBound - 4.9) < 1e-12)
        #expect(Bootstrap.percentileInterval([]) == nil)
        #expect(Bootstrap.percentileInterval([7]) == 7...7)
    }

    @Test func shuffleIsAPermutationAndSeeded() {
        var rng = SplitMix64(seed: 1)
        var values = Array(0..<100)
        Bootstrap.shuffle(&values, using: &rng)
        #expect(values.sorted() == Array(0..<100) && values != Array(0..<100))
        var rng2 = SplitMix64(seed: 1)
        var again = Array(0..<100)
        Bootstrap.shuffle(&again, using: &rng2)
        #expect(values == again)
    }
}
