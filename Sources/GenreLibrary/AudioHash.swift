/// The identity of a song's decoded audio: the same samples give the same 32 hex digits whatever
/// the file's name, tags or container, so a moved or renamed file is recognised. Two independent
/// 64-bit multiply-xor hashes over the samples' bit patterns, finished with their count; fast
/// enough to ride along the decoding (not a cryptographic digest: nobody is adversary here).
struct AudioHash {
    private var first: UInt64 = 0xcbf2_9ce4_8422_2325
    private var second: UInt64 = 0x9e37_79b9_7f4a_7c15
    private var count: UInt64 = 0

    mutating func add(_ samples: [Float]) {
        for sample in samples {
            let bits = UInt64(sample.bitPattern)
            first = (first ^ bits) &* 0x0000_0100_0000_01b3
            second = Self.rotated(second ^ (bits &* 0xff51_afd7_ed55_8ccd), by: 29) &* 0xc4ce_b9fe_1a85_ec53
        }
        count &+= UInt64(samples.count)
    }

    var hex: String { Self.hex([Self.mixed(first ^ count), Self.mixed(second &+ count)]) }

    /// Words as hex digits, 16 a word.
    static func hex(_ words: [UInt64]) -> String {
        words.map { word in
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    private static func rotated(_ x: UInt64, by n: UInt64) -> UInt64 { x << n | x >> (64 - n) }

    /// SplitMix64's finaliser: every input bit reaches every output bit.
    private static func mixed(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
