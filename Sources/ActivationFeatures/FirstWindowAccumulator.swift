import ActivationCore
import ActivationFastPaths
import ActivationIngest

/// Accumulates each customer's first-window activity per behaviour as it streams in: one count per customer,
/// behaviour and day of the window, and the distinct users seen; after the window, two follow-up counts (to day 90,
/// and later) for activation rates "within 90 days" and "ever". Memory is customers × behaviours × (window days + 2),
/// independent of the number of events.
public final class FirstWindowAccumulator: FirstWindowEventSink {
    public let customerCount: Int
    public let windowDays: Int
    /// Days since signup the first follow-up count covers: up to day 90, or to the window's end if that is later.
    public var followUpHorizon: Int { FollowUp.horizon(windowDays: windowDays) }
    /// Per behaviour: `customer * windowDays + day` → events that day (saturating).
    package internal(set) var daily: [[UInt32]] = []
    /// Behaviour `b`'s follow-up counts start at `b * 2 * customerCount` (one flat array, so that a merge writes
    /// through one pointer): `+ 2 * customer` → events from the window's end to `followUpHorizon`,
    /// `+ 2 * customer + 1` → events on or after `followUpHorizon` (saturating).
    package internal(set) var later: [UInt32] = []

    /// Behaviour `b`'s follow-up counts: `[2 * customer]` and `[2 * customer + 1]`.
    package func laterCounts(_ b: Int) -> [UInt32] { Array(later[(2 * customerCount * b)..<(2 * customerCount * (b + 1))]) }
    /// Whether any event after the first window was recorded (a feature table made elsewhere may not carry them).
    package internal(set) var sawLaterEvents = false
    /// Distinct users per behaviour and customer, flat: `behaviour * customerCount + customer`.
    private var distinctUsers: [Int32] = []

    /// Behaviour `b`'s distinct users per customer.
    package func distinctUserCounts(_ b: Int) -> [Int32] { Array(distinctUsers[(customerCount * b)..<(customerCount * (b + 1))]) }
    /// (customer, behaviour, user) triples already counted (`CountCells.userKey`).
    private var seenUsers = KeySet()
    package internal(set) var sawUsers = false

    public init(customerCount: Int, windowDays: Int) {
        precondition(customerCount < CountCells.maximumCells, "more than 4 billion customers")
        self.customerCount = customerCount
        self.windowDays = windowDays
    }

    public func addBehaviour() {
        precondition((daily.count + 1) * customerCount < CountCells.maximumCells, "more than 2^32 customer-behaviour cells")
        daily.append([UInt32](repeating: 0, count: customerCount * windowDays))
        distinctUsers.append(contentsOf: repeatElement(0, count: customerCount))
        later.append(contentsOf: repeatElement(0, count: customerCount * 2))
    }

    /// One event row after the first window, for the follow-up counts: `day` is 0-based from signup, at least
    /// `windowDays`.
    @inline(__always)
    public func recordLater(customer: Int, behaviour: Int, day: Int, count: Int) {
        sawLaterEvents = true
        later[2 * customerCount * behaviour + CountCells.followUp(customer: customer, day: day, horizon: followUpHorizon)].addSaturating(UInt32(clamping: count))
    }

    @inline(__always)
    public func record(customer: Int, behaviour: Int, day: Int, user: Int, count: Int) {
        daily[behaviour][customer * windowDays + day].addSaturating(UInt32(clamping: count))
        if user >= 0 { insertUser(customer: customer, behaviour: behaviour, user: user) }
    }

    /// Sets a customer's distinct users for a behaviour directly, for feature tables computed elsewhere (SQL), where
    /// the distinct count comes ready-made.
    public func setDistinctUsers(customer: Int, behaviour: Int, count: Int) {
        sawUsers = true
        distinctUsers[behaviour * customerCount + customer] = Int32(clamping: count)
    }

    /// Counts a (customer, behaviour, user) triple once.
    @inline(__always)
    package func insertUser(customer: Int, behaviour: Int, user: Int) {
        sawUsers = true
        if seenUsers.insert(CountCells.userKey(customer: customer, behaviour: behaviour, user: user, customers: customerCount)).inserted {
            distinctUsers[behaviour * customerCount + customer] += 1
        }
    }

    /// Counts packed (customer, behaviour, user) triples (`CountCells.userKey`), each once: a merge's many at once.
    package func insertUsers(keys: [UInt64]) {
        guard !keys.isEmpty else { return }
        sawUsers = true
        let customers = customerCount
        distinctUsers.withUnsafeMutableBufferPointer { distinct in
            keys.withUnsafeBufferPointer { keys in
                seenUsers.insertAll(keys) { key in
                    let (customer, behaviour, _) = CountCells.unpackUserKey(key, customers: customers)
                    distinct[behaviour * customers + customer] += 1
                }
            }
        }
    }

    /// Takes back one row's count (a duplicate of an earlier export's row found when merging): `day` inside the
    /// window or, past it, a follow-up count.
    package func subtract(customer: Int, behaviour: Int, day: Int, count: UInt32) {
        if day < windowDays {
            let cell = customer * windowDays + day
            daily[behaviour][cell] -= min(daily[behaviour][cell], count)
        } else {
            let cell = 2 * customerCount * behaviour + CountCells.followUp(customer: customer, day: day, horizon: followUpHorizon)
            later[cell] -= min(later[cell], count)
        }
    }
}
