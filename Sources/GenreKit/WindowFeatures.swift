import GenreAudio
import GenreFeatures

/// The features of a file's windows (or of the whole file), computed as the file is decoded, so
/// that a song of any length needs memory for a batch of windows only. The whole file is held
/// only for a feature set that must see it whole (`gtzan57` without windows).
struct WindowFeatures {
    /// Where each row's window lies, in samples.
    let ranges: [Range<Int>]
    let rows: [[Double]]
    let sampleCount: Int
    let sampleRate: Int
    /// What the decoder says of the audio (silence, clipping).
    let warning: String?

    /// Windows extracted together: a network runs them as one batch.
    static let batch = 16

    /// `endAligned`: see `Segmenter.endAlignedRanges`; `observe` sees every decoded chunk.
    init(path: String, decoder: AudioDecoder, featureSet: any FeatureSet, segmenter: Segmenter?, endAligned: Bool = false,
         observe: ([Float]) -> Void = { _ in }) throws {
        let stream = try decoder.stream(path)
        func next() throws -> [Float]? {
            let chunk = try stream.next()
            if let chunk { observe(chunk) }
            return chunk
        }
        var ranges: [Range<Int>] = []
        var rows: [[Double]] = []
        if let segmenter {
            var cutter = WindowCutter(segmenter: segmenter, sampleRate: stream.sampleRate, endAligned: endAligned)
            var pending: [AudioWindow] = []
            func extract() throws {
                rows += try featureSet.extract(clips: pending.map(\.samples))
                ranges += pending.map(\.range)
                pending = []
            }
            while let chunk = try next() {
                pending += cutter.append(chunk)
                if pending.count >= Self.batch { try extract() }
            }
            pending += cutter.finish()
            try extract()
        } else if let streaming = featureSet as? any StreamingFeatureSet {
            var accumulator = streaming.accumulator()
            while let chunk = try next() { try accumulator.append(chunk) }
            rows = [try accumulator.finish()]
            ranges = [0 ..< stream.deliveredCount]
        } else {
            var samples: [Float] = []
            samples.reserveCapacity(stream.expectedSamples)
            while let chunk = try next() { samples += chunk }
            rows = [try featureSet.extract(samples)]
            ranges = [0 ..< samples.count]
        }
        self.ranges = ranges
        self.rows = rows
        sampleCount = stream.deliveredCount
        sampleRate = stream.sampleRate
        warning = stream.warning
    }

    var durationSeconds: Double { Double(sampleCount) / Double(sampleRate) }
}
