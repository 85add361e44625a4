import Foundation
import GenreKit
import Testing
import TestSupport

/// Audio augmentation: librosa's time stretch and pitch shift (fixtures made by
/// scripts/fixtures/make_augmentation_fixtures.py), gain and noise, and the rule that augmented
/// rows are trained on with their track and never scored.
@Suite struct AugmentationTests {
    static let fixture: Fixture = {
        do { return try Fixture.load("augmentation.safetensors") } catch { fatalError("\(error)") }
    }()

    let signal = try! Self.fixture.tensor("signal").floats
    let sampleRate = 22050

    /// Deviation against librosa, relative to the reference's peak. The STFT, phase vocoder and
    /// inverse run in a different order of float32/float64 roundings than numpy's, and the phase
    /// accumulates over the frames, so samples differ by ~1e-4 of the peak; the pitch shift adds
    /// libsoxr, the same library and quality as librosa's soxr_hq, at the same rates.
    static let tolerance = 2e-3

    @Test(arguments: [0.8, 1.25])
    func timeStretchMatchesLibrosa(rate: Double) throws {
        let stretched = try TimeStretch.stretch(signal, rate: rate, stft: STFT())
        let expected = try Self.fixture.tensor("stretch.\(rate)").values
        let deviation = Deviation.compare(stretched, expected, floor: peak(expected))
        #expect(!deviation.countMismatch && deviation.maxRelative <= Self.tolerance, "rate \(rate): \(deviation)")
    }

    @Test(arguments: [-2, 3])
    func pitchShiftMatchesLibrosa(steps: Int) throws {
        let shifted = try AudioAugmentation.pitchShift(signal, sampleRate: sampleRate, semitones: Double(steps), stft: STFT())
        let expected = try Self.fixture.tensor("pitch.\(steps)").values
        let deviation = Deviation.compare(shifted, expected, floor: peak(expected))
        #expect(!deviation.countMismatch && deviation.maxRelative <= Self.tolerance, "\(steps) steps: \(deviation)")
    }

    @Test func badRatesAndShiftsAreRefusedNamingTheRange() {
        #expect(throws: SpectralError.self) { try TimeStretch.stretch(signal, rate: 0, stft: STFT()) }
        #expect(throws: AugmentationError.outOfRange("stretch rate", "3.0", "0.5...2")) { try AudioAugmentation(stretchRates: [3]) }
        #expect(throws: AugmentationError.self) { try AudioAugmentation(pitchSteps: [0]) }
        #expect(throws: AugmentationError.self) { try AudioAugmentation(gainDecibels: 30) }
        #expect(throws: AugmentationError.self) { try AudioAugmentation(noiseSNR: -5 ... 10) }
    }

