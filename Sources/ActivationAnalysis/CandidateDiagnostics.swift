import ActivationCore
import ActivationFeatures
import ActivationStatistics
import Foundation

/// The rule's effect after adjusting for overall activity and segment:
/// logit P(renew) = β₀ + β₁·reached + β₂·log1p(all other events in the same D days) + Σ γₛ·[segment = s],
/// fitted by maximum likelihood on the training cohort. exp(β₁) is the adjusted odds ratio: what reaching the rule is
/// worth beyond being a busy customer of a given segment. A behaviour that merely rides on engagement has an
/// unadjusted odds ratio far above 1 and an adjusted one near 1.
public struct AdjustedEffect: Sendable {
    public var oddsRatio: Double
    /// Wald 95% interval of the adjusted odds ratio (nil when the fit had to be penalised).
    public var interval: ClosedRange<Double>?
    public var pValue: Double?
    /// Separation or a singular fit: the L2-penalised (C = 1) estimate is shown, without an interval.
    public var penalised: Bool
    /// Segments entered as indicators (the most common is the reference).
    public var segmentsAdjusted: Int
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
    /// Per window D: every customer's total events of all behaviours within D days.
    private var totals: [Int: [Int]] = [:]
    /// Decided customers by segment and by signup quarter ("2025-Q3"), in name order: the same for every candidate.
    private let segmentGroups: [(name: String, customers: [Int])]
    /// Per customer: its segment's index in `segmentGroups` (decided customers; -1 for the others).
    private let segmentOf: [Int32]
    private let quarterGroups: [(name: String, customers: [Int])]

