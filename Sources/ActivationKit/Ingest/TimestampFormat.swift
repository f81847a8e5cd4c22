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

/// The zone in which timestamps without an offset were written: a fixed offset (`+02:00`) or an IANA zone
/// (`Europe/Berlin`) whose daylight-saving changes are honoured.
public struct NaiveTimeZone: Sendable, Equatable, Codable, CustomStringConvertible {
    public let name: String
    /// UTC instants at which the offset changes, ascending, and the offset from each on.
    private let transitions: [Int64]
    private let offsets: [Int32]
    private let initialOffset: Int32

    public static let utc = NaiveTimeZone(fixedOffsetSeconds: 0, name: "UTC")

    private init(fixedOffsetSeconds: Int, name: String) {
        self.init(name: name, transitions: [], offsets: [], initialOffset: Int32(fixedOffsetSeconds))
    }

    private init(name: String, transitions: [Int64], offsets: [Int32], initialOffset: Int32) {
        self.name = name
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
    }

    /// `UTC`, `Z`, an offset (`+02:00`, `-0500`, `+02`) or an IANA zone name.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if ["", "utc", "z", "gmt"].contains(trimmed.lowercased()) {
            self = .utc
            return
        }
        if let offset = Self.parseOffset(trimmed) {
            self.init(fixedOffsetSeconds: offset, name: trimmed)
            return
        }
        guard let zone = TimeZone(identifier: trimmed) else {
            throw InputError("time zone '\(text)' is neither an offset like +02:00 nor a zone name like Europe/Berlin")
        }
        // Offsets change at daylight-saving transitions; list them once for 1970-2100 so that the hot path is a
        // binary search over integers, never a Foundation call.
        var transitions: [Int64] = []
        var offsets: [Int32] = []
        var date = Date(timeIntervalSince1970: 0)
        let end = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01
        while let next = zone.nextDaylightSavingTimeTransition(after: date), next < end {
            transitions.append(Int64(next.timeIntervalSince1970))
            offsets.append(Int32(zone.secondsFromGMT(for: next)))
            date = next
        }
        self.init(name: trimmed, transitions: transitions, offsets: offsets,
                  initialOffset: Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: 0))))
    }

    public var description: String { name }

    /// The offset in force at a UTC instant.
    @inline(__always)
    func offset(atUTC instant: Int64) -> Int64 {
        if transitions.isEmpty { return Int64(initialOffset) }
        var low = 0, high = transitions.count  // first transition after `instant`
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= instant { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? Int64(initialOffset) : Int64(offsets[low - 1])
    }

    /// The UTC instant of a wall-clock reading in this zone (given as seconds as if it were UTC). In the hour
    /// repeated when clocks go back the earlier reading is not guaranteed; in the hour skipped when they go
    /// forward the result is shifted by the jump, as most databases do.
    @inline(__always)
    public func utc(fromLocal local: Int64) -> Int64 {
        let guess = local - offset(atUTC: local)
        return local - offset(atUTC: guess)
    }

    static func parseOffset(_ text: String) -> Int? {
        let s = Array(text.utf8)
        guard let sign = s.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let digits = s.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let values = digits.map { Int($0) - 48 }
        let hours = values[0] * 10 + values[1]
        let minutes = values.count == 4 ? values[2] * 10 + values[3] : 0
        guard hours <= 18, minutes < 60 else { return nil }
        return (sign == UInt8(ascii: "+") ? 1 : -1) * (hours * 3600 + minutes * 60)
    }

    public init(from decoder: Decoder) throws { try self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
    public static func == (a: NaiveTimeZone, b: NaiveTimeZone) -> Bool { a.name == b.name }
}

/// A compiled strftime-like pattern (see `TimestampFormat.pattern`).
struct TimestampPattern: Sendable {
    enum Piece: Sendable, Equatable {
        case literal(UInt8)
        case year, month, day, hour24, hour12, minute, second, fraction, meridiem, zone
    }
    let pieces: [Piece]

    init(_ text: String) throws {
        var pieces: [Piece] = []
        var bytes = Array(text.utf8)[...]
        var hasDate = (year: false, month: false, day: false)
        while let b = bytes.popFirst() {
            guard b == UInt8(ascii: "%") else { pieces.append(.literal(b)); continue }
            guard let code = bytes.popFirst() else { throw InputError("timestamp format '\(text)' ends with a lone %") }
            switch code {
            case UInt8(ascii: "Y"): pieces.append(.year); hasDate.year = true
            case UInt8(ascii: "m"): pieces.append(.month); hasDate.month = true
            case UInt8(ascii: "d"): pieces.append(.day); hasDate.day = true
            case UInt8(ascii: "H"): pieces.append(.hour24)
            case UInt8(ascii: "I"): pieces.append(.hour12)
            case UInt8(ascii: "M"): pieces.append(.minute)
            case UInt8(ascii: "S"): pieces.append(.second)
            case UInt8(ascii: "f"): pieces.append(.fraction)
            case UInt8(ascii: "p"): pieces.append(.meridiem)
            case UInt8(ascii: "z"): pieces.append(.zone)
            case UInt8(ascii: "%"): pieces.append(.literal(UInt8(ascii: "%")))
            default: throw InputError("timestamp format '\(text)': %\(Character(Unicode.Scalar(code))) is not one of %Y %m %d %H %I %M %S %f %p %z %%")
            }
        }
        guard hasDate.year && hasDate.month && hasDate.day else {
            throw InputError("timestamp format '\(text)' needs %Y, %m and %d")
        }
        if pieces.contains(.hour12) != pieces.contains(.meridiem) {
            throw InputError("timestamp format '\(text)': %I and %p go together")
        }
        self.pieces = pieces
    }

    /// Seconds (wall clock taken as UTC, `isNaive` set, when the pattern has no `%z`), or nil.
    func parse(_ s: UnsafeBufferPointer<UInt8>, isNaive: inout Bool) -> Int64? {
        var i = 0
        var n = s.count
        while n > 0 && (s[n - 1] == 0x20 || s[n - 1] == 0x09) { n -= 1 }
        while i < n && (s[i] == 0x20 || s[i] == 0x09) { i += 1 }
        func number(maxDigits: Int, minDigits: Int = 1) -> Int? {
            var value = 0, digits = 0
            while i < n, digits < maxDigits, s[i] >= 48, s[i] <= 57 { value = value * 10 + Int(s[i] - 48); i += 1; digits += 1 }
            return digits >= minDigits ? value : nil
        }
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        var pm: Bool?
        var offset: Int?
        for piece in pieces {
            switch piece {
            case .literal(let b): guard i < n, s[i] == b else { return nil }; i += 1
            case .year: guard let v = number(maxDigits: 4, minDigits: 4) else { return nil }; year = v
            case .month: guard let v = number(maxDigits: 2) else { return nil }; month = v
            case .day: guard let v = number(maxDigits: 2) else { return nil }; day = v
            case .hour24, .hour12: guard let v = number(maxDigits: 2) else { return nil }; hour = v
            case .minute: guard let v = number(maxDigits: 2) else { return nil }; minute = v
            case .second: guard let v = number(maxDigits: 2) else { return nil }; second = v
            case .fraction: guard number(maxDigits: 18) != nil else { return nil }
            case .meridiem:
                guard i + 1 < n, s[i + 1] | 0x20 == UInt8(ascii: "m") else { return nil }
                switch s[i] | 0x20 {
                case UInt8(ascii: "a"): pm = false
                case UInt8(ascii: "p"): pm = true
                default: return nil
                }
                i += 2
            case .zone:
                guard i < n else { return nil }
                if s[i] | 0x20 == UInt8(ascii: "z") { offset = 0; i += 1; break }
                guard s[i] == 0x2B || s[i] == 0x2D else { return nil }
                let sign = s[i] == 0x2B ? 1 : -1
                i += 1
                guard let h = number(maxDigits: 2, minDigits: 2) else { return nil }
                if i < n && s[i] == 0x3A { i += 1 }
                let m = number(maxDigits: 2, minDigits: 2) ?? 0
                guard h <= 18, m < 60 else { return nil }
                offset = sign * (h * 3600 + m * 60)
            }
        }
        guard i == n else { return nil }
        if let pm {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (pm ? 12 : 0)
        }
        guard (1...12).contains(month), day >= 1, day <= TimestampParser.daysInMonth(year, month),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        let seconds = Int64(TimestampParser.daysFromCivil(year: year, month: month, day: day)) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
        if let offset { isNaive = false; return seconds - Int64(offset) }
        isNaive = true
        return seconds
    }
}

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
    static func integer(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
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
