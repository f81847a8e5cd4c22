/// Accumulates each customer's first-window activity per behaviour as it streams in: one count per customer,
/// behaviour and day of the window, and the distinct users seen. Memory is customers × behaviours × window days,
/// independent of the number of events.
public final class FirstWindowAccumulator: FirstWindowEventSink {
    public let customerCount: Int
    public let windowDays: Int
    /// Per behaviour: `customer * windowDays + day` → events that day (saturating).
    private(set) var daily: [[UInt32]] = []
    /// Per behaviour: distinct users per customer.
    private(set) var distinctUsers: [[Int32]] = []
    /// (customer, behaviour, user) triples already counted, packed into 64 bits.
    private var seenUsers = Set<UInt64>()
    private(set) var sawUsers = false

    public init(customerCount: Int, windowDays: Int) {
        precondition(customerCount < 1 << 24, "more than 16 million customers")
        self.customerCount = customerCount
        self.windowDays = windowDays
    }

    public func addBehaviour() {
        daily.append([UInt32](repeating: 0, count: customerCount * windowDays))
        distinctUsers.append([Int32](repeating: 0, count: customerCount))
    }

    @inline(__always)
    public func record(customer: Int, behaviour: Int, day: Int, user: Int, count: Int) {
        let cell = customer * windowDays + day
        let (sum, overflow) = daily[behaviour][cell].addingReportingOverflow(UInt32(clamping: count))
        daily[behaviour][cell] = overflow ? .max : sum
        if user >= 0 {
            sawUsers = true
            let key = UInt64(customer) << 40 | UInt64(behaviour & 0xFFFF) << 24 | UInt64(user & 0xFF_FFFF)
            if seenUsers.insert(key).inserted { distinctUsers[behaviour][customer] += 1 }
        }
    }

    /// Sets a customer's distinct users for a behaviour directly, for feature tables computed elsewhere (SQL), where
    /// the distinct count comes ready-made.
    public func setDistinctUsers(customer: Int, behaviour: Int, count: Int) {
        sawUsers = true
        distinctUsers[behaviour][customer] = Int32(clamping: count)
    }

    /// Adds the counts and users of an accumulator filled by another worker over other files: its behaviour `b` is
    /// this one's `behaviourMap[b]` and its user `u` this one's `userMap[u]`. Distinct users are merged exactly: a
    /// user seen by both workers for the same customer and behaviour counts once.
    func merge(_ other: FirstWindowAccumulator, behaviourMap: [Int], userMap: [Int]) {
        for (b, target) in behaviourMap.enumerated() {
            other.daily[b].withUnsafeBufferPointer { source in
                daily[target].withUnsafeMutableBufferPointer { destination in
                    for i in 0..<source.count where source[i] > 0 {
                        let (sum, overflow) = destination[i].addingReportingOverflow(source[i])
                        destination[i] = overflow ? .max : sum
                    }
                }
            }
        }
        for key in other.seenUsers {
            let customer = key >> 40, b = Int((key >> 24) & 0xFFFF), u = Int(key & 0xFF_FFFF)
            let target = behaviourMap[b]
            let mapped = customer << 40 | UInt64(target & 0xFFFF) << 24 | UInt64(userMap[u] & 0xFF_FFFF)
            if seenUsers.insert(mapped).inserted { distinctUsers[target][Int(customer)] += 1 }
        }
        sawUsers = sawUsers || other.sawUsers
    }
}
