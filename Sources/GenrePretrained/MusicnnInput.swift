import Foundation
import GenreFeatures

/// The input of musicnn's pre-trained networks (Pons & Serra, 2019; `Resources/musicnn`): the
/// log-compressed mel spectrogram of 16 kHz audio cut into 3 s patches, as the original
/// `musicnn.extractor.batch_data` computes it.
///
/// Each mel power is rounded to float16 (musicnn stores the spectrogram so) before
/// `log10(10000 x + 1)` in single precision. That is what musicnn computes under the NumPy 1 it was
/// written for; under NumPy 2 its own `10000 * x` stays float16, overflows to infinity above
/// x = 6.55 and makes NaN taggrams.
public struct MusicnnInput: Sendable {
    public static let sampleRate = 16000
    public static let stft = STFTSettings(nFFT: 512, hopLength: 256)
    public static let mel = MelSettings(nMels: 96)
    /// Frames per patch: 3 s (`librosa.time_to_frames(3) + 1`), the length the networks were trained on.
    public static let patchFrames = 187
    /// The shortest clip that makes a patch: n samples make 1 + n / hop frames (the STFT is centred).
    public static let shortestClipSamples = (patchFrames - 1) * stft.hopLength

    /// Frames from the start of one patch to the start of the next; musicnn calls this step `overlap`.
    public let hopFrames: Int
    private let transform: STFT
    /// The same transform on a signal already centred, for patches cut as the samples come.
    private let uncentredTransform: STFT
    private let bank: MelFilterBank

    /// Patches `hopFrames` apart; the default puts them side by side, as musicnn's extractor does.
    public init(hopFrames: Int = patchFrames) throws(MusicnnInputError) {
        guard hopFrames >= 1 else { throw .stepTooSmall(frames: hopFrames, overlapSeconds: nil) }
        self.hopFrames = hopFrames
        // The settings are fixed and valid, so building the transform and the filter bank cannot fail.
        transform = try! STFT(Self.stft)
        var uncentred = Self.stft
        uncentred.center = false
        uncentredTransform = try! STFT(uncentred)
        bank = try! MelFilterBank(sampleRate: Self.sampleRate, nFFT: Self.stft.nFFT, settings: Self.mel)
    }

    /// Patches `overlapSeconds` apart, converted to frames as musicnn's extractor converts its
    /// `input_overlap` (`librosa.time_to_frames`: whole samples, minus half an FFT, floored to hops).
    public init(overlapSeconds: Double) throws(MusicnnInputError) {
        let samples = Int(overlapSeconds * Double(Self.sampleRate))
        let frames = Int((Double(samples - Self.stft.nFFT / 2) / Double(Self.stft.hopLength)).rounded(.down))
        guard frames >= 1 else { throw .stepTooSmall(frames: frames, overlapSeconds: overlapSeconds) }
        try self.init(hopFrames: frames)
    }

    /// The log-compressed mel spectrogram (96 mels, frames) of 16 kHz `samples`.
    public func logMelSpectrogram(_ samples: [Float]) throws(MusicnnInputError) -> Matrix {
        try logMelSpectrogram(samples, transform: transform)
    }

    private func logMelSpectrogram(_ samples: [Float], transform: STFT) throws(MusicnnInputError) -> Matrix {
        let power: Matrix
        do throws(SpectralError) {
            power = try bank.apply(try transform.magnitude(samples, power: 2))
        } catch {
            throw .spectrogram(error)
        }
        // Saturating where float16 would overflow to infinity (which the networks turn into NaN):
        // decoded audio never gets there, samples handed in directly might.
        let largest = Float(Float16.greatestFiniteMagnitude)
        let compressed = power.values.map { log10(10000 * Float(Float16(min($0, largest))) + 1) }
        return Matrix(rows: power.rows, columns: power.columns, values: compressed)
    }

    /// The patches (96 mels, 187 frames) of 16 kHz `samples`; each is one NCHW network input
    /// [1, 96, 187]. Frames after the last whole patch are dropped, as musicnn drops them.
    public func patches(_ samples: [Float]) throws(MusicnnInputError) -> [Matrix] {
        guard samples.count >= Self.shortestClipSamples else {
            throw .clipTooShort(samples: samples.count, minimum: Self.shortestClipSamples)
        }
        return patches(of: try logMelSpectrogram(samples))
    }

