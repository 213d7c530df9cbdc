"""What issue 19's training settings cost on W3's network (benchmarks/RESULTS.md, "training for real data"):
run with the package importable, e.g. `PYTHONPATH=bindings/python python3 benchmarks/bench_settings_cost.py`."""
import sys
import time
from pathlib import Path

import numpy as np

import plexus

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

plexus.set_threads(1)
print(f"bench_settings_cost: CPU {machine.cpu()}; Plexus's BLAS {plexus.blas_info()}")
rng = np.random.default_rng(0)
x = rng.uniform(0, 1, (10000, 784)).astype(np.float32)
y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 10000)]
def run(configure):
    best = 0
    for _ in range(3):
        net = plexus.Network([784, 256, 128, 10], ["relu", "relu", "softmax"], loss="cross_entropy", seed=1).adam(1e-3)
        configure(net)
        t = time.perf_counter(); net.fit(x, y, 1, batch_size=64, progress=False); dt = time.perf_counter() - t
        best = max(best, 10000 / dt)
    return best
base = run(lambda n: None)
for name, conf in [("plain Adam", lambda n: None), ("AdamW wd 0.01", lambda n: n.adamw(1e-3, weight_decay=0.01)),
                   ("Adam + weight decay 1e-4", lambda n: n.adam(1e-3, weight_decay=1e-4)),
                   ("clip 1.0", lambda n: n.set_grad_clip(1.0)),
                   ("dropout 0.2 on both hidden layers", lambda n: n.set_dropout(1, 0.2).set_dropout(2, 0.2)),
                   ("all of them", lambda n: n.adamw(1e-3).set_grad_clip(1.0).set_dropout(1, 0.2).set_dropout(2, 0.2))]:
    s = run(conf)
    print(f"| {name} | {s:,.0f} | {s / base:.2f} |")
