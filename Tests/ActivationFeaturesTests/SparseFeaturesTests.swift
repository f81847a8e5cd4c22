import ActivationCore
import ActivationFastPaths
@testable import ActivationFeatures
import ActivationReport
import ActivationStatistics
import Testing

/// The feature table holds each behaviour for the customers who did it only (`BehaviourFeatures`): every accessor
/// and dense copy must give what the dense definition, read straight off the accumulator's daily counts, gives,
/// and the data files must be what a row-by-row writer over that definition gives, also past the 64 behaviours
/// `DataFiles.withBuffers` opens in place.
@Suite("Features: sparse per-behaviour storage against the dense definition")
struct SparseFeaturesTests {
    /// Random counts over `customers` × `behaviours` with a 30-day window: a few pairs per customer, zero-count
    /// rows, rows taken back (a pair left with users but no events), users, follow-up rows and saturated days.
    static func randomRun(customers: Int, behaviours: Int, seed: UInt64) -> (FirstWindowAccumulator, [Customer], [String]) {
        var rng = SplitMix64(seed: seed)
        func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        let acc = FirstWindowAccumulator(customerCount: customers, windowDays: 30)
        for _ in 0..<behaviours { acc.addBehaviour() }
        for _ in 0..<(customers * 3) {
            let c = int(customers), b = int(behaviours), day = int(30)
            switch int(10) {
            case 0: acc.record(customer: c, behaviour: b, day: day, user: int(4), count: 0)
            case 1: acc.recordLater(customer: c, behaviour: b, day: 30 + int(200), count: 1 + int(3))
            case 2:
                acc.record(customer: c, behaviour: b, day: day, user: int(4), count: 2)
                acc.subtract(customer: c, behaviour: b, day: day, count: 2)
            case 3: acc.record(customer: c, behaviour: b, day: day, user: -1, count: Int(UInt32.max))
            default: acc.record(customer: c, behaviour: b, day: day, user: int(6), count: 1 + int(5))
            }
        }
        let people = (0..<customers).map {
            Customer(id: "c\($0)", signupDay: 20_000 + $0 % 5, outcome: [.renewed, .churned, .undecided][$0 % 3], segment: "s\($0 % 2)", acv: nil)
        }
        // Names out of order, so that the table's (sorted) order differs from the accumulator's.
        return (acc, people, (0..<behaviours).map { "b\(String((behaviours - $0) * 7 % 1_000))-\($0)" })
    }

    @Test(arguments: [(40, 5, UInt64(1)), (300, 70, UInt64(20_261_202)), (1, 3, UInt64(9))])
    func everyAccessorIsTheDenseDefinition(customers: Int, behaviours: Int, seed: UInt64) {
        let (acc, people, names) = Self.randomRun(customers: customers, behaviours: behaviours, seed: seed)
        let table = FeatureTable(customers: people, behaviourNames: names, accumulator: acc)
        #expect(table.behaviours.count == behaviours)
        for f in table.behaviours {
            let b = names.firstIndex(of: f.name)!
            let users = acc.distinctUserCounts(b), later = acc.laterCounts(b)
            var counts: [Int] = [], firstDays: [Int?] = [], activeDays: [Int] = [], doers: [Int32] = []
            for c in 0..<customers {
                let days = (0..<30).map { Int(acc.dailyCount(customer: c, behaviour: b, day: $0)) }
                counts.append(days.reduce(0, +))
                firstDays.append(days.firstIndex { $0 > 0 })
                activeDays.append(days.filter { $0 > 0 }.count)
                if counts[c] > 0 { doers.append(Int32(c)) }
                #expect(f.count(customer: c) == counts[c])
                #expect(f.firstDay(customer: c) == firstDays[c])
                #expect(f.activeDays(customer: c) == activeDays[c])
                #expect(f.users(customer: c) == Int(users[c]))
                #expect(f.laterCounts(customer: c).within == later[2 * c] && f.laterCounts(customer: c).after == later[2 * c + 1])
                #expect(f.countSinceSignup(withinDays: nil, customer: c) == counts[c] + Int(later[2 * c]) + Int(later[2 * c + 1]))
                #expect(f.countSinceSignup(withinDays: 90, customer: c) == counts[c] + Int(later[2 * c]))
            }
            #expect(f.countPerCustomer() == counts)
            #expect(f.firstDayPerCustomer() == firstDays)
            #expect(f.activeDaysPerCustomer() == activeDays)
            #expect(f.usersPerCustomer() == users.map(Int.init))
            #expect(f.doers == doers)
            var walked: [Int32] = []
            f.forEachDoer { c, count, first, active in
                walked.append(Int32(c))
                #expect(count == counts[c] && first == firstDays[c] && active == activeDays[c])
            }
            #expect(walked == doers)
            // Only pairs that occur are held.
            #expect(f.doerCounts.count == doers.count)
            #expect(f.laterCustomers.count == (0..<customers).filter { later[2 * $0] > 0 || later[2 * $0 + 1] > 0 }.count)
            #expect(f.distinctUsers!.customers.count == users.filter { $0 != 0 }.count)
        }
    }

    @Test(arguments: [(40, 5, UInt64(2)), (120, 70, UInt64(3))])
    func theDataFilesAreWhatTheDenseDefinitionWrites(customers: Int, behaviours: Int, seed: UInt64) {
        let (acc, people, names) = Self.randomRun(customers: customers, behaviours: behaviours, seed: seed)
        let table = FeatureTable(customers: people, behaviourNames: names, accumulator: acc)
        let order = names.indices.sorted { Array(names[$0].utf8).lexicographicallyPrecedes(Array(names[$1].utf8)) }
        var header = ["customer_id", "signup_date", "segment", "renewed"]
        for b in order { header += ["\(names[b])_count", "\(names[b])_first_day", "\(names[b])_active_days", "\(names[b])_users"] }
        var features = CSVWriter(header: header)
        var daily = CSVWriter(header: ["customer_id", "behaviour", "day", "events", "users", "data_end"])
        let end = TimestampParser.dateString(day: 21_000)
        for (c, customer) in people.enumerated() {
            var row = [customer.id, TimestampParser.dateString(day: customer.signupDay), customer.segment,
                       customer.outcome == .renewed ? "true" : customer.outcome == .churned ? "false" : ""]
            for b in order {
                let days = (0..<30).map { Int(acc.dailyCount(customer: c, behaviour: b, day: $0)) }
                let users = Int(acc.distinctUserCounts(b)[c]), later = acc.laterCounts(b)
                row += [String(days.reduce(0, +)), days.firstIndex { $0 > 0 }.map(String.init) ?? "",
                        String(days.filter { $0 > 0 }.count), String(users)]
                for (day, n) in days.enumerated() where n > 0 { daily.row([customer.id, names[b], String(day), String(n), String(users), end]) }
                if later[2 * c] > 0 { daily.row([customer.id, names[b], "30", String(later[2 * c]), "", end]) }
                if later[2 * c + 1] > 0 { daily.row([customer.id, names[b], "90", String(later[2 * c + 1]), "", end]) }
            }
            features.row(row)
        }
        #expect(DataFiles.features(table) == features.text)
        #expect(DataFiles.firstWindowDaily(table, dataEndDay: 21_000) == daily.text)
    }
}
