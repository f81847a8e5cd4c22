import Foundation

/// `activation-report.html`: the Markdown report as one self-contained page (inline CSS, inline SVG charts, a few
/// lines of inline script for sortable tables), with no external request, so it works offline and when mailed, and
/// prints on A4.
///
/// It is converted from the Markdown the report writes (headings, paragraphs, lists, block quotes, tables,
/// `<details>`, images of the run's charts, and inline code, bold, italic and backslash escapes), so both reports
/// always carry the same words and numbers. Everything from the data is HTML-escaped here.
///
/// The page records its own layout on `<html>` for the browser test: `data-errors` (script errors), `data-scroll-width`
/// (the document's width) and `data-charts` / `data-charts-visible` (charts laid out with a non-zero size).
package enum HTMLReport {
    package static let fileName = "activation-report.html"

    /// The page for `markdown`, with each `![alt](name.svg)` replaced by the chart of that name from `charts`.
    package static func render(markdown: String, charts: [(name: String, contents: String)]) -> String {
        let svgs = Dictionary(charts.map { ($0.name, $0.contents) }, uniquingKeysWith: { a, _ in a })
        let title = markdown.split(separator: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? "Activation report"
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        html += "<title>\(escape(plain(title)))</title>\n<style>\n\(css)</style>\n"
        html += "<script>\n\(errorHook)</script>\n</head>\n<body>\n<main>\n"
        html += body(markdown, svgs)
        html += "</main>\n<script>\n\(script)</script>\n</body>\n</html>\n"
        return html
    }

    // MARK: - Blocks

    private static func body(_ markdown: String, _ svgs: [String: String]) -> String {
        let lines = markdown.components(separatedBy: "\n")
        var html = ""
        var i = 0
        var paragraph: [String] = []
        func flush() {
            if !paragraph.isEmpty { html += "<p>\(inline(paragraph.joined(separator: " ")))</p>\n" }
            paragraph = []
        }
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { flush(); i += 1; continue }
            if let level = headingLevel(line) {
                flush()
                let text = String(line.dropFirst(level + 1))
                html += "<h\(level) id=\"\(slug(text))\">\(inline(text))</h\(level)>\n"
                i += 1; continue
            }
            if line.hasPrefix("<details><summary>"), line.hasSuffix("</summary>") {
                flush()
                let text = String(line.dropFirst("<details><summary>".count).dropLast("</summary>".count))
                html += "<details><summary>\(inline(text))</summary>\n"
                i += 1; continue
            }
            if trimmed == "</details>" { flush(); html += "</details>\n"; i += 1; continue }
            if line.hasPrefix("!["), let close = line.range(of: "]("), line.hasSuffix(")") {
                flush()
                let alt = String(line[line.index(line.startIndex, offsetBy: 2)..<close.lowerBound])
                let name = String(line[close.upperBound..<line.index(before: line.endIndex)])
                if let svg = svgs[name] {
                    html += "<figure class=\"chart\" aria-label=\"\(escape(plain(alt)))\">\n\(svg.replacingOccurrences(of: "<svg xmlns", with: "<svg class=\"chart-svg\" xmlns"))</figure>\n"
                } else {
                    html += "<p class=\"missing\">(chart not drawn: \(inline(alt)))</p>\n"
                }
                i += 1; continue
            }
            if line.hasPrefix("|") {
                flush()
                var block: [String] = []
                while i < lines.count, lines[i].hasPrefix("|") { block.append(lines[i]); i += 1 }
                html += table(block)
                continue
            }
            if line.hasPrefix("> ") {
                flush()
                var quote: [String] = []
                while i < lines.count, lines[i].hasPrefix(">") { quote.append(String(lines[i].dropFirst(lines[i].hasPrefix("> ") ? 2 : 1))); i += 1 }
                html += "<blockquote><p>\(inline(quote.joined(separator: " ")))</p></blockquote>\n"
                continue
            }
            if let ordered = listMarker(line) {
                flush()
                var items: [String] = []
                while i < lines.count {
                    let l = lines[i]
                    if let marker = listMarker(l), marker == ordered {
                        items.append(String(l.drop { $0 != " " }.dropFirst()))
                    } else if l.hasPrefix("  "), !items.isEmpty, !l.trimmingCharacters(in: .whitespaces).isEmpty {
                        items[items.count - 1] += " " + l.trimmingCharacters(in: .whitespaces)
                    } else { break }
                    i += 1
                }
                let tag = ordered ? "ol" : "ul"
                html += "<\(tag)>\n" + items.map { "<li>\(inline($0))</li>\n" }.joined() + "</\(tag)>\n"
                continue
            }
            paragraph.append(trimmed)
            i += 1
        }
        flush()
        return html
    }

    private static func headingLevel(_ line: String) -> Int? {
        for level in 1...4 where line.hasPrefix(String(repeating: "#", count: level) + " ") { return level }
        return nil
    }

    /// true for "1. ", false for "- ", nil for neither.
    private static func listMarker(_ line: String) -> Bool? {
        if line.hasPrefix("- ") { return false }
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, line.dropFirst(digits.count).hasPrefix(". ") { return true }
        return nil
    }

    /// Cells split at unescaped pipes; `\|` becomes a pipe in the cell (as GitHub does, before inline parsing).
    private static func cells(_ row: String) -> [String] {
        var out: [String] = [], current = ""
        var chars = Array(row.trimmingCharacters(in: .whitespaces))
        if chars.first == "|" { chars.removeFirst() }
        if chars.last == "|", !(chars.count >= 2 && chars[chars.count - 2] == "\\") { chars.removeLast() }
        var k = 0
        while k < chars.count {
            if chars[k] == "\\", k + 1 < chars.count, chars[k + 1] == "|" { current += "\\|"; k += 2; continue }
            if chars[k] == "\\", k + 1 < chars.count { current.append(chars[k]); current.append(chars[k + 1]); k += 2; continue }
            if chars[k] == "|" { out.append(current.trimmingCharacters(in: .whitespaces)); current = ""; k += 1; continue }
            current.append(chars[k]); k += 1
        }
        out.append(current.trimmingCharacters(in: .whitespaces))
        return out
    }

    private static func table(_ block: [String]) -> String {
        guard block.count >= 2 else { return "" }
        let header = cells(block[0])
        let aligns = cells(block[1]).map { $0.hasSuffix(":") ? "num" : "" }
        var html = "<div class=\"table\"><table class=\"sortable\">\n<thead><tr>"
        for (k, h) in header.enumerated() {
            let cls = k < aligns.count && !aligns[k].isEmpty ? " class=\"num\"" : ""
            html += "<th\(cls) scope=\"col\" tabindex=\"0\" title=\"Sort\">\(inline(h))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for row in block.dropFirst(2) {
            html += "<tr>"
            for (k, cell) in cells(row).enumerated() {
                let cls = k < aligns.count && !aligns[k].isEmpty ? " class=\"num\"" : ""
                html += "<td\(cls)>\(inline(cell))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    // MARK: - Inline

    /// Backslash escapes, code spans, **bold** and *italic*; everything else is text, HTML-escaped.
    package static func inline(_ s: String) -> String {
        let chars = Array(s)
        var out = ""
        var k = 0
        var bold = false, italic = false
        while k < chars.count {
            let ch = chars[k]
            if ch == "\\", k + 1 < chars.count, chars[k + 1].isASCII, chars[k + 1].isPunctuation || chars[k + 1].isSymbol {
                out += escape(String(chars[k + 1])); k += 2; continue
            }
            if ch == "`" {
                var run = 0
                while k + run < chars.count, chars[k + run] == "`" { run += 1 }
                // The matching run of backticks closes the span.
                var j = k + run, close: Int?
                while j < chars.count {
                    if chars[j] == "`" {
                        var r = 0
                        while j + r < chars.count, chars[j + r] == "`" { r += 1 }
                        if r == run { close = j; break }
                        j += r
                    } else { j += 1 }
                }
                if let close {
                    var code = String(chars[(k + run)..<close]).replacingOccurrences(of: "\\|", with: "|")
                    if code.hasPrefix(" ") && code.hasSuffix(" ") && code.count > 2 { code = String(code.dropFirst().dropLast()) }
                    out += "<code>\(escape(code))</code>"
                    k = close + run; continue
                }
                out += String(repeating: "`", count: run); k += run; continue
            }
            if ch == "*", k + 1 < chars.count, chars[k + 1] == "*" {
                out += bold ? "</strong>" : "<strong>"; bold.toggle(); k += 2; continue
            }
            if ch == "*" {
                out += italic ? "</em>" : "<em>"; italic.toggle(); k += 1; continue
            }
            out += escape(String(ch)); k += 1
        }
        if italic { out += "</em>" }
        if bold { out += "</strong>" }
        return out
    }

    /// Markdown inline text without its markup (for titles and labels).
    private static func plain(_ s: String) -> String {
        var out = ""
        var escaped = false
        for ch in s {
            if escaped { out.append(ch); escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            if ch == "`" || ch == "*" { continue }
            out.append(ch)
        }
        return out
    }

    private static func slug(_ s: String) -> String {
        let words = plain(s).lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(words).split(separator: "-").joined(separator: "-")
    }

    package static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    // MARK: - Style and script

    private static let css = """
    :root { color-scheme: light; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #F6F7F9; color: #1F2328; font: 16px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
    main { max-width: 980px; margin: 0 auto; padding: 24px 32px 48px; background: #FFFFFF; }
    h1 { font-size: 28px; margin: 8px 0 4px; }
    h2 { font-size: 22px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid #D8DEE4; }
    h3 { font-size: 18px; margin: 28px 0 10px; }
    h2#this-week { border: 0; margin-top: 16px; }
    h2#this-week ~ * { }
    p, li { max-width: 46em; }
    code { font: 14px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #EFF1F3; padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
    blockquote { margin: 16px 0; padding: 8px 16px; border-left: 4px solid #E69F00; background: #FFF8E6; }
    blockquote p { margin: 4px 0; }
    .table { overflow-x: auto; margin: 12px 0 20px; }
    table { border-collapse: collapse; font-size: 14px; }
    th, td { border: 1px solid #D8DEE4; padding: 5px 9px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
    td code, th code { overflow-wrap: break-word; }
    th { background: #F3F5F7; cursor: pointer; user-select: none; }
    th[aria-sort="ascending"]::after { content: " ▲"; font-size: 12px; }
    th[aria-sort="descending"]::after { content: " ▼"; font-size: 12px; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    figure.chart { margin: 16px 0 24px; }
    svg.chart-svg { display: block; max-width: 100%; height: auto; }
    details { margin: 12px 0 20px; }
    summary { cursor: pointer; color: #0969DA; }
    @media print {
      @page { size: A4; margin: 14mm; }
      body { background: #FFFFFF; font-size: 11pt; }
      main { max-width: none; padding: 0; }
      h2 { break-after: avoid; }
      figure.chart, tr { break-inside: avoid; }
      .table { overflow: visible; }
      details { display: block; }
      th { cursor: auto; }
    }

    """

    /// Runs first: records script errors on `<html data-errors>`.
    private static let errorHook = """
    document.documentElement.dataset.errors = "0";
    function recordError() {
      document.documentElement.dataset.errors = String(Number(document.documentElement.dataset.errors) + 1);
    }
    window.addEventListener("error", recordError, true);
    document.addEventListener("securitypolicyviolation", recordError);

    """

    /// Sortable tables (click or Enter on a header), and the layout record for the browser test.
    private static let script = """
    (function () {
      function key(text) {
        var t = text.replace(/[,×%]/g, "").replace(/^day /, "").replace(/^< ?/, "").trim();
        // Dates and months (2026-06-29, 2026-10) sort as text: ISO order is time order, a number would be the year.
        if (/^\\d{4}-\\d{2}/.test(t)) { return null; }
        var n = parseFloat(t);
        return isNaN(n) ? null : n;
      }
      document.querySelectorAll("table.sortable").forEach(function (table) {
        var heads = table.querySelectorAll("thead th");
        heads.forEach(function (th, column) {
          function sort() {
            var body = table.tBodies[0];
            var rows = Array.prototype.slice.call(body.rows);
            var ascending = th.getAttribute("aria-sort") !== "ascending";
            rows.sort(function (a, b) {
              var x = a.cells[column] ? a.cells[column].textContent : "", y = b.cells[column] ? b.cells[column].textContent : "";
              var kx = key(x), ky = key(y), r;
              if (kx !== null && ky !== null) { r = kx - ky; } else if (kx !== null) { r = -1; } else if (ky !== null) { r = 1; } else { r = x.localeCompare(y); }
              return ascending ? r : -r;
            });
            heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
            th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
            rows.forEach(function (row) { body.appendChild(row); });
          }
          th.addEventListener("click", sort);
          th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
        });
      });
      var root = document.documentElement;
      root.dataset.scrollWidth = String(root.scrollWidth);
      var charts = document.querySelectorAll("svg.chart-svg"), visible = 0;
      charts.forEach(function (svg) {
        var box = svg.getBoundingClientRect();
        if (box.width > 100 && box.height > 100 && getComputedStyle(svg).visibility !== "hidden") { visible += 1; }
      });
      root.dataset.charts = String(charts.length);
      root.dataset.chartsVisible = String(visible);
    })();

    """
}
