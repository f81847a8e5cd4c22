/// Where ingest hands each usable event: the Features stage implements it. Ids are dense: behaviours are numbered
/// 0, 1, 2, … in order of first appearance, and `addBehaviour` is called before the first event of each.
public protocol FirstWindowEventSink: AnyObject {
    func addBehaviour()
    /// One event row inside the first window: `day` is 0-based from signup, `user` is -1 when unknown.
    func record(customer: Int, behaviour: Int, day: Int, user: Int, count: Int)
    /// One event row after the first window (`day` ≥ the window), for follow-up activation rates.
    func recordLater(customer: Int, behaviour: Int, day: Int, count: Int)
}

/// A sink that can start loading the counts a customer's row will add to, some rows before the row is parsed
/// (`ExportAccumulator`: the customer's entries in its pair tables). A speed hint inside the package: the event
/// reader asks for it once, and a sink without it is fed the same rows.
package protocol PrefetchingEventSink: FirstWindowEventSink {
    /// Starts loading what `record` or `recordLater` for this customer will touch. Must not change any state.
    func prefetchCounts(customer: Int)
}
