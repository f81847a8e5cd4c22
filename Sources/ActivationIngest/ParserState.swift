import ActivationFastPaths
import CLibCSV
import Glibc

/// The mutable state behind libcsv's callbacks, reached through its `void *data` pointer.
package final class ParserState {
    package var parser = csv_parser()
    package let sink: any CSVRecordSink
    package var bytes: UnsafeMutablePointer<UInt8>
    package var byteCapacity = 4096
    package var byteCount = 0
    package var ends: UnsafeMutablePointer<Int>
    package var endCapacity = 64
    package var fieldCount = 0
    /// The open record's raw text when it spans several fed pieces (rare: quoted line breaks); otherwise it is
    /// `borrowed`, the one piece being fed, and no copy is made.
    package var raw: [UInt8] = []
    package var borrowed: UnsafeBufferPointer<UInt8>?
    /// Physical line number of the next line to feed (1-based).
    package var nextLine = 1
    package var recordStartLine = 1
    package var recordOpen = false
    package static let options = UInt8(CSV_STRICT | CSV_STRICT_FINI)
    /// The field delimiter (`,` by default; `;`, tab and `|` for other exports), set again at every re-initialisation.
    package let delimiter: UInt8

    package init(sink: any CSVRecordSink, delimiter: UInt8 = 0x2C) {
        self.sink = sink
        self.delimiter = delimiter
        bytes = .allocate(capacity: byteCapacity)
        ends = .allocate(capacity: endCapacity)
        raw.reserveCapacity(4096)
        csv_init(&parser, Self.options)
        csv_set_delim(&parser, delimiter)
    }

    package func release() {
        csv_free(&parser)
        bytes.deallocate()
        ends.deallocate()
    }

    @inline(__always)
    package func appendField(_ pointer: UnsafeRawPointer?, _ length: Int) {
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
    package func endRecord() {
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
        // Most records are borrowed, `raw` empty: emptying it anyway cost a uniqueness check and a call a row.
        if !raw.isEmpty { raw.removeAll(keepingCapacity: true) }
        borrowed = nil
        recordOpen = false
    }

    package func feed(_ piece: UnsafeBufferPointer<UInt8>, endsLine: Bool, maximumLines: Int) {
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
    package func report(reason: String) {
        if let borrowed { raw.append(contentsOf: borrowed); self.borrowed = nil }
        var rawCount = raw.count
        while rawCount > 0 && (raw[rawCount - 1] == 0x0A || raw[rawCount - 1] == 0x0D) { rawCount -= 1 }
        sink.syntaxError(CSVSyntaxError(line: recordStartLine, column: fieldCount + 1, reason: reason,
                                        raw: String(decoding: raw[0..<min(rawCount, 4096)], as: UTF8.self)))
        csv_free(&parser)
        parser = csv_parser()
        csv_init(&parser, Self.options)
        csv_set_delim(&parser, delimiter)
        fieldCount = 0
        byteCount = 0
        raw.removeAll(keepingCapacity: true)
        recordOpen = false
    }

    package func finish() {
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
