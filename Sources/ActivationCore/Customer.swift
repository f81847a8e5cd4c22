import Foundation

/// Whether a customer renewed.
public enum RenewalOutcome: String, Sendable, Codable, Equatable {
    case renewed, churned, undecided
}

/// One customer (account) from the customer table.
public struct Customer: Sendable, Equatable {
    public var id: String
    /// Signup day, as days since 1970-01-01 (UTC). The first window starts at 00:00:00Z that day.
    public var signupDay: Int
    public var outcome: RenewalOutcome
    public var segment: String
    public var acv: Double?

    public init(id: String, signupDay: Int, outcome: RenewalOutcome, segment: String, acv: Double?) {
        self.id = id; self.signupDay = signupDay; self.outcome = outcome; self.segment = segment; self.acv = acv
    }
}
