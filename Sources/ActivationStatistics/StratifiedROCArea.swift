import Foundation

/// The AUC of a score within strata (segments, cohorts), combined over strata, beside the pooled AUC.
///
/// The pooled AUC also compares a positive of one stratum with a negative of another, so a score that merely tracks
/// a stratum with a high renewal rate looks predictive. The stratified AUC compares customers only within their
/// stratum. In stratum k with m_k positives and n_k negatives:
///
///     AUC_k = (1 / (m_k n_k)) Σᵢ Σⱼ ([sᵢ > sⱼ] + ½[sᵢ = sⱼ])   (positives i, negatives j of stratum k),
///     V_k   = s²(V10)/m_k + s²(V01)/n_k                        (DeLong et al. 1988, as in `ROCArea`),
///     w_k   = m_k n_k / Σⱼ m_j n_j,
///     AUC_s = Σ_k w_k AUC_k,   Var(AUC_s) = Σ_k w_k² V_k,
///
/// so AUC_s is the Mann–Whitney statistic over within-stratum pairs only, and its variance treats strata as
/// independent with the weights held fixed. The interval is AUC_s ∓ z₁₋α/₂ √Var, clipped to [0, 1]. It is a
/// weighted average of covariate-specific AUCs like the covariate-adjusted AUC of Janes & Pepe (2009), Biometrika
/// 96(2) (which weights by the positives' distribution over strata); here the weights are the pair counts.
///
/// Edge cases: a stratum with no positives or no negatives has no pairs, weight 0 and contributes nothing (its
/// `ROCArea` has AUC 0.5 and variance 0 by convention). A stratum with one positive or one negative has DeLong
/// variance 0 (`ROCArea`'s convention), which understates the variance. With no within-stratum pairs at all the
/// stratified AUC is 0.5 with variance 0, as `ROCArea` with an empty class.
public struct StratifiedROCArea<Stratum: Hashable & Sendable>: Sendable {
    public struct Entry: Sendable {
        public var stratum: Stratum
        /// AUC and DeLong variance of the customers of this stratum alone.
        public var roc: ROCArea
        /// m_k n_k: positive–negative pairs within the stratum.
        public var pairs: Int
        /// w_k = m_k n_k / Σ m_j n_j (0 for a stratum without pairs, or when no stratum has pairs).
        public var weight: Double
    }

    /// One entry per stratum, in order of first appearance in the rows.
    public var strata: [Entry]
    /// AUC over all customers, pairs across strata included.
    public var pooled: ROCArea
    /// Σ_k w_k AUC_k.
    public var auc: Double
    /// Σ_k w_k² V_k.
    public var variance: Double
    /// Σ_k m_k n_k.
    public var pairs: Int

    public var standardError: Double { variance.squareRoot() }

    /// Σ_k m_k n_k AUC_k: within-stratum wins, ties counting one half (an integer or half-integer).
    public var winsTiesHalf: Double { strata.reduce(0) { $0 + Double($1.pairs) * $1.roc.auc } }

    /// The normal-approximation interval AUC_s ∓ z √Var, clipped to [0, 1].
    public func confidenceInterval(level: Double = 0.95) -> ClosedRange<Double> {
        let z = NormalDistribution.quantile(0.5 + level / 2)
        return max(0, auc - z * standardError)...min(1, auc + z * standardError)
    }

    /// `scores[i]`, `labels[i]` (true = positive / renewed) and `strata[i]` of every customer.
    public init(scores: [Double], labels: [Bool], strata keys: [Stratum]) {
        precondition(scores.count == labels.count && scores.count == keys.count, "scores, labels and strata differ in length")
        var order: [Stratum] = []
        var rows: [Stratum: [Int]] = [:]
        for (i, key) in keys.enumerated() {
            if rows[key] == nil { order.append(key) }
            rows[key, default: []].append(i)
        }
        var entries: [Entry] = []
        var totalPairs = 0
        for key in order {
            let members = rows[key]!
            let roc = ROCArea(scores: members.map { scores[$0] }, labels: members.map { labels[$0] })
            let pairs = roc.positives * roc.negatives
            totalPairs += pairs
            entries.append(Entry(stratum: key, roc: roc, pairs: pairs, weight: 0))
        }
        var auc = 0.0, variance = 0.0
        if totalPairs > 0 {
            for k in entries.indices {
                let w = Double(entries[k].pairs) / Double(totalPairs)
                entries[k].weight = w
                auc += w * entries[k].roc.auc
                variance += w * w * entries[k].roc.variance
            }
        } else {
            auc = 0.5
        }
        self.strata = entries
        self.pooled = ROCArea(scores: scores, labels: labels)
        self.auc = auc
        self.variance = variance
        self.pairs = totalPairs
    }
}
