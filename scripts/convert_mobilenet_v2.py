"""Converts Google's 8-bit MobileNetV2 (mobilenet_v2_1.0_224_quant.tflite, Apache 2.0) to the
float32 safetensors GenreKit's `mobilenet-v2 --pretrained imagenet` starts from, and writes the
parity fixture its Swift test compares against.

Run through scripts/convert-mobilenet-v2.sh (its own venv: ai-edge-litert, numpy, safetensors).

What it does:
- Reads every convolution of the graph in order (52 before the ImageNet logits) and dequantises
  its weights and bias, real = scale * (q - zero_point), per channel where the file has several
  scales (this file has one per tensor). Batch norm is folded into them (quantisation-aware
  training), so GenreKit's batch norms start as the identity.
- Reorders TFLite's OHWI weights (depthwise 1HWC) to GenreNN's OIHW ([C, 1, H, W] depthwise).
- Folds the stem's three input channels into one by summing them: a one-channel log-mel image
  through the folded stem equals that image repeated on the three channels through the original.
- Drops the 1001-class ImageNet head (logits), which a genre classifier replaces.
- Checks the float network it builds with numpy against the quantised interpreter on one 224 x 224
  picture (the same grey picture on all three channels): their 1001 ImageNet logits (the
  interpreter's dequantised) must agree in the top class and correlate above 0.98 (8-bit
  activations keep them from matching exactly; the correlation is printed).
- Writes the penultimate values (global average pool, 1280) of the float network for a fixed
  128 x 130 log-mel image as the fixture Tests/GenreKitTests/Fixtures/mobilenet_v2_imagenet.safetensors.
"""
import sys
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter
from safetensors.numpy import load_file, save_file

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/work/shared/pretrained/imagenet-mobilenet-v2/mobilenet_v2_1.0_224_quant.tflite")
OUTPUT = ROOT / "Sources/GenrePretrained/Resources/imagenet-mobilenet-v2/mobilenet_v2_1.0.safetensors"
FIXTURE = ROOT / "Tests/GenreKitTests/Fixtures/mobilenet_v2_imagenet.safetensors"

# (expansion, filters, repeats, first stride) of slim's V2_DEF, after the 32-filter stem.
STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def dequantised(interpreter, details, index):
    q = details[index]["quantization_parameters"]
    values = interpreter.get_tensor(index).astype(np.float64)
    scales, zeros, axis = q["scales"], q["zero_points"], q["quantized_dimension"]
    shape = [1] * values.ndim
    if len(scales) > 1:
        shape[axis] = len(scales)
    return scales.reshape(shape) * (values - zeros.reshape(shape))


def convolutions(interpreter):
    """Every CONV_2D and DEPTHWISE_CONV_2D in graph order: (weight OIHW, bias, depthwise)."""
    details = {d["index"]: d for d in interpreter.get_tensor_details()}
    found = []
    for op in interpreter._get_ops_details():
        if op["op_name"] not in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            continue
        _, weight_index, bias_index = op["inputs"]
        weight = dequantised(interpreter, details, weight_index)
        bias = dequantised(interpreter, details, bias_index)
        depthwise = op["op_name"] == "DEPTHWISE_CONV_2D"
        weight = weight.transpose(3, 0, 1, 2) if depthwise else weight.transpose(0, 3, 1, 2)
        found.append((weight, bias, depthwise))
    return found


