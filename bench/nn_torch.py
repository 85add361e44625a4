"""PyTorch's side of bench/nn.sh: the same networks as genre-nn-bench (bench/NNBench), timed the same
way: one training epoch (forward, cross-entropy plus the weight penalty, backward, Adam) over random
patches after one untimed warm-up step, and one inference batch in eval mode. Prints one `key=value`
line per model, with the network's parameter count, which bench/nn.sh checks against GenreKit's.

Every model but `choi` is a GenreKit model kind, which genre-nn-bench builds with GenreKit's own
builder (`NetworkArchitecture.build`, Sources/GenreKit/NetworkArchitecture.swift and
NetworkBuilder.swift): keep each one here layer for layer the same as there.
"""
import argparse
import time

import torch
from torch import nn


class Apply(nn.Module):
    """A parameter-free step of a GenreNN network (pooling over all positions, a reshape) as a layer."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, x):
        return self.function(x)


class Steps(nn.Module):
    """A recurrent layer's output at every step, [N, T, hidden], as GenreNN's GRU and LSTM give it."""

    def __init__(self, recurrent):
        super().__init__()
        self.recurrent = recurrent

    def forward(self, x):
        return self.recurrent(x)[0]


def global_max(x):
    """GenreNN's GlobalMaxPooling: [N, C, ...] to [N, C]."""
    return x.flatten(2).amax(2)


def global_mean(x):
    """GenreNN's GlobalAveragePooling: [N, C, ...] to [N, C]."""
    return x.flatten(2).mean(2)


def block(conv, activation, pool=None, dropout=0.0):
    """NetworkBuilder.block: the convolution, batch norm over its filters, the activation, then pooling
    and dropout where given."""
    norm = nn.BatchNorm1d if isinstance(conv, nn.Conv1d) else nn.BatchNorm2d
    return ([conv, norm(conv.out_channels), activation] + ([pool] if pool is not None else [])
            + ([nn.Dropout(dropout)] if dropout else []))


def edge():
    layers = []
    for channels, filters in [(1, 32), (32, 32), (32, 64)]:
        layers += block(nn.Conv2d(channels, filters, (2, 6)), nn.ReLU(), nn.MaxPool2d((2, 2)))
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(64 * 15 * 11, 512), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(512, 10))


def edge_penalty(model):
    """GenreKit's Keras-style penalty on the 512-unit layer's weight: 1e-5 sum|w| + 1e-4 sum w^2."""
    weight = model[13].weight
    return 1e-5 * weight.abs().sum() + 1e-4 * weight.square().sum()


def choi():
    layers = []
    for channels, filters, pool in [(1, 32, (2, 2)), (32, 64, (2, 2)), (64, 128, (2, 2)), (128, 128, (2, 4)),
                                    (128, 64, (3, 4))]:
        layers += block(nn.Conv2d(channels, filters, (3, 3), padding=1), nn.ReLU(), nn.MaxPool2d(pool))
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(64 * 2 * 2, 10))


def choi_blocks(blocks, dropout):
    """NetworkArchitecture.choiBlocks: 3 x 3 'same' convolution, batch norm, ELU, max pooling, dropout."""
    layers, channels = [], 1
    for filters, pool in blocks:
        layers += block(nn.Conv2d(channels, filters, 3, padding=1), nn.ELU(), nn.MaxPool2d(pool), dropout)
        channels = filters
    return layers


def fcn5():
    return nn.Sequential(*choi_blocks([(8, (2, 2)), (16, (2, 2)), (32, (2, 2)), (64, (3, 3)), (128, (4, 4))], 0),
                         Apply(global_max), nn.Linear(128, 10))


def crnn():
    # The pooling takes the 96 bands to 1: [N, 64, 1, 8] becomes 8 steps of 64 features.
    return nn.Sequential(*choi_blocks([(8, (2, 2)), (16, (3, 2)), (32, (4, 2)), (64, (4, 2))], 0.1),
                         Apply(lambda x: x.flatten(2).transpose(1, 2)), Steps(nn.GRU(64, 32, batch_first=True)),
                         Steps(nn.GRU(32, 32, batch_first=True)), Apply(lambda x: x[:, -1]), nn.Linear(32, 10))


def temporal_blocks(blocks):
    """NetworkArchitecture.temporalBlocks on the 96 bands as channels: 1-D convolution, batch norm, ReLU,
    max pooling where given."""
    layers, channels = [], 96
    for filters, kernel, pool in blocks:
        layers += block(nn.Conv1d(channels, filters, kernel), nn.ReLU(), nn.MaxPool1d(pool) if pool else None)
        channels = filters
    return layers


