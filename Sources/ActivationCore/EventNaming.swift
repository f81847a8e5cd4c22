import Glibc

/// Which export event names make up each behaviour, and which are never used.
///
/// Exports spell one action several ways over time (`"Invite Sent"` from the old SDK, `invite_sent` from the new
/// one); `renames` merges them into one behaviour. `excluded` drops events that must never be candidates: billing,
/// renewal or cancellation events that leak the outcome, internal test events. Both take exact names or shell
/// patterns (`billing_*`, `*_cancelled`), matched with `fnmatch(3)`, never through a shell.
public struct EventNaming: Sendable, Equatable, Codable {
    /// Behaviour name → the export names or patterns that mean it.
    public var renames: [String: [String]] = [:]
    /// Export names or patterns (checked against the export name and the renamed one) that are dropped.
    public var excluded: [String] = []

    public init(renames: [String: [String]] = [:], excluded: [String] = []) {
        self.renames = renames
        self.excluded = excluded
    }

    /// What an export name becomes.
    public enum Resolution: Equatable, Sendable {
        case behaviour(String)
        /// Dropped by the exclusion pattern given.
        case excluded(String)
    }

    /// Resolves an export name. Exact rename entries win over patterns; among patterns the behaviour name that
    /// sorts first wins, so the result never depends on dictionary order.
    public func resolve(_ name: String) -> Resolution {
        var canonical = name
        let targets = renames.keys.sorted()
        if let exact = targets.first(where: { renames[$0]!.contains(name) }) {
            canonical = exact
        } else if let pattern = targets.first(where: { renames[$0]!.contains { Self.matches(pattern: $0, name) } }) {
            canonical = pattern
        }
        for pattern in excluded where Self.matches(pattern: pattern, name) || Self.matches(pattern: pattern, canonical) {
            return .excluded(pattern)
        }
        return .behaviour(canonical)
    }

    /// Problems a user should fix: one export name listed under two behaviours.
    public func validate() throws {
        var owner: [String: String] = [:]
        for target in renames.keys.sorted() {
            for name in renames[target]! {
                if let other = owner[name], other != target {
                    throw InputError("event '\(name)' is listed under two renames, '\(other)' and '\(target)'")
                }
                owner[name] = target
            }
        }
    }

    package static func matches(pattern: String, _ name: String) -> Bool {
        if pattern == name { return true }
        guard pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else { return false }
        return fnmatch(pattern, name, 0) == 0
    }
}
