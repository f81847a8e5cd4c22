/// Builds RFC 4180 CSV text: fields with commas, quotes or line breaks are quoted, quotes doubled; `\n` line ends.
public struct CSVWriter {
    public private(set) var text = ""
    public init(header: [String]) { row(header) }

    public mutating func row(_ fields: [String]) {
        text += fields.map(Self.escape).joined(separator: ",")
        text += "\n"
    }

    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ||
              field.first == " " || field.last == " " else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

import Foundation
