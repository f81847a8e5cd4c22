import ActivationCore
import Foundation

/// Resolves column names against a header record.
package struct HeaderMap {
    package let names: [String]
    package let file: String

    package init(_ header: CSVRecord, file: String) {
        names = (0..<header.count).map { header.string($0) }
        self.file = file
    }

    package static func normalise(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    package func index(of name: String) -> Int? {
        let wanted = Self.normalise(name)
        return names.firstIndex { Self.normalise($0) == wanted }
    }

    /// The index of a required column, or an error listing the columns found and the closest match.
    package func require(_ name: String, option: String) throws -> Int {
        if let i = index(of: name) { return i }
        let found = names.map { "'\($0)'" }.joined(separator: ", ")
        var message = "\(file):1: missing required column '\(name)'; columns found: \(found)"
        if let closest = names.min(by: { editDistance($0.lowercased(), name.lowercased()) < editDistance($1.lowercased(), name.lowercased()) }) {
            message += "; closest match '\(closest)' (use \(option) '\(closest)' if that is the one)"
        }
        throw InputError(message)
    }
}

