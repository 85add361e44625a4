import Foundation
import GenreKit

/// What one request may ask of the service; each is a `genre serve` option.
public struct ServiceLimits: Sendable {
    /// Bytes of audio one request may upload (beyond: 413).
    public var maxUploadBytes = 50_000_000
    /// Seconds of audio one upload may hold (beyond: 422 naming the limit).
    public var maxDurationSeconds = 3600.0
    /// Analyses run at once; more wait in a queue of `maxQueued`, and beyond that get 503.
    public var maxRunning = ProcessInfo.processInfo.activeProcessorCount
    public var maxQueued = 4 * ProcessInfo.processInfo.activeProcessorCount
    /// Seconds a request may take (beyond: 504).
    public var timeoutSeconds = 120.0

    public init() {}
}

/// Admits analyses: `maxRunning` at once, `maxQueued` waiting in arrival order, the rest turned
/// away at once (a busy service answers 503 quickly instead of piling work up).
actor AnalysisGate {
    private let maxRunning: Int, maxQueued: Int
    private var running = 0
    private var queue: [CheckedContinuation<Void, Never>] = []

    init(maxRunning: Int, maxQueued: Int) {
        self.maxRunning = max(1, maxRunning)
        self.maxQueued = max(0, maxQueued)
    }

    /// Waits for a turn; false when the queue is full.
    func enter() async -> Bool {
        if running < maxRunning {
            running += 1
            return true
        }
        guard queue.count < maxQueued else { return false }
        await withCheckedContinuation { queue.append($0) }
        return true
    }

    /// Ends a turn, handing it to the longest waiting request.
    func leave() {
        if queue.isEmpty {
            running -= 1
        } else {
            queue.removeFirst().resume()
        }
    }

    var load: (running: Int, queued: Int) { (running, queue.count) }
}
