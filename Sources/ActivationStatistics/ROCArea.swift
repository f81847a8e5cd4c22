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
        positives = n1
        negatives = n0
        guard n1 > 0, n0 > 0 else {
            auc = 0.5; variance = 0; positiveComponents = []; negativeComponents = []
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
        let dn1 = Double(n1), dn0 = Double(n0)
        auc = (rankSum - dn1 * (dn1 + 1) / 2) / (dn1 * dn0)
        positiveComponents = v10
        negativeComponents = v01
        if n1 > 1 && n0 > 1 {
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
