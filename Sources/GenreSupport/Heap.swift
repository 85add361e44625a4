import CMalloc

/// Settings of the process's heap.
public enum Heap {
    /// Analysing a clip allocates a few dozen spectrogram-sized arrays (5 MB each for 30 s). By
    /// default glibc maps each one afresh and unmaps it when freed, so every clip pays to fault in and
    /// zero new pages (a sixth of the run time); keeping freed memory in the heap lets the next clip
    /// reuse it. For executables, once at start.
    public static func keepFreedMemory() {
        _ = mallopt(M_MMAP_THRESHOLD, 256 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    }
}
