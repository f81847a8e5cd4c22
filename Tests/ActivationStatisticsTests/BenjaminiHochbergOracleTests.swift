import Foundation
import Testing
import ActivationStatistics

@Suite("Benjamini-Hochberg against statsmodels")
struct BenjaminiHochbergOracleTests {
    @Test func benjaminiHochbergMatchesStatsmodels() {
        let c = Oracle.case("benjamini_hochberg")
        let p = (c["p_values"] as! [Any]).map { number($0) }
        let expected = (c["adjusted"] as! [Any]).map { number($0) }
        let rejected = (c["rejected"] as! [Any]).map { ($0 as! NSNumber).boolValue }
        let adjusted = BenjaminiHochberg.adjust(p)
        for i in p.indices { #expect(abs(adjusted[i] - expected[i]) < 1e-12) }
        #expect(BenjaminiHochberg.rejected(p, alpha: number(c["alpha"])) == rejected)
        // Order of the input does not matter.
        let reversed = BenjaminiHochberg.adjust(p.reversed())
        #expect(Array(reversed.reversed()) == adjusted)
    }
}
