import ActivationStatistics
import Foundation
import Testing

/// Mantel-Haenszel and Breslow-Day against statsmodels' `StratifiedTable` (fixtures made by
/// `Fixtures/stratified/make_expected.py` with statsmodels 0.15.0 and scipy 1.17.1).
@Suite("Stratified tables against statsmodels")
struct StratifiedTablesOracleTests {
    static var root: [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/stratified/expected.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    @Test(arguments: ["homogeneous", "heterogeneous", "with_empty_stratum"])
    func mantelHaenszelAndBreslowDayMatchStatsmodels(name: String) throws {
        let c = (Self.root["cases"] as! [String: Any])[name] as! [String: Any]
        let tables = (c["tables"] as! [[[Int]]]).map {
            TwoByTwoTable(reachedRenewed: $0[0][0], reachedChurned: $0[0][1], notReachedRenewed: $0[1][0], notReachedChurned: $0[1][1])
        }
        let stratified = StratifiedTables(tables)
        let or = try #require(stratified.mantelHaenszelOddsRatio)
        #expect(abs(or - number(c["mh_odds_ratio"])) < 1e-10)
        let ci = try #require(stratified.mantelHaenszelInterval())
        let expected = (c["mh_ci"] as! [Any]).map { number($0) }
        #expect(abs(ci.lowerBound - expected[0]) < 1e-9 && abs(ci.upperBound - expected[1]) < 1e-9)
        let bd = try #require(stratified.breslowDay)
        #expect(abs(bd.statistic - number(c["breslow_day_statistic"])) < 1e-8)
        #expect(abs(bd.pValue - number(c["breslow_day_p"])) < 1e-9)
        #expect(bd.degreesOfFreedom == Int(number(c["df"])))
    }

    @Test func chiSquaredTailMatchesScipy() {
        for row in Self.root["chi2_sf"] as! [[String: Any]] {
            let p = ChiSquared.survival(number(row["x"]), degreesOfFreedom: Int(number(row["df"])))
            #expect(abs(p - number(row["p"])) < 1e-12 * max(1, 1 / number(row["p"])), "x \(number(row["x"])) df \(number(row["df"]))")
        }
    }
}
