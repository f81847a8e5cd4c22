import ActivationStatistics

/// A behaviour with its model and its threshold scan.
public struct BehaviourEvidence: Sendable {
    public var model: BehaviourModel
    /// Every scanned threshold, in threshold order.
    public var scan: [ThresholdCandidate]
    /// The rule with the largest training Youden's J (a shorter window preferred within `RuleScanner.windowPreference`).
    public var best: ThresholdCandidate?
    /// Every rule whose training J is within sampling error of the best, simplest first (`RuleScanner.plateau`).
    public var plateau: [ThresholdCandidate] = []
    /// "Did it at all in the first window" against renewal, over decided customers.
    public var didItAtAll: TwoByTwoTable
    /// The behaviour in the joint driver model.
    public var driver: DriverEstimate?
    public var name: String { model.behaviour }
    /// Within-segment training AUC (the ranking's order), or the pooled AUC over decided customers without a driver model.
    public var rankingAUC: Double { driver?.stratifiedAUC ?? model.auc.auc }

    public init(model: BehaviourModel, scan: [ThresholdCandidate], best: ThresholdCandidate?, didItAtAll: TwoByTwoTable) {
        self.model = model; self.scan = scan; self.best = best; self.didItAtAll = didItAtAll
    }
}

/// Stage 4: behaviours ordered by their within-segment AUC against renewal (training cohort), so that a behaviour
/// cannot lead only because it is more common in a segment that renews more; the pooled AUC stands beside it.
public struct BehaviourRanking: Sendable {
    /// AUC ≥ 0.5, highest first: candidates for the activation event.
    public var candidates: [BehaviourEvidence]
    /// AUC < 0.5 with its whole 95% interval below 0.5, lowest first, then behaviours the joint model finds harmful
    /// (they may look good alone): behaviours that go with churn.
    public var warningSigns: [BehaviourEvidence]
    /// AUC < 0.5 but with an interval that includes 0.5: chance explains them, so they are neither candidates
    /// nor warning signs.
    public var noClearLink: [BehaviourEvidence]
    /// Never done, or done identically by everyone: nothing to rank.
    public var unranked: [BehaviourEvidence]

    /// Everything in report order: candidates, warning signs, no clear link, unranked.
    public var all: [BehaviourEvidence] { candidates + warningSigns + noClearLink + unranked }

    public init(_ evidence: [BehaviourEvidence]) {
        let unrankable: Set<BehaviourFlag> = [.neverDone, .constant]
        unranked = evidence.filter { !unrankable.isDisjoint(with: $0.model.flags) }.sorted { $0.name < $1.name }
        let rankable = evidence.filter { unrankable.isDisjoint(with: $0.model.flags) }
        let harmful = rankable.filter { $0.driver?.role == .harmful }
        let others = rankable.filter { $0.driver?.role != .harmful }
        candidates = others.filter { $0.model.auc.auc >= 0.5 }
            .sorted { ($0.rankingAUC, $1.name) > ($1.rankingAUC, $0.name) }
        let belowHalf = others.filter { $0.model.auc.auc < 0.5 }
            .sorted { ($0.model.auc.auc, $0.name) < ($1.model.auc.auc, $1.name) }
        warningSigns = belowHalf.filter { $0.model.auc.confidenceInterval().upperBound < 0.5 }
            + harmful.sorted { ($0.driver?.jointCoefficient ?? 0, $0.name) < ($1.driver?.jointCoefficient ?? 0, $1.name) }
        noClearLink = belowHalf.filter { $0.model.auc.confidenceInterval().upperBound >= 0.5 }
    }
}
