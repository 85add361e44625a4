// GenreKit's side of bench/musicnn.sh: the musicnn embeddings of 30 s clips, timed stage by stage.
// Usage: musicnn-bench MODEL LAYER REPEATS CLIP... ; prints one line per clip (milliseconds, best of
// REPEATS after one warm-up run: decode at 16 kHz, log-mel patches, network) and a mean line.
import Foundation
import GenreKit

Heap.keepFreedMemory()  // as the genre executable does

let arguments = CommandLine.arguments
guard arguments.count >= 5, let repeats = Int(arguments[3]), repeats > 0 else {
    FileHandle.standardError.write(Data("usage: musicnn-bench MODEL LAYER REPEATS CLIP...\n".utf8))
    exit(2)
}
let (model, layer, clips) = (arguments[1], arguments[2], Array(arguments[4...]))

/// The best of `repeats` timings of `work` in milliseconds, after one untimed run; and its result.
func best<T>(_ work: () throws -> T) rethrows -> (milliseconds: Double, result: T) {
    var result = try work()
    var fastest = Double.infinity
    for _ in 0 ..< repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        result = try work()
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return (fastest, result)
}

do {
    let network = try PretrainedNetwork.shared(named: model)
    let decoder = AudioDecoder(sampleRate: MusicnnInput.sampleRate)
    let input = try MusicnnInput()
    var totals = [0.0, 0.0, 0.0]
    for clip in clips {
        let decoded = try best { try decoder.decode(clip).samples }
        let patched = try best { PretrainedNetwork.batch(try input.patches(decoded.result)) }
        let embedded = try best { try network.embeddings(of: patched.result, layer: layer) }
        let times = [decoded.milliseconds, patched.milliseconds, embedded.milliseconds]
        totals = zip(totals, times).map(+)
        print(String(format: "%@  %d patches, %d features: decode %.1f ms, patches %.1f ms, network %.1f ms",
                     (clip as NSString).lastPathComponent, embedded.result.count, embedded.result[0].count,
                     times[0], times[1], times[2]))
    }
    let mean = totals.map { $0 / Double(clips.count) }
    print(String(format: "mean: decode %.1f ms, patches %.1f ms, network %.1f ms", mean[0], mean[1], mean[2]))
} catch {
    FileHandle.standardError.write(Data("musicnn-bench: \(error)\n".utf8))
    exit(1)
}
