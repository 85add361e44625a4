import Foundation
import GenreFeatures
import Testing
import TestSupport

/// The spectral core against librosa 0.11 (fixture made by scripts/fixtures/make_spectral_fixtures.py).
/// Nested suites live in SpectralTests+*.swift; `swift test --filter SpectralTests` runs them all.
@Suite struct SpectralTests {
    typealias F = SpectralFixture

    // MARK: FFT and windows

    /// A plain O(n²) DFT in double precision, the reference for the FFT.
    static func naiveDFT(_ x: [Double]) -> (re: [Double], im: [Double]) {
        let n = x.count
        var re = [Double](), im = [Double]()
        for k in 0...n / 2 {
            var sr = 0.0, si = 0.0
            for j in 0..<n {
                let angle = -2 * Double.pi * Double((j * k) % n) / Double(n)
                sr += x[j] * cos(angle); si += x[j] * sin(angle)
            }
            re.append(sr); im.append(si)
        }
        return (re, im)
    }

    /// Every size class: 1, powers of two with odd and even log2, even sizes whose half is not a
    /// power of two (Bluestein on n/2), and odd sizes (Bluestein on n).
    @Test(arguments: [1, 2, 3, 4, 5, 8, 12, 16, 30, 32, 64, 100, 128, 384, 767, 1000, 1024, 2048])
    func realFFTMatchesTheDFT(count: Int) throws {
        var generator = SplitMix(seed: UInt64(count))
        let x = (0..<count).map { _ in generator.nextUnit() }
        let (re, im) = Self.naiveDFT(x)
        let expected = zip(re, im).flatMap { [$0, $1] }

        let double = try RealFFT<Double>(count: count)
        let (dr, di) = double.forward(x)
        // Double: rounding of O(log n) passes, ~1e-15 of the peak; Float: ~1e-7 of the peak.
        F.expectClose(zip(dr, di).flatMap { [$0, $1] }, expected, label: "double FFT \(count)", relative: 1e-9,
                      floorFraction: 1e-3)
        let single = try RealFFT<Float>(count: count)
        let (sr, si) = single.forward(x.map(Float.init))
        F.expectClose(zip(sr, si).flatMap { [$0, $1] }, expected, label: "float FFT \(count)", relative: 1e-3,
                      floorFraction: 1e-3)

        // The inverse undoes the forward transform (numpy's irfft scaling).
        F.expectClose(double.inverse(real: dr, imaginary: di), x, label: "double round trip \(count)", relative: 1e-12,
                      floorFraction: 1)
        F.expectClose(single.inverse(real: sr, imaginary: si), x, label: "float round trip \(count)", relative: 1e-5,
                      floorFraction: 1)
    }

    /// One immutable plan shared by concurrent tasks, each with its own scratch.
    @Test func planIsSharedAcrossTasks() async throws {
        let plan = try RealFFT<Double>(count: 2048)
        let inputs = (0..<8).map { seed in
            var generator = SplitMix(seed: UInt64(seed))
            return (0..<2048).map { _ in generator.nextUnit() }
        }
        let sequential = inputs.map { plan.forward($0).real }
        let concurrent = await withTaskGroup(of: (Int, [Double]).self) { group in
            for (index, input) in inputs.enumerated() {
                group.addTask {
                    let scratch = plan.makeScratch()
                    var real = [Double](repeating: 0, count: plan.binCount), imaginary = real
                    for _ in 0..<20 { plan.forward(input, real: &real, imaginary: &imaginary, scratch: scratch) }
                    return (index, real)
                }
            }
            var results = [[Double]](repeating: [], count: inputs.count)
            for await (index, real) in group { results[index] = real }
            return results
        }
        #expect(concurrent == sequential)
    }

    @Test func realFFTRejectsEmptySizes() {
        #expect(throws: SpectralError.parameterOutOfRange(name: "FFT size", value: "0", valid: "at least 1")) {
            try RealFFT<Float>(count: 0)
        }
    }

    /// scipy's periodic windows are float64; ours are computed the same way, to within an ulp.
    @Test func windowsMatchScipy() throws {
        let cases: [(Window, Int, String)] = [
            (.hann, 800, "window.hann.800"), (.hann, 7, "window.hann.7"), (.hamming, 800, "window.hamming.800"),
            (.hamming, 1, "window.hamming.1"), (.rectangular, 5, "window.boxcar.5"),
        ]
        for (window, length, name) in cases {
            F.expectClose(window.values(length: length), try F.doubles(name), label: name, relative: 1e-14,
                          floorFraction: 1e-9)
        }
        F.expectClose(Window.hann.padded(length: 800, to: 1024), try F.doubles("window.hann.800.padded"),
                      label: "padded hann", relative: 1e-14, floorFraction: 1e-9)
    }

    @Test func padModesMatchNumpy() {
        let x: [Float] = [1, 2, 3]
        #expect(PadMode.constant.pad(x, left: 2, right: 1) == [0, 0, 1, 2, 3, 0])
        #expect(PadMode.edge.pad(x, left: 2, right: 1) == [1, 1, 1, 2, 3, 3])
        // np.pad([1, 2, 3], (5, 4), mode="reflect") repeats the reflection.
        #expect(PadMode.reflect.pad(x, left: 5, right: 4) == [2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3])
        #expect(PadMode.reflect.pad([7], left: 2, right: 2) == [7, 7, 7, 7, 7])
    }
}
