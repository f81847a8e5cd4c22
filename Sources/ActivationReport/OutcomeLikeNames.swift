/// Behaviour names that look like the outcome itself (a payment, a renewal, a cancellation) rather than a product
/// action: such an event, left in by mistake, splits renewal almost perfectly and would be proposed as the
/// activation event. The report names them before the answer, so that a forgotten exclusion is never silent.
package enum OutcomeLikeNames {
    /// Parts of a name, lower-cased, that mark billing, renewal and cancellation events.
    package static let markers = ["invoice", "payment", "paid", "charge", "billing", "subscription", "renew", "cancel", "churn",
                          "refund", "purchase", "checkout"]

    /// The names among `names` with a marker, in their order.
    package static func among(_ names: [String]) -> [String] {
        names.filter { name in
            let lower = name.lowercased()
            return markers.contains { lower.contains($0) }
        }
    }
}
