import ActivationCore
import ActivationFastPaths
import Foundation

/// The customer table, with ids interned for the event hot path.
public struct CustomerTable: Sendable {
    public private(set) var customers: [Customer] = []
    public private(set) var ids = ByteInterner(capacity: 1024)
    /// Short ids with their signup seconds inline, for the event hot path (`locate`).
    private var hotIndex = CustomerKeyIndex()
    public var file: String

    /// - Parameter capacity: customers expected (sizes the id tables up front; they grow past it).
    public init(file: String, capacity: Int = 0) {
        self.file = file
        guard capacity > 0 else { return }
        ids = ByteInterner(capacity: capacity)
        hotIndex = CustomerKeyIndex(capacity: capacity)
        customers.reserveCapacity(capacity)
    }

    public var count: Int { customers.count }
    /// Customers per renewal outcome.
    public var outcomeCounts: (renewed: Int, churned: Int, undecided: Int) {
        var counts = (renewed: 0, churned: 0, undecided: 0)
        for c in customers {
            switch c.outcome {
            case .renewed: counts.renewed += 1
            case .churned: counts.churned += 1
            case .undecided: counts.undecided += 1
            }
        }
        return counts
    }

    public func index(of id: String) -> Int? { ids.lookup(id) }

    /// The customer with id `bytes` and the first second of its signup day (seconds since 1970, UTC); nil when the
    /// id is not in the table. One cache line for ids of up to 16 bytes (`CustomerKeyIndex`).
    @inline(__always)
    public func locate(_ bytes: UnsafeBufferPointer<UInt8>) -> (customer: Int, signupSeconds: Int64)? {
        if bytes.count <= CustomerKeyIndex.maximumInlineLength { return hotIndex.lookup(bytes) }
        guard let customer = ids.lookup(bytes) else { return nil }
        return (customer, Int64(customers[customer].signupDay) * 86_400)
    }

    /// Starts loading what `locate(bytes)` will read (a hint for ids a few rows ahead).
    @inline(__always)
    package func prefetch(_ bytes: UnsafeBufferPointer<UInt8>) { hotIndex.prefetch(bytes) }

    package mutating func append(_ customer: Customer) -> Bool {
        var key = customer.id
        return key.withUTF8 { append(customer, idBytes: $0) }
    }

    /// Appends `customer`, whose id is `idBytes`, unless the id is taken; false when it is.
    package mutating func append(_ customer: Customer, idBytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let (id, isNew) = ids.intern(idBytes)
        if isNew {
            customers.append(customer)
            hotIndex.insert(idBytes, customer: id, signupSeconds: Int64(customer.signupDay) * 86_400)
        }
        return isNew
    }
}
