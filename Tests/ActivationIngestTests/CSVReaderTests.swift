import ActivationFastPaths
import ActivationIngest
import ActivationTestSupport
import Testing

@Suite("libcsv reader: physical lines, quoting, damage")
struct CSVReaderTests {
    @Test func physicalLineNumbersSurviveQuotedNewlinesBlankLinesAndCRLF() throws {
        let text = "a,b\r\n1,\"two\r\nlines\"\r\n\r\n3,\"x, y\"\r\n4,last"
        for chunk in [1, 2, 3, 7, 1 << 20] {
            let sink = try parseCSV(text, chunkSize: chunk)
            #expect(sink.errors.isEmpty)
            #expect(sink.records.map(\.line) == [1, 2, 5, 6], "chunk \(chunk)")
            #expect(sink.records[1].fields == ["1", "two\r\nlines"])
            #expect(sink.records[2].fields == ["3", "x, y"])
            #expect(sink.records[3].fields == ["4", "last"])
            #expect(sink.records[2].raw == "3,\"x, y\"")
        }
    }

    @Test func scoutingLinesAheadForPrefetchChangesNothingAndStaysAhead() throws {
        // A sink that asks to see lines ahead (as the event reader does) gets the same records at every chunk size,
        // including lines cut by chunk boundaries and quoted newlines; each line it is shown lies ahead of the parser,
        // by at most the reader's lookahead.
        var text = "a,b\n"
        for i in 0..<500 { text += i % 37 == 0 ? "\(i),\"two\nlines\"\n" : "\(i),v\(i)\n" }
        let plain = try parseCSV(text)
        for chunk in [1, 5, 64, 1000, 1 << 20] {
            var source = MemoryByteSource(Array(text.utf8))
            let sink = PrefetchingSink()
            var reader = CSVReader()
            reader.chunkSize = chunk
            try reader.read(&source, into: sink)
            #expect(sink.records.map(\.fields) == plain.records.map(\.fields), "chunk \(chunk)")
            #expect(sink.records.map(\.line) == plain.records.map(\.line), "chunk \(chunk)")
            if chunk == 1 << 20 {
                // Records 1...: the line "i,vi" is record i + 1 (0-based, after the header), unless a quoted record
                // came before it; check the plain ones: seen while fewer records than its own had been parsed.
                var checked = 0
                for (line, consumed) in sink.prefetched {
                    guard let i = Int(line.split(separator: ",")[0]), line.hasSuffix(",v\(i)\n") else { continue }
                    #expect(consumed <= i + 1 && consumed >= i + 1 - 12, "\(line) seen after \(consumed) records")
                    checked += 1
                }
                #expect(checked > 400)
                // The second look: the same whole line, `countsLookahead` lines before it is parsed (fewer records
                // when a two-line record lies between), and not before its first look.
                let firstLook = Dictionary(sink.prefetched.map { ($0.line, $0.consumed) }, uniquingKeysWith: min)
                var second = 0
                for (line, consumed) in sink.secondLooks {
                    guard let i = Int(line.split(separator: ",")[0]), line.hasSuffix(",v\(i)\n") else { continue }
                    #expect(consumed < i + 1 && consumed >= i + 1 - CSVReader.countsLookahead - 1, "\(line) seen second after \(consumed) records")
                    #expect((firstLook[line] ?? .max) <= consumed, "\(line) seen second before first")
                    second += 1
                }
                #expect(second > 400)
            }
        }
    }

    @Test func byteOrderMarkIsStripped() throws {
        let sink = try parseCSV("\u{FEFF}customer_id,event\nc1,login\n")
        #expect(sink.records[0].fields == ["customer_id", "event"])
    }

    @Test func strayQuoteIsReportedAndParsingResumesOnTheNextLine() throws {
        let sink = try parseCSV("h1,h2\nok,1\nbad\"x\",2\n\"closed\"tail,3\nfine,4\n", chunkSize: 5)
        #expect(sink.records.map(\.fields) == [["h1", "h2"], ["ok", "1"], ["fine", "4"]])
        #expect(sink.errors.map(\.line) == [3, 4])
        #expect(sink.errors[0].raw == "bad\"x\",2")
        #expect(sink.records.last?.line == 5)
    }

    @Test func unterminatedQuoteAtEndOfFileIsAnErrorNotASilentRow() throws {
        let sink = try parseCSV("h\nok\n\"never closed,\nmore")
        #expect(sink.records.map(\.fields) == [["h"], ["ok"]])
        #expect(sink.errors.count == 1)
        #expect(sink.errors[0].line == 3)
        #expect(sink.errors[0].reason.contains("unterminated"))
    }

    @Test func runawayQuotedFieldIsCutOffAfterTheLineLimit() throws {
        var text = "h1,h2\n\"opened,1\n"
        for i in 0..<20 { text += "row\(i),\(i)\n" }
        var source = MemoryByteSource(text)
        let sink = RecordingSink()
        var reader = CSVReader()
        reader.maximumLinesPerRecord = 5
        try reader.read(&source, into: sink)
        #expect(sink.errors.first?.line == 2)
        #expect(sink.errors.first?.reason.contains("unterminated") == true)
        // Parsing resumed: later rows arrive with their own line numbers.
        #expect(sink.records.last?.fields == ["row19", "19"])
        #expect(sink.records.last?.line == 22)
    }

    @Test func lastLineWithoutNewlineAndEmptyFields() throws {
        let sink = try parseCSV("a,b,c\n,,\n1,,3")
        #expect(sink.records.map(\.fields) == [["a", "b", "c"], ["", "", ""], ["1", "", "3"]])
    }
}

/// Records what the reader shows ahead of the parser, with how many records had been consumed by then.
final class PrefetchingSink: PrefetchingRecordSink {
    var records: [(line: Int, fields: [String])] = []
    var prefetched: [(line: String, consumed: Int)] = []
    func consume(_ record: CSVRecord) { records.append((record.line, (0..<record.count).map { record.string($0) })) }
    func syntaxError(_ error: CSVSyntaxError) { Issue.record("unexpected syntax error \(error)") }
    var secondLooks: [(line: String, consumed: Int)] = []
    func prefetch(line: UnsafeBufferPointer<UInt8>) { prefetched.append((String(decoding: line, as: UTF8.self), records.count)) }
    func prefetchCounts(line: UnsafeBufferPointer<UInt8>) { secondLooks.append((String(decoding: line, as: UTF8.self), records.count)) }
}
