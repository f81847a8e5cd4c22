import ActivationCore
import ActivationPipeline
import ActivationReport
import ActivationTestSupport
import Foundation
import Testing

/// The differential fuzzer of issue 17: random valid export sets, each written in random shapes (delimiter,
/// quoting, CRLF, byte-order mark, gzip, column order and extra columns, presets, timestamp formats and zones, split
/// into several files in shuffled order), must give byte-identical `behaviours.csv` and `thresholds.csv` to the same
/// data in the canonical shape (one comma-separated file, standard columns, ISO 8601 UTC).
///
/// `ACTIVATION_FUZZ_CASES` cases (1,000 in `make test`, 10,000 in `make fuzz`); `ACTIVATION_FUZZ_SEED` picks the
/// run (the default is fixed, so a failure is reproducible; the failing case's seed is in the message).
@Suite("Export shapes: differential fuzzing")
struct ExportShapeFuzzTests {
    /// One event of the canonical data.
    struct Event { var account: String; var event: String; var seconds: Int64; var user: String; var count: Int? }

    /// SplitMix64: small, seeded, the same on every platform.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
        mutating func shuffle<T>(_ items: inout [T]) {
            guard items.count > 1 else { return }
            for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, int(0...i)) }
        }
    }

    /// A random data set: customers with renewals that lean on one behaviour, events around their first window.
    static func dataSet(_ random: inout Random) -> (customers: String, events: [Event]) {
        let count = random.int(100...160)
        let behaviours = ["login", "invite_teammate", "export report", "create_project", "comment"]
        var customers = "customer_id,signup_date,renewed,segment,acv\n"
        var events: [Event] = []
        for i in 0..<count {
            let signup = day(2025, 1, 1) + random.int(0...300)
            let engaged = random.chance(0.5)
            let renewed = random.chance(engaged ? 0.8 : 0.35)
            customers += "a\(i),\(TimestampParser.dateString(day: signup)),\(renewed ? "yes" : "no"),\(random.pick(["smb", "ent"])),\(random.int(1...90) * 100)\n"
            let users = random.int(1...3)
            for b in behaviours {
                let n = random.int(0...(b == "invite_teammate" && engaged ? 8 : 4))
                for _ in 0..<n {
                    let seconds = Int64(signup) * 86_400 + Int64(random.int(-86_400...(50 * 86_400)))
                    let count: Int? = random.chance(0.2) ? random.int(0...3) : nil
                    events.append(Event(account: "a\(i)", event: b, seconds: seconds, user: "a\(i)-u\(random.int(1...users))", count: count))
                }
            }
        }
        return (customers, events)
    }

    /// Column layout, timestamp writing and file shape of one case.
    struct Shape {
        var delimiter = FieldDelimiter.comma
        var preset = EventColumns.Preset.standard
        var order = [0, 1, 2, 3, 4]  // account, event, timestamp, user, count; 5 = an extra ignored column
        var time = 0                  // 0 ISO Z, 1 offset, 2 naive in a zone, 3 epoch s, 4 epoch ms, 5 pattern, 6 fraction
        var offsetMinutes = 0
        var crlf = false, bom = false, gzip = false, quoteAll = false, quoteSome = false
        var files = 1
        var shuffle = false
        var explicitFormat: TimestampFormat = .automatic
        var zone = NaiveTimeZone.utc

        static func random(_ r: inout Random) -> Shape {
            var s = Shape()
            s.delimiter = r.pick(FieldDelimiter.allCases)
            s.preset = r.pick(EventColumns.Preset.allCases)
            s.order = [0, 1, 2, 3, 4] + (r.chance(0.3) ? [5] : [])
            r.shuffle(&s.order)
            s.time = r.int(0...6)
            s.offsetMinutes = r.pick([-300, -210, 60, 120, 330, 0])
            s.crlf = r.chance(0.4); s.bom = r.chance(0.3); s.gzip = r.chance(0.3)
            s.quoteAll = r.chance(0.2); s.quoteSome = r.chance(0.3)
            s.files = r.int(1...4)
            s.shuffle = r.chance(0.5)
            switch s.time {
            case 3: s.explicitFormat = r.chance(0.5) ? .epochSeconds : .automatic
            case 4: s.explicitFormat = .epochMilliseconds
            case 5: s.explicitFormat = .pattern("%m/%d/%Y %I:%M:%S %p")
            case 2: s.zone = try! NaiveTimeZone(s.offsetMinutes >= 0 ? String(format: "+%02d:%02d", s.offsetMinutes / 60, s.offsetMinutes % 60)
                                                                        : String(format: "-%02d:%02d", -s.offsetMinutes / 60, -s.offsetMinutes % 60))
            default: break
            }
            return s
        }

        var columns: EventColumns {
            var c = EventColumns(preset: preset)
            c.delimiter = delimiter
            return c
        }

        /// The preset's header name of each column (the preset's user column holds the user ids).
        func name(_ column: Int) -> String {
            let c = EventColumns(preset: preset)
            return [c.customerID, c.event, c.timestamp, c.userID, c.count, "ignored_extra"][column]
        }

        func civil(_ seconds: Int64) -> (date: String, h: Int, m: Int, s: Int) {
            let day = Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
            let rest = Int(seconds - Int64(day) * 86_400)
            return (TimestampParser.dateString(day: day), rest / 3600, rest / 60 % 60, rest % 60)
        }

        func timestamp(_ seconds: Int64, _ r: inout Random) -> String {
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            switch time {
            case 1:
                let local = civil(seconds + Int64(offsetMinutes) * 60)
                let sign = offsetMinutes < 0 ? "-" : "+", o = abs(offsetMinutes)
                return "\(local.date)T\(two(local.h)):\(two(local.m)):\(two(local.s))\(sign)\(two(o / 60)):\(two(o % 60))"
            case 2:
                let local = civil(seconds + Int64(offsetMinutes) * 60)
                return "\(local.date) \(two(local.h)):\(two(local.m)):\(two(local.s))"
            case 3: return "\(seconds)"
            case 4: return "\(seconds * 1000 + Int64(r.int(0...999)))"
            case 5:
                let c = civil(seconds)
                let parts = c.date.split(separator: "-")
                let hour12 = c.h % 12 == 0 ? 12 : c.h % 12
                return "\(parts[1])/\(parts[2])/\(parts[0]) \(two(hour12)):\(two(c.m)):\(two(c.s)) \(c.h < 12 ? "AM" : "PM")"
            case 6:
                let c = civil(seconds)
                return "\(c.date) \(two(c.h)):\(two(c.m)):\(two(c.s)).\(r.int(0...999_999))"
            default:
                let c = civil(seconds)
                return "\(c.date)T\(two(c.h)):\(two(c.m)):\(two(c.s))Z"
            }
        }

        func field(_ text: String, _ r: inout Random) -> String {
            let needs = text.contains(delimiter.rawValue) || text.contains("\"")
            guard needs || quoteAll || (quoteSome && r.chance(0.3)) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }

        /// Writes the events as this shape's files into `dir`; returns their paths.
        func write(_ events: [Event], into dir: URL, _ r: inout Random) throws -> [String] {
            var rows = events
            if shuffle { r.shuffle(&rows) }
            let newline = crlf ? "\r\n" : "\n"
            let d = delimiter.rawValue
            let header = order.map { name($0) }.joined(separator: d)
            var paths: [String] = []
            let perFile = (rows.count + files - 1) / max(files, 1)
            for f in 0..<files {
                let part = rows.dropFirst(f * perFile).prefix(perFile)
                var text = (bom ? "\u{FEFF}" : "") + header + newline
                for e in part {
                    let values = order.map { column -> String in
                        switch column {
                        case 0: return e.account
                        case 1: return e.event
                        case 2: return timestamp(e.seconds, &r)
                        case 3: return e.user
                        case 4: return e.count.map(String.init) ?? ""
                        default: return "x"
                        }
                    }
                    text += values.map { field($0, &r) }.joined(separator: d) + newline
                }
                let url = dir.appendingPathComponent("events-\(f).csv")
                try Data(text.utf8).write(to: url)
                if gzip {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
                    process.arguments = ["-n", "-f", url.path]
                    try process.run()
                    process.waitUntilExit()
                    paths.append(url.path + ".gz")
                } else {
                    paths.append(url.path)
                }
            }
            return paths
        }
    }

    static func run(customers: URL, events: [String], shape: Shape, out: URL) throws -> (behaviours: String, thresholds: String) {
        var configuration = PipelineConfiguration(customersPath: customers.path, eventPaths: events, outputDirectory: out.path)
        configuration.eventColumns = shape.columns
        configuration.timestampFormat = shape.explicitFormat
        configuration.timeZone = shape.zone
        configuration.rejectBudget = 1
        configuration.minimumOutcomes = 1
        let result = try Pipeline.run(configuration)
        return (DataFiles.behaviours(result), DataFiles.thresholds(result))
    }

    static var cases: Int { Int(ProcessInfo.processInfo.environment["ACTIVATION_FUZZ_CASES"] ?? "") ?? 1_000 }
    static var seed: UInt64 { UInt64(ProcessInfo.processInfo.environment["ACTIVATION_FUZZ_SEED"] ?? "") ?? 17 }

    @Test func randomShapesGiveTheCanonicalAnswer() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shapesPerSet = 8
        var done = 0, set = 0
        while done < Self.cases {
            var random = Random(state: Self.seed &* 1_000_003 &+ UInt64(set))
            let (customers, events) = Self.dataSet(&random)
            let setDir = dir.appendingPathComponent("set")
            try? FileManager.default.removeItem(at: setDir)
            try FileManager.default.createDirectory(at: setDir, withIntermediateDirectories: true)
            let customersFile = setDir.appendingPathComponent("customers.csv")
            write(customers, to: customersFile)
            let canonicalDir = setDir.appendingPathComponent("canonical")
            try FileManager.default.createDirectory(at: canonicalDir, withIntermediateDirectories: true)
            let canonicalShape = Shape()
            let canonicalFiles = try canonicalShape.write(events, into: canonicalDir, &random)
            let expected = try Self.run(customers: customersFile, events: canonicalFiles, shape: canonicalShape, out: setDir.appendingPathComponent("out"))
            for k in 0..<min(shapesPerSet, Self.cases - done) {
                let shape = Shape.random(&random)
                let shapeDir = setDir.appendingPathComponent("shape-\(k)")
                try FileManager.default.createDirectory(at: shapeDir, withIntermediateDirectories: true)
                let files = try shape.write(events, into: shapeDir, &random)
                let got = try Self.run(customers: customersFile, events: files, shape: shape, out: setDir.appendingPathComponent("out"))
                #expect(got.behaviours == expected.behaviours, "set \(set) (seed \(Self.seed)) shape \(k): \(shape)")
                #expect(got.thresholds == expected.thresholds, "set \(set) (seed \(Self.seed)) shape \(k): \(shape)")
                done += 1
                if got.behaviours != expected.behaviours || got.thresholds != expected.thresholds { return }
            }
            set += 1
        }
    }
}
