/// Receives the records of one file, in order.
public protocol CSVRecordSink: AnyObject {
    func consume(_ record: CSVRecord)
    func syntaxError(_ error: CSVSyntaxError)
    /// True once the sink needs no more records (it stopped the read, e.g. for memory): the reader then stops at
    /// the end of the chunk it is in. Asked once per chunk read, not per record.
    var stopsReading: Bool { get }
}

extension CSVRecordSink {
    public var stopsReading: Bool { false }
}

/// A sink that is shown each raw line some rows before the parser reaches it, to start loading what that line's
/// record will need (the event reader's customer lookups: `EventIngestor`). A speed hint inside the package, not
/// part of the readers' public contract: `CSVReader` asks for it once per read.
package protocol PrefetchingRecordSink: CSVRecordSink {
    /// A raw line some rows ahead of the record being parsed (not yet parsed; it may even be part of a quoted
    /// field). Must not change any state that affects results.
    func prefetch(line: UnsafeBufferPointer<UInt8>)
    /// The same line again, `CSVReader.countsLookahead` rows ahead, when what `prefetch(line:)` started loading
    /// has arrived: the place to start loading what depends on it (the counts the row will add to, found from the
    /// customer and behaviour). Must not change any state that affects results.
    func prefetchCounts(line: UnsafeBufferPointer<UInt8>)
}
