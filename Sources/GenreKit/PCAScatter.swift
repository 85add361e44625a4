import Foundation
import GenreML

/// The rows of a feature dataset on their first two principal axes after standardisation, one
/// point per row coloured by genre: how far the features alone keep the genres apart (the figure
/// seed 004 draws of GTZAN).
public struct PCAScatter: Sendable {
    /// Each row's place on the first and second axes.
    public let points: [(x: Double, y: Double)]
    /// Each row's genre, an index into `classes`.
    public let labels: [Int]
    public let classes: [String]
    /// The share of the standardised variance along each axis.
    public let explainedVariance: (first: Double, second: Double)

    /// The most columns it analyses: the covariance is columns x columns (a log-mel patch's 12,288
    /// would need more than a gigabyte and minutes).
    public static let maximumColumns = 4096

    public init(_ data: FeatureDataset) throws(ModelError) {
        guard data.x.columns <= Self.maximumColumns else {
            throw .invalidParameter("a PCA of \(data.x.columns) features needs a \(data.x.columns) x \(data.x.columns) covariance; "
                + "give a feature set of at most \(Self.maximumColumns) columns (--set gtzan57, say)")
        }
        guard data.x.rows >= 3, data.x.columns >= 2 else {
            throw .invalidParameter("a 2-D PCA needs at least 3 rows and 2 features, and the data has \(data.x.rows) and \(data.x.columns)")
        }
        var scaler = StandardScaler()
        try scaler.fit(data.x)
        var pca = PCA(components: 2)
        let standardised = try scaler.transform(data.x)
        try pca.fit(standardised)
        let projected = try pca.transform(standardised)
        points = (0 ..< projected.rows).map { row in (Double(projected.row(row).first!), Double(projected.row(row).last!)) }
        labels = data.labels
        classes = data.classes
        explainedVariance = (pca.explainedVarianceRatio[0], pca.explainedVarianceRatio[1])
    }

    /// A scatter plot, the axes labelled with their share of the variance, a legend of the genres
    /// on the right; `title` heads it.
    public func svg(title: String) -> String {
        let plot = (left: 76.0, top: 56.0, size: 480.0)
        let legend = (x: plot.left + plot.size + 28, nameWidth: Double(classes.map(\.count).max() ?? 4) * 7.2)
        // Wide enough for the title too (bold 15 px Helvetica: about 0.6 em a character).
        let width = max(Int(legend.x + 22 + max(legend.nameWidth, 60) + 20), Int(Double(title.count) * 9) + 40)
        let height = Int(plot.top + plot.size + 60)
        let xs = axisRange(points.map(\.x)), ys = axisRange(points.map(\.y))
        let place = { (x: Double, y: Double) in
            (plot.left + (x - xs.low) / (xs.high - xs.low) * plot.size, plot.top + (ys.high - y) / (ys.high - ys.low) * plot.size)
        }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
            font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="24" text-anchor="middle" font-size="15" font-weight="bold">\(escapeXML(title))</text>
            <text x="\(width / 2)" y="42" text-anchor="middle" fill="#555">\(points.count) rows, standardised, on their first two principal axes</text>
            <rect x="\(f(plot.left))" y="\(f(plot.top))" width="\(f(plot.size))" height="\(f(plot.size))" fill="none" stroke="#999"/>

            """
        for tick in xs.ticks {
            let x = place(tick, ys.low).0
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(plot.top))\" x2=\"\(f(x))\" y2=\"\(f(plot.top + plot.size))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(x))\" y=\"\(f(plot.top + plot.size + 16))\" text-anchor=\"middle\">\(label(tick))</text>\n"
        }
        for tick in ys.ticks {
            let y = place(xs.low, tick).1
            svg += "<line x1=\"\(f(plot.left))\" y1=\"\(f(y))\" x2=\"\(f(plot.left + plot.size))\" y2=\"\(f(y))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(plot.left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(label(tick))</text>\n"
        }
        let middle = plot.top + plot.size / 2
        svg += "<text x=\"\(f(plot.left + plot.size / 2))\" y=\"\(f(plot.top + plot.size + 40))\" text-anchor=\"middle\">"
            + "PC1 (\(percent(explainedVariance.first)) of variance)</text>\n"
        svg += "<text x=\"\(f(plot.left - 48))\" y=\"\(f(middle))\" text-anchor=\"middle\" transform=\"rotate(-90 \(f(plot.left - 48)) "
            + "\(f(middle)))\">PC2 (\(percent(explainedVariance.second)) of variance)</text>\n"
        // Genre by genre, so that a legend entry and its points share a group.
        for (index, name) in classes.enumerated() {
            let colour = Self.colour(index)
            svg += "<g class=\"genre\" fill=\"\(colour)\" fill-opacity=\"0.65\">"
            for (point, genre) in zip(points, labels) where genre == index {
                let (x, y) = place(point.x, point.y)
                svg += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3\"/>"
            }
            svg += "</g>\n"
            let y = plot.top + 8 + Double(index) * 20
            svg += "<circle cx=\"\(f(legend.x + 6))\" cy=\"\(f(y))\" r=\"5\" fill=\"\(colour)\"/>"
            svg += "<text x=\"\(f(legend.x + 18))\" y=\"\(f(y + 4))\">\(escapeXML(name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Matplotlib's ten colours, then hues around the wheel for more genres.
    static func colour(_ index: Int) -> String {
        let tab10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
        return index < tab10.count ? tab10[index] : "hsl(\((index - tab10.count) * 47 % 360), 65%, 45%)"
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private func label(_ value: Double) -> String { String(format: "%g", (value * 1e6).rounded() / 1e6) }

    private func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }
}

/// Round ticks about five apart that cover `values`, and the range they span.
private func axisRange(_ values: [Double]) -> (low: Double, high: Double, ticks: [Double]) {
    var low = values.min() ?? 0, high = values.max() ?? 1
    if high - low < 1e-12 { (low, high) = (low - 1, high + 1) }
    let raw = (high - low) / 5
    let magnitude = pow(10, log10(raw).rounded(.down))
    let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw }!
    let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
    return (first * step, last * step, stride(from: first, through: last, by: 1).map { $0 * step })
}
