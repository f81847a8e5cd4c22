import ActivationFastPaths
import ActivationStatistics
import Testing

@Suite("KeySet")
struct KeySetTests {
    static func keys(_ set: KeySet) -> Set<UInt64> {
        var keys = Set<UInt64>()
        set.forEachKey { keys.insert($0) }
        return keys
    }

    /// A merge inserts each export's user triples in one batch (`KeySet.insertAll`, grown once, slots loaded
    /// ahead): the same set and the same new keys, in order, as inserting them one by one, through growth and with
    /// keys repeated within a batch and across batches.
    @Test func batchInsertsOfKeysAgreeWithOneByOne() {
        var rng = SplitMix64(seed: 7)
        var batched = KeySet(), single = KeySet()
        for batch in 0..<6 {
            let keys = (0..<(batch * 9_000 + 5)).map { _ in (rng.next() % 20_000) << 40 | rng.next() % 3 }
            var newBatched: [UInt64] = [], newSingle: [UInt64] = []
            keys.withUnsafeBufferPointer { batched.insertAll($0) { newBatched.append($0) } }
            for key in keys where single.insert(key).inserted { newSingle.append(key) }
            #expect(newBatched == newSingle, "batch \(batch)")
            #expect(batched.count == single.count && Self.keys(batched) == Self.keys(single), "batch \(batch)")
        }
        #expect(batched.count > 30_000 && batched.contains(0) == single.contains(0))
    }
}
