import Foundation

extension TrainingHistory {
    /// Loss and accuracy per epoch, training (solid) and validation (dashed), as two side-by-side
    /// charts in one self-contained SVG; a grey line marks the epoch whose weights the model kept.
    public func svg() -> String {
        let panel = (width: 360.0, height: 240.0), margin = (left: 56.0, top: 72.0, gap: 80.0)
        let width = Int(margin.left + 2 * panel.width + margin.gap + 24), height = Int(margin.top + panel.height + 56)
        let lossTop = epochs.flatMap { [$0.trainLoss] + ($0.validationLoss.map { [$0] } ?? []) }.max() ?? 1
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
            font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="20" text-anchor="middle" font-size="14">training history: \(epochs.count) epoch\(epochs.count == 1 ? "" : "s"), \
            weights of epoch \(weightsEpoch)</text>
            <line x1="\(width / 2 - 110)" y1="38" x2="\(width / 2 - 80)" y2="38" stroke="#555" stroke-width="2"/>
            <text x="\(width / 2 - 74)" y="42">training</text>
            <line x1="\(width / 2 + 10)" y1="38" x2="\(width / 2 + 40)" y2="38" stroke="#555" stroke-width="2" \
            stroke-dasharray="6 4"/>
            <text x="\(width / 2 + 46)" y="42">validation</text>

            """
        let charts: [(title: String, ticks: [Double], train: KeyPath<EpochRecord, Double>,
                      validation: KeyPath<EpochRecord, Double?>, colour: String)] = [
            ("loss", niceTicks(upTo: lossTop), \.trainLoss, \.validationLoss, "#1f77b4"),
            ("accuracy", stride(from: 0, through: 1, by: 0.2).map { $0 }, \.trainAccuracy, \.validationAccuracy, "#d62728"),
        ]
        for (index, chart) in charts.enumerated() {
            let frame = ChartFrame(x: margin.left + Double(index) * (panel.width + margin.gap), y: margin.top,
                                   width: panel.width, height: panel.height, epochs: epochs.count, top: chart.ticks.last!)
            svg += frame.axes(title: chart.title, yTicks: chart.ticks, marked: weightsEpoch)
            svg += frame.curve(epochs.map { $0[keyPath: chart.train] }, colour: chart.colour, dashed: false)
            let validation = epochs.compactMap { $0[keyPath: chart.validation] }
            if validation.count == epochs.count {
                svg += frame.curve(validation, colour: chart.colour, dashed: true)
            }
        }
        return svg + "</svg>\n"
    }
}

/// One chart's plotting area: epochs 1...n across, 0...top up.
private struct ChartFrame {
    let x, y, width, height: Double
    let epochs: Int
    let top: Double

    func point(epoch: Int, value: Double) -> (x: Double, y: Double) {
        let across = epochs > 1 ? Double(epoch - 1) / Double(epochs - 1) : 0.5
        return (x + across * width, y + height * (1 - min(max(value / top, 0), 1)))
    }

    func axes(title: String, yTicks: [Double], marked: Int) -> String {
        var svg = "<text x=\"\(f(x + width / 2))\" y=\"\(f(y - 8))\" text-anchor=\"middle\">\(title)</text>\n"
        svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"none\" stroke=\"#999\"/>\n"
        for tick in yTicks {
            let at = point(epoch: 1, value: tick).y
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(at))\" x2=\"\(f(x + width))\" y2=\"\(f(at))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(x - 6))\" y=\"\(f(at + 4))\" text-anchor=\"end\">\(label(tick))</text>\n"
        }
        let step = max(1, Int(niceTicks(upTo: Double(epochs), count: 6)[1]))
        for epoch in Set([1, epochs] + Array(stride(from: step, through: epochs, by: step))).sorted() {
            let at = point(epoch: epoch, value: 0).x
            svg += "<text x=\"\(f(at))\" y=\"\(f(y + height + 16))\" text-anchor=\"middle\">\(epoch)</text>\n"
        }
        svg += "<text x=\"\(f(x + width / 2))\" y=\"\(f(y + height + 34))\" text-anchor=\"middle\" fill=\"#555\">epoch</text>\n"
        let kept = point(epoch: marked, value: 0).x
        return svg + "<line x1=\"\(f(kept))\" y1=\"\(f(y))\" x2=\"\(f(kept))\" y2=\"\(f(y + height))\" stroke=\"#aaa\" "
            + "stroke-dasharray=\"2 3\"/>\n"
    }

    /// A polyline through the values, with a dot on each (hollow for validation) while there are few
    /// enough epochs for dots to stay apart: they are what shows a run of one epoch.
    func curve(_ values: [Double], colour: String, dashed: Bool) -> String {
        let points = values.enumerated().map { point(epoch: $0.offset + 1, value: $0.element) }
        let list = points.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
        var svg = "<polyline class=\"\(dashed ? "validation" : "training")\" points=\"\(list)\" fill=\"none\" "
            + "stroke=\"\(colour)\" stroke-width=\"2\" stroke-linejoin=\"round\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
        guard points.count <= 30 else { return svg }
        for point in points {
            svg += "<circle cx=\"\(f(point.x))\" cy=\"\(f(point.y))\" r=\"2.5\" fill=\"\(dashed ? "white" : colour)\" "
                + "stroke=\"\(colour)\" stroke-width=\"1.5\"/>"
        }
        return svg + "\n"
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private func label(_ value: Double) -> String {
        String(format: "%g", (value * 1e6).rounded() / 1e6)
    }
}

/// 0, s, 2s, ... up to the first multiple of a round step s (1, 2, 2.5 or 5 times a power of ten)
/// at or above `top`, about `count` intervals.
private func niceTicks(upTo top: Double, count: Int = 4) -> [Double] {
    let raw = max(top, 1e-12) / Double(count)
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) }!
    let intervals = Int((top / step * (1 - 1e-9)).rounded(.up))
    return (0 ... max(1, intervals)).map { Double($0) * step }
}
