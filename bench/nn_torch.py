"""PyTorch's side of bench/nn.sh: the same two CNNs as genre-nn-bench (Sources/genre-nn-bench), timed
the same way: one training epoch (forward, cross-entropy plus the weight penalty, backward, Adam) over
random patches after one untimed warm-up step, and one inference batch. Prints one `key=value` line per
model.

`edge` is GenreKit's `NetworkArchitecture.edgeCNN` (Sources/GenreKit/NetworkArchitecture.swift), which
genre-nn-bench builds with that very builder; keep the two identical.
"""
import argparse
import time

import torch
from torch import nn


def edge():
    layers = []
    for channels, filters in [(1, 32), (32, 32), (32, 64)]:
        layers += [nn.Conv2d(channels, filters, (2, 6)), nn.BatchNorm2d(filters), nn.ReLU(), nn.MaxPool2d((2, 2))]
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
        layers += [nn.Conv2d(channels, filters, (3, 3), padding=1), nn.BatchNorm2d(filters), nn.ReLU(),
                   nn.MaxPool2d(pool)]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(64 * 2 * 2, 10))


# Each model: its builder, its penalty (or none) and the shape of one patch.
MODELS = {"edge": (edge, edge_penalty, (1, 128, 130)), "choi": (choi, lambda model: 0, (1, 96, 256))}


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
          f"epoch_seconds={sum(epoch_times) / args.epochs:.4f} batch_seconds={sum(batch_times) / len(batch_times):.5f}")


if __name__ == "__main__":
    main()
