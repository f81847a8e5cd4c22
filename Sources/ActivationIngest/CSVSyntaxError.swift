/// A record the CSV grammar itself rejects (a stray quote, an unterminated quoted field).
public struct CSVSyntaxError: Sendable, Equatable {
    /// Physical line where the broken record starts.
    public var line: Int
    /// 1-based field number where the parser gave up.
    public var column: Int
    public var reason: String
    public var raw: String
}
