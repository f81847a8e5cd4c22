import ActivationAnalysis
import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import ActivationIncremental
import ActivationIngest
import ActivationPipeline
import ActivationStatistics
import ActivationTestSupport
import Foundation
import Testing

/// Builds a feature table from per-customer counts (all on day 0 of the window unless given) and outcomes.
func featureTable(_ columns: [String: [Int]], outcomes: [RenewalOutcome], days: [String: [Int]] = [:], window: Int = 30,
                  signupDays: [Int]? = nil, segments: [String]? = nil) -> FeatureTable {
    let customers = outcomes.enumerated().map {
        Customer(id: "c\($0.offset)", signupDay: signupDays?[$0.offset] ?? 0, outcome: $0.element,
                 segment: segments?[$0.offset] ?? "s", acv: nil)
    }
    let acc = FirstWindowAccumulator(customerCount: customers.count, windowDays: window)
    let names = columns.keys.sorted()
    for (b, name) in names.enumerated() {
        acc.addBehaviour()
        for (c, count) in columns[name]!.enumerated() where count > 0 {
            acc.record(customer: c, behaviour: b, day: days[name]?[c] ?? 0, user: -1, count: count)
        }
    }
    return FeatureTable(customers: customers, behaviourNames: names, accumulator: acc)
}

@Suite("Candidates: per-behaviour models and threshold scans")
struct CandidatesTests {
    @Test func modelMatchesTheOracleFitOnLog1pCounts() throws {
        // The oracle's logit_log1p case, as a behaviour.
        let url = Repository.root.appendingPathComponent("Tests/ActivationStatisticsTests/Fixtures/oracle/logit_log1p.csv")
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        let counts = rows.map { Int($0[0])! }
        let outcomes = rows.map { $0[1] == "1" ? RenewalOutcome.renewed : .churned }
        let table = featureTable(["x": counts], outcomes: outcomes)
        let model = BehaviourModelFitter().fit(table.behaviours[0], customers: table.customers, decided: table.decidedCustomers)
        #expect(abs(model.intercept - -1.2474682087547742) < 1e-6)
        #expect(abs(model.coefficient - 1.174839046231388) < 1e-6)
        #expect(abs(model.standardError! - 0.18388165897249167) < 1e-6)
        #expect(model.flags.isEmpty)
        #expect(model.auc.auc > 0.5)
        #expect(abs(model.crossValidatedAUC - model.auc.auc) < 0.05)
    }

    @Test func separationGivesAFiniteFlaggedPenalisedFit() {
        let counts = [0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 1, 2, 0, 0, 0, 0, 3, 2, 1, 1]
        let outcomes = counts.map { $0 > 0 ? RenewalOutcome.renewed : .churned }
        let table = featureTable(["x": counts], outcomes: outcomes)
        let model = BehaviourModelFitter().fit(table.behaviours[0], customers: table.customers, decided: table.decidedCustomers)
        #expect(model.flags.contains(.separation))
        #expect(model.coefficient.isFinite && model.intercept.isFinite)
        #expect(model.standardError == nil && model.pValue == nil)
        #expect(model.auc.auc == 1)
    }

    @Test func behaviourNobodyDidIsFlaggedWithAUCOneHalf() {
        let outcomes: [RenewalOutcome] = [.renewed, .churned, .renewed, .churned, .renewed, .renewed]
        let table = featureTable(["never": [0, 0, 0, 0, 0, 0]], outcomes: outcomes)
        let model = BehaviourModelFitter().fit(table.behaviours[0], customers: table.customers, decided: table.decidedCustomers)
        #expect(model.flags.contains(.neverDone))
        #expect(model.auc.auc == 0.5)
        #expect(model.coefficient == 0)
        #expect(model.intercept.isFinite)
    }

    /// The feature table of SampleData (30-day window).
    static func sampleFeatures() throws -> FeatureTable {
        var source = try ExportByteSource(path: Repository.path("SampleData/customers.csv"))
        let table = try CustomerTableReader().read(&source, file: "customers.csv").table
        let outcome = try ParallelIngest(customers: table, windowDays: 30, columns: EventColumns(), options: EventReadingOptions())
            .run(try InputPaths.expandEventPaths([Repository.path("SampleData/events")]), workers: 2)
        return FeatureTable(customers: table.customers, behaviourNames: outcome.behaviourNames, accumulator: outcome.accumulator)
    }

    static func allTraining(_ table: FeatureTable) -> CohortSplit {
        CohortSplit(customers: table.customers, decided: table.decidedCustomers, holdoutShare: 0)
    }

    @Test func thresholdRangeFollowsThe95thPercentileCappedAt20() {
        let scanner = RuleScanner()
        #expect(scanner.thresholds(counts: [0, 0, 0, 0, 1]) == 1...1)
        #expect(scanner.thresholds(counts: Array(0...100)) == 1...20)
        #expect(scanner.thresholds(counts: Array(0...10)) == 1...9)
    }

