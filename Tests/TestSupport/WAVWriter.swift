import Foundation

/// Writes small WAV files for tests that need audio made on the spot (odd rates, many channels).
public enum WAVWriter {
    /// 16-bit PCM; `frames[i]` holds one sample per channel, in [-1, 1].
    public static func write(_ path: String, frames: [[Float]], sampleRate: Int) throws {
        let channels = frames.first?.count ?? 1
        let dataBytes = frames.count * channels * 2
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); append(UInt32(36 + dataBytes))
        data.append(contentsOf: Array("WAVEfmt ".utf8)); append(UInt32(16)); append(UInt16(1))
        append(UInt16(channels)); append(UInt32(sampleRate)); append(UInt32(sampleRate * channels * 2))
        append(UInt16(channels * 2)); append(UInt16(16))
        data.append(contentsOf: Array("data".utf8)); append(UInt32(dataBytes))
        for frame in frames {
            for sample in frame { append(Int16((max(-1, min(1, sample)) * 32767).rounded())) }
        }
        try data.write(to: URL(fileURLWithPath: path))
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
