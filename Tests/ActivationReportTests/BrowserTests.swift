import ActivationPipeline
import ActivationReport
import ActivationTestSupport
import Foundation
import Testing

/// `activation-report.html` opened in a real headless Chromium (Debian `chromium`, installed by `make test-deps`):
/// no script or policy errors, no console messages, no horizontal scroll at 1280 px, every chart laid out visibly.
/// Screenshots are left in `.build/report-screenshots/` for a person to look at.
@Suite("Report: the HTML page in a real browser", .serialized)
struct BrowserTests {
    static let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs the browser with a fresh profile; returns its exit status, standard output and standard error.
    static func chromium(_ arguments: [String]) throws -> (Int32, String, String) {
        let browser = try #require(browser)
        let profile = temporaryDirectory("chromium-profile")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                             "--disable-background-networking", "--hide-scrollbars", "--user-data-dir=\(profile.path)",
                             "--enable-logging=stderr", "--v=0"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while it runs, so that a full pipe never blocks it; stop it if it hangs.
        nonisolated(unsafe) var output = Data(), errors = Data()
        let group = DispatchGroup()
        group.enter(); DispatchQueue.global().async { output = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { errors = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        group.wait()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    static func attribute(_ name: String, in dom: String) -> String? {
        guard let html = dom.range(of: "<html"), let end = dom[html.upperBound...].range(of: ">") else { return nil }
        let tag = dom[html.upperBound..<end.lowerBound]
        guard let start = tag.range(of: "\(name)=\"") else { return nil }
        return String(tag[start.upperBound...].prefix { $0 != "\"" })
    }

    @Test func theReportOpensCleanlyAt1280PixelsWithEveryChartVisible() throws {
        #expect(Self.browser != nil, "chromium (Debian package chromium) is missing: `make test-deps` installs it")
        guard Self.browser != nil else { return }
        let result = ChartsAndActionsTests.result
        let markdown = MarkdownReport.render(result)
        let charts = ReportCharts.all(result)
        let folder = URL(fileURLWithPath: Repository.path(".build/report-screenshots"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let page = folder.appendingPathComponent(HTMLReport.fileName)
        try Data(HTMLReport.render(markdown: markdown, charts: charts).utf8).write(to: page)
        try Data(markdown.utf8).write(to: folder.appendingPathComponent("activation-report.md"))
        for chart in charts { try Data(chart.contents.utf8).write(to: folder.appendingPathComponent(chart.name)) }

        let (status, dom, log) = try Self.chromium(["--window-size=1280,1000", "--virtual-time-budget=3000", "--dump-dom", page.absoluteString])
        #expect(status == 0, "chromium exited with \(status): \(log.suffix(2000))")
        #expect(Self.attribute("data-errors", in: dom) == "0", "script or content-policy errors on the page")
        let width = Int(Self.attribute("data-scroll-width", in: dom) ?? "") ?? .max
        #expect(width <= 1280, "the page scrolls sideways at 1280 px: \(width) px wide")
        #expect(Self.attribute("data-charts", in: dom) == String(charts.count))
        #expect(Self.attribute("data-charts-visible", in: dom) == String(charts.count), "charts laid out with no size")
        let console = log.split(separator: "\n").filter { $0.contains("CONSOLE") }
        #expect(console.isEmpty, "console messages: \(console.prefix(5))")

        // For a person to look at: the first screen, and the whole page.
        for (name, size) in [("report-1280-first-screen.png", "1280,900"), ("report-1280-full.png", "1280,9000")] {
            let png = folder.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: png)
            let (shot, _, shotLog) = try Self.chromium(["--window-size=\(size)", "--virtual-time-budget=3000", "--screenshot=\(png.path)", page.absoluteString])
            #expect(shot == 0, "\(name): \(shotLog.suffix(1000))")
            let bytes = (try? Data(contentsOf: png)) ?? Data()
            #expect(bytes.count > 10_000 && bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) was not written")
        }
    }
}
