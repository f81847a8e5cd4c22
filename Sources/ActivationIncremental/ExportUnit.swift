import ActivationFastPaths
import Dispatch
import Foundation

/// A piece of ingest work: a whole export, or, for a large plain-text export, a byte range of it cut just after a
/// line break, read behind the export's header line so that both cores can work on one big file.
///
/// A line break inside a quoted field is not a record boundary, so a cut may be unsafe. It is proven safe, not
/// assumed: the piece before the cut must end outside any record (`CSVReader.Summary.endedInsideRecord`). When it
/// does not, the merge discards the pieces after it and reads the rest of the file in one go from that piece's
/// start, which is a proven boundary (`ParallelIngest`).
package struct ExportUnit: Sendable {
    /// Index of the export in the run's file list.
    package var file: Int
    package var path: String
    /// nil: the whole file (any kind, gzip included).
    package var range: Range<Int>?
    package var isLastOfFile = true
    /// The export's first line (with its line break), put in front of pieces after the first.
    package var header: [UInt8] = []

    /// Cuts plain exports larger than `2 * pieceBytes` into pieces of about `pieceBytes`, each ending just after a
    /// line break; other exports are one unit each.
    package static func plan(_ paths: [String], sizes: [Int], pieceBytes: Int) -> [ExportUnit] {
        var units: [ExportUnit] = []
        for (i, path) in paths.enumerated() {
            let size = sizes[i]
            guard isDivisible(path, size: size, pieceBytes: pieceBytes),
                  let (header, cuts) = lineBreakCuts(path, size: size, pieces: size / pieceBytes), cuts.count > 2 else {
                units.append(ExportUnit(file: i, path: path))
                continue
            }
            for k in 0..<(cuts.count - 1) {
                units.append(ExportUnit(file: i, path: path, range: cuts[k]..<cuts[k + 1], isLastOfFile: k == cuts.count - 2,
                                        header: header))
            }
        }
        return units
    }

    /// Whether an export is cut into pieces of `pieceBytes`: plain text (a gzip stream cannot be entered at a byte
    /// offset) and larger than two pieces.
    package static func isDivisible(_ path: String, size: Int, pieceBytes: Int) -> Bool {
        pieceBytes > 0 && size > 2 * pieceBytes && !path.lowercased().hasSuffix(".gz")
    }

    /// The header line (with its line break) and the offsets 0, c1, …, size: each cut just after the first line
    /// break at or after an even share of the file (and after the header line); nil when the header line runs over
    /// 1 MiB.
    package static func lineBreakCuts(_ path: String, size: Int, pieces: Int) -> (header: [UInt8], cuts: [Int])? {
        guard let head = FileInput.read(path, 0..<min(size, 1 << 20)), let headerEnd = head.firstIndex(of: 0x0A) else { return nil }
        var cuts = [0]
        var lowest = headerEnd + 1
        for k in 1..<max(1, pieces) {
            let nominal = max(lowest, size / pieces * k)
            var offset = nominal
            var found: Int?
            while found == nil && offset < size {
                guard let window = FileInput.read(path, offset..<min(size, offset + 65_536)), !window.isEmpty else { break }
                if let i = window.firstIndex(of: 0x0A) { found = offset + i + 1 } else { offset += window.count }
            }
            guard let cut = found, cut < size else { break }
            cuts.append(cut)
            lowest = cut
        }
        cuts.append(size)
        return (Array(head[...headerEnd]), cuts)
    }
}
