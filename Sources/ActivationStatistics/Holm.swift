/// Holm's (1979) step-down procedure for the family-wise error rate: uniformly more powerful than Bonferroni, and
/// valid under any dependence between the tests (the joint model's coefficients are correlated).
///
/// With p-values sorted ascending p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted value of the i-th is
/// max over j ≤ i of min(1, (m − j + 1) p₍ⱼ₎); a hypothesis is rejected at level α when it is ≤ α. Then the chance of
/// any false rejection among the m is at most α.
public enum Holm {
    /// Adjusted p-values in the order of the input.
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (rank, i) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[i]))
            adjusted[i] = running
        }
        return adjusted
    }
}
