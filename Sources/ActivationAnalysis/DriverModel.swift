import ActivationCore
import ActivationFeatures
import ActivationStatistics
import Foundation

/// What a behaviour is to renewal once every other behaviour is known, from the joint model.
public enum BehaviourRole: String, Sendable, Codable, CaseIterable {
    /// The joint model's 95% interval lies above 0: it goes with renewal beyond what the other behaviours tell.
    case driver
    /// The joint interval lies below 0: customers who do more of it renew less once the rest of their usage is
    /// known, even when it looks good alone (it rides on activity). Never proposed, never an onboarding step.
    case harmful
    /// Goes with renewal alone (univariate slope significantly above 0) but not once the others are known.
    case proxy
    /// Its log1p counts correlate at or above the threshold with another behaviour's: the same action logged twice,
    /// or two steps always done together. Judged through its group's lead.
    case duplicate
    /// Neither: the data cannot tell what it does.
    case unclear
    /// Never done, or done alike by every training customer: nothing to estimate.
    case notModelled = "not_modelled"
}

/// One behaviour in the joint model.
public struct DriverEstimate: Sendable {
    public var behaviour: String
    /// The lead of its correlation group (itself when it leads or has no group).
    public var groupLead: String
    /// The other members of its correlation group, by name.
    public var correlatedWith: [String]
    public var role: BehaviourRole
    /// Joint maximum-likelihood coefficient of log1p(count) (nil for duplicates and behaviours not modelled), its
    /// standard error, Wald 95% interval and p-value (nil when the joint fit had to be penalised).
    public var jointCoefficient: Double?
    public var jointStandardError: Double?
    public var jointInterval: ClosedRange<Double>?
    public var jointPValue: Double?
    /// Holm's adjustment of the joint p-value over every behaviour in the joint model: roles are claimed at a 5%
    /// family-wise error rate, since a founder acts on every "driver" and "harmful" label at once.
    public var jointPAdjusted: Double?
    /// The L1-penalised coefficient at the cross-validated C, from the lasso over every modelled behaviour (0: dropped).
    public var l1Coefficient: Double?
    /// Renewal on this behaviour's log1p(count) alone (training cohort), with its p-value.
    public var univariateCoefficient: Double?
    public var univariatePValue: Double?
    /// AUC of the first-window count against renewal over training customers, pooled and within segments (the
    /// Mann-Whitney statistic over pairs of customers of one segment).
    public var pooledAUC: ROCArea
    public var stratifiedAUC: Double
    public var stratifiedInterval: ClosedRange<Double>
}

/// The joint driver model: renewal on log1p(first-window count) of every behaviour at once plus segment indicators,
/// fitted on the training cohort. A behaviour that only rides on overall activity loses its effect here; one that
/// looks good alone but lowers renewal once the others are known gets a negative coefficient (*Fighting Churn with
/// Data*, Gold 2020, ch. 9: multivariate churn models).
///
/// Behaviours whose log1p counts correlate at `correlationThreshold` or more form a group (single linkage): only the
/// group's lead enters the joint model, so that near-copies do not split one effect
/// into two unidentifiable halves, and the report names the group together. An L1 path with C chosen by seeded
/// 5-fold cross-validated AUC shows which behaviours survive a sparsity penalty. When the maximum-likelihood fit is
/// not identifiable (separation, collinearity) the L2-penalised fit (C = 1) is used, without intervals, and
/// `penalised` says so.
public struct DriverModel: Sendable {
    /// Every behaviour of the feature table, in its order.
    public var estimates: [DriverEstimate]
    /// Segments entered as indicators (the most common training segment is the reference).
    public var segmentsAdjusted: Int
    public var penalised: Bool
    /// The lasso's cross-validated C and its mean per-fold AUC (nil when the path could not run).
    public var l1C: Double?
    public var l1MeanAUC: Double?
    /// The joint model scored on the holdout cohort: what first-window usage can tell about renewal at best, to set
    /// beside the proposed rule's holdout AUC.
    public var holdoutAUC: ROCArea?
    public var trainingCustomers: Int
    public var correlationThreshold: Double
    /// Window whose counts the model uses (the feature table's first window).
    public var windowDays: Int

