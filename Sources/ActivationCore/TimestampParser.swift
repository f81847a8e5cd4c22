/// Parses timestamps from raw bytes into seconds since 1970-01-01T00:00:00Z, without `Date` or `DateFormatter`.
///
/// Accepted forms (what Amplitude, Mixpanel, Segment and warehouse exports write):
/// - `2026-03-04` (a plain date: midnight UTC)
/// - `2026-03-04T10:22:31`, `2026-03-04 10:22:31`, with optional fractional seconds (`.123456`)
/// - any of those followed by `Z`, `+02:00`, `-0530` or `+02` (an offset); without one the time is taken as UTC
/// - epoch seconds (`1767225600`, optionally with a fraction) or epoch milliseconds (13 digits and more);
///   a bare integer of 12 digits or more is read as milliseconds, since seconds that large are beyond year 5000.
public enum TimestampParser {
    /// Days from 1970-01-01 to the given civil date (proleptic Gregorian), Howard Hinnant's `days_from_civil`.
    @inline(__always)
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number, Hinnant's `civil_from_days`.
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// `YYYY-MM-DD` of a day number.
    public static func dateString(day: Int) -> String {
        let (y, m, d) = civilFromDays(day)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))"
    }

    package static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Seconds since the epoch, reading a timestamp without a zone as UTC (the signup dates, `data_end`); or nil.
    /// Event timestamps go through `TimestampReader`, which applies the configured zone.
    @inline(__always)
    public static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var isNaive = false
        return parse(s, isNaive: &isNaive)
    }

    /// Seconds since the epoch, or nil when the bytes are not a timestamp. For a date and time without a zone
    /// (`isNaive` set) the result is the wall-clock reading taken as UTC; the caller applies the zone.
    /// A plain date is not naive: it names a calendar day, which is what the window counts.
    @inline(__always)
    public static func parse(_ s: UnsafeBufferPointer<UInt8>, isNaive: inout Bool) -> Int64? {
        isNaive = false
        if let seconds = commonISO(s, isNaive: &isNaive) { return seconds }
        return parseAnyForm(s, isNaive: &isNaive)
    }

    /// `parse` without the fast path for the common form (`commonISO`), which must agree with it.
    @inline(__always)
    package static func parseAnyForm(_ s: UnsafeBufferPointer<UInt8>, isNaive: inout Bool) -> Int64? {
        isNaive = false
        var n = s.count
        var start = 0
        while start < n && (s[start] == 0x20 || s[start] == 0x09) { start += 1 }
        while n > start && (s[n - 1] == 0x20 || s[n - 1] == 0x09) { n -= 1 }
        guard n > start else { return nil }
        @inline(__always) func digit(_ i: Int) -> Int? {
            guard i < n else { return nil }
            let c = Int(s[i]) - 48
            return (0...9).contains(c) ? c : nil
        }
        // ISO form: 4 digits then '-'.
        if n - start >= 10, s[start + 4] == 0x2D {
            guard let y0 = digit(start), let y1 = digit(start + 1), let y2 = digit(start + 2), let y3 = digit(start + 3),
                  s[start + 7] == 0x2D,
                  let m0 = digit(start + 5), let m1 = digit(start + 6), let d0 = digit(start + 8), let d1 = digit(start + 9)
            else { return nil }
            let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
            let month = m0 * 10 + m1, day = d0 * 10 + d1
            guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month) else { return nil }
            var seconds = Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400
            var i = start + 10
            if i == n { return seconds }
            guard s[i] == 0x54 || s[i] == 0x20 || s[i] == 0x74 else { return nil }  // 'T', ' ', 't'
            i += 1
            guard let h0 = digit(i), let h1 = digit(i + 1), i + 2 < n, s[i + 2] == 0x3A,
                  let mi0 = digit(i + 3), let mi1 = digit(i + 4) else { return nil }
            let hour = h0 * 10 + h1, minute = mi0 * 10 + mi1
            var second = 0
            i += 5
            if i < n && s[i] == 0x3A {
                guard let s0 = digit(i + 1), let s1 = digit(i + 2) else { return nil }
                second = s0 * 10 + s1
                i += 3
                if i < n && (s[i] == 0x2E || s[i] == 0x2C) {  // fraction, truncated to the second
                    i += 1
                    guard digit(i) != nil else { return nil }
                    while digit(i) != nil { i += 1 }
                }
            }
            guard hour <= 23 || (hour == 24 && minute == 0 && second == 0), minute <= 59, second <= 60 else { return nil }
            seconds += Int64(hour * 3600 + minute * 60 + second)
            if i == n { isNaive = true; return seconds }
            if s[i] == 0x5A || s[i] == 0x7A {  // 'Z'
                return i + 1 == n ? seconds : nil
            }
            if i + 1 < n && (s[i] == 0x20) && (s[i + 1] == 0x55) {  // " UTC"
                return n - i == 4 && s[i + 2] == 0x54 && s[i + 3] == 0x43 ? seconds : nil
            }
            guard s[i] == 0x2B || s[i] == 0x2D else { return nil }
            let sign: Int64 = s[i] == 0x2B ? 1 : -1
            i += 1
            guard let oh0 = digit(i), let oh1 = digit(i + 1) else { return nil }
            var offset = (oh0 * 10 + oh1) * 3600
            i += 2
            if i < n && s[i] == 0x3A { i += 1 }
            if i < n {
                guard let om0 = digit(i), let om1 = digit(i + 1), i + 2 == n else { return nil }
                offset += (om0 * 10 + om1) * 60
            }
            guard offset <= 18 * 3600 else { return nil }
            return seconds - sign * Int64(offset)
        }
        // Epoch seconds or milliseconds.
        var i = start
        var value: Int64 = 0
        var digits = 0
        while i < n, let d = digit(i) {
            guard digits < 18 else { return nil }
            value = value * 10 + Int64(d)
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        if i < n {
            guard s[i] == 0x2E, digits < 12 else { return nil }
            i += 1
            while i < n, digit(i) != nil { i += 1 }
            guard i == n else { return nil }
        }
        return digits >= 12 ? value / 1000 : value
    }

    /// The form most exports write, `YYYY-MM-DDTHH:MM:SS` alone (naive) or followed by `Z`, read eight bytes at
    /// a time: nil for anything else, and for any value the general path treats specially (hour 24, a month's
    /// day out of range), which then decides. So the result is the general path's, without a branch per digit.
    ///
    /// Digits are checked a word at a time (every byte in `0x30...0x39`: its high nibble is 3 before and after
    /// adding 6, and adding 6 to a byte of a valid form carries into no other byte).
    @inline(__always)
    package static func commonISO(_ s: UnsafeBufferPointer<UInt8>, isNaive: inout Bool) -> Int64? {
        let n = s.count
        guard n == 19 || (n == 20 && s[19] == 0x5A), let base = s.baseAddress else { return nil }
        let p = UnsafeRawPointer(base)
        // "YYYY-MM-" and "DDTHH:MM" (bytes 0-7, 8-15), then ":SS" read as the word of bytes 11-18 ("HH:MM:SS").
        let w0 = p.loadUnaligned(as: UInt64.self), w1 = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let w2 = p.loadUnaligned(fromByteOffset: 11, as: UInt64.self)
        @inline(__always) func digits(_ w: UInt64, _ mask: UInt64) -> Bool {
            let nibbles = 0xF0F0_F0F0_F0F0_F0F0 & mask, threes = 0x3030_3030_3030_3030 & mask
            return w & nibbles == threes && (w &+ 0x0606_0606_0606_0606) & nibbles == threes
        }
        // Little-endian: byte i of a word is bits 8i..8i+7. Separators '-' '-', 'T' ':', ':'; the rest digits.
        guard w0 & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000, digits(w0, 0x00FF_FF00_FFFF_FFFF),
              w1 & 0x0000_FF00_00FF_0000 == 0x0000_3A00_0054_0000, digits(w1, 0xFFFF_00FF_FF00_FFFF),
              w2 & 0x0000_FF00_0000_0000 == 0x0000_3A00_0000_0000, digits(w2, 0xFFFF_0000_0000_0000) else { return nil }
        @inline(__always) func two(_ w: UInt64, _ i: UInt64) -> Int { Int((w >> (8 * i)) & 0xF) * 10 + Int((w >> (8 * i + 8)) & 0xF) }
        let year = two(w0, 0) * 100 + two(w0, 2), month = two(w0, 5), day = two(w1, 0)
        let hour = two(w1, 3), minute = two(w1, 6), second = two(w2, 6)
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year, month), hour <= 23, minute <= 59, second <= 60
        else { return nil }
        isNaive = n == 19
        return Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse($0) }
    }
}
