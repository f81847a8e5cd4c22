import ActivationFastPaths
import Glibc

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
    /// The field delimiter: `,` (default), `;` (European Excel), tab or `|`.
    public var delimiter: UInt8 = 0x2C

    public init(delimiter: UInt8 = 0x2C) { self.delimiter = delimiter }

    /// How many rows ahead of the parser a scouting sink is shown a line the second time
    /// (`PrefetchingRecordSink.prefetchCounts(line:)`): nearer than the first look (12 rows), so that the loads
    /// the first look started have arrived, and far enough for the second look's to arrive too.
    package static let countsLookahead = 5

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
        let state = ParserState(sink: sink, delimiter: delimiter)
        defer { state.release() }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { buffer.deallocate() }
        var carry: [UInt8] = []
        var atFileStart = true
        let scout = sink as? any PrefetchingRecordSink
        let lookahead = scout != nil ? 12 : 1
        let countsLookahead = Self.countsLookahead
        let ringMask = 15
        let ring = UnsafeMutablePointer<Int>.allocate(capacity: ringMask + 1)
        defer { ring.deallocate() }
        // The scout and the parser state are held for the whole loop: without saying so, each call through them
        // retained and released them.
        try withExtendedLifetime((scout, state)) {
            while !sink.stopsReading {
                let n = try source.read(into: buffer, capacity: chunkSize)
                if n == 0 { break }
                var start = 0
                if atFileStart {
                    atFileStart = false
                    if n >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3 }
                }
                var position = start
                // Line ends are found by a scout running up to `lookahead` lines ahead of the parser, which shows each
                // line to the sink before libcsv gets to it (`PrefetchingRecordSink.prefetch(line:)`).
                var scouted = start
                var (head, tail) = (0, 0)  // scouted line ends not yet parsed: ring[head..<tail] (mod ring size)
                while position < n {
                    while tail - head < lookahead && scouted < n {
                        let end: Int
                        if let found = memchr(buffer + scouted, 0x0A, n - scouted) {
                            end = buffer.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                            scout?.prefetch(line: UnsafeBufferPointer(start: buffer + scouted, count: end - scouted))
                        } else {
                            end = n
                        }
                        ring[tail & ringMask] = end
                        tail += 1
                        scouted = end
                    }
                    if let scout, tail - head > countsLookahead {
                        let k = head + countsLookahead
                        let from = ring[(k - 1) & ringMask], to = ring[k & ringMask]
                        scout.prefetchCounts(line: UnsafeBufferPointer(start: buffer + from, count: to - from))
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
