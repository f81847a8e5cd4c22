import ActivationKit
import Testing

@Suite("Ranking and the proposal criteria")
struct RankingTests {
    /// 100 customers: `good` ≥ 2 is reached by 40% who renew 90% vs 30%; `universal` done by all; `rare` by 4%;
    /// `late` is strong but first done on day 25; `churny` goes with churn.
    static func evidence() -> [BehaviourEvidence] {
        var good: [Int] = [], universal: [Int] = [], rare: [Int] = [], late: [Int] = [], churny: [Int] = []
        var outcomes: [RenewalOutcome] = []
        var lateDays: [Int] = []
        for i in 0..<100 {
            let activated = i < 40
            let renewed = activated ? (i % 10 != 0) : (i % 10 < 3)
            outcomes.append(renewed ? .renewed : .churned)
            good.append(activated ? 2 + i % 3 : i % 2)
            universal.append(1 + i % 4)
            rare.append(renewed && i % 25 == 1 ? 1 : 0)
            late.append(renewed && i % 3 != 0 ? 1 : 0)
            lateDays.append(25)
            churny.append(renewed ? 0 : 1 + i % 3)
        }
        let table = featureTable(["good": good, "universal": universal, "rare": rare, "late": late, "churny": churny],
                                 outcomes: outcomes, days: ["late": lateDays])
        let fitter = BehaviourModelFitter(), scanner = ThresholdScanner()
        return table.behaviours.map { b in
            let scan = scanner.scan(b, customers: table.customers, decided: table.decidedCustomers)
            return BehaviourEvidence(model: fitter.fit(b, customers: table.customers, decided: table.decidedCustomers),
                                     scan: scan, best: scanner.best(scan))
        }
    }

    @Test func warningSignsAreNotCandidates() {
        let ranking = BehaviourRanking(Self.evidence())
        #expect(ranking.warningSigns.first?.name == "churny")
        #expect(ranking.warningSigns.allSatisfy { $0.model.auc.confidenceInterval().upperBound < 0.5 })
        #expect(ranking.noClearLink.allSatisfy { $0.model.auc.auc < 0.5 && $0.model.auc.confidenceInterval().upperBound >= 0.5 })
        #expect(ranking.candidates.allSatisfy { $0.model.auc.auc >= 0.5 })
        #expect(!ranking.candidates.contains { $0.name == "churny" })
        let aucs = ranking.candidates.map(\.model.auc.auc)
        #expect(aucs == aucs.sorted(by: >))
    }

    @Test func proposalSkipsLateAndRareAndUniversalBehaviours() {
        let proposal = ActivationProposal(ranking: BehaviourRanking(Self.evidence()))
        #expect(proposal.chosen?.candidate.behaviour == "good")
        #expect(proposal.chosen?.candidate.threshold == 2)
        #expect(proposal.strength == .strong)
        let late = proposal.evaluations.first { $0.candidate.behaviour == "late" }!
        #expect(late.failures.map(\.name).contains { $0.hasPrefix("reached in week 1") })
        let rare = proposal.evaluations.first { $0.candidate.behaviour == "rare" }
        #expect(rare?.qualifies != true)
        #expect(rare?.failures.contains { $0.name.hasPrefix("reach") } == true)
    }

    @Test func noQualifyingCandidateIsSaidPlainly() {
        var criteria = ProposalCriteria()
        criteria.maximumMedianDay = -1
        let proposal = ActivationProposal(ranking: BehaviourRanking(Self.evidence()), criteria: criteria)
        #expect(proposal.chosen == nil)
        #expect(proposal.strength == nil)
        #expect(proposal.evaluations.allSatisfy { !$0.qualifies })
    }
}
