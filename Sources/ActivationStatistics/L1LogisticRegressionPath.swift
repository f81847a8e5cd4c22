import Foundation

/// A path of L1-penalised logistic fits over several C, with C chosen by seeded k-fold cross-validated AUC.
///
/// Folds: stratified by outcome and fixed by the seed alone. The positives' row indices, in row order, are shuffled
/// by Fisher–Yates with `SplitMix64(seed:)` (draws mapped to 0...i by the high word of a 64×64-bit product), then
/// the negatives' with the same generator continuing; the r-th shuffled positive (and negative) goes to fold r mod k.
/// Every fold so holds ⌊m/k⌋ or ⌈m/k⌉ of the m positives and likewise of the negatives, and the assignment
/// depends only on the seed, k and the labels (not on the predictors, C or the platform).
///
/// For each fold the model is fitted on the other k − 1 folds at every C (ascending; the grid is cut in two halves,
/// each fit warm-started at the previous C's solution within its half and the first of each half from the
/// intercept-only point, so that a fold is two independent tasks and 2k tasks keep two cores busy to the end; the
/// optimum is unique for the loss is strictly convex in η, so the start only changes the iterations), and scored by the Mann-Whitney AUC (ties ½, `ROCArea`) of its predicted probabilities on the
/// held-out fold. The criterion is the mean of the k per-fold AUCs (not the AUC of the pooled held-out
/// predictions). The chosen C is the one with the highest mean; ties go to the smallest C (the sparsest model).
/// A fold whose held-out part has only one class has AUC 0.5 (there are at least k of each class when
/// `folds ≤ min(positives, negatives)`, which the call requires).
///
/// The final model is refitted on all rows at the chosen C. See Hastie, Tibshirani & Friedman, "The Elements of
/// Statistical Learning" (2nd ed., 2009), §7.10, for cross-validation.
public struct L1LogisticPath: Sendable, Equatable {
    /// The C values, ascending.
    public var cs: [Double]
    /// meanAUC[c] = mean over folds of the held-out AUC at cs[c].
    public var meanAUC: [Double]
    /// foldAUC[c][f] = held-out AUC of fold f at cs[c].
    public var foldAUC: [[Double]]
    /// Index of the chosen C in `cs`.
    public var chosenIndex: Int
    /// The fit on all rows at the chosen C.
    public var fit: L1LogisticRegression.Fit
    /// Fold (0..<k) of every row.
    public var foldOfRow: [Int]

    public var chosenC: Double { cs[chosenIndex] }

    /// The folds' fits stop at a KKT violation of this much per row (at least `kktTolerance`), 10⁻⁶ of the mean
    /// loss's gradient: a fold's fit serves only to rank its held-out rows, and coefficients that close to the optimum
    /// rank them as it does, while the last digits cost the most Newton steps. The final fit meets `kktTolerance`.
    public static let foldTolerancePerRow = 1e-6

    /// Cross-validates `L1LogisticRegression` at every C in `cs` (any order; sorted ascending, duplicates removed)
    /// with `folds`-fold stratified folds drawn from `seed`, then refits on all rows at the C with the highest mean
    /// held-out AUC. `eachFold(n, task)` returns `[task(0), …, task(n − 1)]` for the n = 2k (k with fewer than four
    /// C values) tasks of the cross-validation; a caller may evaluate them concurrently (this module has no threads
    /// of its own), and the result does not depend on how.
    public init(x: [[Double]], y: [Bool], cs: [Double], folds k: Int = 5, seed: UInt64 = 20_261_126,
                kktTolerance: Double = 1e-8,
                eachFold: (Int, @Sendable (Int) -> [Double]) -> [[Double]] = { k, path in (0..<k).map(path) }) {
        precondition(x.count == y.count, "rows and outcomes differ in length")
        let sorted = Array(Set(cs)).sorted()
        precondition(!sorted.isEmpty && sorted[0] > 0, "C values must be positive")
        let positives = y.filter { $0 }.count
        precondition(k >= 2 && k <= min(positives, y.count - positives), "need 2 ≤ folds ≤ the smaller class")
        let foldOfRow = Self.stratifiedFolds(labels: y, folds: k, seed: seed)
        // One fold's held-out AUC at each C of one half of the grid: tasks are independent, so `eachFold` may run them
        // concurrently.
        let halves = sorted.count >= 4 ? 2 : 1
        let cut = (sorted.count + 1) / 2
        let foldPath: @Sendable (Int) -> [Double] = { task in
            let f = task / halves
            let grid = halves == 1 ? sorted[...] : (task % halves == 0 ? sorted[..<cut] : sorted[cut...])
            var trainX: [[Double]] = [], trainY: [Bool] = [], testX: [[Double]] = [], testY: [Bool] = []
            for i in x.indices {
                if foldOfRow[i] == f { testX.append(x[i]); testY.append(y[i]) } else { trainX.append(x[i]); trainY.append(y[i]) }
            }
            let train = DesignMatrix(trainX)
            var start: [Double]? = nil
            return grid.map { value in
                var model = L1LogisticRegression(C: value)
                model.kktTolerance = max(kktTolerance, Self.foldTolerancePerRow * Double(trainX.count))
                let fit = model.fit(design: train, y: trainY, start: start)
                start = fit.coefficients
                return ROCArea(scores: testX.map { fit.probability($0) }, labels: testY).auc
            }
        }
        let byTask = eachFold(k * halves, foldPath)
        precondition(byTask.count == k * halves, "eachFold must return every task in order")
        let byFold = (0..<k).map { f in (0..<halves).flatMap { byTask[f * halves + $0] } }
        precondition(byFold.allSatisfy { $0.count == sorted.count }, "a fold's tasks cover the grid")
        let foldAUC = sorted.indices.map { c in byFold.map { $0[c] } }
        let meanAUC = foldAUC.map { $0.reduce(0, +) / Double(k) }
        var chosen = 0
        for c in meanAUC.indices where meanAUC[c] > meanAUC[chosen] { chosen = c }
        var final = L1LogisticRegression(C: sorted[chosen])
        final.kktTolerance = kktTolerance
        self.cs = sorted
        self.meanAUC = meanAUC
        self.foldAUC = foldAUC
        self.chosenIndex = chosen
        self.fit = final.fit(x: x, y: y)
        self.foldOfRow = foldOfRow
    }

    /// The stratified fold of every row (see the type's documentation): deterministic in `seed`, `folds` and the
    /// labels.
    public static func stratifiedFolds(labels: [Bool], folds k: Int, seed: UInt64) -> [Int] {
        precondition(k >= 1, "need at least one fold")
        var rng = SplitMix64(seed: seed)
        var fold = [Int](repeating: 0, count: labels.count)
        for outcome in [true, false] {
            var rows = labels.indices.filter { labels[$0] == outcome }
            Bootstrap.shuffle(&rows, using: &rng)
            for (r, i) in rows.enumerated() { fold[i] = r % k }
        }
        return fold
    }
}