    @Test func scanMatchesTheOracleTableAndPicksThePlantedStep() throws {
        let url = Repository.root.appendingPathComponent("Tests/ActivationStatisticsTests/Fixtures/oracle/threshold_scan.csv")
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        let table = featureTable(["x": rows.map { Int($0[0])! }], outcomes: rows.map { $0[1] == "1" ? .renewed : .churned })
        var scanner = RuleScanner()
        scanner.windows = [30]
        let scan = scanner.scan(table.behaviours[0], customers: table.customers, split: Self.allTraining(table))
        #expect(scan.map(\.threshold) == Array(1...5))
        #expect(scan[2].training.reached == 300)
        #expect(scan[2].table == scan[2].training)
        #expect(abs(scan[2].youdenJ - 0.38824664910485573) < 1e-12)
        #expect(scanner.best(scan)?.threshold == 3)
        #expect(scan[0].medianDayReached == 0)
    }

    @Test func windowsCountOnlyTheFirstDDays() {
        // Two events each: customer 0 on days 0 and 1, customer 1 on days 0 and 10, customer 2 on days 20 and 21.
        let customers = (0..<3).map { Customer(id: "c\($0)", signupDay: 0, outcome: $0 == 2 ? .churned : .renewed, segment: "s", acv: nil) }
        let acc = FirstWindowAccumulator(customerCount: 3, windowDays: 30)
        acc.addBehaviour()
        for (c, days) in [(0, [0, 1]), (1, [0, 10]), (2, [20, 21])] {
            for d in days { acc.record(customer: c, behaviour: 0, day: d, user: -1, count: 1) }
        }
        let table = FeatureTable(customers: customers, behaviourNames: ["x"], accumulator: acc)
        var scanner = RuleScanner()
        scanner.countQuantile = 1
        let scan = scanner.scan(table.behaviours[0], customers: customers, split: Self.allTraining(table))
        func reached(_ n: Int, _ d: Int) -> Int? { scan.first { $0.threshold == n && $0.windowDays == d }?.training.reached }
        #expect(reached(2, 1) == 0)
        #expect(reached(2, 3) == 1)   // only customer 0 has both within days 0-2
        #expect(reached(2, 14) == 2)
        #expect(reached(2, 30) == 3)
        #expect(reached(1, 1) == 2)
        // Ordered by window, then threshold; the best prefers the shortest window that separates perfectly.
        #expect(scan.map(\.windowDays) == scan.map(\.windowDays).sorted())
        #expect(scanner.best(scan)?.definition.text == "x ≥ 1 within 1 day")  // the two renewals start on day 0
    }

    @Test func holdoutIsTheMostRecentSignupsAndNeverSplitsADay() {
        let outcomes: [RenewalOutcome] = (0..<10).map { $0 % 3 == 0 ? .churned : .renewed } + [.undecided]
        let table = featureTable(["x": Array(repeating: 1, count: 11)], outcomes: outcomes,
                                 signupDays: [5, 1, 2, 3, 4, 6, 7, 7, 8, 9, 10])
        let split = CohortSplit(customers: table.customers, decided: table.decidedCustomers, holdoutShare: 0.3)
        #expect(split.holdout == [8, 9])          // the 30% most recent: days 8 and 9... and day 7 is not split
        #expect(split.training == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(split.holdoutFromDay == 8)
        let tied = CohortSplit(customers: table.customers, decided: table.decidedCustomers, holdoutShare: 0.35)
        #expect(Set(tied.holdout).isSuperset(of: [6, 7]) || Set(tied.training).isSuperset(of: [6, 7]))
    }

    @Test func medianDayReachedUsesTheDayTheRunningCountGetsThere() {
        // Customer 0 reaches 2 on day 5 (1 on day 1, 1 on day 5); customer 1 on day 2; customer 2 on day 9.
        let customers = (0..<4).map { Customer(id: "c\($0)", signupDay: 0, outcome: $0 < 2 ? .renewed : .churned, segment: "s", acv: nil) }
        let acc = FirstWindowAccumulator(customerCount: 4, windowDays: 30)
        acc.addBehaviour()
        acc.record(customer: 0, behaviour: 0, day: 1, user: -1, count: 1)
        acc.record(customer: 0, behaviour: 0, day: 5, user: -1, count: 1)
        acc.record(customer: 1, behaviour: 0, day: 2, user: -1, count: 2)
        acc.record(customer: 2, behaviour: 0, day: 9, user: -1, count: 3)
        let table = FeatureTable(customers: customers, behaviourNames: ["x"], accumulator: acc)
        var scanner = RuleScanner()
        scanner.countQuantile = 1
        scanner.windows = [30]
        let scan = scanner.scan(table.behaviours[0], customers: customers, split: Self.allTraining(table))
        #expect(scan[1].threshold == 2)
        #expect(scan[1].medianDayReached == 5)
        #expect(scan[1].day75Reached == 7)  // days 2, 5, 9: linear 75th percentile
    }

