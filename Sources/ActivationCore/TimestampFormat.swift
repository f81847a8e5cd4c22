import Foundation

/// How the event timestamps of an export are written.
///
/// `automatic` (the default) accepts everything `TimestampParser` knows: ISO 8601 with or without a zone, plain
/// dates, epoch seconds and milliseconds told apart by their length. The explicit forms are for exports where the
/// guess would be wrong (epoch seconds of 12+ digits, a US `03/04/2026 10:22 PM` warehouse dump).
public enum TimestampFormat: Sendable, Equatable, Codable, CustomStringConvertible {
    case automatic
    case epochSeconds
    case epochMilliseconds
    /// A strftime-like pattern: `%Y` year, `%m` month, `%d` day, `%H` hour (0-23), `%I` hour (1-12) with `%p`
    /// AM/PM, `%M` minute, `%S` second, `%f` fraction (any digits, ignored), `%z` zone (`Z`, `+02:00`, `-0530`),
    /// `%%` a percent sign; any other character must match itself. Month, day, hour, minute and second take one or
    /// two digits.
    case pattern(String)

    /// Parses the config / CLI spelling: `auto`, `iso8601`, `epoch_seconds`, `epoch_milliseconds`, or a pattern.
    public init(_ text: String) throws {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "", "auto", "automatic", "iso8601", "iso-8601": self = .automatic
        case "epoch_seconds", "epoch", "unix", "seconds": self = .epochSeconds
        case "epoch_milliseconds", "epoch_ms", "milliseconds", "ms": self = .epochMilliseconds
        default:
            guard text.contains("%") else {
                throw InputError("timestamp format '\(text)' is not auto, epoch_seconds, epoch_milliseconds or a pattern such as '%m/%d/%Y %H:%M:%S'")
            }
            _ = try TimestampPattern(text)
            self = .pattern(text)
        }
    }

    public var description: String {
        switch self {
        case .automatic: return "auto"
        case .epochSeconds: return "epoch_seconds"
        case .epochMilliseconds: return "epoch_milliseconds"
        case .pattern(let p): return p
        }
    }

    public init(from decoder: Decoder) throws { try self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
