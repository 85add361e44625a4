import Foundation

/// Runs one piece of work per item on all cores and hands the results back in input order,
/// so output stays deterministic however the work interleaves.
public struct Batch: Sendable {
    public let width: Int

    /// `width` concurrent workers; by default one per core.
    public init(width: Int? = nil) {
        self.width = max(1, width ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    public func run<Item: Sendable, Output: Sendable>(
        _ items: [Item],
        work: @escaping @Sendable (Item) -> Output,
        deliver: (Int, Output) -> Void
    ) async {
        await withTaskGroup(of: (Int, Output).self) { group in
            var next = 0
            func startNext() {
                guard next < items.count else { return }
                let index = next, item = items[index]
                group.addTask { (index, work(item)) }
                next += 1
            }
            for _ in 0 ..< width { startNext() }
            var waiting: [Int: Output] = [:]
            var delivered = 0
            while let (index, output) = await group.next() {
                startNext()
                waiting[index] = output
                while let ready = waiting.removeValue(forKey: delivered) {
                    deliver(delivered, ready)
                    delivered += 1
                }
            }
        }
    }
}

/// A one-line progress display on stderr (count, rate, time left), redrawn in place.
/// Silent when stderr is not a terminal or when asked to be quiet.
public final class ProgressLine {
    let total: Int
    let noun: String
    let enabled: Bool
    let start = Date()
    var lastDraw = Date.distantPast

    public init(total: Int, noun: String, quiet: Bool) {
        self.total = total
        self.noun = noun
        self.enabled = !quiet && isatty(STDERR_FILENO) != 0 && total > 0
    }

    public func update(done: Int) {
        guard enabled, done == total || Date().timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = Date()
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-6)
        let left = rate > 0 ? Double(total - done) / rate : 0
        let line = "\(done)/\(total) \(noun), \(String(format: "%.1f", rate))/s, \(Self.clock(left)) left"
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }

    /// Clears the line so messages that follow start on a clean one.
    public func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}