    /// The histogram scan (one pass over the customers per behaviour) gives, rule by rule, what counting each rule
    /// over the customers gives: the same 2×2 tables and the same reach-day median and 75th percentile.
    @Test func histogramScanEqualsCountingEachRule() throws {
        let features = try Self.sampleFeatures()
        let split = CohortSplit(customers: features.customers, decided: features.decidedCustomers, holdoutShare: 0.3)
        let scanner = RuleScanner()
        var rules = 0
        for behaviour in features.behaviours {
            for fast in scanner.scan(behaviour, customers: features.customers, split: split) {
                let n = fast.threshold
                let slow = scanner.candidate(fast.definition, customers: features.customers, split: split) { behaviour.dayReaching(n, customer: $0) }
                #expect(fast.training == slow.training && fast.holdout == slow.holdout && fast.table == slow.table, "\(fast.rule)")
                #expect(fast.medianDayReached == slow.medianDayReached && fast.day75Reached == slow.day75Reached, "\(fast.rule)")
                // Both against the definition: the quantiles of the sorted reach days of the training customers who
                // reached it (the holdout never shapes a criterion).
                let days = split.training.compactMap { behaviour.dayReaching(n, customer: $0) }
                    .filter { $0 < fast.windowDays }.sorted().map(Double.init)
                #expect(slow.medianDayReached == (days.isEmpty ? nil : Descriptive.quantile(sorted: days, 0.5)), "\(fast.rule)")
                #expect(slow.day75Reached == (days.isEmpty ? nil : Descriptive.quantile(sorted: days, 0.75)), "\(fast.rule)")
                rules += 1
            }
        }
        #expect(rules > 400)
    }

    /// The adjusted model is the model fitted on one row per training customer built from its definition: the same
    /// odds ratio, interval and p-value to the last bit, on every behaviour's rules and on a small cohort too.
    @Test func adjustedEffectEqualsTheRowByRowModel() throws {
        let features = try Self.sampleFeatures()
        let full = CohortSplit(customers: features.customers, decided: features.decidedCustomers, holdoutShare: 0.3)
        // A cohort of 60 training customers: fewer than `fit(x:y:)` groups.
        let small = CohortSplit(customers: features.customers, decided: Array(features.decidedCustomers.prefix(86)), holdoutShare: 0.3)
        var compared = 0
        for split in [full, small] {
            let diagnoser = CandidateDiagnoser(features: features, split: split, windows: [7, 14, 30])
            let training = split.training
            var counts: [String: Int] = [:]
            for c in training { counts[features.customers[c].segment, default: 0] += 1 }
            let names = counts.keys.sorted()
            let reference = names.max { (counts[$0]!, $1) < (counts[$1]!, $0) }!
            let dummies = names.filter { $0 != reference }
            for behaviour in features.behaviours {
                for threshold in [1, 3] {
                    for days in [7, 30] {
                        let rule = ActivationRule(conditions: [.init(behaviour: behaviour.name, threshold: threshold)], windowDays: days)
                        let reached = diagnoser.reached(rule)
                        // The definition: reached, then log1p(count within the rule's days) of every other behaviour
                        // that varies over the training cohort in that window and does not separate renewal by itself,
                        // in the feature table's order, then the segment dummies.
                        let others = features.behaviours.filter { b in
                            b.name != behaviour.name && !DriverModel.separates(b, customers: training, of: features.customers)
                                && Set(training.map { b.count(customer: $0) }).count > 1
                        }
                        func within(_ b: BehaviourFeatures, _ c: Int) -> Double {
                            log1p(Double((0..<days).reduce(0) { $0 + Int(b.daily.count(customer: c, day: $1)) }))
                        }
                        let varying = others.filter { b in Set(training.map { within(b, $0) }).count > 1 }
                        var x: [[Double]] = [], y: [Bool] = []
                        for c in training {
                            x.append([reached[c] ? 1 : 0] + varying.map { within($0, c) } + dummies.map { features.customers[c].segment == $0 ? 1 : 0 })
                            y.append(features.customers[c].outcome == .renewed)
                        }
                        let effect = try #require(diagnoser.adjusted(rule, reached: reached))
                        #expect(effect.segmentsAdjusted == dummies.count && effect.behavioursAdjusted == varying.count && !effect.restLumped)
                        let fit = LogisticRegression().fit(x: x, y: y)
                        if fit.status == .converged {
                            #expect(!effect.penalised && effect.oddsRatio == exp(fit.coefficients[1]), "\(rule)")
                            #expect(effect.pValue == fit.pValues[1], "\(rule)")
                            let z = NormalDistribution.quantile(0.975), (b, se) = (fit.coefficients[1], fit.standardErrors[1])
                            #expect(effect.interval == exp(b - z * se)...exp(b + z * se), "\(rule)")
                        } else {
                            let penalised = LogisticRegression(penalty: 1).fit(x: x, y: y)
                            #expect(effect.penalised && effect.oddsRatio == exp(penalised.coefficients[1]), "\(rule)")
                        }
                        compared += 1
                    }
                }
            }
        }
        #expect(compared > 40)
    }
}
