import Foundation

/// Writes small WAV files for tests that need audio made on the spot (odd rates, many channels).
public enum WAVWriter {
    /// Interleaved samples: 32-bit float when `float`, else 16-bit PCM (clipped).
    public static func write(_ path: String, samples: [Float], channels: Int, sampleRate: Int,
                             float: Bool = false) throws {
        let bytesPerSample = float ? 4 : 2
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: "RIFF".utf8)
        append(UInt32(36 + samples.count * bytesPerSample))
        data.append(contentsOf: "WAVEfmt ".utf8)
        append(UInt32(16))
        append(UInt16(float ? 3 : 1))
        append(UInt16(channels))
        append(UInt32(sampleRate))
        append(UInt32(sampleRate * channels * bytesPerSample))
        append(UInt16(channels * bytesPerSample))
        append(UInt16(bytesPerSample * 8))
        data.append(contentsOf: "data".utf8)
        append(UInt32(samples.count * bytesPerSample))
        for sample in samples {
            if float { append(sample.bitPattern) } else { append(Int16(max(-32768, min(32767, (sample * 32768).rounded())))) }
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// 16-bit PCM; `frames[i]` holds one sample per channel.
    public static func write(_ path: String, frames: [[Float]], sampleRate: Int) throws {
        try write(path, samples: frames.flatMap { $0 }, channels: frames.first?.count ?? 1, sampleRate: sampleRate)
    }

    /// A mono tone of `seconds` at `hz`.
    public static func tone(_ path: String, hz: Double = 440, seconds: Double, sampleRate: Int,
                            channels: Int = 1, amplitude: Float = 0.5) throws {
        let count = Int(seconds * Double(sampleRate))
        let frames = (0 ..< count).map { i in
            [Float](repeating: amplitude * Float(sin(2 * Double.pi * hz * Double(i) / Double(sampleRate))), count: channels)
        }
        try write(path, frames: frames, sampleRate: sampleRate)
    }
}

/// A fresh temporary folder, removed when the value goes away.
public final class TemporaryFolder {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "genrekit-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