def temporal_cnn():
    return nn.Sequential(*temporal_blocks([(64, 4, 4), (64, 4, 2), (128, 4, None)]),
                         Apply(lambda x: torch.cat([global_mean(x), global_max(x)], 1)),
                         nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def time_weighted_average(p):
    """GenreNN's TimeWeightedAverage: [N, T, F] to [N, F], step t (from 0) weighing (t + 1) / (1 + ... + T)."""
    steps = p.shape[1]
    weights = torch.arange(1, steps + 1, dtype=p.dtype) / (steps * (steps + 1) / 2)
    return (p * weights[:, None]).sum(1)


def cnn_lstm():
    # A linear layer on [N, T, 64] is Keras' TimeDistributed; the log of the averaged distributions
    # (GenreNN's Logarithm) is what the cross-entropy takes as logits.
    return nn.Sequential(*temporal_blocks([(64, 3, 2), (64, 3, 2)]), nn.Dropout(0.2),
                         Apply(lambda x: x.transpose(1, 2)), Steps(nn.LSTM(64, 64, batch_first=True)),
                         nn.Linear(64, 10), nn.Softmax(-1), Apply(time_weighted_average),
                         Apply(lambda p: p.clamp(min=1e-12).log()))


def scaled(filters, width):
    """NetworkBuilder.scaled (Keras' _make_divisible): filters times the width, to a multiple of 8."""
    exact = filters * width
    rounded = max(8, int(exact + 4) // 8 * 8)
    return rounded + 8 if rounded < 0.9 * exact else rounded


def same_conv(channels, filters, stride, size, groups=1):
    """A 3 x 3 convolution with TensorFlow's 'same' padding (GenreNN's samePadding) on a `size` image:
    the odd pixel of padding after, as a pad layer when the two sides differ."""
    sides = []
    for length in size:
        total = max(((length + stride - 1) // stride - 1) * stride + 3 - length, 0)
        sides.append((total // 2, total - total // 2))
    (top, bottom), (left, right) = sides
    if (top, left) == (bottom, right):
        return [nn.Conv2d(channels, filters, 3, stride, padding=(top, left), groups=groups)]
    return [nn.ZeroPad2d((left, right, top, bottom)), nn.Conv2d(channels, filters, 3, stride, groups=groups)]


class InvertedResidual(nn.Module):
    """GenreNN's InvertedResidual for MobileNetV2: 1 x 1 expansion (none at expansion 1), depthwise 3 x 3,
    linear 1 x 1 projection, each with batch norm (epsilon 1e-3) and all but the projection with ReLU6;
    the input added when the stride is 1 and the channels stay."""

    def __init__(self, channels, filters, expansion, stride, size):
        super().__init__()
        expanded = channels * expansion
        layers = []
        if expansion != 1:
            layers += [nn.Conv2d(channels, expanded, 1), nn.BatchNorm2d(expanded, eps=1e-3), nn.ReLU6()]
        layers += same_conv(expanded, expanded, stride, size, groups=expanded)
        layers += [nn.BatchNorm2d(expanded, eps=1e-3), nn.ReLU6(), nn.Conv2d(expanded, filters, 1),
                   nn.BatchNorm2d(filters, eps=1e-3)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and channels == filters

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


def decibel_image(x):
    """GenreNN's DecibelImage: each example's decibels from its peak (held fixed) mapped from 80 dB below it to [-1, 1]."""
    peak = x.detach().amax(dim=(1, 2, 3), keepdim=True)
    return (x - peak) * 2 / 80 + 1


def mobilenet_v2():
    """NetworkBuilder.mobileNetV2 at GenreKit's default width multiplier, 0.35, on logmel128."""
    width, size = 0.35, (128, 130)
    channels = scaled(32, width)
    layers = [Apply(decibel_image), *same_conv(1, channels, 2, size), nn.BatchNorm2d(channels, eps=1e-3), nn.ReLU6()]
    size = tuple((length + 1) // 2 for length in size)
    for expansion, filters, repeats, stride in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                                                (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        filters = scaled(filters, width)
        for index in range(repeats):
            block_stride = stride if index == 0 else 1
            layers.append(InvertedResidual(channels, filters, expansion, block_stride, size))
            channels = filters
            size = tuple((length + block_stride - 1) // block_stride for length in size)
    return nn.Sequential(*layers, nn.Conv2d(channels, 1280, 1), nn.BatchNorm2d(1280, eps=1e-3), nn.ReLU6(),
                         Apply(global_mean), nn.Dropout(0.2), nn.Linear(1280, 10))


def no_penalty(model):
    return 0


# Each model: its builder, its penalty and the shape of one patch (logmel96: 96 bands x 141 frames,
# logmel128: 128 x 130; the 1-D networks take the bands as channels).
MODELS = {
    "edge": (edge, edge_penalty, (1, 128, 130)),
    "choi": (choi, no_penalty, (1, 96, 256)),
    "fcn5": (fcn5, no_penalty, (1, 96, 141)),
    "crnn": (crnn, no_penalty, (1, 96, 141)),
    "temporal-cnn": (temporal_cnn, no_penalty, (96, 141)),
    "cnn-lstm": (cnn_lstm, no_penalty, (96, 141)),
    "mobilenet-v2": (mobilenet_v2, no_penalty, (1, 128, 130)),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=MODELS, default="edge")
    parser.add_argument("--patches", type=int, default=512)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--inference-batches", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    make, penalty, patch = MODELS[args.model]
    model = make()
    parameters = sum(parameter.numel() for parameter in model.parameters())
    batches = [torch.rand(args.batch, *patch) * 2 - 1 for _ in range(args.patches // args.batch)]
    labels = [torch.randint(0, 10, (args.batch,)) for _ in batches]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss = nn.CrossEntropyLoss()

    def step(index):
        optimizer.zero_grad()
        (loss(model(batches[index]), labels[index]) + penalty(model)).backward()
        optimizer.step()

    model.train()
    step(0)
    epoch_times = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        for index in range(len(batches)):
            step(index)
        epoch_times.append(time.perf_counter() - start)
    model.eval()
    batch_times = []
    with torch.no_grad():
        model(batches[0])
        for index in range(args.inference_batches):
            start = time.perf_counter()
            model(batches[index % len(batches)])
            batch_times.append(time.perf_counter() - start)
    print(f"model={args.model} precision=float32 patches={len(batches) * args.batch} batch={args.batch} "
          f"parameters={parameters} "
          f"epoch_seconds={sum(epoch_times) / args.epochs:.4f} batch_seconds={sum(batch_times) / len(batch_times):.5f}")


if __name__ == "__main__":
    main()
