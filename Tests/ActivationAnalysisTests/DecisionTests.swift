import ActivationAnalysis
import ActivationCore
import ActivationFeatures
import ActivationStatistics
import ActivationTestSupport
import Foundation
import Testing

@Suite("The decision: drivers, verdict, stability, early activation, the experiment")
struct DecisionTests {
    /// The oracle's `joint_logit` customers as a feature table (every count on day 0), all decided, and the oracle.
    static func jointLogit() throws -> (FeatureTable, [String: Any]) {
        let url = Repository.root.appendingPathComponent("Tests/ActivationStatisticsTests/Fixtures/oracle/joint_logit.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let names = Array(header[2..<(header.count - 1)])
        var columns: [String: [Int]] = [:]
        for (k, name) in names.enumerated() { columns[name] = rows.map { Int($0[2 + k])! } }
        let table = featureTable(columns, outcomes: rows.map { $0.last == "1" ? .renewed : .churned }, segments: rows.map { $0[1] })
        let data = try Data(contentsOf: Repository.root.appendingPathComponent("Tests/ActivationStatisticsTests/Fixtures/oracle/expected.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let oracle = try #require((json["cases"] as? [String: Any])?["joint_logit"] as? [String: Any])
        return (table, oracle)
    }

    /// Without grouping, the joint model is statsmodels' `Logit` on the six log1p counts and segment dummies; with
    /// the default grouping the near-copy is named a duplicate, the behaviour that rides on activity is harmful, the
    /// planted driver a driver.
    @Test func jointModelMatchesStatsmodelsAndAssignsRoles() throws {
        let (table, oracle) = try Self.jointLogit()
        let everyone = CohortSplit(customers: table.customers, decided: table.decidedCustomers, holdoutShare: 0)
        let mle = try #require(oracle["joint_mle"] as? [String: Any])
        let coef = try #require(mle["coef"] as? [String: Double]), se = try #require(mle["se"] as? [String: Double])
        let ungrouped = DriverModel(features: table, split: everyone, correlationThreshold: 1.01)
        #expect(!ungrouped.penalised)
        #expect(ungrouped.segmentsAdjusted == 2)
        for e in ungrouped.estimates {
            let c = try #require(e.jointCoefficient, "\(e.behaviour)")
            #expect(abs(c - coef[e.behaviour]!) < 1e-6, "\(e.behaviour) coefficient")
            #expect(abs(e.jointStandardError! - se[e.behaviour]!) < 1e-6, "\(e.behaviour) standard error")
        }
        let model = DriverModel(features: table, split: everyone)
        func role(_ name: String) -> BehaviourRole? { model.estimate(name)?.role }
        // The two logs of one action are one group: one leads (a driver), the other is its duplicate.
        let lead = try #require(model.estimate("dashboards_built")?.groupLead)
        #expect(model.estimate("dashboards_saved")?.groupLead == lead && ["dashboards_built", "dashboards_saved"].contains(lead))
        #expect(role(lead) == .driver)
        #expect(role(lead == "dashboards_built" ? "dashboards_saved" : "dashboards_built") == .duplicate)
        #expect(role("support_tickets") == .harmful)
        #expect((model.estimate("support_tickets")?.univariateCoefficient ?? 0) > 0)  // looks good alone
        #expect(role("logins") != .driver && role("theme_changes") != .driver && role("theme_changes") != .harmful)
        #expect(JointRoles(model).harmful == ["support_tickets"])
    }

    /// Strong, weak or not yet determined from the holdout AUC's interval against the bar; for undetermined, the
    /// extra customers at which the interval would clear the bar.
    @Test func verdictKnowsItsDoubt() {
        func roc(_ reachedRenewed: Int, _ reachedChurned: Int, _ notRenewed: Int, _ notChurned: Int) -> ROCArea {
            let scores = [Double](repeating: 1, count: reachedRenewed + reachedChurned) + [Double](repeating: 0, count: notRenewed + notChurned)
            let labels = [Bool](repeating: true, count: reachedRenewed) + [Bool](repeating: false, count: reachedChurned)
                + [Bool](repeating: true, count: notRenewed) + [Bool](repeating: false, count: notChurned)
            return ROCArea(scores: scores, labels: labels)
        }
        #expect(Verdict(holdout: roc(900, 100, 100, 900), bar: 0.75).strength == .strong)
        #expect(Verdict(holdout: roc(300, 200, 200, 300), bar: 0.75).strength == .weak)
        let close = roc(39, 11, 11, 39)  // AUC 0.78 on 100 customers: the interval straddles 0.75
        let v = Verdict(holdout: close, bar: 0.75)
        #expect(v.strength == .undetermined)
        let more = try! #require(v.additionalCustomers)
        let z = NormalDistribution.quantile(0.975)
        let needed = Double(v.holdoutCustomers) * pow(z * close.standardError / (close.auc - 0.75), 2)
        #expect(more == Int(needed.rounded(.up)) - v.holdoutCustomers)
        // At that size, with the same AUC, the interval's half-width is the gap.
        #expect(abs(z * close.standardError * (Double(v.holdoutCustomers) / needed).squareRoot() - (close.auc - 0.75)) < 1e-12)
    }

    /// The holdout only measures: permuting its renewal labels changes neither the rule chosen nor any criterion.
    @Test func permutingTheHoldoutLabelsChangesNothingThatChooses() {
        var rng = SplitMix64(seed: 5)
        let n = 600
        var good = [Int](), noise = [Int](), outcomes = [RenewalOutcome]()
        for _ in 0..<n {
            let renewed = rng.nextUnit() < 0.6
            outcomes.append(renewed ? .renewed : .churned)
            good.append(renewed ? (rng.nextUnit() < 0.75 ? 2 + Int(rng.next() % 3) : Int(rng.next() % 2)) : (rng.nextUnit() < 0.25 ? 2 : Int(rng.next() % 2)))
            noise.append(Int(rng.next() % 4))
        }
        let signups = (0..<n).map { $0 }
        let original = featureTable(["good": good, "noise": noise], outcomes: outcomes, signupDays: signups)
        let split = CohortSplit(customers: original.customers, decided: original.decidedCustomers, holdoutShare: 0.3)
        var permuted = outcomes
        var holdoutOutcomes = split.holdout.map { outcomes[$0] }
        Bootstrap.shuffle(&holdoutOutcomes, using: &rng)
        for (k, c) in split.holdout.enumerated() { permuted[c] = holdoutOutcomes[k] }
        #expect(permuted != outcomes)
        let shuffled = featureTable(["good": good, "noise": noise], outcomes: permuted, signupDays: signups)
        var settings = AnalysisSettings()
        settings.criteria.bootstrapResamples = 0
        settings.criteria.minimumOutcomes = 1
        let a = AnalysisStage.run(original, settings: settings, dataEndDay: 1000)
        let b = AnalysisStage.run(shuffled, settings: settings, dataEndDay: 1000)
        let chosen = try! #require(a.proposal.chosen)
        #expect(chosen.candidate.definition == b.proposal.chosen?.candidate.definition)
        #expect(a.proposal.evaluations.map(\.candidate.rule) == b.proposal.evaluations.map(\.candidate.rule))
        #expect(a.proposal.evaluations.map { $0.criteria.map(\.passed) } == b.proposal.evaluations.map { $0.criteria.map(\.passed) })
        #expect(a.evidence.map { $0.plateau.map(\.rule) } == b.evidence.map { $0.plateau.map(\.rule) })
        // The holdout measure itself does change.
        #expect(chosen.diagnostics.holdoutAUC.auc != b.proposal.chosen!.diagnostics.holdoutAUC.auc)
    }

    /// Renewal by when customers first met the rule, with Wilson intervals; customers whose follow-up cannot show
    /// their group are left out, not counted as "never".
    @Test func earlyActivationBucketsCustomersByTheDayTheyGotThere() throws {
        let outcomes: [RenewalOutcome] = [.renewed, .renewed, .churned, .renewed, .churned, .churned]
        let days = [2, 9, 20, 0, 0, 0]
        let counts = [1, 1, 1, 0, 0, 0]
        let table = featureTable(["x": counts], outcomes: outcomes, days: ["x": days], signupDays: [0, 0, 0, 0, 0, 960])
        let rule = ActivationRule(conditions: [.init(behaviour: "x", threshold: 1)], windowDays: 30)
        let early = EarlyActivation(features: table, rule: rule, reachDay: rule.reachDays(in: table), dataEndDay: 1000)
        let byBucket = Dictionary(uniqueKeysWithValues: early.rows.map { ($0.bucket, $0) })
        #expect(early.rows.map(\.bucket) == [.days(first: 0, last: 6), .days(first: 7, last: 13), .days(first: 14, last: 29),
                                             .days(first: 30, last: 89), .from(day: 90), .never])
        #expect(byBucket[.days(first: 0, last: 6)]?.customers == 1 && byBucket[.days(first: 7, last: 13)]?.customers == 1
                && byBucket[.days(first: 14, last: 29)]?.customers == 1)
        // The two who never did it, 1,000 days in, are "never"; the one 41 days in might still by day 90: left out.
        #expect(byBucket[.never]?.customers == 2 && early.excluded == 1)
        #expect(byBucket[.days(first: 0, last: 6)]?.interval == ProportionIntervals.wilson(successes: 1, trials: 1))
        // A 30-day rule: every reach inside the first window is in time.
        #expect(early.inTime == EarlyActivation.Tally(customers: 3, renewed: 2) && early.late.customers == 0)
        #expect(early.lateActivationHelps == nil)
        #expect(abs((early.largestPossibleRenewalMultiple ?? 0) - 5.0 / 3) < 1e-12)  // 3 of 5 renew: at most 5/3×
    }

