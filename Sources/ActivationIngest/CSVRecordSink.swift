/// Receives the records of one file, in order.
public protocol CSVRecordSink: AnyObject {
    func consume(_ record: CSVRecord)
    func syntaxError(_ error: CSVSyntaxError)
    /// Whether `prefetch(line:)` does anything (the reader then scouts lines ahead of the parser).
    var prefetchesAhead: Bool { get }
    /// A raw line some rows ahead of the record being parsed (not yet parsed; it may even be part of a quoted
    /// field): a hint to start loading what its record will need. Must not change any state that affects results.
    func prefetch(line: UnsafeBufferPointer<UInt8>)
    /// True once the sink needs no more records (it stopped the read, e.g. for memory): the reader then stops at
    /// the end of the chunk it is in. Asked once per chunk read, not per record.
    var stopsReading: Bool { get }
}

extension CSVRecordSink {
    public var prefetchesAhead: Bool { false }
    public func prefetch(line: UnsafeBufferPointer<UInt8>) {}
    public var stopsReading: Bool { false }
}
