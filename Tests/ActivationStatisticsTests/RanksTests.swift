@testable import ActivationStatistics
import Testing

@Suite("Mid-ranks: counting for few distinct values equals sorting")
struct RanksTests {
    /// Mid-ranks by their definition, as the reference: the values below, plus half of the values equal
    /// (itself included), plus one half. O(n²).
    static func sortedMidRanks(_ x: [Double]) -> [Double] {
        x.map { v in
            let below = x.reduce(0) { $0 + ($1 < v ? 1 : 0) }
            let equal = x.reduce(0) { $0 + ($1 == v ? 1 : 0) }
            return Double(2 * below + equal + 1) / 2
        }
    }

    @Test(arguments: [1, 2, 3, 17, 32])
    func fewDistinctValuesRankExactlyAsTheSort(distinct: Int) {
        var rng = SplitMix64(seed: UInt64(distinct))
        // Values include 0.0 and -0.0 (equal, one tie group), negatives and fractions.
        let palette: [Double] = (0..<distinct).map { (k: Int) -> Double in
            if k == 1 { return -0.0 }
            if k == 2 { return 0.0 }
            let whole = Double((k * 37) % 11)
            return whole - 4.5 + Double(k) / 8
        }
        let x = (0..<1500).map { _ in palette[Int(rng.next() % UInt64(distinct))] }
        let counted = Ranks.fewDistinctMidRanks(x, limit: 32)
        #expect(counted != nil)
        #expect(counted == Self.sortedMidRanks(x))
        #expect(Ranks.midRanks(x) == Self.sortedMidRanks(x))
    }

    @Test func manyDistinctValuesOrANaNFallBackToTheSort() {
        var rng = SplitMix64(seed: 7)
        let x = (0..<1500).map { _ in Double(rng.next() % 1000) / 7 }
        #expect(Ranks.fewDistinctMidRanks(x, limit: 32) == nil)
        #expect(Ranks.sortedValueMidRanks(x) == Self.sortedMidRanks(x))
        #expect(Ranks.midRanks(x) == Self.sortedMidRanks(x))
        // With a NaN the order is not defined; the index sort still gives one rank per value.
        #expect(Ranks.midRanks([3.0, .nan, 1, 3, 2]).count == 5)
        #expect(Ranks.fewDistinctMidRanks([1, .nan, 0], limit: 32) == nil)
        #expect(Ranks.fewDistinctMidRanks([], limit: 32) == [])
    }
}
