import Foundation
import Testing
import ActivationStatistics

@Suite("Kaplan-Meier against lifelines")
struct KaplanMeierOracleTests {
    @Test func kaplanMeierMatchesLifelines() {
        let c = Oracle.case("km_t2v")
        let (days, activated) = Oracle.columns(c["input"] as! String)
        let km = KaplanMeier(durations: days, observed: activated)
        let quantiles = c["km_quantiles_days"] as! [String: Any]
        #expect(km.quantile(0.25) == number(quantiles["p25"]))
        #expect(km.quantile(0.50) == number(quantiles["p50"]))
        #expect(km.quantile(0.75) == number(quantiles["p75"]))
        #expect(km.quantile(0.90) == number(quantiles["p90"]))
        let s = c["km_survival_at_day"] as! [String: Any]
        for day in ["7", "14", "30"] {
            #expect(abs(km.survival(at: Double(day)!) - number(s[day])) < 1e-9)
        }
    }
}
