/// A kept row's de-duplication key and what it added, so that a later merge can take it back out when an earlier
/// export holds the same row.
public struct DedupeEntry: Sendable, Equatable {
    public var key: UInt64
    public var customer: Int32
    public var behaviour: Int32
    /// Day since signup (at or past the window: a follow-up count).
    public var day: Int32
    public var count: UInt32

    package init(key: UInt64, customer: Int32, behaviour: Int32, day: Int32, count: UInt32) {
        self.key = key
        self.customer = customer
        self.behaviour = behaviour
        self.day = day
        self.count = count
    }
}
