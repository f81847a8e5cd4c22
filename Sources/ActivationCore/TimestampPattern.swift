import Foundation

/// A compiled strftime-like pattern (see `TimestampFormat.pattern`).
package struct TimestampPattern: Sendable {
    package enum Piece: Sendable, Equatable {
        case literal(UInt8)
        case year, month, day, hour24, hour12, minute, second, fraction, meridiem, zone
    }
    package let pieces: [Piece]

    package init(_ text: String) throws {
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
    package func parse(_ s: UnsafeBufferPointer<UInt8>, isNaive: inout Bool) -> Int64? {
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
