import ActivationCore
import ActivationFeatures
import ActivationStatistics
import Foundation

/// The rule's effect after adjusting for every other behaviour and segment:
/// logit P(renew) = β₀ + β₁·reached + Σ_b δ_b·log1p(count of b in the same D days) + Σ γₛ·[segment = s], over the
/// other behaviours b (each its own term, not their sum: a lump cannot discount a near-copy of the rule's behaviour,
/// nor tell one busy behaviour from another), fitted by maximum likelihood on the training cohort. exp(β₁) is the
/// adjusted odds ratio: what reaching the rule is worth beyond the rest of the customer's usage in its segment. A
/// behaviour that merely rides on engagement has an unadjusted odds ratio far above 1 and an adjusted one near 1.
/// Beyond `CandidateDiagnoser.maximumCovariates` behaviours, the rest enter as one log1p(sum) term.
public struct AdjustedEffect: Sendable {
    public var oddsRatio: Double
    /// Wald 95% interval of the adjusted odds ratio (nil when the fit had to be penalised).
    public var interval: ClosedRange<Double>?
    public var pValue: Double?
    /// Separation or a singular fit: the L2-penalised (C = 1) estimate is shown, without an interval.
    public var penalised: Bool
    /// Segments entered as indicators (the most common is the reference).
    public var segmentsAdjusted: Int
    /// Other behaviours entered one by one, and whether the rest were entered as one summed term.
    public var behavioursAdjusted: Int
    public var restLumped: Bool
}

/// The rule per segment, pooled by Mantel-Haenszel, with the Breslow-Day test of whether its effect differs.
public struct SegmentEffect: Sendable {
    public var segments: [(name: String, table: TwoByTwoTable)]
    public var mantelHaenszelOddsRatio: Double?
    public var mantelHaenszelInterval: ClosedRange<Double>?
    public var breslowDay: (statistic: Double, degreesOfFreedom: Int, pValue: Double)?
    /// Segments with enough customers where reaching the rule does not go with more renewal (Haldane OR ≤ 1).
    public var segmentsWhereItFails: [String]
}

/// The rule in one signup quarter.
public struct QuarterEffect: Sendable {
    /// "2026-Q1"
    public var quarter: String
    public var table: TwoByTwoTable
    /// Haldane-corrected odds ratio.
    public var oddsRatio: Double
    public var auc: Double?
    /// At least `QuarterEffect.minimumCustomers` decided customers, with 5 renewals and 5 churns.
    public var enoughCustomers: Bool

    public static let minimumCustomers = 40
}

/// Everything beyond the 2×2 tables that the proposal and the report need about a shortlisted candidate.
public struct CandidateDiagnostics: Sendable {
    public var candidate: ThresholdCandidate
    /// The rule as a 0/1 score on the holdout cohort: AUC with its DeLong interval.
    public var holdoutAUC: ROCArea
    public var trainingAUC: ROCArea
    public var adjusted: AdjustedEffect?
    public var segments: SegmentEffect
    public var quarters: [QuarterEffect]
    /// 1 when the customer reached the rule within its window, per holdout customer (for paired DeLong tests).
    public var holdoutScores: [Double]

    /// Training and holdout AUCs disagree by more than the holdout's 95% interval half-width.
    public var holdoutDisagrees: Bool {
        let ci = holdoutAUC.confidenceInterval()
        return abs(trainingAUC.auc - holdoutAUC.auc) > (ci.upperBound - ci.lowerBound) / 2
    }
}

/// Computes `CandidateDiagnostics` over one feature table and cohort split.
public struct CandidateDiagnoser: Sendable {
    package let features: FeatureTable
    package let split: CohortSplit
    /// Decided customers by segment and by signup quarter ("2025-Q3"), in name order: the same for every candidate.
    private let segmentGroups: [(name: String, customers: [Int])]
    /// Per customer: its segment's index in `segmentGroups` (decided customers; -1 for the others).
    private let segmentOf: [Int32]
    private let quarterGroups: [(name: String, customers: [Int])]

    /// Behaviours adjusted for one by one (beyond this, the rest enter as one summed term): each is a column of
    /// the adjusted model for every diagnosed rule.
    public static let maximumCovariates = 30

    /// Per window D, per covariate behaviour (`covariates` order), log1p of each training customer's count within D
    /// days; and log1p of the rest's summed count when behaviours are lumped.
    private var counts: [Int: [[Double]]] = [:]
    private var lumped: [Int: [Double]] = [:]
    /// Behaviours (indices into `features.behaviours`) adjusted for one by one.
    private let covariates: [Int]

