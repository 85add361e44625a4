/// Cuts a signal into consecutive windows of a fixed duration, as the 3-second GTZAN table does
/// (ten 3 s windows of a 30 s clip; the few samples left over at the end belong to no window).
public struct Segmenter: Sendable, Hashable {
    public let segmentSeconds: Double
    /// Distance between window starts; equal to `segmentSeconds` (no overlap) by default.
    public let hopSeconds: Double

    public init(segmentSeconds: Double, hopSeconds: Double? = nil) throws(AudioError) {
        guard segmentSeconds.isFinite, segmentSeconds > 0 else { throw .invalidSegmentLength(segmentSeconds) }
        let hop = hopSeconds ?? segmentSeconds
        guard hop.isFinite, hop > 0 else { throw .invalidSegmentHop(hop) }
        self.segmentSeconds = segmentSeconds
        self.hopSeconds = hop
    }

    /// Sample ranges of the windows of a signal of `sampleCount` samples. A signal shorter than one
    /// window gives a single window holding all of it, so every clip is represented.
    public func ranges(sampleCount: Int, sampleRate: Int) -> [Range<Int>] {
        // A window or hop longer than the signal acts as one just longer than it.
        let (length, hop) = lengthAndHop(sampleRate: sampleRate, cap: Double(sampleCount) + 1)
        guard sampleCount > length else { return [0 ..< sampleCount] }
        return stride(from: 0, through: sampleCount - length, by: hop).map { $0 ..< $0 + length }
    }

    /// `ranges`, and a last window aligned with the end when the consecutive windows leave more
    /// than a third of a window unheard there (the classifier hears the whole song so).
    public func endAlignedRanges(sampleCount: Int, sampleRate: Int) -> [Range<Int>] {
        var ranges = ranges(sampleCount: sampleCount, sampleRate: sampleRate)
        if let last = ranges.last, sampleCount - last.upperBound > last.count / 3 {
            ranges.append(sampleCount - last.count ..< sampleCount)
        }
        return ranges
    }

    /// Window length and hop in samples, at least 1 and at most `cap` (converting past Int.max traps).
    func lengthAndHop(sampleRate: Int, cap: Double) -> (length: Int, hop: Int) {
        (max(1, Int(min((segmentSeconds * Double(sampleRate)).rounded(), cap))),
         max(1, Int(min((hopSeconds * Double(sampleRate)).rounded(), cap))))
    }
}

/// One window of a signal: where it lies (sample indices) and its samples.
public struct AudioWindow: Sendable {
    public let range: Range<Int>
    public let samples: [Float]
}

/// Cuts samples into a `Segmenter`'s windows as they come (from an `AudioStream`), holding only
/// the samples of windows not yet complete: the windows `Segmenter.ranges` gives for the whole
/// signal, in order, whatever its length.
public struct WindowCutter: Sendable {
    /// Also a last window aligned with the end, when the consecutive windows leave more than a
    /// third of a window unheard there (`Segmenter.endAlignedRanges`).
    public let endAligned: Bool
    private let length: Int, hop: Int
    /// The samples from absolute index `bufferStart` on.
    private var buffer: [Float] = []
    private var bufferStart = 0
    private var nextStart = 0
    private var lastEnd = 0

    public init(segmenter: Segmenter, sampleRate: Int, endAligned: Bool = false) {
        (length, hop) = segmenter.lengthAndHop(sampleRate: sampleRate, cap: 1e15)
        self.endAligned = endAligned
    }

    /// The windows `chunk` completes.
    public mutating func append(_ chunk: [Float]) -> [AudioWindow] {
        buffer += chunk
        var windows: [AudioWindow] = []
        while nextStart + length <= bufferStart + buffer.count {
            windows.append(window(nextStart ..< nextStart + length))
            lastEnd = nextStart + length
            nextStart += hop
        }
        // Kept: the next window's start on, and the last window's worth for an end-aligned one.
        let keepFrom = min(nextStart, endAligned ? bufferStart + buffer.count - length : .max)
        let dead = keepFrom - bufferStart
        // Dropped only once it outweighs the rest, so each sample is moved a bounded number of times.
        if dead > 0 && dead >= buffer.count - dead {
            let dropped = min(dead, buffer.count)
            buffer.removeFirst(dropped)
            bufferStart += dropped
        }
        return windows
    }

    /// The windows the end of the signal makes: all of a signal no longer than one window, or the
    /// end-aligned window.
    public mutating func finish() -> [AudioWindow] {
        let total = bufferStart + buffer.count
        if lastEnd == 0 { return total > 0 ? [window(0 ..< total)] : [] }
        guard endAligned, total - lastEnd > length / 3 else { return [] }
        return [window(total - length ..< total)]
    }

    private func window(_ range: Range<Int>) -> AudioWindow {
        AudioWindow(range: range, samples: Array(buffer[range.lowerBound - bufferStart ..< range.upperBound - bufferStart]))
    }
}
