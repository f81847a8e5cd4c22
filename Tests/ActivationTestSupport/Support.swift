import ActivationCore
import ActivationFastPaths
import ActivationIngest
import Foundation

/// Collects what the CSV reader hands over, as plain values.
package final class RecordingSink: CSVRecordSink {
    package var records: [(line: Int, fields: [String], raw: String)] = []
    package var errors: [CSVSyntaxError] = []
    package init() {}
    package func consume(_ record: CSVRecord) {
        records.append((record.line, (0..<record.count).map { record.string($0) }, record.rawText))
    }
    package func syntaxError(_ error: CSVSyntaxError) { errors.append(error) }
}

package func parseCSV(_ text: String, chunkSize: Int = 1 << 20) throws -> RecordingSink {
    try parseCSV(bytes: Array(text.utf8), chunkSize: chunkSize)
}

package func parseCSV(bytes: [UInt8], chunkSize: Int = 1 << 20) throws -> RecordingSink {
    var source = MemoryByteSource(bytes)
    let sink = RecordingSink()
    var reader = CSVReader()
    reader.chunkSize = chunkSize
    try reader.read(&source, into: sink)
    return sink
}

/// Paths in the repository.
package enum Repository {
    package static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    package static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// A fresh temporary directory, removed by the caller's `defer`.
package func temporaryDirectory(_ name: String = #function) -> URL {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("activation-tests-\(safe)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

package func write(_ text: String, to url: URL) {
    try! Data(text.utf8).write(to: url)
}

/// Day number of a civil date.
package func day(_ y: Int, _ m: Int, _ d: Int) -> Int { TimestampParser.daysFromCivil(year: y, month: m, day: d) }
