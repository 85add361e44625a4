"""Converts musicnn's pre-trained TensorFlow checkpoints (Pons & Serra, 2019; PyPI musicnn 0.1.0) into
safetensors weights + a JSON description for GenreKit, in Sources/GenrePretrained/Resources/musicnn/.

Run: scripts/convert-musicnn.sh (makes the environment, then runs this with TF_USE_LEGACY_KERAS=1).

Layout. musicnn feeds TensorFlow NHWC tensors [batch, frames, mels, 1]: H is time. GenreKit's tensors
are NCHW with H = mel bands and W = frames, so every kernel is re-laid out for that:
- Conv2D: TF HWIO [kh (frames), kw (mels), in, out] -> OIHW [out, in, mels, frames] = transpose(3, 2, 1, 0).
- The mid-end's convolutions span the whole feature axis (kernel [7, features, 1, out] over [batch,
  frames, features, 1]): they are 1-D convolutions over frames with the features as channels ->
  OIW [out, features, 7] = kernel[:, :, 0, :].transpose(2, 1, 0), input NCW [batch, features, frames].
- Dense: TF [in, out] -> [out, in]. Where TF flattened an NHWC tensor, the input axis is reordered to
  the flattening of the NCHW tensor GenreKit has (see `flatten_order`), so Flatten + Dense match.
- Batch norm: gamma, beta, moving_mean, moving_variance -> weight, bias, running_mean, running_var
  (PyTorch's names), epsilon 0.001 (tf.compat.v1.layers.batch_normalization's default).
Adam's slots (`*/Adam`, `*/Adam_1`) and `beta1_power`/`beta2_power` are dropped; the checkpoints hold no
global step.
"""
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import musicnn  # noqa: E402
from musicnn import configuration as config, models  # noqa: E402
from safetensors.numpy import save_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "Sources/GenrePretrained/Resources/musicnn"
MODELS = ["MSD_musicnn", "MSD_vgg", "MTT_musicnn", "MTT_vgg"]
PATCH_FRAMES = 187  # extractor: librosa.time_to_frames(3 s) + 1
BN_EPSILON = 0.001
OPTIMIZER_VARIABLES = ("/Adam", "beta1_power", "beta2_power", "global_step")

INPUT_PIPELINE = {
    "sample_rate": config.SR, "n_fft": config.FFT_SIZE, "hop_length": config.FFT_HOP, "n_mels": config.N_MELS,
    "spectrogram": "librosa.feature.melspectrogram(y, sr=16000, n_fft=512, hop_length=256, n_mels=96): "
                   "hann window, center=True, zero padding, power 2, Slaney mel filters fmin 0 fmax 8000 with "
                   "Slaney area normalisation",
    "compression": "x rounded to float16, then log10(10000 * x + 1) in float32 (NumPy 1 promotion)",
    "patch_frames": PATCH_FRAMES,
    "patch_hop_frames": PATCH_FRAMES,
    "patching": "patches start every patch_hop_frames frames (musicnn's `overlap` argument is this step) while "
                "a whole patch fits; frames after the last whole patch are dropped; a clip shorter than one patch "
                "(fewer than 47616 samples at 16 kHz) yields no patch (musicnn fails)",
    "network_input": "NCHW [patches, 1, 96 mels, 187 frames]",
    "output": "sigmoid of the logits: one independent probability per tag",
}


def checkpoint_prefix(model):
    # The files are `<model>/.index` and `<model>/.data-*`: the prefix is the folder with a slash
    # (tf.train.load_checkpoint would follow the `checkpoint` file, which names the author's machine).
    return os.path.join(os.path.dirname(musicnn.__file__), model) + "/"


def tags(model):
    return config.MTT_LABELS if model.startswith("MTT") else config.MSD_LABELS


