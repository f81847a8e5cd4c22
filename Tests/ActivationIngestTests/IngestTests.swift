import ActivationCore
import ActivationFastPaths
import ActivationIngest
import ActivationTestSupport
import Foundation
import Testing

/// Records what ingest passes on, for assertions.
final class CollectingSink: FirstWindowEventSink {
    var behaviours = 0
    var events: [(customer: Int, behaviour: Int, day: Int, user: Int, count: Int)] = []
    var laterEvents: [(customer: Int, behaviour: Int, day: Int, count: Int)] = []
    func addBehaviour() { behaviours += 1 }
    func record(customer: Int, behaviour: Int, day: Int, user: Int, count: Int) {
        events.append((customer, behaviour, day, user, count))
    }
    func recordLater(customer: Int, behaviour: Int, day: Int, count: Int) {
        laterEvents.append((customer, behaviour, day, count))
    }
}

@Suite("Ingest: customer table and event exports")
struct IngestTests {
    /// ACVs as CRMs write them: either decimal mark, currency signs and codes, digit groups; never a decimal comma
    /// read as a thousands separator (`2365,95` is not 236,595).
    @Test func acvSpellingsReadAsTheAmountTheyMean() {
        func amount(_ text: String) -> (Bool, Double?) {
            var text = text
            return text.withUTF8 { let a = CustomerTableReader.Sink.amount($0); return (a.valid, a.value) }
        }
        let read: [(String, Double)] = [
            ("6161.72", 6161.72), ("7,271.47", 7271.47), ("€13,286.74", 13286.74), ("2365,95", 2365.95),
            ("2770.70 EUR", 2770.70), ("1.200,50 €", 1200.50), ("$1,200,000", 1_200_000), ("1.200.000", 1_200_000),
            ("USD 950", 950), ("1'200.50", 1200.50), ("12 500", 12_500), ("6529,1", 6529.1), ("1,234", 1234), ("0", 0), ("1e3", 1000), ("1E+03", 1000),
        ]
        for (text, value) in read {
            let (valid, got) = amount(text)
            #expect(valid && got == value, "\(text) read as \(String(describing: got))")
        }
        for text in ["N/A", "lots", "12,3456", "-5", "1,2,3", "1.200,50,3", "€"] {
            let (valid, got) = amount(text)
            #expect(!valid || (text == "€" && got == nil), "\(text) accepted as \(String(describing: got))")
        }
        #expect(amount("").1 == nil && amount("").0)
        // The plain spellings' shortcut reads what the general reading reads, and leaves every other spelling to it.
        var state: UInt64 = 19
        func next() -> UInt64 { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return state >> 17 }
        var plain = ["0", "00012", "4200.50", "0.001", "13500", "999999999999999999999", "12.", ".5", "1..2", "1.2.3", "1e3", "١٢"]
        for _ in 0..<2_000 {
            var t = String(next() % 1_000_000_000)
            if next() % 2 == 0 { t += "." + String(next() % 10_000) }
            plain.append(t)
        }
        for text in plain {
            var text = text
            let (fast, general) = text.withUTF8 { (CustomerTableReader.Sink.plainAmount($0), CustomerTableReader.Sink.generalAmount($0)) }
            if let fast { #expect(general.valid && general.value == fast, "\(text)") }
            #expect(amount(text).0 == general.valid && amount(text).1 == general.value, "\(text)")
        }
        #expect(["12.", ".5", "1..2", "1.2.3", "1e3"].allSatisfy { t in var t = t; return t.withUTF8 { CustomerTableReader.Sink.plainAmount($0) } == nil })
    }

    static func customers(_ text: String) throws -> CustomerTableReader.Result {
        var source = MemoryByteSource(text)
        return try CustomerTableReader().read(&source, file: "customers.csv")
    }

    @Test func customerTableParsesLabelsDatesAndSegments() throws {
        let result = try Self.customers("""
        Customer_ID , Signup_Date,RENEWED,segment,acv
        a,2026-03-04,Yes,enterprise,"$120,000"
        b,2026-03-04T23:30:00-05:00,0,,
        c,2026-03-05,,self-serve,900
        d,2026-03-05,TRUE,self-serve,900
        """)
        let t = result.table
        #expect(t.count == 4)
        #expect(t.customers[0].outcome == .renewed)
        #expect(t.customers[0].acv == 120_000)
        #expect(t.customers[1].outcome == .churned)
        // The date as written, whatever the offset: a US evening signup must not move to the next UTC day (issue 17).
        #expect(t.customers[1].signupDay == day(2026, 3, 4))
        #expect(t.customers[1].segment == "unknown")
        #expect(t.customers[2].outcome == .undecided)
        #expect(t.customers[3].outcome == .renewed)
        #expect(result.rejects.isEmpty)
    }

    /// The reader works on the fields' bytes (labels compared as bytes, amounts cleaned without a `String` per row,
    /// segments made once): the same values as the `String` rules they stand for.
    @Test func amountsLabelsAndSegmentsReadFromBytes() throws {
        let result = try Self.customers("""
        customer_id,signup_date,renewed,segment,acv
        a,2026-03-04,yes,enterprise,"1,200"
        b,2026-03-04," No ",Enterprise,$ 5_000.50
        c,2026-03-04,Y," enterprise ",1e3
        d,2026-03-04,t,"",
        e,2026-03-04,F,self-serve,$
        f,2026-03-04,yes,self-serve,-3
        g,2026-03-04,yes,self-serve,inf
        h,2026-03-04,yes,self-serve,nan
        i,2026-03-04,yes,self-serve,12abc
        j,2026-03-04,maybe,self-serve,1
        """)
        let t = result.table
        // An unusable ACV keeps the customer with the field blank, counted as a field warning (issue 17, item 5).
        #expect(t.customers.map(\.id) == ["a", "b", "c", "d", "e", "f", "g", "h", "i"])
        #expect(t.customers.map(\.acv) == [1_200, 5_000.5, 1_000, nil, nil, nil, nil, nil, nil])
        #expect(t.customers.map(\.outcome) == [.renewed, .churned, .renewed, .renewed, .churned, .renewed, .renewed, .renewed, .renewed])
        #expect(t.customers.prefix(5).map(\.segment) == ["enterprise", "Enterprise", "enterprise", "unknown", "self-serve"])
        #expect(result.rejects.map(\.reason) == [.unrecognisedRenewal])
        #expect(result.fieldWarnings == ["acv": 4])
        #expect(result.firstFieldWarning?.line == 7)
        #expect(result.firstFieldWarning?.detail == "'-3' is not a non-negative amount; left blank")
    }

    /// The id tables are sized from the file's length: a table of short rows (more customers than the size
    /// suggests) and one of long rows both find every customer.
    @Test func customerTablesOfShortAndLongRowsFindEveryCustomer() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, padding) in [("short", ""), ("long", String(repeating: "x", count: 200))] {
            let path = dir.appendingPathComponent("\(name).csv").path
            let ids = (0..<20_000).map { $0 % 3 == 0 ? "customer-with-a-long-id-\($0)" : "c\($0)" }
            let rows = ids.enumerated().map { "\($1),2026-01-0\($0 % 9 + 1),\($0 % 2 == 0 ? "yes" : "no"),s\(padding)" }
            try ("customer_id,signup_date,renewed,segment\n" + rows.joined(separator: "\n")).write(toFile: path, atomically: false, encoding: .utf8)
            var source = try ExportByteSource(path: path)
            defer { source.close() }
            let table = try CustomerTableReader().read(&source, file: path).table
            #expect(table.count == ids.count)
            for (k, id) in ids.enumerated() {
                let found = Array(id.utf8).withUnsafeBufferPointer { table.locate($0) }
                #expect(found?.customer == k && found?.signupSeconds == Int64(day(2026, 1, k % 9 + 1)) * 86_400, "\(name) \(id)")
            }
        }
    }

    @Test func dirtyCustomerRowsAreRejectedWithReasons() throws {
        let result = try Self.customers("""
        customer_id,signup_date,renewed,segment,acv
        a,2026-03-04,yes,enterprise,100
        a,2026-03-04,yes,enterprise,100
        a,2026-03-09,no,enterprise,100
        b,2026-02-30,yes,x,1
        c,2026-01-10,maybe,x,1
        d,2026-01-10,no,x,lots
        ,2026-01-10,no,x,1
        e,2026-01-10,no

        """)
        #expect(result.table.count == 2)
        #expect(result.identicalDuplicates == 1)
        #expect(result.rowsRead == 8)
        #expect(result.rejects.map(\.reason) == [.conflictingDuplicateCustomer, .unparsableSignupDate, .unrecognisedRenewal,
                                                 .emptyCustomerID, .wrongFieldCount])
        #expect(result.rejects.map(\.line) == [4, 5, 6, 8, 9])
        #expect(result.fieldWarnings == ["acv": 1])
        #expect(result.rowsRead == result.table.count + result.identicalDuplicates + result.rejects.count)
    }

    @Test func missingColumnNamesTheFileTheColumnsFoundAndTheClosestMatch() throws {
        do {
            _ = try Self.customers("customer_id,signupdate,renewed\na,2026-01-01,yes\n")
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.message.hasPrefix("customers.csv:1: missing required column 'signup_date'"))
            #expect(error.message.contains("'signupdate'"))
            #expect(error.message.contains("closest match 'signupdate'"))
        }
    }

    @Test func emptyFileIsAnError() throws {
        #expect(throws: InputError.self) { try Self.customers("") }
    }

    static func ingest(_ events: String, columns: EventColumns = EventColumns(), window: Int = 30) throws
        -> (EventIngestor<CollectingSink>, CollectingSink) {
        let table = try customers("customer_id,signup_date,renewed\nacme,2026-03-04,yes\nbeta,2026-03-10,no\n").table
        let sink = CollectingSink()
        let ingestor = EventIngestor(customers: table, windowDays: window, columns: columns, sink: sink)
        var source = MemoryByteSource(events)
        try ingestor.read(&source, file: "events.csv")
        return (ingestor, sink)
    }

    @Test func windowIsHalfOpenInUTC() throws {
        let (ingestor, sink) = try Self.ingest("""
        customer_id,event,timestamp
        acme,login,2026-03-03T23:59:59Z
        acme,login,2026-03-04T00:00:00Z
        acme,login,2026-04-02T23:59:59Z
        acme,login,2026-04-03T00:00:00Z
        acme,login,2026-03-04T01:00:00+02:00
        """)
        let f = ingestor.files[0]
        #expect(f.rowsRead == 5)
        #expect(f.used == 2)
        #expect(f.beforeSignup == 2)
        #expect(f.afterWindow == 1)
        #expect(sink.events.map(\.day) == [0, 29])
    }

    @Test func everyDamagedEventRowIsRejectedWithItsReasonAndAccountingAddsUp() throws {
        let text = """
        customer_id,event,timestamp,user_id,count
        acme,login,2026-03-05T10:00:00Z,u1,3
        acme,login,2026-03-05T10:00:00Z,u1
        ,login,2026-03-05T10:00:00Z,u1,
        ghost,login,2026-03-05T10:00:00Z,u1,
        acme,,2026-03-05T10:00:00Z,u1,
        acme,login,not-a-time,u1,
        acme,login,2026-03-05T10:00:00Z,u1,-1
        acme,login,2026-03-05T10:00:00Z,u1,1.5
        acme,lo"gin,2026-03-05T10:00:00Z,u1,
        beta,"Invite, Sent",2026-03-11,u2,

        """
        var bytes = Array(text.utf8)
        bytes += Array("acme,caf\u{00E9},2026-03-05,u1,\n".utf8).map { $0 == 0xC3 ? 0xFE : $0 }
        bytes += Array("acme,login,2026-03-05,\"u1,\n".utf8)
        let table = try Self.customers("customer_id,signup_date,renewed\nacme,2026-03-04,yes\nbeta,2026-03-10,no\n").table
        let sink = CollectingSink()
        let ingestor = EventIngestor(customers: table, windowDays: 30, columns: EventColumns(), sink: sink)
        var source = MemoryByteSource(bytes)
        try ingestor.read(&source, file: "events.csv")
        let f = ingestor.files[0]
        #expect(f.rowsRead == 12)
        #expect(f.used == 2)
        let outside = f.beforeSignup + f.afterWindow
        #expect(f.rowsRead == f.used + outside + f.excluded + f.duplicates + f.rejectedTotal)
        #expect(ingestor.rejects.map(\.reason) == [.wrongFieldCount, .emptyCustomerID, .unknownCustomer, .emptyEvent,
                                                   .unparsableTimestamp, .invalidCount, .invalidCount, .malformedCSV,
                                                   .invalidUTF8, .unterminatedQuote])
        #expect(ingestor.rejects.map(\.line) == [3, 4, 5, 6, 7, 8, 9, 10, 12, 13])
        #expect(ingestor.rejects[5].column == "count")
        #expect(ingestor.rejects[2].detail.contains("ghost"))
        #expect(sink.events.map(\.count) == [3, 1])
        #expect(ingestor.behaviours.string(1) == "Invite, Sent")
    }

    @Test(arguments: [
        (EventColumns.Preset.amplitude, "user_id,device_id,event_type,event_time,country\nacme,d1,Invite Sent,2026-03-05 10:00:00.123000,FR\n"),
        (EventColumns.Preset.mixpanel, "event,distinct_id,time,$user_id\nInvite Sent,acme,1772704800,u1\n"),
        (EventColumns.Preset.segment, "anonymous_id,user_id,event,timestamp\nx,acme,Invite Sent,2026-03-05T10:00:00.000Z\n"),
    ])
    func presetsReadTheirExportShapes(preset: EventColumns.Preset, text: String) throws {
        let (ingestor, sink) = try Self.ingest(text, columns: EventColumns(preset: preset))
        #expect(ingestor.files[0].used == 1, "\(preset)")
        #expect(sink.events.first?.customer == 0)
        #expect(sink.events.first?.day == 1)
        #expect(ingestor.behaviours.string(0) == "Invite Sent")
        #expect(sink.events.first?.user == 0)
    }

    @Test func missingEventColumnIsFatalWithClosestMatch() throws {
        #expect {
            try Self.ingest("customer_id,event_name,timestamp\nacme,login,2026-03-05\n")
        } throws: { error in
            let message = (error as? InputError)?.message ?? ""
            return message.contains("events.csv:1: missing required column 'event'") && message.contains("closest match 'event_name'")
        }
    }
}
