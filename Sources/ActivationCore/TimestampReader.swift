import Foundation

/// Turns the timestamp bytes of one export into UTC seconds, by format and zone. Built once per run.
public struct TimestampReader: Sendable {
    public let format: TimestampFormat
    public let zone: NaiveTimeZone
    private let pattern: TimestampPattern?

    /// Automatic format detection, naive timestamps in UTC.
    public init() {
        format = .automatic
        zone = .utc
        pattern = nil
    }

    public init(format: TimestampFormat, zone: NaiveTimeZone = .utc) throws {
        self.format = format
        self.zone = zone
        if case .pattern(let text) = format { pattern = try TimestampPattern(text) } else { pattern = nil }
    }

    /// UTC seconds since the epoch, or nil when the bytes do not match the format.
    @inline(__always)
    public func seconds(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var isNaive = false
        let value: Int64?
        switch format {
        case .automatic: value = TimestampParser.parse(s, isNaive: &isNaive)
        case .epochSeconds: value = Self.integer(s).map { $0 }
        case .epochMilliseconds: value = Self.integer(s).map { $0 / 1000 }
        case .pattern: value = pattern!.parse(s, isNaive: &isNaive)
        }
        guard let value else { return nil }
        return isNaive ? zone.utc(fromLocal: value) : value
    }

    /// A whole number, optionally negative, with an optional fraction that is dropped.
    package static func integer(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0, n = s.count
        while i < n && s[i] == 0x20 { i += 1 }
        while n > i && s[n - 1] == 0x20 { n -= 1 }
        var negative = false
        if i < n && s[i] == 0x2D { negative = true; i += 1 }
        var value: Int64 = 0, digits = 0
        while i < n, s[i] >= 48, s[i] <= 57 {
            guard digits < 18 else { return nil }
            value = value * 10 + Int64(s[i] - 48); i += 1; digits += 1
        }
        guard digits > 0 else { return nil }
        if i < n {
            guard s[i] == 0x2E else { return nil }
            i += 1
            while i < n, s[i] >= 48, s[i] <= 57 { i += 1 }
            guard i == n else { return nil }
        }
        return negative ? -value : value
    }
}
