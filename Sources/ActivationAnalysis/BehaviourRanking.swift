/// A behaviour with its model and its threshold scan.
public struct BehaviourEvidence: Sendable {
    public var model: BehaviourModel
    /// Every scanned threshold, in threshold order.
    public var scan: [ThresholdCandidate]
    /// The threshold with the largest Youden's J.
    public var best: ThresholdCandidate?
    public var name: String { model.behaviour }

    public init(model: BehaviourModel, scan: [ThresholdCandidate], best: ThresholdCandidate?) {
        self.model = model; self.scan = scan; self.best = best
    }
}

/// Stage 4: behaviours ordered by AUC against renewal.
public struct BehaviourRanking: Sendable {
    /// AUC ≥ 0.5, highest first: candidates for the activation event.
    public var candidates: [BehaviourEvidence]
    /// AUC < 0.5 with its whole 95% interval below 0.5, lowest first: behaviours that go with churn.
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
        candidates = rankable.filter { $0.model.auc.auc >= 0.5 }
            .sorted { ($0.model.auc.auc, $1.name) > ($1.model.auc.auc, $0.name) }
        let belowHalf = rankable.filter { $0.model.auc.auc < 0.5 }
            .sorted { ($0.model.auc.auc, $0.name) < ($1.model.auc.auc, $1.name) }
        warningSigns = belowHalf.filter { $0.model.auc.confidenceInterval().upperBound < 0.5 }
        noClearLink = belowHalf.filter { $0.model.auc.confidenceInterval().upperBound >= 0.5 }
    }
}
