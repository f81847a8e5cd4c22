import Foundation

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

/// Where the user-to-account mapping file keeps its two columns.
public struct UserAccountColumns: Sendable, Equatable, Codable {
    public var userID = "user_id"
    public var accountID = "account_id"
    public init() {}
}
