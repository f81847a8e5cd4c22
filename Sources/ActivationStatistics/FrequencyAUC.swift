/// The Mann-Whitney AUC from frequency-weighted score levels, within strata: what `StratifiedROCArea` computes from
/// one row per customer, here from the weights of each distinct score (a bootstrap resample's multiplicities, say),
/// in time proportional to the levels rather than the customers.
///
/// In stratum k, with positive weight p(v) and negative weight n(v) at score level v (levels ascending),
/// wins_k = Σ_v p(v)·(N_k(< v) + ½·n(v)) and pairs_k = P_k·N_k; the stratified AUC is Σ_k wins_k / Σ_k pairs_k
/// (within-stratum pairs only; ties count one half), which equals Σ_k w_k·AUC_k with w_k = pairs_k / Σ pairs. With no
/// pair at all it is 0.5. With integer weights it is exactly the AUC of the expanded rows.
public enum FrequencyAUC {
    /// - Parameter strata: per stratum, its score levels in ascending order, each with (positive weight, negative weight).
    public static func stratified(_ strata: [[(positive: Double, negative: Double)]]) -> Double {
        var wins = 0.0, pairs = 0.0
        for levels in strata {
            var negativesBelow = 0.0, positives = 0.0
            for level in levels {
                wins += level.positive * (negativesBelow + 0.5 * level.negative)
                negativesBelow += level.negative
                positives += level.positive
            }
            pairs += positives * negativesBelow
        }
        return pairs > 0 ? wins / pairs : 0.5
    }
}
