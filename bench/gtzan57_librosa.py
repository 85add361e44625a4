"""The 57 GTZAN features with librosa 0.11, computed as the widely used table was.

The table predates librosa 0.10, so every centred analysis pads with `reflect` (librosa's default
then). Used by the benchmark (`bench/features.sh`) and to make reference values.
"""
import sys
import time

import librosa
import numpy as np

PAD = "reflect"


def gtzan57(y, sr=22050):
    row = {"length": len(y)}

    def stats(name, values):
        row[f"{name}_mean"] = float(np.mean(values))
        row[f"{name}_var"] = float(np.var(values))

    stats("chroma_stft", librosa.feature.chroma_stft(y=y, sr=sr, pad_mode=PAD))
    stats("rms", librosa.feature.rms(y=y, pad_mode=PAD))
    stats("spectral_centroid", librosa.feature.spectral_centroid(y=y, sr=sr, pad_mode=PAD))
    stats("spectral_bandwidth", librosa.feature.spectral_bandwidth(y=y, sr=sr, pad_mode=PAD))
    stats("rolloff", librosa.feature.spectral_rolloff(y=y, sr=sr, pad_mode=PAD))
    stats("zero_crossing_rate", librosa.feature.zero_crossing_rate(y))
    harmonic, percussive = librosa.effects.hpss(y, pad_mode=PAD)
    stats("harmony", harmonic)
    stats("perceptr", percussive)
    onset = librosa.onset.onset_strength(y=y, sr=sr, aggregate=np.median, pad_mode=PAD)
    tempo, _ = librosa.beat.beat_track(onset_envelope=onset, sr=sr)
    row["tempo"] = float(np.atleast_1d(tempo)[0])
    mfcc = librosa.feature.mfcc(y=y, sr=sr, pad_mode=PAD)
    for i, coefficient in enumerate(mfcc, start=1):
        stats(f"mfcc{i}", coefficient)
    return row


if __name__ == "__main__":
    import csv
    table = {r["filename"]: r for r in csv.DictReader(open(sys.argv[1]))} if len(sys.argv) > 2 else {}
    for path in sys.argv[2:]:
        y, sr = librosa.load(path, sr=22050)
        t = time.perf_counter()
        row = gtzan57(y, sr)
        dt = time.perf_counter() - t
        name = path.split("/")[-1].replace(".flac", ".wav")
        ref = table.get(name)
        worst = max(((abs(v - float(ref[k])) / max(abs(float(ref[k])), 1e-12), k) for k, v in row.items()), default=None) if ref else None
        print(f"{name}: {dt*1000:.0f} ms; worst rel {worst}")
        if ref:
            for k in ("tempo", "harmony_mean", "harmony_var", "perceptr_mean", "perceptr_var", "chroma_stft_mean", "rms_mean", "zero_crossing_rate_mean"):
                print(f"   {k}: {row[k]:.7g} vs {float(ref[k]):.7g}")
