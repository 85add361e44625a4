import GenreNN
import GenreSupport

/// The front-end outputs of the patches seen so far in this process, as the shipped network
/// computes them, up to a memory budget (the oldest go first): with a frozen front end, each patch's
/// is computed once however many folds of cross-validation train or score on it.
public final class FrontEndCache: Sendable {
    public static let shared = FrontEndCache(budgetBytes: 3 << 30)

    private struct Key: Hashable {
        let network: String
        /// A copy: a slice would keep the whole feature matrix alive.
        let patch: [Float]
    }
    private struct Kept {
        var outputs: [Key: [Float]] = [:]
        var arrivals: [Key] = []
        var bytes = 0
    }
    private let budgetBytes: Int
    /// Held while a batch computes, so that parallel folds wait for it instead of computing it again.
    private let kept = Locked(Kept())

    init(budgetBytes: Int) { self.budgetBytes = budgetBytes }

    /// The front end [N, 561, 187] of the patches held one after another in `patches`.
    public func frontEnd(of patches: ArraySlice<Float>, network name: String) throws -> Tensor {
        let size = MusicnnPatchFeatureSet.columnCount
        let keys = stride(from: patches.startIndex, to: patches.endIndex, by: size).map {
            Key(network: name, patch: Array(patches[$0 ..< $0 + size]))
        }
        return try kept.withLock { kept in
            // In the rows' order, so that the same rows batch alike (results are deterministic).
            var seen = Set<Key>()
            let missing = keys.filter { kept.outputs[$0] == nil && seen.insert($0).inserted }
            for start in stride(from: 0, to: missing.count, by: 16) {
                let batch = missing[start ..< min(missing.count, start + 16)]
                let computed = try PretrainedNetwork.shared(named: name).frontEnd(
                    Tensor(shape: [batch.count] + PretrainedNetwork.patchShape, scalars: batch.flatMap(\.patch)))
                let each = computed.count / batch.count
                for (offset, key) in batch.enumerated() {
                    kept.outputs[key] = Array(computed.scalars[offset * each ..< (offset + 1) * each])
                    kept.arrivals.append(key)
                    kept.bytes += 4 * (each + size)
                }
            }
            // [N, channels, frames]: the front end keeps the frames.
            let values = keys.map { kept.outputs[$0]! }
            evictBeyondBudget(&kept)
            return Tensor(shape: [keys.count, values[0].count / MusicnnInput.patchFrames, MusicnnInput.patchFrames],
                          scalars: values.flatMap { $0 })
        }
    }

    private func evictBeyondBudget(_ kept: inout Kept) {
        var evicted = 0
        while kept.bytes > budgetBytes, evicted < kept.arrivals.count {
            let key = kept.arrivals[evicted]
            kept.bytes -= 4 * (kept.outputs.removeValue(forKey: key)!.count + key.patch.count)
            evicted += 1
        }
        kept.arrivals.removeFirst(evicted)
    }
}
