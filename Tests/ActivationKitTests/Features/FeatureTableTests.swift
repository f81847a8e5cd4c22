import ActivationKit
import Testing

@Suite("Features: first-window vectors")
struct FeatureTableTests {
    static func table() -> FeatureTable {
        let customers = [
            Customer(id: "a", signupDay: 100, outcome: .renewed, segment: "s", acv: nil),
            Customer(id: "b", signupDay: 100, outcome: .churned, segment: "s", acv: nil),
            Customer(id: "c", signupDay: 100, outcome: .undecided, segment: "s", acv: nil),
        ]
        let acc = FirstWindowAccumulator(customerCount: 3, windowDays: 10)
        acc.addBehaviour()  // 0: "zeta"
        acc.addBehaviour()  // 1: "alpha"
        acc.record(customer: 0, behaviour: 0, day: 3, user: 0, count: 1)
        acc.record(customer: 0, behaviour: 0, day: 3, user: 1, count: 2)
        acc.record(customer: 0, behaviour: 0, day: 7, user: 0, count: 1)
        acc.record(customer: 1, behaviour: 1, day: 0, user: 2, count: 0)
        acc.record(customer: 1, behaviour: 1, day: 9, user: 2, count: 5)
        return FeatureTable(customers: customers, behaviourNames: ["zeta", "alpha"], accumulator: acc)
    }

    @Test func countsFirstDayActiveDaysAndUsers() {
        let t = Self.table()
        #expect(t.behaviours.map(\.name) == ["alpha", "zeta"])
        let zeta = t.behaviours[1]
        #expect(zeta.counts == [4, 0, 0])
        #expect(zeta.firstDay == [3, nil, nil])
        #expect(zeta.activeDays == [2, 0, 0])
        #expect(zeta.users == [2, 0, 0])
        let alpha = t.behaviours[0]
        #expect(alpha.counts == [0, 5, 0])
        #expect(alpha.firstDay == [nil, 9, nil])  // a zero-count row does not make a day active
        #expect(alpha.users == [0, 1, 0])
        #expect(t.decidedCustomers == [0, 1])
    }

    @Test func dayReachingAThresholdAndShorterWindows() {
        let zeta = Self.table().behaviours[1]
        #expect(zeta.dayReaching(1, customer: 0) == 3)
        #expect(zeta.dayReaching(3, customer: 0) == 3)
        #expect(zeta.dayReaching(4, customer: 0) == 7)
        #expect(zeta.dayReaching(5, customer: 0) == nil)
        #expect(zeta.count(withinDays: 7, customer: 0) == 3)
        #expect(zeta.count(withinDays: 8, customer: 0) == 4)
    }

    @Test func featuresCSVHasOneRowPerCustomerAndThreeOrFourColumnsPerBehaviour() {
        let csv = DataFiles.features(Self.table())
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0] == "customer_id,signup_date,segment,renewed,alpha_count,alpha_first_day,alpha_active_days,alpha_users,zeta_count,zeta_first_day,zeta_active_days,zeta_users")
        #expect(lines[1] == "a,1970-04-11,s,true,0,,0,0,4,3,2,2")
        #expect(lines[3] == "c,1970-04-11,s,,0,,0,0,0,,0,0")
    }
}
