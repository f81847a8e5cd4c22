import ActivationCore
import ActivationTestSupport
import Testing

@Suite("Timestamps from bytes")
struct TimestampParserTests {
    static let base = Int64(TimestampParser.daysFromCivil(year: 2026, month: 3, day: 4)) * 86_400

    @Test(arguments: [
        ("2026-03-04", 0),
        ("2026-03-04T10:22:31Z", 37_351),
        ("2026-03-04T10:22:31.123456Z", 37_351),
        ("2026-03-04 10:22:31.123000", 37_351),  // Amplitude
        ("2026-03-04T10:22:31", 37_351),
        ("2026-03-04T12:22:31+02:00", 37_351),
        ("2026-03-04T05:22:31-0500", 37_351),
        ("2026-03-04T12:22:31+02", 37_351),
        ("2026-03-04T10:22Z", 37_320),
        ("2026-03-04 10:22:31 UTC", 37_351),
    ] as [(String, Int64)])
    func isoForms(text: String, offset: Int64) {
        #expect(TimestampParser.parse(text) == Self.base + offset, "\(text)")
    }

    @Test func epochSecondsAndMilliseconds() {
        #expect(TimestampParser.parse("1772619751") == 1_772_619_751)
        #expect(TimestampParser.parse("1772619751.5") == 1_772_619_751)
        #expect(TimestampParser.parse("1772619751123") == 1_772_619_751)
    }

    @Test(arguments: ["", "yesterday", "2026-13-01", "2026-02-30", "2026-03-04T25:00:00Z", "2026-03-04T10:61:00Z",
                      "2026-03-04X10:00:00", "2026-03-04T10:00:00+99:00", "12ab", "2026-03-04T10:00:00Zjunk", "-5"])
    func rejectsNonsense(text: String) {
        #expect(TimestampParser.parse(text) == nil, "\(text)")
    }

    /// The word-at-a-time path for `YYYY-MM-DDTHH:MM:SS[Z]` gives the general parser's answer, naive flag
    /// included, on valid stamps and on every one-byte change of them (digits, separators, bytes with the high bit
    /// set, which must not carry into the next byte), and leaves to it what it does not take.
    @Test func theCommonFormsFastPathAgreesWithTheGeneralParser() {
        struct SplitMix { var state: UInt64
            mutating func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }
        var rng = SplitMix(state: 20_261_202)
        var taken = 0, compared = 0
        let special: [UInt8] = [0x00, 0x20, 0x2D, 0x2F, 0x30, 0x39, 0x3A, 0x40, 0x54, 0x5A, 0x74, 0x7A, 0x7F, 0x80, 0xC3, 0xF9, 0xFA, 0xFF]
        for k in 0..<4000 {
            let day = Int(rng.next() % 200_000) - 100_000
            let (y, m, d) = TimestampParser.civilFromDays(day)
            guard (0...9999).contains(y) else { continue }
            let seconds = Int(rng.next() % 86_401)
            func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
            let text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(min(seconds / 3600, 24), 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
                + (k % 2 == 0 ? "Z" : "")
            var variants = [Array(text.utf8)]
            for _ in 0..<6 {
                var bytes = Array(text.utf8)
                bytes[Int(rng.next() % UInt64(bytes.count))] = rng.next() % 2 == 0 ? special[Int(rng.next() % UInt64(special.count))] : UInt8(rng.next() % 256)
                variants.append(bytes)
            }
            for bytes in variants {
                bytes.withUnsafeBufferPointer { s in
                    var fastNaive = false, generalNaive = false
                    let general = TimestampParser.parseAnyForm(s, isNaive: &generalNaive)
                    if let fast = TimestampParser.commonISO(s, isNaive: &fastNaive) {
                        taken += 1
                        #expect(fast == general && fastNaive == generalNaive, "\(String(decoding: bytes, as: UTF8.self))")
                    }
                    var naive = false
                    #expect(TimestampParser.parse(s, isNaive: &naive) == general && naive == generalNaive)
                    compared += 1
                }
            }
        }
        #expect(taken > 3000 && compared > 20_000)
    }

    @Test func civilRoundTrip() {
        for d in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, dd) = TimestampParser.civilFromDays(d)
            #expect(TimestampParser.daysFromCivil(year: y, month: m, day: dd) == d)
        }
        #expect(TimestampParser.dateString(day: 0) == "1970-01-01")
        #expect(TimestampParser.dateString(day: day(2024, 2, 29)) == "2024-02-29")
    }

    @Test func naiveOffsetShiftsOnlyZonelessTimestamps() throws {
        let reader = try TimestampReader(format: .automatic, zone: try NaiveTimeZone("+02:00"))
        func seconds(_ text: String) -> Int64? { var text = text; return text.withUTF8 { reader.seconds($0) } }
        #expect(seconds("2026-03-04T12:22:31") == Self.base + 37_351)
        #expect(seconds("2026-03-04T10:22:31Z") == Self.base + 37_351)
    }
}
