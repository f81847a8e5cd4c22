/// The Benjamini-Hochberg (1995) step-up procedure for the false discovery rate.
///
/// With p-values sorted ascending p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted value ("q-value") of the i-th is
/// q₍ᵢ₎ = min over j ≥ i of min(1, m p₍ⱼ₎ / j); a hypothesis is rejected at level α when q ≤ α.
public enum BenjaminiHochberg {
    /// Adjusted p-values in the order of the input.
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        guard m > 0 else { return [] }
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let i = order[rank - 1]
            running = min(running, pValues[i] * Double(m) / Double(rank))
            adjusted[i] = min(1, running)
        }
        return adjusted
    }

    public static func rejected(_ pValues: [Double], alpha: Double = 0.05) -> [Bool] {
        adjust(pValues).map { $0 <= alpha }
    }
}