def same_padding(size, kernel, stride):
    output = -(-size // stride)
    total = max((output - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv(x, weight, bias, stride, depthwise):
    """NCHW cross-correlation with TensorFlow's 'same' padding, in float64."""
    kernel = weight.shape[2]
    top, bottom = same_padding(x.shape[2], kernel, stride)
    left, right = same_padding(x.shape[3], kernel, stride)
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    oh, ow = -(-x.shape[2] // stride), -(-x.shape[3] // stride)
    out = np.zeros((x.shape[0], weight.shape[0], oh, ow))
    for i in range(kernel):
        for j in range(kernel):
            window = padded[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
            if depthwise:
                out += window * weight[None, :, 0, i, j, None, None]
            else:
                out += np.einsum("nchw,oc->nohw", window, weight[:, :, i, j])
    return out + bias[None, :, None, None]


def relu6(x):
    return np.clip(x, 0, 6)


def forward(x, convs):
    """The float MobileNetV2 on NCHW x in [-1, 1]: the global-pooled 1280 values and the logits."""
    it = iter(convs)

    def step(x, stride, activate):
        weight, bias, depthwise = next(it)
        y = conv(x, weight, bias, stride, depthwise)
        return relu6(y) if activate else y

    x = step(x, 2, True)
    for expansion, filters, repeats, first_stride in STAGES:
        for r in range(repeats):
            stride = first_stride if r == 0 else 1
            y = step(x, 1, True) if expansion != 1 else x
            y = step(y, stride, True)
            y = step(y, 1, False)
            x = x + y if stride == 1 and x.shape == y.shape else y
    x = step(x, 1, True)
    pooled = x.mean(axis=(2, 3))
    weight, bias, _ = next(it)
    logits = pooled @ weight[:, :, 0, 0].T + bias
    return pooled, logits


def decibel_image(db, top_db=80.0):
    """GenreKit's `DecibelImage`: each patch from its own peak, [peak - 80, peak] onto [-1, 1]."""
    return (db - db.max()) * 2 / top_db + 1


def fixture_patch():
    """The fixed 128 x 130 log-mel image the Swift test makes with the same formula (dB)."""
    h, w = np.meshgrid(np.arange(128), np.arange(130), indexing="ij")
    return (-80 * np.abs(np.sin(0.037 * h * (1 + 0.01 * w) + 0.05 * w)) - 0.1 * h).astype(np.float32)


def main():
    interpreter = Interpreter(model_path=str(SOURCE), experimental_preserve_all_tensors=True)
    interpreter.allocate_tensors()
    convs = convolutions(interpreter)
    assert len(convs) == 53, f"expected 52 convolutions and the logits, found {len(convs)}"

    # The quantised interpreter and the float network on one picture, grey on all three channels.
    rng = np.random.default_rng(0)
    grey = np.kron(rng.integers(0, 256, (28, 28)), np.ones((8, 8))).astype(np.uint8)
    picture = np.repeat(grey[None, :, :, None], 3, axis=3)
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], picture)
    interpreter.invoke()
    # The logits are the softmax's input.
    softmax = next(op for op in interpreter._get_ops_details() if op["op_name"] == "SOFTMAX")
    details = {d["index"]: d for d in interpreter.get_tensor_details()}
    quantised_logits = dequantised(interpreter, details, softmax["inputs"][0]).reshape(-1)
    scaled = (grey.astype(np.float64) - 128) / 128
    _, logits = forward(np.repeat(scaled[None, None], 3, axis=1), convs)
    top_quantised, top_float = int(quantised_logits.argmax()), int(logits[0].argmax())
    correlation = float(np.corrcoef(quantised_logits, logits[0])[0, 1])
    print(f"quantised interpreter vs float numpy on a 224 x 224 picture: top class {top_quantised} vs {top_float}, "
          f"logit correlation {correlation:.4f}")
    assert top_quantised == top_float and correlation > 0.98, "the float network does not follow the quantised one"

    # The stem folded to one channel, the ImageNet head dropped.
    stem, stem_bias, _ = convs[0]
    folded = [(stem.sum(axis=1, keepdims=True), stem_bias, False)] + convs[1:]
    one_channel = scaled[None, None]
    pooled_folded, _ = forward(one_channel, folded)
    pooled_repeated, _ = forward(np.repeat(one_channel, 3, axis=1), convs)
    assert np.abs(pooled_folded - pooled_repeated).max() < 1e-9
    tensors = {}
    for i, (weight, bias, _) in enumerate(folded[:-1]):
        # Contiguous: astype keeps the transposed strides, and safetensors writes the buffer as it lies.
        tensors[f"conv{i:02d}.weight"] = np.ascontiguousarray(weight, dtype=np.float32)
        tensors[f"conv{i:02d}.bias"] = np.ascontiguousarray(bias, dtype=np.float32)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(OUTPUT), metadata={
        "source": "mobilenet_v2_1.0_224_quant.tflite (Google, Apache 2.0), dequantised; stem summed over RGB; logits dropped"})
    written = load_file(str(OUTPUT))
    assert all(np.array_equal(written[name], value) for name, value in tensors.items()), "the file does not read back as written"
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes, {sum(t.size for t in tensors.values())} values)")

    pooled, _ = forward(decibel_image(fixture_patch().astype(np.float64))[None, None], folded)
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    save_file({"pooled": pooled[0].astype(np.float64)}, str(FIXTURE), metadata={
        "made_by": "scripts/convert_mobilenet_v2.py",
        "what": "the float (dequantised) MobileNetV2's global-pooled values for fixture_patch(), in float64 with numpy"})
    print(f"wrote {FIXTURE}")


if __name__ == "__main__":
    sys.exit(main())
