import Foundation

/// The field delimiter of a CSV file: `,` by default; `;` is what European Excel writes, tab and `|` are common too.
public enum FieldDelimiter: String, Sendable, Equatable, Codable, CaseIterable {
    case comma = ",", semicolon = ";", tab = "\t", pipe = "|"

    /// The delimiter's byte.
    public var byte: UInt8 { rawValue.utf8.first! }
    /// How settings and messages spell it (`tab` for the tab).
    public var name: String { self == .tab ? "tab" : rawValue }

    /// From a setting: `,` `;` `|`, a tab character, `tab` or `\t`.
    public init?(setting: String) {
        switch setting {
        case "tab", "\\t", "\t": self = .tab
        default: self.init(rawValue: setting)
        }
    }
}

/// Where to find each field in the customer table. Names are matched after trimming, case-insensitively.
public struct CustomerColumns: Sendable, Equatable, Codable {
    public var customerID = "customer_id"
    public var signupDate = "signup_date"
    public var renewed = "renewed"
    public var segment = "segment"
    public var acv = "acv"
    /// Whether the user named the optional segment / ACV column (config or option): then it must exist.
    public var segmentNamed = false
    public var acvNamed = false
    /// The customer table's field delimiter.
    public var delimiter = FieldDelimiter.comma
    /// The customer table's text encoding (transcoded to UTF-8 while reading).
    public var encoding = TextEncoding.utf8
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
    /// Whether the user named the optional user / count column (config or option, not a preset's default): then a
    /// header without it is an error naming the columns found, not a silent fallback.
    public var userIDNamed = false
    public var countNamed = false
    /// The exports' field delimiter.
    public var delimiter = FieldDelimiter.comma
    /// The exports' text encoding (transcoded to UTF-8 while reading).
    public var encoding = TextEncoding.utf8
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

/// Where the user-to-account mapping file keeps its two columns.
public struct UserAccountColumns: Sendable, Equatable, Codable {
    public var userID = "user_id"
    public var accountID = "account_id"
    public init() {}
}
