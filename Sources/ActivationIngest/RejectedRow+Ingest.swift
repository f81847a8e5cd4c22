import ActivationCore
import ActivationFastPaths

extension InputError {
    /// The fatal error for a header row that is not valid CSV.
    package static func header(_ error: CSVSyntaxError, file: String) -> InputError {
        InputError("\(file):\(error.line): the header row is not valid CSV: \(error.reason)")
    }
}

extension ByteInterner {
    /// The id of `key`, interning it when new, or nil when it is new and not valid UTF-8 (a name that would
    /// corrupt the report). Validation runs only for keys not seen before, so it stays off the hot path.
    @inline(__always)
    package mutating func internValidUTF8(_ key: UnsafeBufferPointer<UInt8>) -> (id: Int, isNew: Bool)? {
        if let id = lookup(key) { return (id, false) }
        guard isValidUTF8(key) else { return nil }
        return intern(key)
    }
}

extension RejectedRow {
    /// The reject for a record the CSV grammar refused.
    package init(syntaxError error: CSVSyntaxError, file: String) {
        self.init(file: file, line: error.line, column: "field \(error.column)",
                  reason: error.reason.hasPrefix("unterminated") ? .unterminatedQuote : .malformedCSV,
                  detail: error.reason, raw: error.raw)
    }
}
