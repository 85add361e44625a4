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
        var remaining = items.makeIterator()
        await run(pulling: { remaining.next() }, total: items.count, work: work) { index, _, output in deliver(index, output) }
    }

    /// `run` over items pulled one at a time from `next` (nil: no more), for lists too long to hold
    /// or still being written (a pipe). At most `width` items are worked on, and fewer than
    /// `64 * width` wait behind a slow one for their turn, so memory stays flat whatever the count.
    /// `total`, when known, lets the progress line say the time left.
    public func run<Item: Sendable, Output: Sendable>(
        pulling next: () -> Item?,
        total: Int?,
        work: @escaping @Sendable (Item) -> Output,
        deliver: (Int, Item, Output) -> Void
    ) async {
        let line = ProgressLine(total: total, noun: progress ?? "", quiet: progress == nil)
        defer { line.clear() }
        await withTaskGroup(of: (Int, Item, Output).self) { group in
            var started = 0, running = 0, delivered = 0
            var exhausted = false
            func fill() {
                while !exhausted, running < width, started - delivered < 64 * width {
                    guard let item = next() else {
                        exhausted = true
                        return
                    }
                    let index = started
                    group.addTask { (index, item, work(item)) }
                    started += 1
                    running += 1
                }
            }
            fill()
            var waiting: [Int: (Item, Output)] = [:]
            while let (index, item, output) = await group.next() {
                running -= 1
                waiting[index] = (item, output)
                while let (item, ready) = waiting.removeValue(forKey: delivered) {
                    line.clear()
                    deliver(delivered, item, ready)
                    delivered += 1
                    line.update(done: delivered)
                }
                fill()
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
    /// nil when unknown (a list read as it comes): the line then counts without a time left.
    let total: Int?
    let noun: String
    let enabled: Bool
    let start = Date()
    var lastDraw = Date.distantPast

    public init(total: Int?, noun: String, quiet: Bool) {
        self.total = total
        self.noun = noun
        self.enabled = !quiet && isatty(STDERR_FILENO) != 0 && total != 0
    }

    public func update(done: Int) {
        guard enabled, done == total || Date().timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = Date()
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-6)
        let speed = "\(String(format: "%.1f", rate))/s"
        guard let total else {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(done) \(noun), \(speed)".utf8))
            return
        }
        let left = rate > 0 ? Double(total - done) / rate : 0
        let line = "\(done)/\(total) \(noun), \(speed), \(Self.clock(left)) left"
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
