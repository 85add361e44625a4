"""The original musicnn's side of bench/musicnn.sh: the same clips, timed stage by stage.

  musicnn_python.py MODEL REPEATS CLIP...

Prints, per clip, the best of REPEATS (after one warm-up) in milliseconds of: musicnn's whole
`extractor(clip, model, extract_features=True)` as a user calls it (it builds the graph and restores
the checkpoint each time, then runs the patches one at a time); its `batch_data` (decode with librosa
at 16 kHz, log-mel patches); and one `session.run` of every patch at once, fetching the taggram and
every feature (what GenreKit's network step computes). Then the means, in musicnn-bench's format.
"""
import contextlib
import os
import sys
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402
from musicnn.extractor import batch_data, extractor  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from convert_musicnn import PATCH_FRAMES, build_graph, checkpoint_prefix  # noqa: E402


def best(repeats, work):
    result = work()
    fastest = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        fastest = min(fastest, time.perf_counter() - start)
    return 1000 * fastest, result


def quiet_extractor(clip, model):
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):  # it prints its progress
        return extractor(clip, model=model, extract_features=True)


def main(model, repeats, clips):
    # extractor() resets TensorFlow's default graph, so it runs outside the session below.
    wholes = [best(repeats, lambda: quiet_extractor(clip, model))[0] for clip in clips]
    totals = [0.0, 0.0, 0.0]
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        x, is_training, outputs = build_graph(model)
        fetches = (tf.nn.sigmoid(outputs[0]),) + outputs[1:]
        tf.compat.v1.train.Saver().restore(session, checkpoint_prefix(model))
        for clip, whole in zip(clips, wholes):
            patches, (batch, _) = best(repeats, lambda: batch_data(clip, PATCH_FRAMES, PATCH_FRAMES))
            network, _ = best(repeats, lambda: session.run(fetches, feed_dict={x: batch, is_training: False}))
            times = [whole, patches, network]
            totals = [t + s for t, s in zip(totals, times)]
            print(f"{os.path.basename(clip)}  {len(batch)} patches: extractor {whole:.1f} ms, "
                  f"decode + patches {patches:.1f} ms, network {network:.1f} ms", flush=True)
    mean = [t / len(clips) for t in totals]
    print(f"mean: extractor {mean[0]:.1f} ms, decode + patches {mean[1]:.1f} ms, network {mean[2]:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