def build_graph(model):
    """musicnn's graph for `model`, built as musicnn.extractor.extractor builds it:
    (input placeholder [batch, frames, mels], is_training placeholder, define_model's outputs)."""
    with tf.name_scope("model"):
        x = tf.compat.v1.placeholder(tf.float32, [None, PATCH_FRAMES, config.N_MELS])
        is_training = tf.compat.v1.placeholder(tf.bool)
        outputs = models.define_model(x, is_training, model, len(tags(model)))
    return x, is_training, outputs


def creation_order(model):
    """Names of the graph's variables in the order musicnn creates them (checks the tables below)."""
    with tf.Graph().as_default():
        build_graph(model)
        return [v.name.removesuffix(":0") for v in tf.compat.v1.global_variables()]


def flatten_order(frames, features, channels):
    """For each index of GenreKit's NCHW flattening of [channels, features, frames], the index of the
    same value in TF's flattening of NHWC [frames, features, channels]."""
    return np.arange(frames * features * channels).reshape(frames, features, channels).transpose(2, 1, 0).reshape(-1)


# Each layer: (GenreKit name, checkpoint scope, kind, description of the operation for the JSON).
def musicnn_layers(frontend_filters=1.6, midend_filters=64, backend_units=200):
    timbral, temporal = int(frontend_filters * 128), int(frontend_filters * 32)
    mels = config.N_MELS
    frontend = 2 * timbral + 3 * temporal
    dense_in = 2 * (frontend + 3 * midend_filters)
    layers = [("input_bn", "batch_normalization", "bn", "BatchNorm over the 1 input channel")]
    for i, fraction in enumerate([0.4, 0.7]):
        height = int(fraction * mels)
        layers += [
            (f"timbral_{height}.conv", "conv2d" + ("_1" if i else ""), "conv2d",
             f"Conv2D 1->{timbral}, kernel {height} mels x 7 frames, padding mels 0 (valid), frames 3 + 3 (zeros), "
             f"bias, then ReLU; out [N, {timbral}, {mels - height + 1}, 187]"),
            (f"timbral_{height}.bn", f"batch_normalization_{1 + i}", "bn",
             f"BatchNorm({timbral}) after the ReLU, then max over all {mels - height + 1} mel rows -> [N, {timbral}, 187]"),
        ]
    for i, length in enumerate([128, 64, 32]):
        layers += [
            (f"temporal_{length}.conv", f"conv2d_{2 + i}", "conv2d",
             f"Conv2D 1->{temporal}, kernel 1 mel x {length} frames, padding frames {(length - 1) // 2} before + "
             f"{length // 2} after (TF 'same'), bias, then ReLU; out [N, {temporal}, {mels}, 187]"),
            (f"temporal_{length}.bn", f"batch_normalization_{3 + i}", "bn",
             f"BatchNorm({temporal}) after the ReLU, then max over all {mels} mel rows -> [N, {temporal}, 187]"),
        ]
    inputs = frontend
    for i in range(3):
        layers += [
            (f"midend_{i + 1}.conv", f"conv2d_{5 + i}", "conv1d",
             f"Conv1D {inputs}->{midend_filters} over frames, kernel 7, padding 3 + 3 (zeros), bias, then ReLU"),
            (f"midend_{i + 1}.bn", f"batch_normalization_{6 + i}", "bn",
             f"BatchNorm({midend_filters}) after the ReLU" + ("" if i == 0 else f"; plus the previous mid-end output (residual)")),
        ]
        inputs = midend_filters
    layers += [
        ("backend.pool_bn", "batch_normalization_9", "bn_pooled",
         f"BatchNorm({dense_in}) of [max over frames ({dense_in // 2}), mean over frames ({dense_in // 2})] of the "
         f"dense-connected features [frontend {frontend}, midend_1, midend_2, midend_3] (dropout 0.5 in training)"),
        ("backend.dense", "dense", "dense_pooled", f"Dense {dense_in}->{backend_units}, bias, then ReLU"),
        ("backend.dense_bn", "batch_normalization_10", "bn",
         f"BatchNorm({backend_units}) after the ReLU = the 'penultimate' features (dropout 0.5 in training)"),
        ("backend.output", "dense_1", "dense", f"Dense {backend_units}->tags, bias: the logits"),
    ]
    return layers


