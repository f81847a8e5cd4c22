import ActivationAnalysis
import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import ActivationReport
import ActivationStatistics
import ActivationTestSupport
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
        #expect(zeta.countPerCustomer() == [4, 0, 0])
        #expect(zeta.firstDayPerCustomer() == [3, nil, nil])
        #expect(zeta.activeDaysPerCustomer() == [2, 0, 0])
        #expect(zeta.usersPerCustomer() == [2, 0, 0])
        #expect(zeta.doers == [0])
        let alpha = t.behaviours[0]
        #expect(alpha.countPerCustomer() == [0, 5, 0])
        #expect(alpha.firstDayPerCustomer() == [nil, 9, nil])  // a zero-count row does not make a day active
        #expect(alpha.usersPerCustomer() == [0, 1, 0])
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

    /// "Reaches n by day d" against its definition on random daily counts: the first day whose running total over
    /// every day of the window (zeros included) is at least n, for each n up to a maximum below, at and above what
    /// customers reach; `dayReaching` agrees with it for each n.
    @Test func reachDaysFollowTheRunningCountDayByDay() {
        var rng = SplitMix64(seed: 19)
        let customers = 40, window = 12
        let table = (0..<customers).map { _ in
            (0..<window).map { _ in rng.next() % 3 == 0 ? Int(rng.next() % 4) : 0 }
        }
        var doers: [Int32] = [], cellStart: [Int32] = [0], days: [UInt16] = [], events: [UInt32] = []
        for (c, row) in table.enumerated() where row.contains(where: { $0 > 0 }) {
            doers.append(Int32(c))
            for (d, n) in row.enumerated() where n > 0 { days.append(UInt16(d)); events.append(UInt32(n)) }
            cellStart.append(Int32(days.count))
        }
        let daily = DailyCounts(windowDays: window, doers: doers, cellStart: cellStart, days: days, events: events)
        for maximum in [1, 3, 8, 60] {
            for c in 0..<customers {
                var expected: [Int?] = Array(repeating: nil, count: maximum)
                var running = 0
                for d in 0..<window {
                    running += table[c][d]
                    for n in 1...maximum where expected[n - 1] == nil && running >= n { expected[n - 1] = d }
                }
                var reported: [Int?] = Array(repeating: nil, count: maximum)
                var order: [Int] = []
                daily.forEachDayReaching(upTo: maximum, customer: c) { n, day in reported[n - 1] = day; order.append(n) }
                #expect(reported == expected, "customer \(c), maximum \(maximum)")
                #expect(order == Array(1..<(order.count + 1)))  // n = 1, 2, … in turn, none skipped
                for n in 1...maximum { #expect(daily.dayReaching(n, customer: c) == expected[n - 1]) }
            }
            // Every customer at once for one threshold: the doers that reach it, ascending, on the same day.
            var walked: [Int: Int] = [:], order: [Int] = []
            daily.forEachDoerReaching(maximum) { customer, day in walked[customer] = day; order.append(customer) }
            #expect(order == order.sorted() && Set(order).count == order.count)
            for c in 0..<customers { #expect(walked[c] == daily.dayReaching(maximum, customer: c), "customer \(c), threshold \(maximum)") }
        }
    }

    /// The long-form file is built in a fixed buffer emptied between customers' behaviours: the widest rows (quoted
    /// ids and names, saturated counts, many users, every day and both follow-up rows) must fit, and the text must be
    /// what the row-by-row CSV writer gives, whatever the chunk size (down to one byte: emptied before every
    /// behaviour of every customer).
    @Test func theDailyFileHoldsItsWidestRowsExactly() {
        let ids = ["plain", "with, comma", "with \"quotes\"", String(repeating: "é", count: 40)]
        let customers = ids.map { Customer(id: $0, signupDay: 0, outcome: .renewed, segment: "s", acv: nil) }
        let acc = FirstWindowAccumulator(customerCount: ids.count, windowDays: 30)
        let names = ["a", "b,c"]
        for _ in names { acc.addBehaviour() }
        for c in ids.indices {
            for b in names.indices {
                for day in 0..<30 { acc.record(customer: c, behaviour: b, day: day, user: c * 1000 + day, count: c == 3 ? Int(UInt32.max) : day + 1) }
                acc.record(customer: c, behaviour: b, day: 0, user: -1, count: 5)  // saturates customer 3's day 0
                acc.recordLater(customer: c, behaviour: b, day: 31, count: Int(UInt32.max))
                acc.recordLater(customer: c, behaviour: b, day: 400, count: 1)
            }
        }
        let t = FeatureTable(customers: customers, behaviourNames: names, accumulator: acc)
        var expected = CSVWriter(header: ["customer_id", "behaviour", "day", "events", "users", "data_end"])
        for (c, customer) in customers.enumerated() {
            for b in t.behaviours {
                for day in 0..<30 {
                    expected.row([customer.id, b.name, String(day), String(b.daily.count(customer: c, day: day)), String(b.users(customer: c)!), "1971-05-16"])
                }
                expected.row([customer.id, b.name, "30", String(b.laterCounts(customer: c).within), "", "1971-05-16"])
                expected.row([customer.id, b.name, "90", String(b.laterCounts(customer: c).after), "", "1971-05-16"])
            }
        }
        #expect(DataFiles.firstWindowDaily(t, dataEndDay: 500) == expected.text)
        for chunkBytes in [1, 100, 700, 5_000] {
            var chunks = 0
            var bytes: [UInt8] = []
            DataFiles.withFirstWindowDaily(t, dataEndDay: 500, chunkBytes: chunkBytes) { chunks += 1; bytes += $0 }
            #expect(bytes == Array(expected.text.utf8), "chunks of \(chunkBytes) bytes")
            // One byte: the header, then each customer's behaviour on its own.
            if chunkBytes == 1 { #expect(chunks == 1 + ids.count * names.count) } else { #expect(chunks > 1) }
        }
        #expect(t.behaviours[0].daily.count(customer: 3, day: 0) == UInt32.max)
    }

    /// `features.csv` is assembled from ready-made pieces in a fixed buffer: quoted ids and segments, signup dates
    /// far apart, every outcome, saturated counts, behaviours with and without users; the text must be what the
    /// row-by-row CSV writer gives at any chunk size.
    @Test func theFeatureFileIsWhatTheRowByRowWriterGives() {
        let ids = ["plain", "with, comma", "with \"quotes\"", String(repeating: "é", count: 40), " spaced "]
        let segments = ["s", "mid, market", "s", "", "enterprise"]
        let outcomes: [RenewalOutcome] = [.renewed, .churned, .undecided, .renewed, .churned]
        let customers = ids.indices.map {
            Customer(id: ids[$0], signupDay: [-400, 0, 20_000, 7, 0][$0], outcome: outcomes[$0], segment: segments[$0], acv: nil)
        }
        let acc = FirstWindowAccumulator(customerCount: ids.count, windowDays: 30)
        let names = ["a", "b,c", "d"]
        for _ in names { acc.addBehaviour() }
        for c in ids.indices where c != 2 {
            acc.record(customer: c, behaviour: 0, day: c, user: c, count: c == 3 ? Int(UInt32.max) : c + 1)
            acc.record(customer: c, behaviour: 1, day: 29, user: -1, count: 2)
        }
        let t = FeatureTable(customers: customers, behaviourNames: names, accumulator: acc)
        var header = ["customer_id", "signup_date", "segment", "renewed"]
        for b in t.behaviours {
            header += ["\(b.name)_count", "\(b.name)_first_day", "\(b.name)_active_days"] + (b.hasUsers ? ["\(b.name)_users"] : [])
        }
        var expected = CSVWriter(header: header)
        for (c, customer) in customers.enumerated() {
            var row = [customer.id, TimestampParser.dateString(day: customer.signupDay), customer.segment,
                       customer.outcome == .renewed ? "true" : customer.outcome == .churned ? "false" : ""]
            for b in t.behaviours {
                row += [String(b.count(customer: c)), b.firstDay(customer: c).map(String.init) ?? "", String(b.activeDays(customer: c))]
                if let users = b.users(customer: c) { row.append(String(users)) }
            }
            expected.row(row)
        }
        #expect(DataFiles.features(t) == expected.text)
        for chunkBytes in [1, 100, 5_000] {
            var chunks = 0
            var bytes: [UInt8] = []
            DataFiles.withFeatures(t, chunkBytes: chunkBytes) { chunks += 1; bytes += $0 }
            #expect(bytes == Array(expected.text.utf8), "chunks of \(chunkBytes) bytes")
            // The buffer is emptied once past the chunk size or the header's length, whichever is more.
            #expect(chunkBytes == 5_000 ? chunks == 1 : chunks > 1)
        }
    }

    @Test func followUpCountsReachPastTheWindowToDay90AndEver() {
        let customers = (0..<4).map { Customer(id: "c\($0)", signupDay: 0, outcome: .renewed, segment: "s", acv: nil) }
        let acc = FirstWindowAccumulator(customerCount: 4, windowDays: 30)
        acc.addBehaviour()
        acc.record(customer: 0, behaviour: 0, day: 2, user: -1, count: 1)
        acc.recordLater(customer: 0, behaviour: 0, day: 30, count: 1)   // day 30: first day after the window
        acc.recordLater(customer: 1, behaviour: 0, day: 89, count: 2)   // last day of the 90
        acc.recordLater(customer: 2, behaviour: 0, day: 90, count: 2)   // first day past them
        acc.recordLater(customer: 3, behaviour: 0, day: 400, count: 7)
        let t = FeatureTable(customers: customers, behaviourNames: ["x"], accumulator: acc)
        let x = t.behaviours[0]
        #expect(t.hasFollowUp && t.followUpHorizon == 90)
        #expect(x.countPerCustomer() == [1, 0, 0, 0])  // the first-window features are untouched
        #expect((0..<4).map { x.countSinceSignup(withinDays: 30, customer: $0) } == [1, 0, 0, 0])
        #expect((0..<4).map { x.countSinceSignup(withinDays: 90, customer: $0) } == [2, 2, 0, 0])
        #expect((0..<4).map { x.countSinceSignup(withinDays: nil, customer: $0) } == [2, 2, 2, 7])
        let rule = ActivationRule(conditions: [.init(behaviour: "x", threshold: 2)], windowDays: 14)
        #expect(rule.reached(withinDays: 14, in: t) == [false, false, false, false])
        #expect(rule.reached(withinDays: 90, in: t) == [true, true, false, false])
        #expect(rule.reached(withinDays: nil, in: t) == [true, true, true, true])
        // Written to first_window_daily.csv as two follow-up rows at most, and read back to the same counts.
        let daily = DataFiles.firstWindowDaily(t, dataEndDay: 500)
        #expect(daily.contains("c0,x,30,1,,1971-05-16") && daily.contains("c2,x,90,2,,") && daily.contains("c3,x,90,7,,"))
        // A feature table made elsewhere without follow-up rows says so instead of showing 0%.
        let bare = FirstWindowAccumulator(customerCount: 4, windowDays: 30)
        bare.addBehaviour()
        #expect(!FeatureTable(customers: customers, behaviourNames: ["x"], accumulator: bare, followUpComplete: false).hasFollowUp)
        // With a window longer than 90 days, the 90 fall inside it and only "later" is a follow-up count.
        let long = FirstWindowAccumulator(customerCount: 1, windowDays: 120)
        long.addBehaviour()
        long.record(customer: 0, behaviour: 0, day: 100, user: -1, count: 1)
        long.recordLater(customer: 0, behaviour: 0, day: 130, count: 1)
        let l = FeatureTable(customers: [customers[0]], behaviourNames: ["x"], accumulator: long).behaviours[0]
        #expect(l.countSinceSignup(withinDays: 90, customer: 0) == 0 && l.countSinceSignup(withinDays: nil, customer: 0) == 2)
    }

    @Test func cohortRatesAreShownOnlyForMonthsWithEnoughFollowUp() {
        // Two March signups (days 20,513 and 20,527 = 2026-03-15, 2026-03-29) and one in May.
        let march15 = TimestampParser.daysFromCivil(year: 2026, month: 3, day: 15)
        let customers = [march15, march15 + 14, march15 + 60].enumerated().map {
            Customer(id: "c\($0.offset)", signupDay: $0.element, outcome: .undecided, segment: "s", acv: nil)
        }
        let end = march15 + 14 + 89  // the later March signup has exactly 90 days of data
        let cohorts = CohortActivation(customers: customers, horizons: [.days(30), .days(90), .ever],
                                       reached: [.days(90): [true, false, true], .ever: [true, true, true]], dataEndDay: end)
        #expect(cohorts.rows.map(\.cohort) == ["2026-03", "2026-05"])
        let march = cohorts.rows[0], may = cohorts.rows[1]
        #expect((march.rates[.days(90)] ?? nil).map { [$0.reached, $0.of] } == [1, 2])
        #expect((may.rates[.days(90)] ?? nil) == nil)          // 44 days of data only
        #expect((may.rates[.ever] ?? nil).map { [$0.reached, $0.of] } == [1, 1])
        #expect((march.rates[.days(30)] ?? nil) == nil)         // not computed: unknown, never 0%
        #expect(march.minimumFollowUpDays == 90 && may.minimumFollowUpDays == 44)
        #expect(cohorts.horizons.map(\.label) == ["within 30 days", "within 90 days", "ever"])
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