    public init(features: FeatureTable, split: CohortSplit, windows: [Int]) {
        self.features = features
        self.split = split
        let window = features.windowDays
        let wanted = Array(Set(windows.filter { $0 <= window })).sorted()
        let training = split.training
        let behaviours = features.behaviours
        // The behaviours with the most varied training counts, when there are more than can be adjusted one by one.
        // A behaviour whose every training doer renewed (or churned) separates the outcome by itself: with it as a
        // column no maximum-likelihood estimate exists for any rule, so it is left out of the adjustment. Both per
        // behaviour, on both cores.
        let perBehaviour = parallelMap(Array(behaviours.indices)) { b -> (spread: Double, separates: Bool) in
            let perCustomer = behaviours[b].countPerCustomer()
            let x = training.map { log1p(Double(perCustomer[$0])) }
            return (x.isEmpty ? 0 : Descriptive.sampleVariance(x),
                    DriverModel.separates(behaviours[b], customers: training, of: features.customers))
        }
        let spread = perBehaviour.map(\.spread)
        let separating = Set(behaviours.indices.filter { perBehaviour[$0].separates })
        let covariates = Array(behaviours.indices.filter { spread[$0] > 0 && !separating.contains($0) }
            .sorted { (spread[$0], $1) > (spread[$1], $0) }.prefix(Self.maximumCovariates).sorted())
        self.covariates = covariates
        let rest = behaviours.indices.filter { !covariates.contains($0) && !separating.contains($0) }
        var counts: [Int: [[Double]]] = [:], lumped: [Int: [Double]] = [:]
        // The adjusted-for behaviours' running counts, per window, dense over training customers.
        let columns = parallelMap(covariates) { b -> [[Double]] in
            // One running count per customer, read at each window's end (`wanted` is ascending).
            let daily = behaviours[b].daily
            var out = wanted.map { _ in [Double](repeating: 0, count: training.count) }
            for (i, c) in training.enumerated() {
                daily.forEachCount(before: wanted, cells: daily.cells(of: c)) { k, n in out[k][i] = Double(n) }
            }
            return out
        }
        for (k, d) in wanted.enumerated() { counts[d] = covariates.indices.map { columns[$0][k].map(log1p) } }
        if !rest.isEmpty {
            // The rest's summed running counts, from each behaviour's doers only: whole counts, so the integer sum is
            // the one a sum of doubles in any order gives.
            var row = [Int32](repeating: -1, count: features.customers.count)
            for (i, c) in training.enumerated() { row[c] = Int32(i) }
            var sums = wanted.map { _ in [Int](repeating: 0, count: training.count) }
            for b in rest {
                let daily = behaviours[b].daily
                for k in daily.doers.indices {
                    let i = Int(row[Int(daily.doers[k])])
                    guard i >= 0 else { continue }
                    daily.forEachCount(before: wanted, cells: daily.cells(ofDoer: k)) { w, n in sums[w][i] += n }
                }
            }
            for (k, d) in wanted.enumerated() { lumped[d] = sums[k].map { log1p(Double($0)) } }
        }
        self.counts = counts
        self.lumped = lumped
        let decided = (split.training + split.holdout).sorted()
        let bySegment = Dictionary(grouping: decided) { features.customers[$0].segment }
        segmentGroups = bySegment.keys.sorted().map { ($0, bySegment[$0]!) }
        var segmentOf = [Int32](repeating: -1, count: features.customers.count)
        for (k, group) in segmentGroups.enumerated() { for c in group.customers { segmentOf[c] = Int32(k) } }
        self.segmentOf = segmentOf
        // Quarter stability is a criterion of the choice: training customers only.
        let byQuarter = Dictionary(grouping: training) { c -> String in
            let (y, m, _) = TimestampParser.civilFromDays(features.customers[c].signupDay)
            return "\(y)-Q\((m - 1) / 3 + 1)"
        }
        quarterGroups = byQuarter.keys.sorted().map { ($0, byQuarter[$0]!) }
    }

    /// Whether each customer reached the rule within its window.
    package func reached(_ rule: ActivationRule) -> [Bool] {
        rule.reachDays(in: features).map { ($0 ?? .max) < rule.windowDays }
    }

