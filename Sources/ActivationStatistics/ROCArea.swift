import Foundation

/// The area under the ROC curve of a score against a binary outcome, with its DeLong variance.
///
/// The AUC is the Mann-Whitney statistic: the probability that a randomly chosen positive (renewed) customer
/// scores higher than a randomly chosen negative (churned) one, ties counting one half,
///
///     AUC = (R₁ − n₁(n₁+1)/2) / (n₁ n₀),
///
/// where R₁ is the sum of the mid-ranks of the positives in the pooled sample. It is direction-aware: a score that
/// goes with churn has AUC below 0.5.
///
/// The variance follows DeLong, DeLong & Clarke-Pearson (1988), "Comparing the areas under two or more correlated
/// receiver operating characteristic curves: a nonparametric approach", Biometrics 44(3), in the rank form of
/// Sun & Xu (2014): the structural components are
///
///     V₁₀(i) = (rank of positive i among all − rank of i among positives) / n₀
///     V₀₁(j) = 1 − (rank of negative j among all − rank of j among negatives) / n₁
///
/// and Var(AUC) = s²(V₁₀)/n₁ + s²(V₀₁)/n₀ with sample variances (denominator n − 1).
public struct ROCArea: Sendable, Equatable {
    /// The Mann-Whitney AUC in [0, 1]; 0.5 when either class is empty.
    public var auc: Double
    /// DeLong variance of the AUC; 0 when it cannot be estimated (fewer than two customers in a class).
    public var variance: Double
    public var positives: Int
    public var negatives: Int
    /// DeLong structural components, kept for the paired test between two scores on the same customers.
    public var positiveComponents: [Double]
    public var negativeComponents: [Double]

    public var standardError: Double { variance.squareRoot() }

    /// The normal-approximation confidence interval, clipped to [0, 1].
    public func confidenceInterval(level: Double = 0.95) -> ClosedRange<Double> {
        let z = NormalDistribution.quantile(0.5 + level / 2)
        let lo = max(0, auc - z * standardError)
        let hi = min(1, auc + z * standardError)
        return lo...hi
    }

    /// Computes the AUC of `scores` against `labels` (true = positive / renewed).
    public init(scores: [Double], labels: [Bool]) {
        precondition(scores.count == labels.count, "scores and labels differ in length")
        let n = scores.count
        let n1 = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        let n0 = n - n1
        guard n1 > 0, n0 > 0 else {
            self.init(empty: n1, negatives: n0)
            return
        }
        let allRanks = Ranks.midRanks(scores)
        var posScores: [Double] = []; posScores.reserveCapacity(n1)
        var negScores: [Double] = []; negScores.reserveCapacity(n0)
        var posIndex: [Int] = []; posIndex.reserveCapacity(n1)
        var negIndex: [Int] = []; negIndex.reserveCapacity(n0)
        for i in 0..<n {
            if labels[i] { posScores.append(scores[i]); posIndex.append(i) } else { negScores.append(scores[i]); negIndex.append(i) }
        }
        let posRanks = Ranks.midRanks(posScores)
        let negRanks = Ranks.midRanks(negScores)
        var rankSum = 0.0
        var v10 = [Double](repeating: 0, count: n1)
        for k in 0..<n1 {
            let r = allRanks[posIndex[k]]
            rankSum += r
            v10[k] = (r - posRanks[k]) / Double(n0)
        }
        var v01 = [Double](repeating: 0, count: n0)
        for k in 0..<n0 {
            v01[k] = 1 - (allRanks[negIndex[k]] - negRanks[k]) / Double(n1)
        }
        self.init(rankSum: rankSum, positiveComponents: v10, negativeComponents: v01)
    }