    public init(features: FeatureTable, split: CohortSplit, windows: [Int]) {
        self.features = features
        self.split = split
        let window = features.windowDays
        let wanted = Array(Set(windows.filter { $0 <= window })).sorted()
        // slot[d]: where the total within d days goes, -1 when d is not a scanned window (no hashing per cell).
        var slot = [Int](repeating: -1, count: window + 1)
        for (k, d) in wanted.enumerated() { slot[d] = k }
        let n = features.customers.count
        var sums = [Int](repeating: 0, count: wanted.count * n)
        let dailies = features.behaviours.map(\.daily), slotOf = slot
        sums.withUnsafeMutableBufferPointer { sums in
            // Both cores, each on its half of the customers (its own cells of `sums`).
            nonisolated(unsafe) let sums = sums
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                let customers = half == 0 ? 0..<(n / 2) : (n / 2)..<n
                for daily in dailies {
                    daily.withUnsafeBufferPointer { daily in
                        for c in customers {
                            var running = 0
                            for day in 0..<window {
                                running += Int(daily[c * window + day])
                                let k = slotOf[day + 1]
                                if k >= 0 { sums[k * n + c] += running }
                            }
                        }
                    }
                }
            }
        }
        for (k, d) in wanted.enumerated() { totals[d] = Array(sums[(k * n)..<((k + 1) * n)]) }
        let decided = (split.training + split.holdout).sorted()
        let bySegment = Dictionary(grouping: decided) { features.customers[$0].segment }
        segmentGroups = bySegment.keys.sorted().map { ($0, bySegment[$0]!) }
        var segmentOf = [Int32](repeating: -1, count: n)
        for (k, group) in segmentGroups.enumerated() { for c in group.customers { segmentOf[c] = Int32(k) } }
        self.segmentOf = segmentOf
        let byQuarter = Dictionary(grouping: decided) { c -> String in
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
        guard let total = totals[rule.windowDays] else { return nil }
        // The rule's own events within its window, per customer, from the parts' daily counts taken out once.
        let ownDaily = (rule.parts(in: features) ?? []).map(\.behaviour.daily)
        let window = features.windowDays, days = min(rule.windowDays, window)
        let customers = features.customers
        // Segments by index (`segmentOf`, in name order): no string hashed or compared per customer.
        var segmentCounts = [Int](repeating: 0, count: segmentGroups.count)
        for c in split.training { segmentCounts[Int(segmentOf[c])] += 1 }
        let segments = segmentCounts.indices.filter { segmentCounts[$0] > 0 }
        let reference = segments.max { (segmentCounts[$0], segmentGroups[$1].name) < (segmentCounts[$1], segmentGroups[$0].name) }
        let dummies = segments.filter { $0 != reference }
        var dummyColumn = [Int](repeating: -1, count: segmentGroups.count)
        for (k, s) in dummies.enumerated() { dummyColumn[s] = 2 + k }
        let width = 2 + dummies.count
        // A customer's row is [reached, log1p(other events), segment dummies]: tallied by (reached, other events,
        // dummy column) with no row made per customer (a candidate's rows were the diagnostics' largest cost), then
        // fitted from the tallies, which are the weighted rows `LogisticRegression.fit(x:y:)` would group the rows
        // into, in its order: rows ascend as [r, log1p(o), d...], and among equal (r, o) the reference segment (all
        // zeros) comes first, then the dummies from the last column to the first.
        struct Cell: Hashable { var reached: Bool, other: Int, column: Int }
        var tally: [Cell: (churned: Double, renewed: Double)] = [:]
        var others = [Int](repeating: 0, count: split.training.count)
        for (i, c) in split.training.enumerated() {
            var ownCount = 0
            for daily in ownDaily { for day in 0..<days { ownCount += Int(daily[c * window + day]) } }
            others[i] = max(0, total[c] - ownCount)
            let cell = Cell(reached: reached[c], other: others[i], column: dummyColumn[Int(segmentOf[c])])
            if customers[c].outcome == .renewed { tally[cell, default: (0, 0)].renewed += 1 } else { tally[cell, default: (0, 0)].churned += 1 }
        }
        func row(_ cell: Cell) -> [Double] {
            var row = [Double](repeating: 0, count: width)
            row[0] = cell.reached ? 1.0 : 0.0
            row[1] = log1p(Double(cell.other))
            if cell.column >= 0 { row[cell.column] = 1 }
            return row
        }
        let n = split.training.count
        guard n > width + 2 else { return nil }
        func fitted(_ regression: LogisticRegression) -> LogisticRegression.Fit {
            // Where `fit(x:y:)` would not group, the rows as such (so that the estimates are its own either way).
            guard LogisticRegression.groups(distinctRows: tally.count, customers: n) else {
                let y = split.training.map { customers[$0].outcome == .renewed }
                let x = split.training.indices.map { i in
                    row(Cell(reached: reached[split.training[i]], other: others[i], column: dummyColumn[Int(segmentOf[split.training[i]])]))
                }
                return regression.fit(x: x, y: y)
            }
            let cells = tally.keys.sorted {
                ($0.reached ? 1 : 0, $0.other, $0.column < 0 ? Int.min : -$0.column)
                    < ($1.reached ? 1 : 0, $1.other, $1.column < 0 ? Int.min : -$1.column)
            }
            return regression.fit(rows: cells.map(row), churned: cells.map { tally[$0]!.churned },
                                  renewed: cells.map { tally[$0]!.renewed })
        }
        var fit = fitted(LogisticRegression())
        if fit.status == .converged {
            let beta = fit.coefficients[1], se = fit.standardErrors[1]
            let z = NormalDistribution.quantile(0.975)
            return AdjustedEffect(oddsRatio: exp(beta), interval: exp(beta - z * se)...exp(beta + z * se),
                                  pValue: fit.pValues[1], penalised: false, segmentsAdjusted: dummies.count)
        }
        fit = fitted(LogisticRegression(penalty: 1))
        return AdjustedEffect(oddsRatio: exp(fit.coefficients[1]), interval: nil, pValue: nil, penalised: true,
                              segmentsAdjusted: dummies.count)
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
