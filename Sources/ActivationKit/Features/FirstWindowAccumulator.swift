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
}
