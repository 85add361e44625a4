"""PyTorch's side of bench/nn.sh: the same two CNNs as genre-nn-bench (Sources/genre-nn-bench), timed
the same way: one training epoch (forward, cross-entropy, backward, Adam) over random patches after one
untimed warm-up step, and one inference batch. Prints one `key=value` line per model.

BatchNorm is left out of both sides: GenreNN has no BatchNorm layer yet; it goes into both models here
and in genre-nn-bench together once it has.
"""
import argparse
import time

import torch
from torch import nn


def edge():
    layers = []
    for channels, filters in [(1, 32), (32, 32), (32, 64)]:
        layers += [nn.Conv2d(channels, filters, (2, 6)), nn.ReLU(), nn.MaxPool2d((2, 2))]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(64 * 15 * 11, 512), nn.ReLU(), nn.Linear(512, 10))


def choi():
    layers = []
    for channels, filters, pool in [(1, 32, (2, 2)), (32, 64, (2, 2)), (64, 128, (2, 2)), (128, 128, (2, 4)),
                                    (128, 64, (3, 4))]:
        layers += [nn.Conv2d(channels, filters, (3, 3), padding=1), nn.ReLU(), nn.MaxPool2d(pool)]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(64 * 2 * 2, 10))


MODELS = {"edge": (edge, (1, 128, 130)), "choi": (choi, (1, 96, 256))}


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
    make, patch = MODELS[args.model]
    model = make()
    batches = [torch.rand(args.batch, *patch) * 2 - 1 for _ in range(args.patches // args.batch)]
    labels = [torch.randint(0, 10, (args.batch,)) for _ in batches]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss = nn.CrossEntropyLoss()

    def step(index):
        optimizer.zero_grad()
        loss(model(batches[index]), labels[index]).backward()
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