    /// `init(scores:labels:)` of a 0/1 score (`reached[i]` 1) where customer i stands `repeats[i]` times in a row
    /// (a bootstrap resample's weights; 0 leaves it out), without laying the repeated scores out and ranking them:
    /// with two distinct scores every mid-rank is a count below plus half a count (`Ranks.smallIntegerMidRanks`),
    /// so the rank sum is exact whatever the order, and the structural components, in the same order as the
    /// expanded rows, take one of two values each. The same bits as `init(scores:labels:)` on the expanded rows.
    public init(binary reached: [Bool], labels: [Bool], repeats: [Int32]) {
        precondition(reached.count == labels.count && reached.count == repeats.count, "scores, labels and repeats differ in length")
        // Positives (p) and negatives (q) with score 0 and 1.
        var p0 = 0, p1 = 0, q0 = 0, q1 = 0
        for i in reached.indices where repeats[i] > 0 {
            let r = Int(repeats[i])
            switch (labels[i], reached[i]) {
            case (true, false): p0 += r
            case (true, true): p1 += r
            case (false, false): q0 += r
            case (false, true): q1 += r
            }
        }
        let n1 = p0 + p1, n0 = q0 + q1
        guard n1 > 0, n0 > 0 else {
            self.init(empty: n1, negatives: n0)
            return
        }
        // Mid-ranks of score 0 and 1 among all, among positives and among negatives.
        let all0 = Double(p0 + q0 + 1) / 2, all1 = Double(2 * (p0 + q0) + p1 + q1 + 1) / 2
        let pos0 = Double(p0 + 1) / 2, pos1 = Double(2 * p0 + p1 + 1) / 2
        let neg0 = Double(q0 + 1) / 2, neg1 = Double(2 * q0 + q1 + 1) / 2
        let rankSum = Double(p0) * all0 + Double(p1) * all1
        let v10Of = ((all0 - pos0) / Double(n0), (all1 - pos1) / Double(n0))
        let v01Of = (1 - (all0 - neg0) / Double(n1), 1 - (all1 - neg1) / Double(n1))
        var v10 = [Double](), v01 = [Double]()
        v10.reserveCapacity(n1); v01.reserveCapacity(n0)
        for i in reached.indices where repeats[i] > 0 {
            if labels[i] {
                v10.append(contentsOf: repeatElement(reached[i] ? v10Of.1 : v10Of.0, count: Int(repeats[i])))
            } else {
                v01.append(contentsOf: repeatElement(reached[i] ? v01Of.1 : v01Of.0, count: Int(repeats[i])))
            }
        }
        self.init(rankSum: rankSum, positiveComponents: v10, negativeComponents: v01)
    }

    /// Either class empty: AUC 0.5, no variance.
    private init(empty positives: Int, negatives: Int) {
        auc = 0.5; variance = 0; positiveComponents = []; negativeComponents = []
        self.positives = positives
        self.negatives = negatives
    }

    /// The AUC from the positives' rank sum R₁ and the DeLong variance from the structural components V₁₀ (one per
    /// positive) and V₀₁ (one per negative), both classes non-empty: the formulas in the type's comment.
    private init(rankSum: Double, positiveComponents v10: [Double], negativeComponents v01: [Double]) {
        positives = v10.count
        negatives = v01.count
        let dn1 = Double(v10.count), dn0 = Double(v01.count)
        auc = (rankSum - dn1 * (dn1 + 1) / 2) / (dn1 * dn0)
        positiveComponents = v10
        negativeComponents = v01
        if v10.count > 1 && v01.count > 1 {
            variance = Descriptive.sampleVariance(v10) / dn1 + Descriptive.sampleVariance(v01) / dn0
        } else {
            variance = 0
        }
    }

    /// Convenience for integer scores such as behaviour counts.
    public init(counts: [Int], labels: [Bool]) {
        self.init(scores: counts.map(Double.init), labels: labels)
    }
}

/// The paired DeLong test of two AUCs measured on the same customers (DeLong et al. 1988): z = (A − B) / sd(A − B)
/// with the covariance of the two estimates taken from their structural components.
public struct PairedDeLongTest: Sendable, Equatable {
    public var difference: Double
    public var standardError: Double
    public var z: Double
    /// Two-sided p-value; 1 when the difference has no variance.
    public var pValue: Double

    public init(_ a: ROCArea, _ b: ROCArea) {
        precondition(a.positives == b.positives && a.negatives == b.negatives, "paired test needs the same customers")
        difference = a.auc - b.auc
        let n1 = Double(a.positives), n0 = Double(a.negatives)
        guard a.positives > 1, a.negatives > 1 else { standardError = 0; z = 0; pValue = 1; return }
        let s10 = Descriptive.sampleCovariance(a.positiveComponents, b.positiveComponents)
        let s01 = Descriptive.sampleCovariance(a.negativeComponents, b.negativeComponents)
        let variance = (Descriptive.sampleVariance(a.positiveComponents) + Descriptive.sampleVariance(b.positiveComponents) - 2 * s10) / n1
            + (Descriptive.sampleVariance(a.negativeComponents) + Descriptive.sampleVariance(b.negativeComponents) - 2 * s01) / n0
        standardError = max(0, variance).squareRoot()
        if standardError > 0 {
            z = difference / standardError
            pValue = NormalDistribution.twoSidedPValue(z: z)
        } else {
            z = 0
            pValue = difference == 0 ? 1 : 0
        }
    }
}