def vgg_layers(filters=128):
    sizes = [(96, 187), (48, 92), (24, 46), (12, 23), (6, 11), (1, 2)]  # (mels, frames) before each conv, last = pool5
    pools = ["1 mel x 4 frames, stride 2 x 2", "2 x 2, stride 2", "2 x 2, stride 2", "2 x 2, stride 2", "4 x 4, stride 4"]
    layers = [("input_bn", "batch_normalization", "bn", "BatchNorm over the 1 input channel")]
    for i in range(5):
        inputs = 1 if i == 0 else filters
        (h, w), (ph, pw) = sizes[i], sizes[i + 1]
        layers += [
            (f"conv{i + 1}", f"{i + 1}CNN", "conv2d",
             f"Conv2D {inputs}->{filters}, kernel 3 x 3, padding 1 (TF 'same'), bias, then ReLU; out [N, {filters}, {h}, {w}]"),
            (f"bn{i + 1}", f"batch_normalization_{i + 1}", "bn",
             f"BatchNorm({filters}) after the ReLU, then max pool {pools[i]} (valid) -> pool{i + 1} [N, {filters}, {ph}, {pw}]"
             + (" (dropout 0.25 in training)" if i < 4 else "")),
        ]
    layers.append(("output", "dense", "dense_pool5",
                   f"Flatten pool5 NCHW [N, {filters}, 1, 2] -> {2 * filters} (dropout 0.5 in training), Dense -> tags, bias: the logits"))
    return layers


BATCH_NORM_NAMES = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}