    /// The buckets are also cut at the rule's own window, so that each is wholly in time or wholly late: a 21-day
    /// rule's day-20 activator is in time, its day-25 activator late, like one who gets there on day 60.
    @Test func earlyActivationCutsAtTheRulesOwnWindow() throws {
        let outcomes: [RenewalOutcome] = [.renewed, .renewed, .churned, .churned, .churned, .churned, .churned]
        let days = [3, 20, 25, 0, 0, 0, 0]
        let counts = [1, 1, 1, 0, 0, 0, 0]
        let table = featureTable(["x": counts], outcomes: outcomes, days: ["x": days], signupDays: [Int](repeating: 0, count: 7))
        let rule = ActivationRule(conditions: [.init(behaviour: "x", threshold: 1)], windowDays: 21)
        let early = EarlyActivation(features: table, rule: rule, reachDay: rule.reachDays(in: table), dataEndDay: 1000)
        #expect(early.ruleWindowDays == 21)
        #expect(early.rows.prefix(4).map(\.bucket) == [.days(first: 0, last: 6), .days(first: 7, last: 13), .days(first: 14, last: 20), .days(first: 21, last: 29)])
        #expect(early.rows.filter { early.inTime($0.bucket) }.map(\.bucket) == [.days(first: 0, last: 6), .days(first: 7, last: 13), .days(first: 14, last: 20)])
        #expect(early.inTime == EarlyActivation.Tally(customers: 2, renewed: 2))
        #expect(early.late == EarlyActivation.Tally(customers: 1, renewed: 0))
        #expect(early.never == EarlyActivation.Tally(customers: 4, renewed: 0))
        // Neither interval is above the other with one late customer: late activation is not shown to help.
        #expect(early.lateActivationHelps == false)
        // Week 1 (one customer, renewed) against the other six (one renewed): churn ratio 0 / (5/6).
        #expect(early.churnRatioWeekOne == nil || early.churnRatioWeekOne!.ratio < 0.5)
    }

