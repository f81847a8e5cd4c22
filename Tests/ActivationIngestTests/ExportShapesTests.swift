import ActivationCore
import ActivationFastPaths
import ActivationIngest
import ActivationTestSupport
import Foundation
import Testing

/// Real export shapes: gzip, timestamp formats and zones, renamed and excluded events, overlapping exports,
/// user-level exports with a user-to-account mapping, custom renewal labels.
@Suite("Ingest: real export shapes")
struct ExportShapesTests {
    static let customerText = """
    customer_id,signup_date,renewed
    acme,2026-03-04,yes
    beta,2026-03-10,no

    """

    static func table(_ text: String = customerText) throws -> CustomerTable {
        var source = MemoryByteSource(text)
        return try CustomerTableReader().read(&source, file: "customers.csv").table
    }

    static func ingest(_ text: String, options: EventReadingOptions = EventReadingOptions(), columns: EventColumns = EventColumns(),
                       files: Int = 1) throws -> (EventIngestor<CollectingSink>, CollectingSink) {
        let sink = CollectingSink()
        let ingestor = EventIngestor(customers: try table(), windowDays: 30, columns: columns, options: options, sink: sink)
        for i in 0..<files {
            var source = MemoryByteSource(text)
            try ingestor.read(&source, file: "events-\(i).csv")
        }
        return (ingestor, sink)
    }

    static func gzip(_ url: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-kf", url.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func gzipExportReadsExactlyLikeThePlainFile() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("events.csv")
        try FileManager.default.copyItem(atPath: Repository.path("SampleData/events/events-2026-01.csv"), toPath: plain.path)
        try Self.gzip(plain)
        let compressed = dir.appendingPathComponent("events.csv.gz")
        func read(_ path: String) throws -> (EventFileAccounting, [Int]) {
            var customerSource = try ExportByteSource(path: Repository.path("SampleData/customers.csv"))
            let table = try CustomerTableReader().read(&customerSource, file: "customers.csv").table
            let sink = CollectingSink()
            let ingestor = EventIngestor(customers: table, windowDays: 30, columns: EventColumns(), sink: sink)
            var source = try ExportByteSource(path: path)
            defer { source.close() }
            try ingestor.read(&source, file: "x")
            var f = ingestor.files[0]
            f.fingerprint = source.fingerprint()
            return (f, sink.events.map { $0.customer * 1_000_000 + $0.behaviour * 1000 + $0.day })
        }
        let (a, eventsA) = try read(plain.path)
        let (b, eventsB) = try read(compressed.path)
        #expect(a.rowsRead > 5000)
        #expect(a.rowsRead == b.rowsRead && a.used == b.used && a.afterWindow == b.afterWindow && a.beforeSignup == b.beforeSignup)
        #expect(eventsA == eventsB)
        // The fingerprint is of the file on disk: the compressed bytes.
        let size = try FileManager.default.attributesOfItem(atPath: compressed.path)[.size] as! Int
        #expect(b.bytes == size && b.bytes < a.bytes)
    }