    /// Gain stays within ±gainDecibels, noise within the SNR range (measured over a second, so
    /// within sampling error), and a track's copies depend on its id and the seed only.
    @Test func gainAndNoiseAreBoundedAndSeeded() throws {
        let augmentation = try AudioAugmentation(gainDecibels: 6, noiseSNR: 20 ... 30, seed: 5)
        let rms = { (x: [Float]) in (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot() }
        var gains: Set<Double> = []
        for id in (0 ..< 20).map({ "track\($0)" }) {
            let copies = try augmentation.copies(of: signal, sampleRate: sampleRate, trackID: id)
            #expect(copies.count == 2)
            let gain = 20 * log10(rms(copies[0]) / rms(signal))
            #expect(abs(gain) <= 6 + 1e-4)
            gains.insert((gain * 1000).rounded())
            let noise = zip(copies[1], signal).map { $0 - $1 }
            let snr = 20 * log10(rms(signal) / rms(noise))
            #expect(snr > 19.8 && snr < 30.2, "SNR \(snr) dB")
            #expect(try augmentation.copies(of: signal, sampleRate: sampleRate, trackID: id) == copies)
        }
        #expect(gains.count > 15, "gains are drawn, not fixed")
        let reseeded = try AudioAugmentation(gainDecibels: 6, noiseSNR: 20 ... 30, seed: 6)
        #expect(try reseeded.copies(of: signal, sampleRate: sampleRate, trackID: "track0")
            != augmentation.copies(of: signal, sampleRate: sampleRate, trackID: "track0"))
        #expect(try augmentation.copies(of: [Float](repeating: 0, count: 100), sampleRate: sampleRate, trackID: "silent")
            .allSatisfy { $0.allSatisfy { $0 == 0 } }, "silence stays silent, never NaN")
    }

    /// 40 tracks of 4 classes by 10 artists: 3 original rows each, and 5 augmented rows each.
    static let augmented: FeatureDataset = {
        let tracks = (0 ..< 40).map { Track(id: "t\($0)", label: ["a", "b", "c", "d"][$0 % 4], group: "artist\($0 % 10)") }
        var rowTrack: [Int] = [], isAugmented: [Bool] = []
        for track in tracks.indices {
            rowTrack += Array(repeating: track, count: 8)
            isAugmented += Array(repeating: false, count: 3) + Array(repeating: true, count: 5)
        }
        return FeatureDataset(tracks: tracks, columns: ["f"],
                              x: RowMatrix(rows: rowTrack.count, columns: 1, values: rowTrack.map(Float.init)),
                              rowTrack: rowTrack, source: "synthetic", isAugmented: isAugmented)
    }()

    @Test func augmentedRowsAreTrainedWithTheirTrackAndNeverScored() throws {
        let data = Self.augmented
        #expect(data.isSegmented)
        for protocolCase in [EvaluationProtocol.groupedKFold(folds: 5, seed: 2), .stratifiedKFold(folds: 4, seed: 9),
                             .lists(train: Set((0 ..< 30).map { "t\($0)" }), test: Set((30 ..< 40).map { "t\($0)" }), name: "lists")] {
            for fold in try protocolCase.folds(of: data) {
                let testTracks = Set(fold.test.map { data.rowTrack[$0] })
                let trainTracks = Set(fold.train.map { data.rowTrack[$0] })
                #expect(testTracks.isDisjoint(with: trainTracks), "\(protocolCase): no augmented row of a scored track is trained on")
                let originals = data.rowTrack.indices.filter { testTracks.contains(data.rowTrack[$0]) && !data.isAugmented[$0] }
                #expect(fold.test == originals, "\(protocolCase): the scored rows are exactly the originals of the scored tracks")
                let trainAugmented = fold.train.filter { data.isAugmented[$0] }
                #expect(trainAugmented.count == 5 * trainTracks.count, "\(protocolCase): training tracks bring their copies")
            }
        }
        let leaky = try EvaluationProtocol.leakyRandomSegments(testFraction: 0.3, seed: 1).folds(of: data)
        #expect(leaky.allSatisfy { $0.test.allSatisfy { !data.isAugmented[$0] } })
    }

    /// From audio files to rows: the original rows are those of a run without augmentation, the
    /// copies and extra windows follow with their track, and an evaluation scores only the originals.
    @Test func extractionAddsCopiesBesideUnchangedOriginals() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("augment-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var tracks: [Track] = []
        for index in 0 ..< 4 {
            let path = "\(folder)/clip\(index).wav"
            let frequency = 220.0 * Double(index + 1)
            let samples = (0 ..< 3 * sampleRate).map { Float(0.3 * sin(2 * Double.pi * frequency * Double($0) / Double(sampleRate))) }
            try WAVWriter.write(path, samples: samples, channels: 1, sampleRate: sampleRate, float: true)
            tracks.append(Track(id: "clip\(index)", label: index < 2 ? "low" : "high", path: path))
        }
        let audio = AudioDataset(tracks: tracks, source: folder)
        let extractor = FeatureExtractor(featureSet: try FeatureCatalog.named("gtzan57"), segmenter: try Segmenter(segmentSeconds: 1))
        let plain = await FeatureDataset.extracting(audio, with: extractor, quiet: true) { _, error in Issue.record("\(error)") }
        let augmentation = try AudioAugmentation(windowHopSeconds: 0.5, gainDecibels: 6, seed: 3)
        let data = await FeatureDataset.extracting(audio, with: extractor, quiet: true, augmentation: augmentation,
                                                   augmenting: { $0.id != "clip3" }) { _, error in Issue.record("\(error)") }
        // Three 1 s windows, two more at the half seconds, and a gain copy's three windows.
        for track in 0 ..< 4 {
            let rows = data.rowTrack.indices.filter { data.rowTrack[$0] == track }
            let originals = rows.filter { !data.isAugmented[$0] }
            #expect(originals.count == 3 && rows.count == (track == 3 ? 3 : 8))
            let plainRows = plain.rowTrack.indices.filter { plain.rowTrack[$0] == track }
            #expect(data.x.selecting(rows: originals).values == plain.x.selecting(rows: plainRows).values)
        }
        let lists = EvaluationProtocol.lists(train: ["clip0", "clip2"], test: ["clip1", "clip3"], name: "lists")
        let folds = try lists.folds(of: data)
        #expect(folds[0].test.count == 6 && folds[0].train.count == 16)
        let result = try await Evaluation(model: ModelChoice(.naiveBayes)).run(on: data, protocol: lists)
        #expect(result.augmentation?.hasPrefix("15 rows") == true, "\(result.augmentation ?? "nil")")
        #expect(try await Evaluation(model: ModelChoice(.naiveBayes)).run(on: plain, protocol: lists).augmentation == nil)
    }
}
