import Foundation

/// A small SVG writer for the report's charts: a plot area with titled axes, and marks drawn in data coordinates.
///
/// Output is deterministic (coordinates printed with fixed decimals, elements in drawing order), so the same run
/// writes the same bytes. Colours are the Okabe-Ito palette, distinguishable with every common colour-vision
/// deficiency; series are also told apart by their legend labels, never by colour alone.
package struct SVGChart {
    /// Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, vermillion, reddish purple, sky blue.
    package static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]

    package let width = 720.0, height = 420.0
    package let left = 78.0, right = 24.0, top = 84.0, bottom = 64.0
    package var xRange: ClosedRange<Double>
    package var yRange: ClosedRange<Double>
    private var body = ""
    private var legend: [(label: String, colour: String)] = []
    package let title: String
    package let xTitle: String
    package let yTitle: String

    package init(title: String, xTitle: String, yTitle: String, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        xRange = x
        yRange = y
    }

    package var plotWidth: Double { width - left - right }
    package var plotHeight: Double { height - top - bottom }

    package func px(_ x: Double) -> Double {
        let span = xRange.upperBound - xRange.lowerBound
        return left + (span == 0 ? 0 : (x - xRange.lowerBound) / span) * plotWidth
    }

    package func py(_ y: Double) -> Double {
        let span = yRange.upperBound - yRange.lowerBound
        return top + plotHeight - (span == 0 ? 0 : (y - yRange.lowerBound) / span) * plotHeight
    }

    package static func n(_ v: Double) -> String { String(format: "%.1f", v) }

    package static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    package mutating func rect(x0: Double, x1: Double, y0: Double, y1: Double, fill: String, label: String? = nil) {
        let (a, b) = (px(min(x0, x1)), px(max(x0, x1)))
        let (c, d) = (py(max(y0, y1)), py(min(y0, y1)))
        body += "<rect x=\"\(Self.n(a))\" y=\"\(Self.n(c))\" width=\"\(Self.n(b - a))\" height=\"\(Self.n(d - c))\" fill=\"\(fill)\">"
        if let label { body += "<title>\(Self.escape(label))</title>" }
        body += "</rect>\n"
    }

    /// A polyline through data points; `step` draws a survival-style staircase.
    package mutating func line(_ points: [(Double, Double)], colour: String, label: String?, step: Bool = false, dashed: Bool = false, width: Double = 2.5) {
        guard let first = points.first else { return }
        var d = "M\(Self.n(px(first.0))),\(Self.n(py(first.1)))"
        var previous = first
        for p in points.dropFirst() {
            if step { d += " L\(Self.n(px(p.0))),\(Self.n(py(previous.1)))" }
            d += " L\(Self.n(px(p.0))),\(Self.n(py(p.1)))"
            previous = p
        }
        body += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(Self.n(width))\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
        if let label { legend.append((label, colour)) }
    }

    package mutating func text(_ s: String, x: Double, y: Double, anchor: String = "middle", size: Double = 12, colour: String = "#222222") {
        body += "<text x=\"\(Self.n(px(x)))\" y=\"\(Self.n(py(y)))\" text-anchor=\"\(anchor)\" font-size=\"\(Self.n(size))\" fill=\"\(colour)\">\(Self.escape(s))</text>\n"
    }

    /// A vertical marker line at x with a label at the top.
    package mutating func marker(x: Double, label: String) {
        body += "<line x1=\"\(Self.n(px(x)))\" y1=\"\(Self.n(top))\" x2=\"\(Self.n(px(x)))\" y2=\"\(Self.n(top + plotHeight))\" stroke=\"#D55E00\" stroke-width=\"2\" stroke-dasharray=\"5 4\"/>\n"
        body += "<text x=\"\(Self.n(px(x) + 4))\" y=\"\(Self.n(top + plotHeight - 8))\" font-size=\"12\" fill=\"#D55E00\">\(Self.escape(label))</text>\n"
    }

    package mutating func addLegend(_ label: String, colour: String) { legend.append((label, colour)) }

    /// The document: frame, grid, ticks, axis titles, marks, legend.
    package func render(xTicks: [(Double, String)], yTicks: [(Double, String)]) -> String {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        svg += "<title>\(Self.escape(title))</title>\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#FFFFFF\"/>\n"
        svg += "<text x=\"\(Self.n(left))\" y=\"28\" font-size=\"16\" font-weight=\"bold\" fill=\"#222222\">\(Self.escape(title))</text>\n"
        for (value, label) in yTicks {
            let y = py(value)
            svg += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(y))\" x2=\"\(Self.n(left + plotWidth))\" y2=\"\(Self.n(y))\" stroke=\"#DDDDDD\" stroke-width=\"1\"/>\n"
            svg += "<text x=\"\(Self.n(left - 8))\" y=\"\(Self.n(y + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"#444444\">\(Self.escape(label))</text>\n"
        }
        for (value, label) in xTicks {
            let x = px(value)
            svg += "<line x1=\"\(Self.n(x))\" y1=\"\(Self.n(top + plotHeight))\" x2=\"\(Self.n(x))\" y2=\"\(Self.n(top + plotHeight + 5))\" stroke=\"#444444\" stroke-width=\"1\"/>\n"
            svg += "<text x=\"\(Self.n(x))\" y=\"\(Self.n(top + plotHeight + 20))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#444444\">\(Self.escape(label))</text>\n"
        }
        svg += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(top + plotHeight))\" x2=\"\(Self.n(left + plotWidth))\" y2=\"\(Self.n(top + plotHeight))\" stroke=\"#444444\" stroke-width=\"1\"/>\n"
        svg += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(top))\" x2=\"\(Self.n(left))\" y2=\"\(Self.n(top + plotHeight))\" stroke=\"#444444\" stroke-width=\"1\"/>\n"
        svg += "<text x=\"\(Self.n(left + plotWidth / 2))\" y=\"\(Self.n(height - 18))\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222222\">\(Self.escape(xTitle))</text>\n"
        svg += "<text x=\"18\" y=\"\(Self.n(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222222\" transform=\"rotate(-90 18 \(Self.n(top + plotHeight / 2)))\">\(Self.escape(yTitle))</text>\n"
        svg += body
        // The legend: one or two columns of entries between the title and the plot.
        let columns = legend.contains { $0.label.count > 44 } || legend.count > 4 ? 1 : 2
        for (i, entry) in legend.prefix(columns == 1 ? 3 : 4).enumerated() {
            let y = 42 + Double(i / columns) * 14
            let x = left + Double(i % columns) * (plotWidth / 2)
            svg += "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y - 5))\" width=\"14\" height=\"5\" fill=\"\(entry.colour)\"/>\n"
            svg += "<text x=\"\(Self.n(x + 20))\" y=\"\(Self.n(y))\" font-size=\"11\" fill=\"#222222\">\(Self.escape(entry.label))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// Evenly spaced ticks from 0 to 1 as percentages.
    package static func percentTicks(_ step: Double = 0.25) -> [(Double, String)] {
        stride(from: 0.0, through: 1.0001, by: step).map { ($0, "\(Int(($0 * 100).rounded()))%") }
    }
}