    @Test func concatenatedGzipMembersAreAllRead() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("a.csv"), second = dir.appendingPathComponent("b.csv")
        write("customer_id,event,timestamp\nacme,login,2026-03-05\n", to: first)
        write("acme,invite,2026-03-06\nbeta,login,2026-03-11\n", to: second)
        try Self.gzip(first)
        try Self.gzip(second)
        let joined = dir.appendingPathComponent("joined.csv.gz")
        try (Data(contentsOf: dir.appendingPathComponent("a.csv.gz")) + Data(contentsOf: dir.appendingPathComponent("b.csv.gz"))).write(to: joined)
        let sink = CollectingSink()
        let ingestor = EventIngestor(customers: try Self.table(), windowDays: 30, columns: EventColumns(), sink: sink)
        var source = try ExportByteSource(path: joined.path)
        try ingestor.read(&source, file: joined.path)
        #expect(ingestor.files[0].rowsRead == 3)
        #expect(ingestor.files[0].used == 3)
    }

    /// A header that another delimiter splits is named with the setting to use, even when no column is named as
    /// expected (a CRM export `Record ID;Company name;Create Date`, read as comma-separated).
    @Test func aHeaderOfAnotherDelimiterIsNamedWhateverItsColumns() throws {
        var source = MemoryByteSource("Record ID;Company name;Create Date;Deal Stage\n1;Acme;04.03.2025;Closed Won\n")
        do {
            _ = try CustomerTableReader().read(&source, file: "companies.csv")
            Issue.record("expected the header's delimiter to be named")
        } catch let error as InputError {
            #expect(error.message.contains("the header is separated by ';', not ','"), "\(error.message)")
        }
    }

    /// Warehouses unload SQL NULL as `\N` (Snowflake, MySQL) or `NULL`: such a user id is no user, not one more.
    @Test func nullUserIDsAreNoUser() throws {
        let text = """
        customer_id,event,timestamp,user_id
        acme,login,2026-03-04T10:00:00Z,u1
        acme,login,2026-03-04T11:00:00Z,\\N
        acme,login,2026-03-04T12:00:00Z,NULL
        acme,login,2026-03-04T13:00:00Z,null
        acme,login,2026-03-04T14:00:00Z,Nulls

        """
        let (ingestor, sink) = try Self.ingest(text)
        #expect(sink.events.map(\.user) == [0, -1, -1, -1, 1])
        #expect(ingestor.users.count == 2)
    }

    @Test func truncatedOrCorruptGzipIsAnErrorNamingTheFile() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("events.csv")
        try FileManager.default.copyItem(atPath: Repository.path("SampleData/events/events-2026-01.csv"), toPath: plain.path)
        try Self.gzip(plain)
        let full = try Data(contentsOf: dir.appendingPathComponent("events.csv.gz"))
        let cut = dir.appendingPathComponent("cut.csv.gz")
        try full.prefix(full.count / 2).write(to: cut)
        var corruptBytes = [UInt8](full)
        for i in stride(from: 200, to: 400, by: 7) { corruptBytes[i] ^= 0x5A }
        let corrupt = dir.appendingPathComponent("corrupt.csv.gz")
        try Data(corruptBytes).write(to: corrupt)
        // A 0-byte part is what a failed unload leaves: not an export of no rows (a plain 0-byte CSV is).
        let empty = dir.appendingPathComponent("empty.csv.gz")
        try Data().write(to: empty)
        for (file, words) in [(cut, "truncated"), (corrupt, "not a valid gzip stream"), (empty, "is empty (0 bytes)")] {
            let sink = CollectingSink()
            let ingestor = EventIngestor(customers: try Self.table(), windowDays: 30, columns: EventColumns(), sink: sink)
            var source = try ExportByteSource(path: file.path)
            do {
                try ingestor.read(&source, file: file.path)
                Issue.record("expected an error for \(file.lastPathComponent)")
            } catch let error as InputError {
                #expect(error.message.hasPrefix(file.path))
                #expect(error.message.contains(words), "\(error.message)")
            }
        }
    }

    @Test func timestampPatternsEpochFormsAndZones() throws {
        func seconds(_ text: String, _ format: String, zone: String = "UTC") throws -> Int64? {
            let reader = try TimestampReader(format: try TimestampFormat(format), zone: try NaiveTimeZone(zone))
            var text = text
            return text.withUTF8 { reader.seconds($0) }
        }
        let base = Int64(day(2026, 3, 4)) * 86_400
        #expect(try seconds("03/04/2026 10:22 PM", "%m/%d/%Y %I:%M %p") == base + 22 * 3600 + 22 * 60)
        #expect(try seconds("3/4/2026 12:05 am", "%m/%d/%Y %I:%M %p") == base + 5 * 60)
        #expect(try seconds("04.03.2026 10:22:31,5 +0100", "%d.%m.%Y %H:%M:%S,%f %z") == base + 9 * 3600 + 22 * 60 + 31)
        #expect(try seconds("02/30/2026 10:22 PM", "%m/%d/%Y %I:%M %p") == nil)
        #expect(try seconds("2026-03-04", "%m/%d/%Y") == nil)
        // Explicit epoch forms: a 12-digit value is seconds when the format says so (auto would read milliseconds).
        #expect(try seconds("100000000000", "epoch_seconds") == 100_000_000_000)
        #expect(try seconds("100000000000", "auto") == 100_000_000)
        #expect(try seconds("1772619751000", "epoch_milliseconds") == 1_772_619_751)
        // Naive timestamps in a named zone follow daylight saving; zoned ones are untouched.
        let winter = Int64(day(2026, 1, 10)) * 86_400
        #expect(try seconds("2026-01-10 00:30:00", "auto", zone: "Europe/Berlin") == winter - 1800)  // CET, UTC+1
        let summer = Int64(day(2026, 7, 10)) * 86_400
        #expect(try seconds("2026-07-10 00:30:00", "auto", zone: "Europe/Berlin") == summer - 5400)  // CEST, UTC+2
        #expect(try seconds("2026-07-10T00:30:00Z", "auto", zone: "Europe/Berlin") == summer + 1800)
        #expect(try seconds("2026-07-10 00:30:00", "auto", zone: "-05:00") == summer + 1800 + 5 * 3600)
        // A plain date names a calendar day, whatever the zone.
        #expect(try seconds("2026-07-10", "auto", zone: "America/New_York") == summer)
        #expect(throws: InputError.self) { try NaiveTimeZone("Mars/Olympus") }
        #expect(throws: InputError.self) { try TimestampFormat("%Y-%m %Q") }
        #expect(throws: InputError.self) { try TimestampFormat("dd/mm/yyyy") }
    }

    @Test func renamedEventsMergeAndExcludedEventsAreCountedNotUsed() throws {
        var options = EventReadingOptions()
        options.naming = EventNaming(renames: ["invite_teammate": ["Invite Sent", "invite_sent", "Invite*Member"]],
                                     excluded: ["billing_*", "subscription_renewed"])
        let (ingestor, sink) = try Self.ingest("""
        customer_id,event,timestamp
        acme,Invite Sent,2026-03-05
        acme,invite_sent,2026-03-06
        acme,Invite Team Member,2026-03-06
        acme,billing_invoice_paid,2026-03-07
        acme,subscription_renewed,2026-03-08
        beta,login,2026-03-11

        """, options: options)
        let f = ingestor.files[0]
        #expect(f.rowsRead == 6 && f.used == 4 && f.excluded == 2)
        #expect(f.rowsRead == f.used + f.beforeSignup + f.afterWindow + f.excluded + f.duplicates + f.rejectedTotal)
        #expect(ingestor.behaviours.count == 2)
        #expect(ingestor.behaviours.string(0) == "invite_teammate")
        #expect(sink.events.filter { $0.behaviour == 0 }.count == 3)
        #expect(ingestor.exportNames.map(\.name) == ["Invite Sent", "invite_sent", "Invite Team Member", "billing_invoice_paid",
                                                     "subscription_renewed", "login"])
        #expect(ingestor.exportNames[3].resolution == .excluded("billing_*"))
        #expect(throws: InputError.self) {
            try EventNaming(renames: ["a": ["x"], "b": ["x"]]).validate()
        }
    }

    @Test func overlappingExportsAreDeduplicatedWhenAsked() throws {
        let text = """
        customer_id,event,timestamp,user_id
        acme,login,2026-03-05T10:00:00Z,u1
        acme,login,2026-03-05T10:00:00Z,u1
        acme,login,2026-03-05T10:00:01Z,u1
        acme,login,2026-03-05T10:00:00Z,u2

        """
        var options = EventReadingOptions()
        options.deduplicate = true
        let (ingestor, sink) = try Self.ingest(text, options: options, files: 2)
        #expect(ingestor.files[0].used == 3 && ingestor.files[0].duplicates == 1)
        // The second export repeats the first: every row is a duplicate.
        #expect(ingestor.files[1].used == 0 && ingestor.files[1].duplicates == 4)
        #expect(sink.events.count == 3)
        // Off by default: overlapping rows count twice.
        let (plain, _) = try Self.ingest(text, files: 2)
        #expect(plain.files.map(\.used) == [4, 4] && plain.files.map(\.duplicates) == [0, 0])
    }

    @Test func rowsAfterTheWindowFeedTheFollowUpCountsAndAreDeduplicatedAtAnyDay() throws {
        // acme signed up 2026-03-04: day 30 is 2026-04-03, day 90 is 2026-06-02.
        let text = """
        customer_id,event,timestamp,user_id,count
        acme,invite,2026-04-03T00:00:00Z,u1,
        acme,invite,2026-06-01T23:59:59Z,u1,2
        acme,invite,2026-06-02T00:00:00Z,u1,
        acme,invite,2027-01-01T00:00:00Z,u1,

        """
        var options = EventReadingOptions()
        options.deduplicate = true
        let (ingestor, sink) = try Self.ingest(text, options: options, files: 2)
        #expect(sink.events.isEmpty)
        // The repeats past day 90 are de-duplicated too: "ever" and the day-90 follow-up rows count them (issue 17).
        #expect(sink.laterEvents.map(\.day) == [30, 89, 90, 303])
        #expect(sink.laterEvents.map(\.count) == [1, 2, 1, 1])
        #expect(ingestor.files.map(\.afterWindow) == [4, 0] && ingestor.files.map(\.duplicates) == [0, 4])
        for f in ingestor.files { #expect(f.rowsRead == f.used + f.beforeSignup + f.afterWindow + f.excluded + f.duplicates + f.rejectedTotal) }
    }

    @Test func userLevelEventsAggregateToAccountsThroughTheMapping() throws {
        let table = try Self.table()
        var mappingSource = MemoryByteSource("""
        user_id,account_id
        u1,acme
        u2,acme
        u3,beta
        u4,gone
        u1,acme
        u5,beta
        u5,acme
        ,acme

        """)
        let map = try UserAccountMap(reading: &mappingSource, file: "users.csv", columns: UserAccountColumns(), customers: table)
        #expect(map.userCount == 5)
        #expect(map.identicalDuplicates == 1)
        #expect(map.rejects.map(\.reason) == [.conflictingUserAccount, .emptyUserID])
        var options = EventReadingOptions()
        options.userAccounts = map
        let sink = CollectingSink()
        let ingestor = EventIngestor(customers: table, windowDays: 30, columns: EventColumns(preset: .segment), options: options, sink: sink)
        var source = MemoryByteSource("""
        user_id,event,timestamp
        u1,invite,2026-03-05T10:00:00Z
        u2,invite,2026-03-06T10:00:00Z
        u3,invite,2026-03-11T10:00:00Z
        u4,invite,2026-03-11T10:00:00Z
        u9,invite,2026-03-11T10:00:00Z

        """)
        try ingestor.read(&source, file: "segment.csv")
        let f = ingestor.files[0]
        #expect(f.used == 3)
        #expect(ingestor.rejects.map(\.reason) == [.unknownCustomer, .unknownUser])
        #expect(ingestor.rejects[0].detail.contains("account 'gone'"))
        #expect(sink.events.map(\.customer) == [0, 0, 1])
        // Distinct users per account: acme's two invites come from two users.
        #expect(Set(sink.events.filter { $0.customer == 0 }.map(\.user)).count == 2)
    }

    @Test func customRenewalLabels() throws {
        var labels = RenewalLabels()
        labels.renewed = ["active", "Won"]
        labels.churned = ["cancelled"]
        labels.undecided = ["", "pending"]
        var source = MemoryByteSource("customer_id,signup_date,renewed\na,2026-01-01,ACTIVE\nb,2026-01-01,cancelled\nc,2026-01-01,pending\nd,2026-01-01,yes\n")
        let result = try CustomerTableReader(labels: labels).read(&source, file: "c.csv")
        #expect(result.table.customers.map(\.outcome) == [.renewed, .churned, .undecided])
        #expect(result.rejects.first?.detail.contains("active/Won (renewed)") == true)
    }
}
