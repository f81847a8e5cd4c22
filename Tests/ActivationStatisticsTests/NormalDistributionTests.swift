import Foundation
import Testing
import ActivationStatistics

@Suite("Normal distribution")
struct NormalDistributionTests {
    @Test func normalQuantileInvertsCDF() {
        for p in [1e-10, 0.001, 0.025, 0.3, 0.5, 0.975, 0.999999] {
            #expect(abs(NormalDistribution.cdf(NormalDistribution.quantile(p)) - p) < 1e-14 + 1e-12 * p)
        }
        #expect(abs(NormalDistribution.quantile(0.975) - 1.959963984540054) < 1e-12)
    }
}
