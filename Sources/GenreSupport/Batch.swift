import Foundation

/// Runs one piece of work per item on all cores and hands the results back in input order, so
/// output stays deterministic however the work interleaves; shows its progress on stderr when given
/// a noun for the items.
public struct Batch: Sendable {
    public let width: Int
    /// What the progress line counts ("files", "folds"); nil keeps the batch silent.
    public let progress: String?

    /// `width` concurrent workers, by default one per core.
    public init(width: Int? = nil, progress: String? = nil) {
        self.width = max(1, width ?? ProcessInfo.processInfo.activeProcessorCount)
        self.progress = progress
    }

    /// `deliver` gets each item's index and output in input order, with the progress line cleared, so
    /// that it may print.
    public func run<Item: Sendable, Output: Sendable>(
        _ items: [Item],
        work: @escaping @Sendable (Item) -> Output,
        deliver: (Int, Output) -> Void
    ) async {
        let line = ProgressLine(total: items.count, noun: progress ?? "", quiet: progress == nil)
        defer { line.clear() }
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
                    line.clear()
                    deliver(delivered, ready)
                    delivered += 1
                    line.update(done: delivered)
                }
            }
        }
    }
}

/// Calls `body` with ranges that split 0 ..< count, spread over the cores, and waits for them; throws
/// the first error. For work inside one computation (a kernel's columns), where `Batch`'s tasks
/// would cost more than the pieces.
public func concurrently(_ count: Int, _ body: (Range<Int>) throws -> Void) throws {
    // More pieces than cores, so that a core another process slows down gets fewer of them.
    let pieces = min(count, 4 * ProcessInfo.processInfo.activeProcessorCount)
    let failure = Locked<(any Error)?>(nil)
    withoutActuallyEscaping(body) { body in
        // Each piece writes its own part of the results only.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: pieces) { piece in
            do {
                try body(piece * count / pieces ..< (piece + 1) * count / pieces)
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
    }
    if let error = failure.withLock({ $0 }) { throw error }
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