    public func diagnose(_ candidate: ThresholdCandidate) -> CandidateDiagnostics {
        let rule = candidate.definition
        let reached = reached(rule)
        let customers = features.customers
        func renewed(_ c: Int) -> Bool { customers[c].outcome == .renewed }
        let holdoutScores = split.holdout.map { reached[$0] ? 1.0 : 0.0 }
        let holdoutAUC = ROCArea(scores: holdoutScores, labels: split.holdout.map(renewed))
        let trainingAUC = ROCArea(scores: split.training.map { reached[$0] ? 1.0 : 0.0 }, labels: split.training.map(renewed))
        return CandidateDiagnostics(candidate: candidate, holdoutAUC: holdoutAUC, trainingAUC: trainingAUC,
                                    adjusted: adjusted(rule, reached: reached), segments: segments(reached),
                                    quarters: quarters(reached), holdoutScores: holdoutScores)
    }

    package func adjusted(_ rule: ActivationRule, reached: [Bool]) -> AdjustedEffect? {
        let days = min(rule.windowDays, features.windowDays)
        guard let counts = counts[days] else { return nil }
        let training = split.training, customers = features.customers
        let own = Set(rule.behaviours)
        // The other behaviours' columns, without those constant over the training cohort in this window.
        let columns = covariates.indices.filter { k in
            !own.contains(features.behaviours[covariates[k]].name) && counts[k].contains { $0 != counts[k].first }
        }.map { counts[$0] }
        let lump = lumped[days].flatMap { l in l.contains { $0 != l.first } ? l : nil }
        var segmentCounts = [Int](repeating: 0, count: segmentGroups.count)
        for c in training { segmentCounts[Int(segmentOf[c])] += 1 }
        let segments = segmentCounts.indices.filter { segmentCounts[$0] > 0 }
        let reference = segments.max { (segmentCounts[$0], segmentGroups[$1].name) < (segmentCounts[$1], segmentGroups[$0].name) }
        let dummies = segments.filter { $0 != reference }
        let width = 1 + columns.count + (lump == nil ? 0 : 1) + dummies.count
        guard training.count > width + 2 else { return nil }
        // The rows one after another in one buffer (no array per customer), fitted as the rows would be.
        var x = [Double]()
        x.reserveCapacity(training.count * width)
        for i in training.indices {
            let c = training[i]
            x.append(reached[c] ? 1.0 : 0.0)
            for column in columns { x.append(column[i]) }
            if let lump { x.append(lump[i]) }
            for s in dummies { x.append(Int(segmentOf[c]) == s ? 1 : 0) }
        }
        let y = training.map { customers[$0].outcome == .renewed }
        let (fit, penalised) = LogisticRegression().fitFallingBackToL2(flat: x, width: width, y: y, fallbackC: 1)
        if !penalised {
            let ci = fit.waldIntervals()[1]
            return AdjustedEffect(oddsRatio: exp(fit.coefficients[1]), interval: exp(ci.lowerBound)...exp(ci.upperBound),
                                  pValue: fit.pValues[1], penalised: false, segmentsAdjusted: dummies.count,
                                  behavioursAdjusted: columns.count, restLumped: lump != nil)
        }
        return AdjustedEffect(oddsRatio: exp(fit.coefficients[1]), interval: nil, pValue: nil, penalised: true,
                              segmentsAdjusted: dummies.count, behavioursAdjusted: columns.count, restLumped: lump != nil)
    }

    package func table(_ group: [Int], _ reached: [Bool]) -> TwoByTwoTable {
        TwoByTwoTable(tallying: group, reached: { reached[$0] }, renewed: { features.customers[$0].outcome == .renewed })
    }

    package func segments(_ reached: [Bool]) -> SegmentEffect {
        let tables = segmentGroups.map { (name: $0.name, table: table($0.customers, reached)) }
        let stratified = StratifiedTables(tables.map(\.table))
        let failing = tables.filter { enough($0.table) && $0.table.correctedOddsRatio().estimate <= 1 }.map(\.name)
        return SegmentEffect(segments: tables, mantelHaenszelOddsRatio: stratified.mantelHaenszelOddsRatio,
                             mantelHaenszelInterval: stratified.mantelHaenszelInterval(), breslowDay: stratified.breslowDay,
                             segmentsWhereItFails: failing)
    }

    package func enough(_ t: TwoByTwoTable) -> Bool {
        t.total >= QuarterEffect.minimumCustomers && t.renewed >= 5 && t.churned >= 5
    }

    package func quarters(_ reached: [Bool]) -> [QuarterEffect] {
        quarterGroups.map { group in
            let t = table(group.customers, reached)
            return QuarterEffect(quarter: group.name, table: t, oddsRatio: t.correctedOddsRatio().estimate, auc: t.binaryAUC,
                                 enoughCustomers: enough(t))
        }
    }
}