    /// The estimate for `behaviour`.
    public func estimate(_ behaviour: String) -> DriverEstimate? { estimates.first { $0.behaviour == behaviour } }

    /// Pooled AUCs this close to a group's best are taken as equal when its lead is chosen.
    public static let leadTolerance = 0.01

    /// Seeds and grid of the L1 path: unstandardised columns, so C spans the scales of log1p counts.
    public static let l1Grid: [Double] = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3]
    public static let l1Seed: UInt64 = 20_261_126

    public init(features: FeatureTable, split: CohortSplit, correlationThreshold: Double = 0.9) {
        let training = split.training
        let customers = features.customers
        let labels = training.map { customers[$0].outcome == .renewed }
        self.trainingCustomers = training.count
        self.correlationThreshold = correlationThreshold
        self.windowDays = features.windowDays
        let behaviours = features.behaviours
        let columns = parallelMap(behaviours) { b in let perCustomer = b.countPerCustomer(); return training.map { log1p(Double(perCustomer[$0])) } }
        let segments = training.map { customers[$0].segment }
        // Behaviours with something to estimate: done by some but not all at the same count, and not separating the
        // outcome by themselves (every doer renewed, or every doer churned: no estimate exists, for it or for the
        // rest of the model).
        let modelled = behaviours.indices.filter { b in
            guard let first = columns[b].first, columns[b].contains(where: { $0 != first }) else { return false }
            return !Self.separates(behaviours[b], customers: training, of: customers)
        }
        // Per behaviour, on both cores: AUCs of the count, pooled and within segments, and the univariate slope on
        // the training cohort.
        let isModelled = Set(modelled)
        // Segments as indices in order of first appearance (the strata come out in the same order as by name, and a
        // customer's stratum is not a string hashed per behaviour); the fits on one column without a row per customer
        // (`LogisticRegression.fit(column:y:)`, the same bits).
        var segmentNumber: [String: Int] = [:]
        let strata = segments.map { s -> Int in
            if let k = segmentNumber[s] { return k }
            segmentNumber[s] = segmentNumber.count
            return segmentNumber.count - 1
        }
        let alone = parallelMap(Array(behaviours.indices)) { b -> (StratifiedROCArea<Int>, (coef: Double, p: Double?)?) in
            let perCustomer = behaviours[b].countPerCustomer()
            let scores = training.map { Double(perCustomer[$0]) }
            let s = StratifiedROCArea(scores: scores, labels: labels, strata: strata)
            guard isModelled.contains(b) else { return (s, nil) }
            let fit = LogisticRegression().fit(column: columns[b], y: labels)
            if fit.isIdentifiable { return (s, (fit.coefficients[1], fit.pValues[1])) }
            return (s, (LogisticRegression.l2(C: 1).fit(column: columns[b], y: labels).coefficients[1], nil))
        }
        let stratified = alone.map(\.0), pooled = stratified.map(\.pooled)
        let univariate = alone.map(\.1)
        // Correlation groups (single linkage at the threshold).
        let correlation = modelled.isEmpty ? [] : Collinearity.correlationMatrix(modelled.map { columns[$0] })
        var groupOf = Array(modelled.indices)
        func root(_ i: Int) -> Int { var i = i; while groupOf[i] != i { i = groupOf[i] }; return i }
        for i in modelled.indices {
            for j in modelled.indices where j > i {
                let r = correlation[i][j]
                if r.isFinite && r >= correlationThreshold { let (a, b) = (root(i), root(j)); if a != b { groupOf[max(a, b)] = min(a, b) } }
            }
        }
        var members: [Int: [Int]] = [:]
        for i in modelled.indices { members[root(i), default: []].append(modelled[i]) }
        var leadOf: [Int: Int] = [:]
        // Segment indicators: every training segment but the most common.
        var segmentCounts: [String: Int] = [:]
        for s in segments { segmentCounts[s, default: 0] += 1 }
        let reference = segmentCounts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        let dummies = segmentCounts.keys.filter { $0 != reference }.sorted()
        let fittable = !modelled.isEmpty && training.count > modelled.count + dummies.count + 2 && labels.contains(true) && labels.contains(false)
        // A group's lead: the largest pooled AUC; among members within `leadTolerance` of it (near-copies rank
        // customers alike, and which is ahead is chance), the one logged least often, since an echo of an action (a
        // confirmation email per invite, a resend) is logged at least as often as the action itself.
        let events = behaviours.map { b in let perCustomer = b.countPerCustomer(); return training.reduce(0) { $0 + perCustomer[$1] } }
        for group in members.values {
            let top = group.map { pooled[$0].auc }.max()!
            let lead = group.filter { pooled[$0].auc >= top - Self.leadTolerance }
                .min { (events[$0], behaviours[$0].name) < (events[$1], behaviours[$1].name) }!
            for b in group { leadOf[b] = lead }
        }
        let leads = modelled.filter { leadOf[$0] == $0 }

        segmentsAdjusted = dummies.count
        func row(counts: (Int) -> Double, segment: String) -> [Double] {
            leads.map { counts($0) } + dummies.map { $0 == segment ? 1 : 0 }
        }
        let x = training.indices.map { i in row(counts: { columns[$0][i] }, segment: segments[i]) }
        // The joint model: by maximum likelihood, by L2 where that has no finite estimate.
        let fitJoint: @Sendable () -> JointFit? = {
            fittable ? LogisticRegression().fitFallingBackToL2(x: x, y: labels, fallbackC: 1) : nil
        }
        var jointFit: JointFit??
        // The lasso over every modelled behaviour, near-copies included (its coefficients show which one it keeps).
        var path: L1LogisticPath?
        let smallerClass = min(labels.filter { $0 }.count, labels.filter { !$0 }.count)
        if fittable && smallerClass >= 5 {
            // With no near-copies grouped, the leads are the modelled behaviours and this design is the joint one:
            // shared, not built again (at 1,000,000 customers × 200 behaviours a copy is most of a gigabyte).
            let all = leads == modelled ? x : training.indices.map { i in modelled.map { columns[$0][i] } + dummies.map { $0 == segments[i] ? 1 : 0 } }
            path = L1LogisticPath(x: all, y: labels, cs: Self.l1Grid, folds: 5, seed: Self.l1Seed, eachFold: { k, fold in
                let (tasks, result) = Self.crossValidationPool(tasks: k, fold: fold, alongside: fitJoint)
                jointFit = result
                return tasks
            })
        }
        var lasso = [Double](repeating: 0, count: behaviours.count)
        if let path { for (k, b) in modelled.enumerated() { lasso[b] = path.fit.coefficients[k + 1] } }
        let fitted = jointFit ?? fitJoint()
        let joint = fitted?.fit
        let penalised = fitted?.penalised ?? false
        self.penalised = penalised
        l1C = path?.chosenC
        l1MeanAUC = path.map { $0.meanAUC[$0.chosenIndex] }
        let intervals = (joint.map { penalised ? [] : $0.waldIntervals() }) ?? []

        // The joint model on the holdout cohort.
        if let joint, !split.holdout.isEmpty {
            // A term at a time over every holdout customer (one behaviour's dense counts at a time): each score adds
            // its terms in the row's order, intercept first, as a row's dot product would.
            let coefficients = Array(joint.coefficients.dropFirst())
            let terms = min(leads.count + dummies.count, coefficients.count)
            var scores = [Double](repeating: joint.intercept, count: split.holdout.count)
            for j in 0..<terms {
                let coefficient = coefficients[j]
                if j < leads.count {
                    let perCustomer = behaviours[leads[j]].countPerCustomer()
                    for (i, c) in split.holdout.enumerated() { scores[i] = scores[i] + log1p(Double(perCustomer[c])) * coefficient }
                } else {
                    let dummy = dummies[j - leads.count]
                    for (i, c) in split.holdout.enumerated() {
                        scores[i] = scores[i] + (dummy == customers[c].segment ? 1 : 0) * coefficient
                    }
                }
            }
            holdoutAUC = ROCArea(scores: scores, labels: split.holdout.map { customers[$0].outcome == .renewed })
        } else {
            holdoutAUC = nil
        }

        let adjustedP: [Double] = (joint != nil && !penalised) ? Holm.adjust(leads.indices.map { joint!.pValues[$0 + 1] }) : []
        estimates = behaviours.indices.map { b in
            let name = behaviours[b].name
            let lead = leadOf[b]
            let group = lead.map { l in members.values.first { $0.contains(l) }! } ?? []
            var e = DriverEstimate(behaviour: name, groupLead: lead.map { behaviours[$0].name } ?? name,
                                   correlatedWith: group.filter { $0 != b }.map { behaviours[$0].name }.sorted(),
                                   role: .notModelled, univariateCoefficient: univariate[b]?.coef,
                                   univariatePValue: univariate[b]?.p, pooledAUC: pooled[b],
                                   stratifiedAUC: stratified[b].auc, stratifiedInterval: stratified[b].confidenceInterval())
            guard let lead else { return e }
            if path != nil { e.l1Coefficient = lasso[b] }
            if lead != b { e.role = .duplicate; return e }
            guard let joint, let k = leads.firstIndex(of: b) else { e.role = .unclear; return e }
            e.jointCoefficient = joint.coefficients[k + 1]
            if !penalised, k + 1 < intervals.count {
                e.jointStandardError = joint.standardErrors[k + 1]
                e.jointInterval = intervals[k + 1]
                e.jointPValue = joint.pValues[k + 1]
                e.jointPAdjusted = adjustedP[k]
            }
            e.role = Self.role(coefficient: e.jointCoefficient, adjustedP: e.jointPAdjusted, univariate: univariate[b])
            return e
        }
    }

    /// The joint model's fit and whether it had to be penalised.
    package typealias JointFit = (fit: LogisticRegression.Fit, penalised: Bool)

    /// The lasso's cross-validation tasks (`L1LogisticPath`'s `eachFold`) and `alongside` (the joint fit) as one pool
    /// on both cores: the odd tasks first (each fold's upper half of the C grid, the fits with the most non-zero
    /// coefficients), then the even ones, then `alongside`, shorter than any fold's task, to fill the gap at the end.
    /// Returns the tasks' results in task order, and `alongside`'s.
    package static func crossValidationPool(tasks k: Int, fold: @Sendable (Int) -> [Double],
                                    alongside: @Sendable () -> JointFit?) -> ([[Double]], JointFit?) {
        enum Outcome: Sendable { case fold([Double]), other(JointFit?) }
        let order = Array(stride(from: 1, to: k, by: 2)) + Array(stride(from: 0, to: k, by: 2))
        let done = parallelMap(order + [k]) { t -> Outcome in t < k ? .fold(fold(t)) : .other(alongside()) }
        var byTask = [[Double]](repeating: [], count: k)
        for (position, t) in order.enumerated() { if case .fold(let aucs) = done[position] { byTask[t] = aucs } }
        guard case .other(let other) = done[k] else { preconditionFailure("the last result is the other task's") }
        return (byTask, other)
    }

    /// Whether every one of `customers` who did the behaviour had the same outcome (and some did): alone it separates
    /// renewal quasi-completely (Albert & Anderson 1984), so no maximum-likelihood estimate exists with it as a term.
    package static func separates(_ b: BehaviourFeatures, customers group: [Int], of customers: [Customer]) -> Bool {
        var renewed = false, churned = false
        let perCustomer = b.countPerCustomer()
        for c in group where perCustomer[c] > 0 {
            if customers[c].outcome == .renewed { renewed = true } else { churned = true }
            if renewed && churned { return false }
        }
        return renewed || churned
    }

    /// Driver or harmful when the joint coefficient differs from 0 at a 5% family-wise level (Holm-adjusted p < 0.05;
    /// its 95% interval then excludes 0 too), by its sign; a proxy when it goes with renewal alone (slope > 0 at
    /// p < 0.05) but not jointly; unclear otherwise, also when the joint fit had no interval.
    package static func role(coefficient: Double?, adjustedP: Double?, univariate: (coef: Double, p: Double?)?) -> BehaviourRole {
        guard let coefficient, let adjustedP else { return .unclear }
        if adjustedP < 0.05 { return coefficient > 0 ? .driver : .harmful }
        if let u = univariate, u.coef > 0, let p = u.p, p < 0.05 { return .proxy }
        return .unclear
    }
}
