import CLibCSV
#if canImport(Glibc)
import Glibc
#endif

/// Streams a CSV file through libcsv (strict mode, strict end of file) and hands each record to a sink with its
/// physical line number and raw text.
///
/// libcsv reports records, not lines, so the reader feeds it one physical line at a time: the line on which a
/// record starts is then known exactly, even with quoted newlines, CRLF and blank lines. libcsv's error state is
/// sticky, so after a syntax error the parser is re-initialised and resumes at the next line; the broken record is
/// reported (never silently skipped). A leading UTF-8 byte-order mark is stripped.
public struct CSVReader {
    /// Records longer than this many physical lines are taken to be a runaway quoted field: they are reported
    /// as a syntax error and parsing resumes at the next line, so one stray quote cannot swallow a whole export.
    public var maximumLinesPerRecord = 10_000
    public var chunkSize = 1 << 20

    public init() {}

    /// How a read ended, for readers of a file in pieces (`ExportUnit`).
    public struct Summary: Sendable, Equatable {
        /// Physical lines read (a last line without a line break counts).
        public var lines: Int
        /// The input ended inside a record (an open quoted field): a piece cut there was not cut at a record
        /// boundary.
        public var endedInsideRecord: Bool
    }

    /// Reads every record of `source` into `sink`.
    @discardableResult
    public func read(_ source: inout some ByteSource, into sink: some CSVRecordSink) throws -> Summary {
        let state = ParserState(sink: sink)
        defer { state.release() }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { buffer.deallocate() }
        var carry: [UInt8] = []
        var atFileStart = true
        let prefetching = sink.prefetchesAhead
        let lookahead = prefetching ? 12 : 1
        let ringMask = 15
        let ring = UnsafeMutablePointer<Int>.allocate(capacity: ringMask + 1)
        defer { ring.deallocate() }
        while true {
            let n = try source.read(into: buffer, capacity: chunkSize)
            if n == 0 { break }
            var start = 0
            if atFileStart {
                atFileStart = false
                if n >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3 }
            }
            var position = start
            // Line ends are found by a scout running up to `lookahead` lines ahead of the parser, which shows each
            // line to the sink before libcsv gets to it (`CSVRecordSink.prefetch(line:)`).
            var scout = start
            var (head, tail) = (0, 0)  // scouted line ends not yet parsed: ring[head..<tail] (mod ring size)
            while position < n {
                while tail - head < lookahead && scout < n {
                    let end: Int
                    if let found = memchr(buffer + scout, 0x0A, n - scout) {
                        end = buffer.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                        if prefetching { sink.prefetch(line: UnsafeBufferPointer(start: buffer + scout, count: end - scout)) }
                    } else {
                        end = n
                    }
                    ring[tail & ringMask] = end
                    tail += 1
                    scout = end
                }
                let lineEnd = ring[head & ringMask]
                head += 1
                let complete = buffer[lineEnd - 1] == 0x0A
                if carry.isEmpty && complete {
                    state.feed(UnsafeBufferPointer(start: buffer + position, count: lineEnd - position), endsLine: true,
                               maximumLines: maximumLinesPerRecord)
                } else {
                    carry.append(contentsOf: UnsafeBufferPointer(start: buffer + position, count: lineEnd - position))
                    if complete {
                        carry.withUnsafeBufferPointer { state.feed($0, endsLine: true, maximumLines: maximumLinesPerRecord) }
                        carry.removeAll(keepingCapacity: true)
                    }
                }
                position = lineEnd
            }
        }
        let lines = state.nextLine - 1 + (carry.isEmpty ? 0 : 1)
        if !carry.isEmpty {
            carry.withUnsafeBufferPointer { state.feed($0, endsLine: false, maximumLines: maximumLinesPerRecord) }
        }
        let endedInsideRecord = carry.isEmpty && state.recordOpen
        state.finish()
        return Summary(lines: lines, endedInsideRecord: endedInsideRecord)
    }
}

/// The mutable state behind libcsv's callbacks, reached through its `void *data` pointer.
final class ParserState {
    var parser = csv_parser()
    let sink: any CSVRecordSink
    var bytes: UnsafeMutablePointer<UInt8>
    var byteCapacity = 4096
    var byteCount = 0
    var ends: UnsafeMutablePointer<Int>
    var endCapacity = 64
    var fieldCount = 0
    /// The open record's raw text when it spans several fed pieces (rare: quoted line breaks); otherwise it is
    /// `borrowed`, the one piece being fed, and no copy is made.
    var raw: [UInt8] = []
    var borrowed: UnsafeBufferPointer<UInt8>?
    /// Physical line number of the next line to feed (1-based).
    var nextLine = 1
    var recordStartLine = 1
    var recordOpen = false
    static let options = UInt8(CSV_STRICT | CSV_STRICT_FINI)

