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

    @Test(arguments: [0, 1, 2, 500, 40_000])
    func wholeNumbersRankByCountingExactlyAsTheSort(n: Int) {
        var rng = SplitMix64(seed: UInt64(n) + 3)
        // Counts with long runs of ties, -0.0 among the zeros, and the largest value the counting accepts.
        let bound = max(1024, 2 * n)
        var x = (0..<n).map { _ -> Double in
            switch rng.next() % 5 {
            case 0: return 0
            case 1: return -0.0
            case 2: return Double(rng.next() % 3)
            default: return Double(rng.next() % UInt64(bound))
            }
        }
        if n > 2 { x[n / 2] = Double(bound - 1) }
        let counted = Ranks.smallIntegerMidRanks(x)
        #expect(counted != nil)
        // The definition is O(n²); beyond a few thousand values the sort (checked against it above) stands in.
        let reference = n <= 2_000 ? Self.sortedMidRanks(x) : Ranks.sortedValueMidRanks(x)
        #expect(counted == reference)
        #expect(Ranks.midRanks(x) == reference)
    }

    @Test func fractionsNegativesLargeValuesOrANaNAreNotCounted() {
        #expect(Ranks.smallIntegerMidRanks([1, 2, 2.5]) == nil)
        #expect(Ranks.smallIntegerMidRanks([1, -1, 2]) == nil)
        #expect(Ranks.smallIntegerMidRanks([1, .nan, 2]) == nil)
        #expect(Ranks.smallIntegerMidRanks([1, 1024, 2]) == nil)
        #expect(Ranks.smallIntegerMidRanks([1, .infinity]) == nil)
        #expect(Ranks.smallIntegerMidRanks([]) == [])
        // Beyond the counting, the sort still ranks them.
        #expect(Ranks.midRanks([1, 1024, 2, 1024]) == [1, 3.5, 2, 3.5])
    }
}

