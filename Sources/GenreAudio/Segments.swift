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
        // Capped before converting to Int, which traps past Int.max: a window or hop longer than the
        // signal acts as one just longer than it.
        let cap = Double(sampleCount) + 1
        let length = max(1, Int(min((segmentSeconds * Double(sampleRate)).rounded(), cap)))
        let hop = max(1, Int(min((hopSeconds * Double(sampleRate)).rounded(), cap)))
        guard sampleCount > length else { return [0 ..< sampleCount] }
        return stride(from: 0, through: sampleCount - length, by: hop).map { $0 ..< $0 + length }
    }
}
