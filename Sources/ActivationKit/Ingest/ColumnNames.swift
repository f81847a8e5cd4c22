/// Where to find each field in the customer table. Names are matched after trimming, case-insensitively.
public struct CustomerColumns: Sendable, Equatable, Codable {
    public var customerID = "customer_id"
    public var signupDate = "signup_date"
    public var renewed = "renewed"
    public var segment = "segment"
    public var acv = "acv"
    public init() {}
}

/// Where to find each field in the event exports. Names are matched after trimming, case-insensitively.
public struct EventColumns: Sendable, Equatable, Codable {
    public var customerID = "customer_id"
    public var event = "event"
    public var timestamp = "timestamp"
    /// Optional: distinct users per behaviour are counted when the column exists.
    public var userID = "user_id"
    /// Optional: rows carry a count (pre-aggregated exports); 1 when absent or empty.
    public var count = "count"
    public init() {}

    /// The column layouts of the common product-analytics exports.
    public enum Preset: String, CaseIterable, Sendable, Codable {
        /// `customer_id,event,timestamp[,user_id][,count]`
        case standard
        /// Amplitude: `user_id,event_type,event_time` (event_time like `2026-03-04 10:22:31.123000`, UTC).
        case amplitude
        /// Mixpanel: `distinct_id,event,time` (time in epoch seconds).
        case mixpanel
        /// Segment: `user_id,event,timestamp` (ISO 8601 with `Z`).
        case segment
    }

    public init(preset: Preset) {
        switch preset {
        case .standard: break
        case .amplitude: customerID = "user_id"; event = "event_type"; timestamp = "event_time"; userID = "device_id"
        case .mixpanel: customerID = "distinct_id"; event = "event"; timestamp = "time"; userID = "$user_id"
        case .segment: customerID = "user_id"; event = "event"; timestamp = "timestamp"; userID = "anonymous_id"
        }
    }
}

/// Resolves column names against a header record.
struct HeaderMap {
    let names: [String]
    let file: String

    init(_ header: CSVRecord, file: String) {
        names = (0..<header.count).map { header.string($0) }
        self.file = file
    }

    static func normalise(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    func index(of name: String) -> Int? {
        let wanted = Self.normalise(name)
        return names.firstIndex { Self.normalise($0) == wanted }
    }

    /// The index of a required column, or an error listing the columns found and the closest match.
    func require(_ name: String, option: String) throws -> Int {
        if let i = index(of: name) { return i }
        let found = names.map { "'\($0)'" }.joined(separator: ", ")
        var message = "\(file):1: missing required column '\(name)'; columns found: \(found)"
        if let closest = names.min(by: { editDistance($0.lowercased(), name.lowercased()) < editDistance($1.lowercased(), name.lowercased()) }) {
            message += "; closest match '\(closest)' (use \(option) '\(closest)' if that is the one)"
        }
        throw InputError(message)
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

import Foundation