    /// Time to value by signup month is the same Kaplan-Meier estimate over each month's customers, with the months
    /// whose first (or rule) window is still open for some customers counted.
    @Test func timeToValueBySignupMonthIsKaplanMeierPerMonth() throws {
        // January 2026 (day 20454) and February 2026 (day 20485); the data ends on day 20500, so February is young.
        let signups = [20454, 20454, 20454, 20454, 20485, 20485, 20495]
        let reach: [Int?] = [1, 2, nil, 5, 0, nil, nil]
        let customers = signups.enumerated().map { Customer(id: "c\($0.offset)", signupDay: $0.element, outcome: .undecided, segment: "s", acv: nil) }
        let ttv = TimeToValue(customers: customers, reachDay: reach, windowDays: 30, ruleWindowDays: 7, dataEndDay: 20500)
        #expect(ttv.bySignupMonth.map(\.month) == ["2026-01", "2026-02"])
        let january = ttv.bySignupMonth[0], february = ttv.bySignupMonth[1]
        #expect(january.summary.customers == 4 && january.summary.reached == 3 && january.firstWindowOpen == 0 && january.ruleWindowOpen == 0)
        #expect(january.summary.curve == KaplanMeier(durations: [1, 2, 30, 5], observed: [true, true, false, true]))
        #expect(january.summary.quantiles.first { $0.share == 0.5 }?.day == 2)
        // February: 16 and 6 days of data; the second is censored on day 16, the third (signed up day 20495) on day 6.
        #expect(february.summary.customers == 3 && february.summary.reached == 1)
        #expect(february.firstWindowOpen == 3 && february.ruleWindowOpen == 1)
        #expect(february.summary.curve == KaplanMeier(durations: [0, 16, 6], observed: [true, false, false]))
    }

    /// The experiment's sample size is the two-proportion formula between today's renewal of all customers and the
    /// nudged half's, where only the non-reachers move, by half the observed gap.
    @Test func experimentPlanSizesTheTestAtHalfTheGap() {
        var outcomes = [RenewalOutcome](), counts = [Int]()
        for i in 0..<400 {
            let reached = i % 2 == 0
            counts.append(reached ? 1 : 0)
            outcomes.append((reached ? i % 10 < 8 : i % 10 < 5) ? .renewed : .churned)
        }
        let table = featureTable(["x": counts], outcomes: outcomes, signupDays: (0..<400).map { 1000 - $0 % 91 })
        let rule = ActivationRule(conditions: [.init(behaviour: "x", threshold: 1)], windowDays: 30)
        let plan = ExperimentPlan(features: table, rule: rule, reachDay: rule.reachDays(in: table), dataEndDay: 1000, effectShare: 0.5)
        // Half reach it (renewing 80%), half do not (40%): today 60%; nudged, the other half gains 20 points: 70%.
        #expect(abs(plan.overall.controlRenewal - 0.6) < 1e-12 && abs(plan.overall.targetRenewal - 0.7) < 1e-12)
        #expect(plan.overall.perArm == SampleSize.twoProportionsPerArm(p1: plan.overall.controlRenewal, p2: plan.overall.targetRenewal).perArm)
        #expect(plan.overall.perArm! > SampleSize.twoProportionsPerArm(p1: 0.4, p2: 0.6).perArm)
        #expect(abs(plan.overall.signupsPerWeek - 400.0 / 13) < 1e-9)
        #expect(plan.overall.weeks.map { abs($0 - 2 * Double(plan.overall.perArm!) / (400.0 / 13)) < 1e-9 } == true)
    }
}
