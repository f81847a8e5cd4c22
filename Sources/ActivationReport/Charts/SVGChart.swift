import Foundation

/// A small SVG writer for the report's charts: a plot area with titled axes, and marks drawn in data coordinates.
///
/// Output is deterministic (coordinates printed with fixed decimals, elements in drawing order), so the same run
/// writes the same bytes. Colours are the Okabe-Ito palette, distinguishable with every common colour-vision
/// deficiency; series are also told apart by their labels, never by colour alone.
///
/// Every data series is a `<g data-series="…">` group, and is named exactly once, by a legend entry or a direct label
/// carrying `data-legend="…"` with the same name: the chart test checks that pairing, and that no series is empty.
/// No text is smaller than `minimumFontSize` at display size (the charts are drawn at their natural width).
package struct SVGChart {
    /// Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, vermillion, reddish purple, sky blue.
    package static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]
    /// The smallest font size any chart uses, in pixels at display size.
    package static let minimumFontSize = 12.0

    package let width: Double, height: Double
    package let left: Double, right: Double, top: Double, bottom: Double
    package var xRange: ClosedRange<Double>
    package var yRange: ClosedRange<Double>
    private var body = ""
    private var legend: [(label: String, colour: String, series: String)] = []
    private var openSeries: String?
    package let title: String
    package let subtitle: String?
    package let xTitle: String
    package let yTitle: String

    package init(title: String, subtitle: String? = nil, xTitle: String, yTitle: String, x: ClosedRange<Double>, y: ClosedRange<Double>,
                 width: Double = 720, height: Double = 420, left: Double = 78, right: Double = 24, top: Double = 70, bottom: Double = 64) {
        self.title = title
        self.subtitle = subtitle
        self.xTitle = xTitle
        self.yTitle = yTitle
        xRange = x
        yRange = y
        (self.width, self.height, self.left, self.right, self.top, self.bottom) = (width, height, left, right, top, bottom)
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
            .replacingOccurrences(of: "\n", with: " ")
    }

    /// Starts a data series: the marks until `endSeries()` belong to it.
    package mutating func beginSeries(_ name: String) {
        endSeries()
        body += "<g data-series=\"\(Self.escape(name))\">\n"
        openSeries = name
    }

    package mutating func endSeries() {
        if openSeries != nil { body += "</g>\n" }
        openSeries = nil
    }

    package mutating func rect(x0: Double, x1: Double, y0: Double, y1: Double, fill: String, label: String? = nil, stroke: String? = nil) {
        let (a, b) = (px(min(x0, x1)), px(max(x0, x1)))
        let (c, d) = (py(max(y0, y1)), py(min(y0, y1)))
        body += "<rect x=\"\(Self.n(a))\" y=\"\(Self.n(c))\" width=\"\(Self.n(b - a))\" height=\"\(Self.n(d - c))\" fill=\"\(fill)\""
        if let stroke { body += " stroke=\"\(stroke)\" stroke-width=\"1\"" }
        body += ">"
        if let label { body += "<title>\(Self.escape(label))</title>" }
        body += "</rect>\n"
    }

    package mutating func circle(x: Double, y: Double, radius: Double = 5, fill: String, label: String? = nil) {
        body += "<circle cx=\"\(Self.n(px(x)))\" cy=\"\(Self.n(py(y)))\" r=\"\(Self.n(radius))\" fill=\"\(fill)\" stroke=\"#FFFFFF\" stroke-width=\"1\">"
        if let label { body += "<title>\(Self.escape(label))</title>" }
        body += "</circle>\n"
    }

    /// A polyline through data points; `step` draws a survival-style staircase.
    package mutating func line(_ points: [(Double, Double)], colour: String, step: Bool = false, dashed: Bool = false, width: Double = 2.5) {
        guard let first = points.first else { return }
        var d = "M\(Self.n(px(first.0))),\(Self.n(py(first.1)))"
        var previous = first
        for p in points.dropFirst() {
            if step { d += " L\(Self.n(px(p.0))),\(Self.n(py(previous.1)))" }
            d += " L\(Self.n(px(p.0))),\(Self.n(py(p.1)))"
            previous = p
        }
        body += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(Self.n(width))\"\(dashed ? " stroke-dasharray=\"6 4\"" : "") stroke-linejoin=\"round\"/>\n"
    }

    /// Text at data coordinates, nudged by `dx`, `dy` pixels; `legendFor` makes it the direct label of a series.
    package mutating func text(_ s: String, x: Double, y: Double, dx: Double = 0, dy: Double = 0, anchor: String = "middle",
                               size: Double = 12, colour: String = "#222222", bold: Bool = false, legendFor series: String? = nil) {
        textAt(s, px: px(x) + dx, py: py(y) + dy, anchor: anchor, size: size, colour: colour, bold: bold, legendFor: series)
    }

    /// Text at pixel coordinates.
    package mutating func textAt(_ s: String, px: Double, py: Double, anchor: String = "middle", size: Double = 12,
                                 colour: String = "#222222", bold: Bool = false, legendFor series: String? = nil) {
        let size = max(size, Self.minimumFontSize)
        body += "<text x=\"\(Self.n(px))\" y=\"\(Self.n(py))\" text-anchor=\"\(anchor)\" font-size=\"\(Self.n(size))\""
        if bold { body += " font-weight=\"bold\"" }
        if let series { body += " data-legend=\"\(Self.escape(series))\"" }
        body += " fill=\"\(colour)\">\(Self.escape(s))</text>\n"
    }

    /// A vertical marker line at x with a label near the top of the plot, on whichever side has more room.
    package mutating func marker(x: Double, label: String, colour: String = "#222222") {
        let x0 = px(x)
        body += "<line x1=\"\(Self.n(x0))\" y1=\"\(Self.n(top))\" x2=\"\(Self.n(x0))\" y2=\"\(Self.n(top + plotHeight))\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>\n"
        let roomRight = left + plotWidth - x0
        textAt(label, px: roomRight > Double(label.count) * 7 + 8 ? x0 + 5 : x0 - 5, py: top + 14,
               anchor: roomRight > Double(label.count) * 7 + 8 ? "start" : "end", colour: colour)
    }

    /// A horizontal reference line at y, labelled inside the plot above the line, at its left or right end (on a
    /// white halo, so that a bar behind it never hides it).
    package mutating func reference(y: Double, label: String, colour: String = "#222222", atLeft: Bool = false) {
        let y0 = py(y)
        body += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(y0))\" x2=\"\(Self.n(left + plotWidth))\" y2=\"\(Self.n(y0))\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>\n"
        body += "<text x=\"\(Self.n(atLeft ? left + 6 : left + plotWidth - 4))\" y=\"\(Self.n(y0 - 6))\" text-anchor=\"\(atLeft ? "start" : "end")\" font-size=\"12\" "
        body += "data-legend=\"\(Self.escape(label))\" fill=\"\(colour)\" stroke=\"#FFFFFF\" stroke-width=\"4\" paint-order=\"stroke\">\(Self.escape(label))</text>\n"
    }

    /// A legend entry (drawn below the plot) naming `series`.
    package mutating func addLegend(_ label: String, colour: String, series: String? = nil) {
        legend.append((label, colour, series ?? label))
    }

    /// Direct labels at the right end of lines, moved apart vertically so that none overlaps another.
    package mutating func directLabels(_ labels: [(text: String, y: Double, colour: String, series: String)], x: Double) {
        var placed = labels.map { (text: $0.text, y: py($0.y) + 4, colour: $0.colour, series: $0.series) }.sorted { $0.y < $1.y }
        for i in placed.indices.dropFirst() where placed[i].y - placed[i - 1].y < 15 { placed[i].y = placed[i - 1].y + 15 }
        for label in placed { textAt(label.text, px: px(x) + 6, py: label.y, anchor: "start", colour: label.colour, legendFor: label.series) }
    }

    /// Legend rows below the x-axis title.
    private var legendLayout: [(x: Double, row: Int)] {
        var out: [(Double, Int)] = []
        var x = left, row = 0
        for entry in legend {
            let w = 26 + Double(entry.label.count) * 7
            if x > left && x + w > width - right { x = left; row += 1 }
            out.append((x, row))
            x += w + 18
        }
        return out
    }

    /// The document: frame, grid, ticks, axis titles, marks, legend.
    package func render(xTicks: [(Double, String)], yTicks: [(Double, String)], xTickRows: [[(Double, String)]] = []) -> String {
        var me = self
        me.endSeries()
        let layout = legendLayout
        let legendRows = (layout.map(\.row).max() ?? -1) + 1
        let total = height + Double(legendRows) * 20 + (legendRows > 0 ? 6 : 0)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(total))\" viewBox=\"0 0 \(Int(width)) \(Int(total))\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\">\n"
        svg += "<title>\(Self.escape(title))</title>\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(total))\" fill=\"#FFFFFF\"/>\n"
        svg += "<text x=\"12\" y=\"24\" font-size=\"16\" font-weight=\"bold\" fill=\"#222222\">\(Self.escape(title))</text>\n"
        if let subtitle {
            svg += "<text x=\"12\" y=\"44\" font-size=\"13\" fill=\"#444444\">\(Self.escape(subtitle))</text>\n"
        }
        for (value, label) in yTicks {
            let y = py(value)
            svg += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(y))\" x2=\"\(Self.n(left + plotWidth))\" y2=\"\(Self.n(y))\" stroke=\"#DDDDDD\" stroke-width=\"1\"/>\n"
            svg += "<text x=\"\(Self.n(left - 8))\" y=\"\(Self.n(y + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"#444444\">\(Self.escape(label))</text>\n"
        }
        for (value, label) in xTicks {
            let x = px(value)
            svg += "<line x1=\"\(Self.n(x))\" y1=\"\(Self.n(top + plotHeight))\" x2=\"\(Self.n(x))\" y2=\"\(Self.n(top + plotHeight + 5))\" stroke=\"#444444\" stroke-width=\"1\"/>\n"
            svg += "<text x=\"\(Self.n(x))\" y=\"\(Self.n(top + plotHeight + 19))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#444444\">\(Self.escape(label))</text>\n"
        }
        for (k, row) in xTickRows.enumerated() {
            for (value, label) in row {
                svg += "<text x=\"\(Self.n(px(value)))\" y=\"\(Self.n(top + plotHeight + 35 + Double(k) * 15))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#444444\">\(Self.escape(label))</text>\n"
            }
        }
        svg += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(top + plotHeight))\" x2=\"\(Self.n(left + plotWidth))\" y2=\"\(Self.n(top + plotHeight))\" stroke=\"#444444\" stroke-width=\"1\"/>\n"
        svg += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(top))\" x2=\"\(Self.n(left))\" y2=\"\(Self.n(top + plotHeight))\" stroke=\"#444444\" stroke-width=\"1\"/>\n"
        svg += "<text x=\"\(Self.n(left + plotWidth / 2))\" y=\"\(Self.n(height - 12))\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222222\">\(Self.escape(xTitle))</text>\n"
        if !yTitle.isEmpty {
            svg += "<text x=\"16\" y=\"\(Self.n(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222222\" transform=\"rotate(-90 16 \(Self.n(top + plotHeight / 2)))\">\(Self.escape(yTitle))</text>\n"
        }
        svg += me.body
        for (entry, place) in zip(legend, layout) {
            let y = height + 10 + Double(place.row) * 20
            svg += "<rect x=\"\(Self.n(place.x))\" y=\"\(Self.n(y - 9))\" width=\"18\" height=\"10\" fill=\"\(entry.colour)\"/>\n"
            svg += "<text x=\"\(Self.n(place.x + 24))\" y=\"\(Self.n(y))\" font-size=\"13\" data-legend=\"\(Self.escape(entry.series))\" fill=\"#222222\">\(Self.escape(entry.label))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// Evenly spaced ticks from 0 to 1 as percentages.
    package static func percentTicks(_ step: Double = 0.25) -> [(Double, String)] {
        stride(from: 0.0, through: 1.0001, by: step).map { ($0, "\(Int(($0 * 100).rounded()))%") }
    }
}
