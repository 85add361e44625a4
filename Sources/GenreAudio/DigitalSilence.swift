/// Audio that is all zeros: whatever is computed from it means little, so each verb warns of it.
public enum DigitalSilence {
    public static let message = "the audio is digital silence: what is said of it means little"

    /// The warning for `samples` when they are all zeros, else nil.
    public static func warning(_ samples: [Float]) -> String? {
        samples.allSatisfy { $0 == 0 } ? message : nil
    }
}
