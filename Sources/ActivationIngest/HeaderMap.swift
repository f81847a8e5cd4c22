import ActivationCore
import Foundation

/// Resolves column names against a header record.
package struct HeaderMap {
    package let names: [String]
    package let file: String
    package let delimiter: FieldDelimiter

    package init(_ header: CSVRecord, file: String, delimiter: FieldDelimiter = .comma) {
        names = (0..<header.count).map { header.string($0) }
        self.file = file
        self.delimiter = delimiter
    }

    /// The other delimiter the header is written with, when split by it a field is `wanted`: a semicolon export
    /// read as comma-separated has one column 'customer_id;event;timestamp'.
    package func otherDelimiter(holding wanted: String) -> FieldDelimiter? {
        let key = Self.normalise(wanted)
        return FieldDelimiter.allCases.first { d in
            d != delimiter && names.contains { $0.split(separator: Character(d.rawValue)).contains { Self.normalise(String($0)) == key } }
        }
    }

    package static func normalise(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    package func index(of name: String) -> Int? {
        let wanted = Self.normalise(name)
        return names.firstIndex { Self.normalise($0) == wanted }
    }

    /// Throws when two header names are the same after trimming and case folding: which one a setting means
    /// would be a guess (the first used to win silently). Empty names (a trailing comma) are not names.
    package func checkDuplicates() throws {
        var seen: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            let key = Self.normalise(name)
            guard !key.isEmpty else { continue }
            if let first = seen[key] {
                throw InputError("\(file):1: the header names column '\(name)' twice (fields \(first + 1) and \(i + 1)); rename one so that each column is named once")
            }
            seen[key] = i
        }
    }

    /// The index of an optional column; when the user named it (`named`), it must be there like a required one:
    /// a named count or user column that is missing would silently count one per row or no users.
    package func optional(_ name: String, named: Bool, option: String) throws -> Int? {
        named ? try require(name, option: option) : index(of: name)
    }

    /// The index of a required column, or an error listing the columns found and the closest match.
    package func require(_ name: String, option: String) throws -> Int {
        if let i = index(of: name) { return i }
        let found = names.map { "'\($0)'" }.joined(separator: ", ")
        var message = "\(file):1: missing required column '\(name)'; columns found: \(found)"
        // The header read as one field that another delimiter splits: the delimiter is wrong, whatever the names.
        let wholeLine = names.count == 1 ? FieldDelimiter.allCases.first { $0 != delimiter && names[0].split(separator: Character($0.rawValue)).count > 1 } : nil
        if let other = otherDelimiter(holding: name) ?? wholeLine {
            message += "; the header is separated by '\(other.name)', not '\(delimiter.name)': set delimiter = \"\(other.name)\" in the config's [events] or [customers] (--delimiter or --customers-delimiter '\(other.name)')"
            throw InputError(message)
        }
        if let closest = names.min(by: { editDistance($0.lowercased(), name.lowercased()) < editDistance($1.lowercased(), name.lowercased()) }) {
            message += "; closest match '\(closest)' (use \(option) '\(closest)' if that is the one)"
        }
        throw InputError(message)
    }
}

