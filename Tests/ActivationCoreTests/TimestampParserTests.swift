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
