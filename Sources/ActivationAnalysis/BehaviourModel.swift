import ActivationCore
import ActivationFeatures
import ActivationStatistics
import Foundation

/// Renewal regressed on one behaviour's first-window count: logit P(renew) = β₀ + β₁ log1p(count).
public struct BehaviourModel: Sendable {
    public var behaviour: String
    /// Decided customers the model saw.
    public var customers: Int
    /// Decided customers who did the behaviour at least once in the window.
    public var reachedAny: Int
    /// Mann-Whitney AUC of the raw count against renewal, ties one half; below 0.5 the behaviour goes with churn.
    public var auc: ROCArea
    /// Out-of-sample AUC from stratified k-fold cross-validation, direction-aware like `auc` (see `crossValidatedAUC`).
    public var crossValidatedAUC: Double
    public var intercept: Double
    /// β₁: change in log-odds of renewal per unit of log1p(count).
    public var coefficient: Double
    /// exp(β₁): odds multiplier per unit of log1p(count) (e.g. from 0 to e − 1 ≈ 1.7 events).
    public var oddsRatio: Double { exp(coefficient) }
    /// Standard error of β₁ (nil when not identifiable).
    public var standardError: Double?
    /// Wald two-sided p-value of β₁ (nil when not identifiable).
    public var pValue: Double?
    public var flags: [BehaviourFlag]
}

/// Fits `BehaviourModel`s.
public struct BehaviourModelFitter: Sendable {
    public var folds = 5
    public var seed: UInt64 = 20_260_101
    public init() {}

    /// Fits renewal on log1p(count) over `decided` customers.
    public func fit(_ features: BehaviourFeatures, customers: [Customer], decided: [Int]) -> BehaviourModel {
        let perCustomer = features.countPerCustomer()
        let counts = decided.map { perCustomer[$0] }
        let labels = decided.map { customers[$0].outcome == .renewed }
        let groups = CountGroups(counts: counts)
        let reachedAny = counts.lazy.filter { $0 > 0 }.count
        let roc = ROCArea(counts: counts, labels: labels)
        var flags: [BehaviourFlag] = []
        if reachedAny == 0 { flags.append(.neverDone) } else if Set(counts).count == 1 { flags.append(.constant) }
        if reachedAny > 0 && reachedAny < 10 { flags.append(.fewCustomers) }

        let separated = Self.isSeparated(counts: counts, labels: labels)
        var fit = groups.fit(LogisticRegression(), labels: labels)
        var standardError: Double?
        var pValue: Double?
        switch fit.status {
        case .converged where !separated:
            standardError = fit.standardErrors[1]
            pValue = fit.pValues[1]
        case .singular:
            fit = groups.fit(LogisticRegression(penalty: 1), labels: labels)
        case .notConverged:
            flags.append(.notConverged)
            fit = groups.fit(LogisticRegression(penalty: 1), labels: labels)
        case .converged, .separation:
            flags.append(.separation)
            fit = groups.fit(LogisticRegression(penalty: 1), labels: labels)
        }
        let cv = crossValidatedAUC(groups, labels: labels, direction: fit.coefficients[1] < 0 ? -1 : 1)
        return BehaviourModel(behaviour: features.name, customers: decided.count, reachedAny: reachedAny, auc: roc,
                              crossValidatedAUC: cv, intercept: fit.intercept, coefficient: fit.coefficients[1],
                              standardError: standardError, pValue: pValue, flags: flags.sorted())
    }

    /// With one predictor and an intercept the maximum-likelihood estimate fails to exist exactly when the two
    /// classes overlap in at most one point: max(x | churned) ≤ min(x | renewed) or the reverse (Albert & Anderson
    /// 1984), unless x is constant.
    package static func isSeparated(counts: [Int], labels: [Bool]) -> Bool {
        var minR = Int.max, maxR = Int.min, minC = Int.max, maxC = Int.min
        for (c, renewed) in zip(counts, labels) {
            if renewed { minR = min(minR, c); maxR = max(maxR, c) } else { minC = min(minC, c); maxC = max(maxC, c) }
        }
        guard minR != Int.max, minC != Int.max else { return false }
        if minR == maxR && minC == maxC && minR == minC { return false }
        return maxC <= minR || maxR <= minC
    }

    /// Stratified k-fold cross-validated AUC: each fold's customers are scored by a model fitted on the other folds,
    /// and the mean of the k per-fold AUCs is taken (as scikit-learn's `cross_val_score` does). Pooling the
    /// out-of-fold scores instead would rank customers scored by fold models with different intercepts against each
    /// other, which lowers the AUC of even a single monotone predictor (that has no optimism to detect). Fold models
    /// that hit separation fall back to the L2-penalised fit. The score is the fold model's linear predictor times
    /// the sign of the full-sample slope, so the result reads like the in-sample AUC (below 0.5 for a churn signal)
    /// and their gap shows optimism.
    package func crossValidatedAUC(_ groups: CountGroups, labels: [Bool], direction: Double) -> Double {
        let n = labels.count
        guard n >= folds * 2 else { return 0.5 }
        var rng = SplitMix64(seed: seed)
        var fold = [Int](repeating: 0, count: n)
        for cls in [true, false] {
            var members = (0..<n).filter { labels[$0] == cls }
            members.shuffle(using: &rng)
            for (k, i) in members.enumerated() { fold[i] = k % folds }
        }
        var aucs: [Double] = []
        for f in 0..<folds {
            var model = groups.fit(LogisticRegression(), labels: labels) { fold[$0] != f }
            if model.status != .converged { model = groups.fit(LogisticRegression(penalty: 1), labels: labels) { fold[$0] != f } }
            let slope = model.coefficients.count > 1 ? model.coefficients[1] : 0
            let members = (0..<n).filter { fold[$0] == f }
            let scores = members.map { direction * (model.intercept + slope * groups.values[groups.group[$0]]) }
            let outcomes = members.map { labels[$0] }
            guard outcomes.contains(true), outcomes.contains(false) else { continue }
            aucs.append(ROCArea(scores: scores, labels: outcomes).auc)
        }
        return aucs.isEmpty ? 0.5 : aucs.reduce(0, +) / Double(aucs.count)
    }
}
