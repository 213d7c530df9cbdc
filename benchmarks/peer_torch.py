"""The PyTorch (CPU) peer for W3 and W4, written as the PyTorch tutorials train an MLP.

    python peer_torch.py w3|w4 THREADS    prints samples/s of one run

THREADS goes to torch.set_num_threads. W3: nn.Sequential of Linear/ReLU, CrossEntropyLoss on
class indices, optim.SGD(lr=0.01), shuffled mini-batches of 64 from 60,000 fixed random samples,
one epoch. W4: softmax of the model on 10,000 samples under torch.inference_mode(), timed over 5
calls after a warm-up call.
"""
import sys
import time

import numpy as np
import torch

W3_SAMPLES, W4_SAMPLES, W4_CALLS, BATCH = 60_000, 10_000, 5, 64


def main():
    workload, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10))
    rng = np.random.default_rng(1)
    n = W3_SAMPLES if workload == "w3" else W4_SAMPLES
    x = torch.from_numpy(rng.random((n, 784), dtype=np.float32) - np.float32(0.5))
    if workload == "w3":
        y = torch.from_numpy(rng.integers(0, 10, n))
        loss_fn = torch.nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        start = time.perf_counter()
        for rows in torch.randperm(n).split(BATCH):
            optimizer.zero_grad()
            loss_fn(model(x[rows]), y[rows]).backward()
            optimizer.step()
        print(f"{n / (time.perf_counter() - start):.6g}")
    elif workload == "w4":
        with torch.inference_mode():
            torch.softmax(model(x), dim=1)
            start = time.perf_counter()
            for _ in range(W4_CALLS):
                torch.softmax(model(x), dim=1)
        print(f"{W4_CALLS * n / (time.perf_counter() - start):.6g}")
    else:
        sys.exit(f"unknown workload {workload}")


if __name__ == "__main__":
    main()