    /// The patches of a log-mel spectrogram from `logMelSpectrogram`; none when it is shorter than one.
    public func patches(of spectrogram: Matrix) -> [Matrix] {
        patchStarts(frameCount: spectrogram.columns).map { start in
            let values = (0 ..< spectrogram.rows).flatMap { band in
                let row = spectrogram.row(band)
                return row[row.startIndex + start ..< row.startIndex + start + Self.patchFrames]
            }
            return Matrix(rows: spectrogram.rows, columns: Self.patchFrames, values: values)
        }
    }

    /// The first frame of each patch of a spectrogram with `frameCount` frames.
    public func patchStarts(frameCount: Int) -> [Int] {
        Array(stride(from: 0, through: frameCount - Self.patchFrames, by: hopFrames))
    }
}

/// Cuts a signal into musicnn's patches as its samples come, holding only the samples of the
/// next patch: the same patches, in the same order, as `MusicnnInput.patches` of the whole signal.
public struct MusicnnPatchCutter: Sendable {
    public let input: MusicnnInput
    /// The first frame of each patch cut so far.
    public private(set) var starts: [Int] = []
    /// The signal centred as the STFT centres it (nFFT / 2 zeros before it), from sample
    /// `bufferStart` of the centred signal on.
    private var buffer = [Float](repeating: 0, count: MusicnnInput.stft.nFFT / 2)
    private var bufferStart = 0

    public init(input: MusicnnInput) {
        self.input = input
    }

    /// The patches `samples` completes.
    public mutating func append(_ samples: [Float]) throws(MusicnnInputError) -> [Matrix] {
        buffer += samples
        return try cut()
    }

    /// The patches the end of the signal completes (its last frames see the zeros after it).
    public mutating func finish() throws(MusicnnInputError) -> [Matrix] {
        buffer += repeatElement(0, count: MusicnnInput.stft.nFFT / 2)
        return try cut()
    }

    private mutating func cut() throws(MusicnnInputError) -> [Matrix] {
        let hop = MusicnnInput.stft.hopLength
        // A patch's frames span (patchFrames - 1) hops and one FFT of the centred signal.
        let span = (MusicnnInput.patchFrames - 1) * hop + MusicnnInput.stft.nFFT
        var patches: [Matrix] = []
        while true {
            let start = (starts.last.map { $0 + input.hopFrames } ?? 0)
            let from = start * hop - bufferStart
            guard from + span <= buffer.count else { break }
            patches.append(try input.uncentredLogMel(Array(buffer[from ..< from + span])))
            starts.append(start)
        }
        // Dropped only once it outweighs the rest, so each sample is moved a bounded number of times.
        let dead = min((starts.last.map { $0 + input.hopFrames } ?? 0) * hop - bufferStart, buffer.count)
        if dead > 0 && dead >= buffer.count - dead {
            buffer.removeFirst(dead)
            bufferStart += dead
        }
        return patches
    }
}

extension MusicnnInput {
    /// The log-mel frames of an already centred signal.
    fileprivate func uncentredLogMel(_ centred: [Float]) throws(MusicnnInputError) -> Matrix {
        try logMelSpectrogram(centred, transform: uncentredTransform)
    }
}

public enum MusicnnInputError: Error, CustomStringConvertible, Equatable {
    /// The clip has fewer samples than one patch needs (musicnn's extractor fails on it).
    case clipTooShort(samples: Int, minimum: Int)
    /// The step between patches came to fewer than one frame (from `overlapSeconds` when given).
    case stepTooSmall(frames: Int, overlapSeconds: Double?)
    /// The spectrogram could not be computed.
    case spectrogram(SpectralError)

    public var description: String {
        let rate = Double(MusicnnInput.sampleRate)
        switch self {
        case .clipTooShort(let samples, let minimum):
            return "a clip of \(samples) samples (\(String(format: "%.2f", Double(samples) / rate)) s at 16 kHz) is "
                + "shorter than one musicnn patch of \(MusicnnInput.patchFrames) frames, which needs \(minimum) samples "
                + "(\(String(format: "%.2f", Double(minimum) / rate)) s): give a longer clip"
        case .stepTooSmall(let frames, nil):
            return "the patch step is \(frames) frames but must be at least 1 (\(MusicnnInput.patchFrames) puts patches side by side)"
        case .stepTooSmall(let frames, let seconds?):
            return "an overlap of \(seconds) s makes a patch step of \(frames) frames: give at least 0.032 s (one frame)"
        case .spectrogram(let error):
            return "musicnn's spectrogram failed: \(error)"
        }
    }
}
