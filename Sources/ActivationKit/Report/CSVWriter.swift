/// Builds RFC 4180 CSV text: fields with commas, quotes or line breaks are quoted, quotes doubled; `\n` line ends.
public struct CSVWriter {
    public private(set) var text = ""
    public init(header: [String]) { row(header) }

    /// Appends one row. The quoting check scans UTF-8 bytes: the feature files have millions of fields.
    public mutating func row(_ fields: [String]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { text.append(",") }
            if Self.needsQuoting(field) { text += Self.escape(field) } else { text += field }
        }
        text.append("\n")
    }

    static func needsQuoting(_ field: String) -> Bool {
        let utf8 = field.utf8
        for b in utf8 where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { return true }
        return utf8.first == 0x20 || utf8.last == 0x20
    }

    public static func escape(_ field: String) -> String {
        guard needsQuoting(field) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

import Foundation
