/// The text encoding of a CSV input. UTF-8 is read as it is; the single-byte encodings are transcoded to UTF-8
/// while reading (`TranscodingByteSource`), so names written by Windows tools are not rejected as invalid UTF-8.
public enum TextEncoding: String, Sendable, Equatable, Codable, CaseIterable {
    case utf8 = "utf-8", latin1 = "latin-1", windows1252 = "windows-1252"

    /// From a setting, in any case: `utf-8`/`utf8`, `latin-1`/`latin1`/`iso-8859-1`, `windows-1252`/`cp1252`.
    public init?(setting: String) {
        switch setting.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "latin-1", "latin1", "iso-8859-1", "iso8859-1": self = .latin1
        case "windows-1252", "cp1252", "windows1252": self = .windows1252
        default: return nil
        }
    }

    /// The Unicode scalar of one byte in this single-byte encoding (UTF-8: the byte itself, for ASCII).
    public func scalar(_ byte: UInt8) -> UInt32 {
        guard self == .windows1252, (0x80...0x9F).contains(byte) else { return UInt32(byte) }
        // Windows-1252's printable characters in 0x80-0x9F; its five unassigned bytes stay C1 controls (as the
        // WHATWG encoding standard reads them).
        let c1: [UInt32] = [0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
                            0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178]
        return c1[Int(byte - 0x80)]
    }
}
