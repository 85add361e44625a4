import Foundation

extension ClassificationReport {
    /// The confusion matrix as an SVG heat map: rows are true classes, columns predictions, each
    /// cell shaded by the share of its row (so classes of any size compare) and labelled with its count.
    public func confusionSVG(title: String) -> String {
        let cell = 44, labelWidth = 9 * (classes.map(\.count).max() ?? 4) + 16, top = 70
        let size = cell * classes.count
        let width = labelWidth + size + 20, height = top + size + 80
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
            font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="22" text-anchor="middle" font-size="14">\(escapeXML(title))</text>
            <text x="\(width / 2)" y="40" text-anchor="middle" fill="#555">accuracy \(String(format: "%.1f", accuracy * 100))%, \
            rows: true genre, columns: predicted</text>

            """
        for (row, counts) in confusion.enumerated() {
            let total = max(1, counts.reduce(0, +))
            let y = top + row * cell
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"end\">\(escapeXML(classes[row]))</text>\n"
            for (column, count) in counts.enumerated() {
                let share = Double(count) / Double(total)
                let x = labelWidth + column * cell
                // White to dark blue; counts turn white on dark cells to stay readable.
                let shade = { (light: Double, dark: Double) in Int((light + (dark - light) * share).rounded()) }
                let fill = "rgb(\(shade(255, 8)),\(shade(255, 48)),\(shade(255, 107)))"
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(fill)\" stroke=\"#ddd\"/>"
                svg += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" "
                    + "fill=\"\(share > 0.5 ? "white" : "black")\">\(count)</text>\n"
            }
        }
        for (column, name) in classes.enumerated() {
            let x = labelWidth + column * cell + cell / 2, y = top + size + 10
            svg += "<text x=\"\(x)\" y=\"\(y)\" transform=\"rotate(45 \(x) \(y))\">\(escapeXML(name))</text>\n"
        }
        return svg + "</svg>\n"
    }
}

func escapeXML(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
