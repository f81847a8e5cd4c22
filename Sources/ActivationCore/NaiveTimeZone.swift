import Foundation

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
    package func offset(atUTC instant: Int64) -> Int64 {
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

    package static func parseOffset(_ text: String) -> Int? {
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
