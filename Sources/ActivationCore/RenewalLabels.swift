import Foundation

/// The values of the renewal column that mean renewed, churned and not decided yet. Matched after trimming,
/// case-insensitively. Billing systems write all sorts (`active`/`cancelled`, `won`/`lost`): set them in the config.
public struct RenewalLabels: Sendable, Equatable, Codable {
    public var renewed = ["true", "yes", "1", "y", "t", "renewed"]
    public var churned = ["false", "no", "0", "n", "f", "churned"]
    public var undecided = [""]
    public init() {}

    /// The labels normalised once (trimmed, lower-cased), for a table's worth of lookups.
    package struct Lookup {
        private var outcomes: [String: RenewalOutcome] = [:]
        /// The normalised labels as bytes, for the common case of a value written exactly so (`outcome(bytes:)`).
        private var exact: [(label: [UInt8], outcome: RenewalOutcome)] = []
        package init(_ labels: RenewalLabels) {
            // Earlier lists win, as in the order renewed, churned, undecided.
            for (list, outcome) in [(labels.undecided, RenewalOutcome.undecided), (labels.churned, .churned), (labels.renewed, .renewed)] {
                for label in list { outcomes[Self.normalise(label)] = outcome }
            }
            exact = outcomes.keys.sorted().map { (Array($0.utf8), outcomes[$0]!) }
        }
        package static func normalise(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces).lowercased() }
        package func outcome(_ text: String) -> RenewalOutcome? { outcomes[text] ?? outcomes[Self.normalise(text)] }

        /// The outcome of a field's bytes: compared with the labels as bytes first (no `String` for a value such
        /// as `true`), then normalised like `outcome(_:)`.
        package func outcome(bytes: UnsafeBufferPointer<UInt8>) -> RenewalOutcome? {
            for entry in exact where entry.label.count == bytes.count {
                if entry.label.withUnsafeBufferPointer({ $0.elementsEqual(bytes) }) { return entry.outcome }
            }
            return outcome(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// "true/yes/... (renewed), false/no/... (churned), empty (undecided)", for error messages.
    public var summary: String {
        func list(_ l: [String]) -> String { l.map { $0.isEmpty ? "empty" : $0 }.joined(separator: "/") }
        return "\(list(renewed)) (renewed), \(list(churned)) (churned), \(list(undecided)) (undecided)"
    }
}
