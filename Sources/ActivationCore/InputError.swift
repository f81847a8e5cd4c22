import Glibc

/// A problem that stops the run, in one line naming the file (and line, column) and the fix.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem it is; the CLI maps it to its exit status (sysexits.h).
    public enum Kind: Sendable, Equatable {
        /// The data is unusable: bad header, empty file, no decided customers, reject budget exceeded (65).
        case data
        /// An input file or directory does not exist or cannot be opened (66).
        case missingInput
        /// The reports could not be written (73).
        case output
        /// The config file or an option is wrong, or a path lies outside the allowed folders (78).
        case configuration
        /// The run would need more memory than this machine, its cgroup or its `ulimit` leaves it
        /// (`MemoryBudget`): stopped before allocating, not by the allocator's crash (71, EX_OSERR).
        case memory
    }
    public var message: String
    public var kind: Kind
    public init(_ message: String, kind: Kind = .data) { self.message = message; self.kind = kind }
    public var description: String { message }
}
