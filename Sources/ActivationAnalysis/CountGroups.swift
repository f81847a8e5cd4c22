import ActivationStatistics
import Foundation

/// Customers' first-window counts as indices into their distinct values, for the one-predictor fits on
/// log1p(count): a fit's data is then a tally per value and outcome (`LogisticRegression.fit(values:churned:renewed:)`),
/// made by array increments, instead of a row array per customer hashed into groups again by every fit (six per
/// behaviour with cross-validation).
package struct CountGroups {
    /// log1p of each distinct count, ascending.
    package let values: [Double]
    /// Per customer: its count's index in `values`.
    package let group: [Int]

    package init(counts: [Int]) {
        let distinct = Set(counts).sorted()
        let index = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($0.element, $0.offset) })
        values = distinct.map { log1p(Double($0)) }
        group = counts.map { index[$0]! }
    }

    /// Renewal regressed on log1p(count) over the customers `included` says (all by default).
    package func fit(_ regression: LogisticRegression, labels: [Bool], included: (Int) -> Bool = { _ in true }) -> LogisticRegression.Fit {
        var churned = [Double](repeating: 0, count: values.count), renewed = churned
        for i in group.indices where included(i) {
            if labels[i] { renewed[group[i]] += 1 } else { churned[group[i]] += 1 }
        }
        return regression.fit(values: values, churned: churned, renewed: renewed)
    }
}
