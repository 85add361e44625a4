import Foundation

extension ClassificationReport {
    /// The confusion matrix as an SVG heat map: rows are true classes, columns predictions, each
    /// cell shaded by the share of its row (so classes of any size compare) and labelled with its count.
    /// `title` (the model) heads it in bold; `notes` (the protocol, a caution) follow, wrapped to the
    /// picture's width, which grows with the title so that nothing is cut.
    public func confusionSVG(title: String, notes: [String] = []) -> String {
        // Text widths are estimated generously from Helvetica's advance: 0.6 em a character on average.
        let characterWidth = { (fontSize: Int) in Double(fontSize) * 0.6 }
        let nameWidth = Int(Double(classes.map(\.count).max() ?? 4) * characterWidth(12))
        let cell = 44, margin = 20
        let labelWidth = nameWidth + 16
        let size = cell * classes.count
        // Column names are turned 45 degrees below the matrix: they reach right and down by 0.71 of their length.
        let slant = nameWidth * 71 / 100
        let matrixWidth = labelWidth + size + max(margin, slant - cell / 2 + margin)
        // Notes wrap between words, so the longest word (a path, say) must fit on its own.
        let longestWord = notes.flatMap { $0.split(separator: " ") }.map(\.count).max() ?? 0
        let width = max(matrixWidth, Int(Double(title.count) * characterWidth(16)) + 2 * margin,
                        Int(Double(longestWord) * characterWidth(12)) + 2 * margin, 480)
        let noteLines = notes.flatMap { wrap($0, columns: Int(Double(width - 2 * margin) / characterWidth(12))) }
        let headerLines = [(title, 16, "bold", "black")] + noteLines.map { ($0, 12, "normal", "#555") }
            + [("accuracy \(String(format: "%.1f", accuracy * 100))%; rows: true genre, columns: predicted", 12, "normal", "#555")]
        let top = 24 + 18 * headerLines.count + 16
        let height = top + size + slant + margin

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
            font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        for (index, (text, fontSize, weight, color)) in headerLines.enumerated() {
            svg += "<text x=\"\(width / 2)\" y=\"\(24 + 18 * index)\" text-anchor=\"middle\" font-size=\"\(fontSize)\" "
                + "font-weight=\"\(weight)\" fill=\"\(color)\">\(escapeXML(text))</text>\n"
        }
        // The matrix is centred under the title when the title is the wider.
        let left = (width - matrixWidth) / 2 + labelWidth
        for (row, counts) in confusion.enumerated() {
            let total = max(1, counts.reduce(0, +))
            let y = top + row * cell
            svg += "<text x=\"\(left - 8)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"end\">\(escapeXML(classes[row]))</text>\n"
            for (column, count) in counts.enumerated() {
                let share = Double(count) / Double(total)
                let x = left + column * cell
                // White to dark blue; counts turn white on dark cells to stay readable.
                let shade = { (light: Double, dark: Double) in Int((light + (dark - light) * share).rounded()) }
                let fill = "rgb(\(shade(255, 8)),\(shade(255, 48)),\(shade(255, 107)))"
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(fill)\" stroke=\"#ddd\"/>"
                svg += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" "
                    + "fill=\"\(share > 0.5 ? "white" : "black")\">\(count)</text>\n"
            }
        }
        for (column, name) in classes.enumerated() {
            let x = left + column * cell + cell / 2, y = top + size + 10
            svg += "<text x=\"\(x)\" y=\"\(y)\" transform=\"rotate(45 \(x) \(y))\">\(escapeXML(name))</text>\n"
        }
        return svg + "</svg>\n"
    }
}

/// `text` in lines of at most `columns` characters, broken between words.
func wrap(_ text: String, columns: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
        if !line.isEmpty, line.count + 1 + word.count > columns {
            lines.append(line)
            line = ""
        }
        line += (line.isEmpty ? "" : " ") + word
    }
    return line.isEmpty ? lines : lines + [line]
}

func escapeXML(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