def convert(kind, name, reader, scope):
    """GenreKit tensors of one layer from the checkpoint's variables under `scope`:
    {GenreKit name: (value, checkpoint variable)}."""
    get = lambda v: reader.get_tensor(f"{scope}/{v}")  # noqa: E731
    if kind.startswith("bn"):
        order = slice(None)
        if kind == "bn_pooled":  # TF flattened [features, (max, mean)]: interleaved; GenreKit concatenates the two
            order = flatten_order(1, get("gamma").size // 2, 2)
        return {f"{name}.{ours}": (get(theirs)[order], f"{scope}/{theirs}") for ours, theirs in BATCH_NORM_NAMES.items()}
    kernel, bias = get("kernel"), get("bias")
    if kind == "conv2d":
        weight = kernel.transpose(3, 2, 1, 0)
    elif kind == "conv1d":
        weight = kernel[:, :, 0, :].transpose(2, 1, 0)
    elif kind == "dense":
        weight = kernel.T
    elif kind == "dense_pooled":
        weight = kernel[flatten_order(1, kernel.shape[0] // 2, 2)].T
    elif kind == "dense_pool5":  # pool5 is NHWC [N, 2 frames, 1 mel, C]
        weight = kernel[flatten_order(2, 1, kernel.shape[0] // 2)].T
    else:
        raise ValueError(kind)
    return {f"{name}.weight": (weight, f"{scope}/kernel"), f"{name}.bias": (bias, f"{scope}/bias")}


def describe(model, layers, tensors, variables):
    architecture = model.split("_", 1)[1]
    hyper = ({"frontend_filters_factor": 1.6, "timbral_filters": 204, "temporal_filters": 51, "midend_filters": 64,
              "backend_units": 200, "dense_connections": "frontend + midend_1 + midend_2 + midend_3 = 753 features",
              "residual": "midend_2 += midend_1 output, midend_3 += midend_2 output"}
             if architecture == "musicnn" else {"filters": 128, "kernel": [3, 3]})
    count = sum(int(np.prod(t.shape)) for t in tensors.values())
    return {
        "name": model,
        "architecture": architecture,
        "source": f"musicnn 0.1.0 (PyPI), checkpoint {model}/ by Jordi Pons and Xavier Serra (ISC licence, see LICENSE)",
        "trained_on": "Million Song Dataset (Last.fm tags)" if model.startswith("MSD") else "MagnaTagATune",
        "hyperparameters": {**hyper, "batch_norm_epsilon": BN_EPSILON, "batch_norm_after_relu": True},
        "input": INPUT_PIPELINE,
        "tags": tags(model),
        "layout": {
            "activations": "NCHW, H = mel bands, W = frames; 1-D stages NCW with W = frames",
            "conv2d": "OIHW [out, in, mels, frames] from TF HWIO [frames, mels, in, out] by transpose(3, 2, 1, 0)",
            "conv1d": "OIW [out, in, frames] from TF [frames, in, 1, out] by [:, :, 0, :].transpose(2, 1, 0)",
            "dense": "[out, in] from TF [in, out]; inputs in NCHW flattening order (TF's NHWC order permuted)",
            "batch_norm": "weight = gamma, bias = beta, running_mean = moving_mean, running_var = moving_variance",
        },
        "layers": [{"name": n, "checkpoint": scope, "operation": text} for n, scope, _, text in layers],
        "tensors": {n: {"shape": list(t.shape), "checkpoint": variables[n]} for n, t in tensors.items()},
        "parameter_count": count,
        "extractor_features": (["timbral", "temporal", "cnn1", "cnn2", "cnn3", "mean_pool", "max_pool", "penultimate"]
                            if architecture == "musicnn" else ["pool1", "pool2", "pool3", "pool4", "pool5"]),
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for model in MODELS:
        reader = tf.compat.v1.train.NewCheckpointReader(checkpoint_prefix(model))
        stored = {k for k in reader.get_variable_to_shape_map() if not any(s in k for s in OPTIMIZER_VARIABLES)}
        layers = musicnn_layers() if model.endswith("musicnn") else vgg_layers()
        order = creation_order(model)
        scopes = sorted({v.rsplit("/", 1)[0] for v in order}, key=lambda s: min(i for i, v in enumerate(order) if v.startswith(s + "/")))
        if [scope for _, scope, _, _ in layers] != scopes or set(order) != stored:
            sys.exit(f"{model}: the checkpoint or musicnn's graph does not have the expected layers: {scopes}")
        tensors, variables = {}, {}
        for name, scope, kind, _ in layers:
            for tensor_name, (value, variable) in convert(kind, name, reader, scope).items():
                tensors[tensor_name] = np.ascontiguousarray(value, dtype=np.float32)
                variables[tensor_name] = variable
        description = describe(model, layers, tensors, variables)
        # One metadata key: safetensors writes several in a random order, and the file should not change between runs.
        save_file(tensors, OUT / f"{model}.safetensors", metadata={"model": f"{model} (see {model}.json)"})
        (OUT / f"{model}.json").write_text(json.dumps(description, indent=1) + "\n")
        size = (OUT / f"{model}.safetensors").stat().st_size
        print(f"{model}: {description['parameter_count']} parameters, {size / 1e6:.2f} MB")
    licence = Path(musicnn.__file__).parent.parent / "musicnn-0.1.0.dist-info/LICENSE.md"
    (OUT / "LICENSE").write_text(
        "The weights in this folder are converted from musicnn 0.1.0 (https://github.com/jordipons/musicnn,\n"
        "PyPI `musicnn`): models pre-trained by Jordi Pons and Xavier Serra, \"musicnn: pre-trained convolutional\n"
        "neural networks for music audio tagging\", ISMIR 2019 late-breaking/demo. They are distributed under\n"
        "musicnn's ISC licence, reproduced here from the package's metadata:\n\n" + licence.read_text().strip() + "\n")


if __name__ == "__main__":
    main()
