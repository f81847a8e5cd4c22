import ActivationAnalysis
import ActivationCore
import ActivationFeatures
import ActivationStatistics
import Testing

@Suite("Ranking and the proposal criteria")
struct RankingTests {
    /// 100 customers: `good` ≥ 2 is reached by 40% who renew 90% vs 30%; `universal` done by all; `rare` by 4%;
    /// `late` is strong but first done on day 25; `churny` goes with churn. Signup days are shuffled so that the
    /// holdout (the latest 30%) holds both kinds of customer.
    static func features() -> FeatureTable {
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
        return featureTable(["good": good, "universal": universal, "rare": rare, "late": late, "churny": churny],
                            outcomes: outcomes, days: ["late": lateDays], signupDays: (0..<100).map { ($0 * 37) % 100 })
    }

    static func analyse(_ criteria: ProposalCriteria = ProposalCriteria()) -> AnalysisStage.Result {
        AnalysisStage.run(features(), settings: AnalysisSettings(criteria: criteria), dataEndDay: 200)
    }

    @Test func warningSignsAreNotCandidates() {
        let ranking = Self.analyse().ranking
        #expect(ranking.warningSigns.first?.name == "churny")
        #expect(ranking.warningSigns.allSatisfy { $0.model.auc.confidenceInterval().upperBound < 0.5 })
        #expect(ranking.noClearLink.allSatisfy { $0.model.auc.auc < 0.5 && $0.model.auc.confidenceInterval().upperBound >= 0.5 })
        #expect(ranking.candidates.allSatisfy { $0.model.auc.auc >= 0.5 })
        #expect(!ranking.candidates.contains { $0.name == "churny" })
        let aucs = ranking.candidates.map(\.model.auc.auc)
        #expect(aucs == aucs.sorted(by: >))
    }

    @Test func proposalSkipsLateAndRareAndUniversalBehaviours() {
        let analysis = Self.analyse()
        let proposal = analysis.proposal
        #expect(proposal.chosen?.candidate.behaviour == "good")
        #expect(proposal.chosen?.candidate.threshold == 2)
        #expect(proposal.chosen?.candidate.windowDays == 1)  // everything happens on day 0: the shortest window
        #expect(analysis.split.holdout.count == 30)
        let late = proposal.evaluations.first { $0.candidate.behaviour == "late" }!
        #expect(late.failures.map(\.criterion).contains(.reachedInWeekOne))
        let rare = proposal.evaluations.first { $0.candidate.behaviour == "rare" }
        #expect(rare?.qualifies != true)
        #expect(rare?.failures.contains { $0.criterion == .reach } == true)
        // Strength is judged on the holdout, and the runner-up is compared on the same customers.
        let chosen = proposal.chosen!
        let ci = chosen.diagnostics.holdoutAUC.confidenceInterval()
        #expect(proposal.strength == (ci.lowerBound >= 0.75 ? .strong : ci.upperBound < 0.75 ? .weak : .undetermined))
        #expect(chosen.diagnostics.holdoutAUC.positives + chosen.diagnostics.holdoutAUC.negatives == 30)
        if let runner = proposal.runnerUp, let test = proposal.comparison {
            #expect(Set(runner.candidate.definition.behaviours) != ["good"])
            #expect(abs(test.difference - (chosen.diagnostics.holdoutAUC.auc - runner.diagnostics.holdoutAUC.auc)) < 1e-12)
        }
    }

    @Test func everyCandidateGetsAQValueAndTheScanCoversEveryWindow() {
        let analysis = Self.analyse()
        let all = analysis.evidence.flatMap(\.scan) + analysis.combinations
        #expect(all.allSatisfy { $0.qValue >= $0.training.fisherExactPValue - 1e-15 && $0.qValue <= 1 })
        let good = analysis.evidence.first { $0.name == "good" }!
        #expect(Set(good.scan.map(\.windowDays)) == [1, 3, 7, 14, 21, 30])
    }

    @Test func noQualifyingCandidateIsSaidPlainly() {
        var criteria = ProposalCriteria()
        criteria.maximumMedianDay = -1
        let proposal = Self.analyse(criteria).proposal
        #expect(proposal.chosen == nil)
        #expect(proposal.strength == nil)
        #expect(proposal.evaluations.allSatisfy { !$0.qualifies })
    }

    /// With nothing proposed, the best candidate that renews more says how much data its gap needs: the two-proportion
    /// sample size, scaled for its unequal arms, in customers and churners.
    @Test func nothingProposedSaysHowManyMoreChurners() throws {
        var criteria = ProposalCriteria()
        criteria.maximumMedianDay = -1
        let result = Self.analyse(criteria)
        let best = try #require(result.proposal.evaluations.lazy.compactMap { EvidenceNeeded($0.candidate) }.first)
        #expect(best.renewReached > best.renewNotReached)
        #expect(best.customersNow == result.split.training.count)
        // Recomputed by hand from the same table.
        let e = try #require(result.proposal.evaluations.first { EvidenceNeeded($0.candidate) != nil })
        let t = e.candidate.training
        let r = Double(t.reached) / Double(t.total), k = (1 - r) / r
        let n = SampleSize.twoProportionsPerArm(p1: t.renewRateReached!, p2: t.renewRateNotReached!).n
        let total = 2 * n * (1 + k) * (1 + k) / (4 * k)
        #expect(best.customers == Int(total.rounded(.up)))
        #expect(best.churners == Int((total * Double(t.churned) / Double(t.total)).rounded(.up)))
        #expect(best.moreChurners == max(0, best.churners - t.churned))
    }

    /// A rule that does not renew more than the rest has no gap to size.
    @Test func noGapNoSampleSize() {
        let flat = TwoByTwoTable(reachedRenewed: 40, reachedChurned: 10, notReachedRenewed: 40, notReachedChurned: 10)
        #expect(EvidenceNeeded(training: flat) == nil)
        // Equal arms: exactly twice the per-arm n of the two-proportion formula.
        let gap = TwoByTwoTable(reachedRenewed: 45, reachedChurned: 5, notReachedRenewed: 35, notReachedChurned: 15)
        let need = EvidenceNeeded(training: gap)
        let n = SampleSize.twoProportionsPerArm(p1: 0.9, p2: 0.7).n
        #expect(need?.customers == Int((2 * n).rounded(.up)))
        #expect(need?.churners == Int((2 * n * 20 / 100).rounded(.up)))
    }
}
