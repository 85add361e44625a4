import Foundation
import TestSupport

/// The path of a file in this target's Fixtures folder (made by scripts/fixtures/make_audio_fixtures.sh).
func fixturePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
}

/// A tensor of Fixtures/audio_reference.safetensors (librosa and python-soxr values).
func reference(_ name: String) throws -> [Float] {
    try Fixture.load("audio_reference.safetensors").tensor(name).floats
}

func rms(_ x: ArraySlice<Float>) -> Double {
    (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(x.count, 1))).squareRoot()
}

/// Pearson correlation of `x` and `y` after shifting `x` by `lag` samples (x[i + lag] against
/// y[i]), over the samples they share, leaving `margin` samples out at each end (codec edges).
func correlation(_ x: [Float], _ y: [Float], lag: Int, margin: Int) -> Double {
    let start = max(0, -lag) + margin, end = min(y.count, x.count - lag) - margin
    guard end - start > 2 else { return 0 }
    let a = (start ..< end).map { Double(x[$0 + lag]) }, b = (start ..< end).map { Double(y[$0]) }
    let meanA = a.reduce(0, +) / Double(a.count), meanB = b.reduce(0, +) / Double(b.count)
    var ab = 0.0, aa = 0.0, bb = 0.0
    for i in a.indices {
        ab += (a[i] - meanA) * (b[i] - meanB)
        aa += (a[i] - meanA) * (a[i] - meanA)
        bb += (b[i] - meanB) * (b[i] - meanB)
    }
    return aa > 0 && bb > 0 ? ab / (aa * bb).squareRoot() : 0
}

/// The lag in -maxLag...maxLag with the highest correlation, and that correlation.
func bestAlignment(_ x: [Float], _ y: [Float], maxLag: Int, margin: Int) -> (lag: Int, correlation: Double) {
    (-maxLag ... maxLag).map { ($0, correlation(x, y, lag: $0, margin: margin)) }.max { $0.1 < $1.1 }!
}

/// The frequency in `range` (Hz, scanned in `step` Hz) where `x` has the most energy (Goertzel).
func dominantFrequency(_ x: [Float], sampleRate: Int, range: ClosedRange<Double> = 50 ... 5000, step: Double = 5) -> Double {
    let candidates = stride(from: range.lowerBound, through: range.upperBound, by: step)
    return candidates.max { power(x, $0, sampleRate) < power(x, $1, sampleRate) }!
}

private func power(_ x: [Float], _ frequency: Double, _ sampleRate: Int) -> Double {
    let coefficient = 2 * cos(2 * Double.pi * frequency / Double(sampleRate))
    var s1 = 0.0, s2 = 0.0
    for value in x {
        let s0 = Double(value) + coefficient * s1 - s2
        s2 = s1
        s1 = s0
    }
    return s1 * s1 + s2 * s2 - coefficient * s1 * s2
}

/// A fresh temporary folder, removed when `body` returns.
func withTemporaryFolder<T>(_ body: (String) throws -> T) throws -> T {
    let folder = try TemporaryFolder()
    return try withExtendedLifetime(folder) { try body(folder.path) }
}
