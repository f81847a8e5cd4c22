import ActivationCore
import ActivationFastPaths
import ActivationIngest
import ActivationTestSupport
import Testing

/// The one header, reject and syntax-error layer the four table readers share (`CSVTableRows`), checked through
/// each reader: the same input damage gives the same outcome and the same words in all of them.
@Suite("Ingest: the table readers' shared header, reject and syntax-error rules")
struct CSVTableRowsTests {
    /// A sink that resolves one required column, so the layer is seen on its own.
    final class OneColumnSink: CSVRecordSink {
        var rows = CSVTableRows(file: "t.csv")
        var idIndex = -1
        var used: [String] = []
        func syntaxError(_ error: CSVSyntaxError) { rows.syntaxError(error) }
        func consume(_ record: CSVRecord) {
            guard rows.admit(record, by: self, resolve: { sink, header in
                sink.idIndex = try header.require("id", option: "--id")
            }) else { return }
            used.append(record.string(idIndex))
        }
    }

    static func read(_ text: String) throws -> OneColumnSink {
        let sink = OneColumnSink()
        var source = MemoryByteSource(text)
        try CSVReader().read(&source, into: sink)
        return sink
    }

    @Test func everyRowIsUsedOrRejectedAndTheCountsAddUp() throws {
        let sink = try Self.read("x,id\n1,a\n2\n3,b,extra\n4,\"c\"d\n5,e\n")
        #expect(sink.used == ["a", "e"])
        #expect(sink.rows.rowsRead == 5)
        #expect(sink.rows.rejects.map(\.reason) == [.wrongFieldCount, .wrongFieldCount, .malformedCSV])
        #expect(sink.rows.rejects.map(\.line) == [3, 4, 5])
        #expect(sink.rows.rejects[0].detail == "expected 2 fields as in the header, found 1")
        #expect(sink.rows.rejectedByReason == ["wrong_field_count": 2, "malformed_csv": 1])
        #expect(sink.rows.rowsRead == sink.used.count + sink.rows.rejects.count)
        try sink.rows.requireHeader(table: "the table", columns: "id")
    }

    @Test func aHeaderThatCannotBeResolvedStopsTheFileAndNoRowIsRead() throws {
        let missing = try Self.read("name,ids\n1,a\n")
        #expect(missing.used.isEmpty && missing.rows.rowsRead == 0)
        #expect(throws: InputError.self) { try missing.rows.requireHeader(table: "the table", columns: "id") }
        #expect(missing.rows.headerError?.message.contains("t.csv:1: missing required column 'id'") == true)
        #expect(missing.rows.headerError?.message.contains("closest match 'ids'") == true)

        let twice = try Self.read("id,ID\n1,a\n")
        #expect(twice.rows.headerError?.message.contains("names column 'ID' twice") == true)
        #expect(twice.used.isEmpty)

        // A header that is not valid CSV: the next record must not be taken for the header.
        let broken = try Self.read("x,\"id\"y\nid,x\n1,a\n")
        #expect(broken.rows.headerError?.message.contains("the header row is not valid CSV") == true)
        #expect(broken.used.isEmpty && broken.rows.rowsRead == 0)
    }

    @Test func anEmptyFileNamesTheTableAndTheColumnsExpected() throws {
        let empty = try Self.read("")
        #expect(throws: InputError("t.csv: the table is empty (no header row); expected columns id")) {
            try empty.rows.requireHeader(table: "the table", columns: "id")
        }
    }

    /// The four readers give the same reason and words for a row of the wrong width.
    @Test func theReadersShareTheWrongWidthRule() throws {
        var customers = MemoryByteSource("customer_id,signup_date,renewed\na,2026-01-01,yes\nb,2026-01-01\n")
        let table = try CustomerTableReader().read(&customers, file: "c.csv")
        #expect(table.rejects.map(\.detail) == ["expected 3 fields as in the header, found 2"])
        #expect(table.rowsRead == 2)

        var mapping = MemoryByteSource("user_id,account_id\nu1,a\nu2\n")
        let users = try UserAccountMap(reading: &mapping, file: "u.csv", columns: UserAccountColumns(), customers: table.table)
        #expect(users.rejects.map(\.detail) == ["expected 2 fields as in the header, found 1"])

        final class Nothing: FirstWindowEventSink {
            func addBehaviour() {}
            func record(customer: Int, behaviour: Int, day: Int, user: Int, count: Int) {}
            func recordLater(customer: Int, behaviour: Int, day: Int, count: Int) {}
        }
        let ingestor = EventIngestor(customers: table.table, windowDays: 30, columns: EventColumns(), sink: Nothing())
        var events = MemoryByteSource("customer_id,event,timestamp\na,login\na,login,2026-01-02\n")
        try ingestor.read(&events, file: "e.csv")
        #expect(ingestor.rejects.map(\.detail) == ["expected 3 fields as in the header, found 2"])
        #expect(ingestor.files[0].rowsRead == 2 && ingestor.files[0].used == 1)
        #expect(ingestor.files[0].rejected == ["wrong_field_count": 1])
    }
}