    init(sink: any CSVRecordSink) {
        self.sink = sink
        bytes = .allocate(capacity: byteCapacity)
        ends = .allocate(capacity: endCapacity)
        raw.reserveCapacity(4096)
        csv_init(&parser, Self.options)
    }

    func release() {
        csv_free(&parser)
        bytes.deallocate()
        ends.deallocate()
    }

    @inline(__always)
    func appendField(_ pointer: UnsafeRawPointer?, _ length: Int) {
        if byteCount + length > byteCapacity {
            var capacity = byteCapacity * 2
            while capacity < byteCount + length { capacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: bytes, count: byteCount)
            bytes.deallocate()
            bytes = grown
            byteCapacity = capacity
        }
        if length > 0, let pointer {
            ShortBytes.copy(pointer, to: bytes + byteCount, length)
        }
        byteCount += length
        if fieldCount == endCapacity {
            let grown = UnsafeMutablePointer<Int>.allocate(capacity: endCapacity * 2)
            grown.update(from: ends, count: fieldCount)
            ends.deallocate()
            ends = grown
            endCapacity *= 2
        }
        ends[fieldCount] = byteCount
        fieldCount += 1
    }

    @inline(__always)
    func endRecord() {
        func hand(_ rawBuffer: UnsafeBufferPointer<UInt8>) {
            var rawCount = rawBuffer.count
            while rawCount > 0 && (rawBuffer[rawCount - 1] == 0x0A || rawBuffer[rawCount - 1] == 0x0D) { rawCount -= 1 }
            let record = CSVRecord(bytes: bytes, ends: ends, count: fieldCount, line: recordStartLine,
                                   raw: UnsafeBufferPointer(rebasing: rawBuffer[0..<rawCount]))
            sink.consume(record)
        }
        if let borrowed { hand(borrowed) } else { raw.withUnsafeBufferPointer(hand) }
        fieldCount = 0
        byteCount = 0
        raw.removeAll(keepingCapacity: true)
        borrowed = nil
        recordOpen = false
    }

    func feed(_ piece: UnsafeBufferPointer<UInt8>, endsLine: Bool, maximumLines: Int) {
        if !recordOpen {
            recordStartLine = nextLine
            recordOpen = true
            borrowed = piece
        } else {
            if let borrowed { raw.append(contentsOf: borrowed); self.borrowed = nil }
            raw.append(contentsOf: piece)
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let consumed = csv_parse(&parser, piece.baseAddress, piece.count, fieldCallback, recordCallback, context)
        if consumed < piece.count {
            let reason = String(cString: csv_strerror(csv_error(&parser)))
            report(reason: "malformed CSV (\(reason)): a quote inside an unquoted field or text after a closing quote")
        } else if parser.pstate == 0 {
            // Between records: blank lines and the LF of a CRLF leave nothing pending.
            if recordOpen && fieldCount == 0 { raw.removeAll(keepingCapacity: true); borrowed = nil; recordOpen = false }
        } else if endsLine && nextLine - recordStartLine + 1 >= maximumLines {
            report(reason: "unterminated quoted field: the record starting here runs over \(maximumLines) lines")
        }
        // A record still open goes on in the next piece, whose bytes may reuse this piece's memory: keep a copy.
        if recordOpen, let borrowed { raw.append(contentsOf: borrowed); self.borrowed = nil }
        if endsLine { nextLine += 1 }
    }

    /// Reports the open record as a syntax error and restarts the parser at the next line.
    func report(reason: String) {
        if let borrowed { raw.append(contentsOf: borrowed); self.borrowed = nil }
        var rawCount = raw.count
        while rawCount > 0 && (raw[rawCount - 1] == 0x0A || raw[rawCount - 1] == 0x0D) { rawCount -= 1 }
        sink.syntaxError(CSVSyntaxError(line: recordStartLine, column: fieldCount + 1, reason: reason,
                                        raw: String(decoding: raw[0..<min(rawCount, 4096)], as: UTF8.self)))
        csv_free(&parser)
        parser = csv_parser()
        csv_init(&parser, Self.options)
        fieldCount = 0
        byteCount = 0
        raw.removeAll(keepingCapacity: true)
        recordOpen = false
    }

    func finish() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        if csv_fini(&parser, fieldCallback, recordCallback, context) != 0 {
            report(reason: "unterminated quoted field at end of file")
        }
    }
}

private func fieldCallback(_ field: UnsafeMutableRawPointer?, _ length: Int, _ context: UnsafeMutableRawPointer?) {
    Unmanaged<ParserState>.fromOpaque(context!)._withUnsafeGuaranteedRef { $0.appendField(field, length) }
}

private func recordCallback(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    Unmanaged<ParserState>.fromOpaque(context!)._withUnsafeGuaranteedRef { $0.endRecord() }
}
