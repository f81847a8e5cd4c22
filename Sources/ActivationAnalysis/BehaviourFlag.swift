import Foundation

/// Flags that qualify a behaviour's statistics.
public enum BehaviourFlag: String, Sendable, Codable, Comparable {
    /// Nobody (among decided customers) did it in the window: nothing to learn.
    case neverDone = "never_done"
    /// Everybody did it the same number of times: the slope is not identifiable.
    case constant
    /// Renewal is perfectly separated by the count (e.g. every customer who did it renewed): the maximum-likelihood
    /// slope is infinite, so the coefficients reported are L2-penalised (C = 1) and only indicative.
    case separation
    /// Newton did not converge.
    case notConverged = "not_converged"
    /// Fewer than 10 decided customers did it: too few for the statistics to mean much.
    case fewCustomers = "few_customers"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
