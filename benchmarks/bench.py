"""Plexus against its peers, side by side in one run: `make bench` (results: benchmarks/RESULTS.md).

Every contender runs as its own process, one run at a time, alternating with the others, RUNS
times; each process prints one figure. The tables give the median and min-max of each, and for
each pair the ratio of the medians with the min-max of the per-round ratios.

    python bench.py BUILD_DIR [--runs N] [--only GEMM,W1,W2,W3,W4,W5] [--gemm-peer LABEL=PATH[:PREFIX] ...]

GEMM is Plexus's matrix product alone against OpenBLAS and BLIS at W3's and W4's products, one
thread (bench_gemm.c: GFLOP/s, the ratio to the best peer and the share of the CPU's peak).

W1/W2 (tiny nets, FANN) run at 1 and 2 Plexus threads, and once more with both libraries in one
process, alternating chunks of a few milliseconds (bench_tiny_paired.c): the host's speed drifts
between processes, and inside one process both see the same machine. W3/W4 (the MNIST-sized
MLP: numpy, PyTorch, and Plexus's GEMM alone at the same products as the hardware bound) run at
1 and 2 threads. W5
is Plexus from Python against the same work from C, the one-sample predict also inside one
Python process (w5_c_loop.c's loop called through ctypes, alternating chunks). PyTorch rows
appear when torch imports (`make bench TORCH=install` installs it).
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
# Multiply-adds ×2 per sample. W4: the three forward products. W3: forward, the weight
# gradients (same count), and the input gradients of layers 2 and 3.
FORWARD_FLOPS = 2 * (784 * 256 + 256 * 128 + 128 * 10)
TRAIN_FLOPS = 2 * FORWARD_FLOPS + 2 * (256 * 128 + 128 * 10)


def figures_of(command, env, count):
    """The last `count` words a contender prints, as numbers, or exit with its error."""
    out = subprocess.run(command, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed ({out.returncode}): {out.stderr.strip()}")
    return [float(word) for word in out.stdout.split()[-count:]]


def run(command, env):
    return figures_of(command, env, 1)[0]


def paired_runs(program, workload, runs, env):
    """([Plexus figure], [FANN figure]) of `runs` bench_tiny_paired runs ("PLEXUS FANN" each)."""
    pairs = [figures_of([program, workload], env, 2) for _ in range(runs)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def alternate(contenders, runs, env):
    """{name: [figure per round]}, running each contender once per round in turn."""
    figures = {name: [] for name in contenders}
    for round_index in range(runs):
        for name, command in contenders.items():
            figures[name].append(run(command, env))
        print(f"  round {round_index + 1}/{runs} done", file=sys.stderr)
    return figures


def summary(values):
    return f"{statistics.median(values):,.1f} ({min(values):,.1f}–{max(values):,.1f})"


def ratio(numerators, denominators):
    per_round = [a / b for a, b in zip(numerators, denominators)]
    return (f"{statistics.median(numerators) / statistics.median(denominators):.2f} "
            f"({min(per_round):.2f}–{max(per_round):.2f})")


def has_torch():
    return subprocess.run([PY, "-c", "import torch"], capture_output=True).returncode == 0


def gemm(build, peers, env, lines):
    """bench_gemm's table as it prints it (one thread; the peers loaded by path)."""
    print("GEMM...", file=sys.stderr)
    env = {**env, "OPENBLAS_NUM_THREADS": "1", "BLIS_NUM_THREADS": "1"}
    out = subprocess.run([str(build / "bench_gemm"), *peers], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench_gemm failed ({out.returncode}): {out.stderr.strip()}")
    lines += ["### GEMM alone: Plexus's matrix product against OpenBLAS and BLIS, 1 thread", "", "```",
              *out.stdout.rstrip().splitlines(), "```", ""]


def tiny(build, runs, env, lines):
    core, fann, paired = str(build / "bench_core"), str(build / "bench_fann"), str(build / "bench_tiny_paired")
    for workload, unit, target in (("w1", "ns/call", 0.6), ("w2", "ns/update", 0.8)):
        title = {"w1": "W1 tiny inference: 2-4-1 sigmoid, one sample per call",
                 "w2": "W2 tiny training: XOR 2-4-1 sigmoid, forward+backward+step per sample, SGD 0.5, 100,000 updates"}
        print(f"{workload.upper()}...", file=sys.stderr)
        f = alternate({"plexus1": [core, workload, "1"], "plexus2": [core, workload, "2"],
                       "fann": [fann, workload]}, runs, env)
        lines += [f"### {title[workload]}", "", f"| contender | {unit}, median (min–max) |", "|---|---|",
                  f"| Plexus, 1 thread (`plexus_{'predict' if workload == 'w1' else 'forward/backward/step'}`) | {summary(f['plexus1'])} |",
                  f"| Plexus, 2 threads | {summary(f['plexus2'])} |",
                  f"| FANN 2.2 (`fann_{'run' if workload == 'w1' else 'train'}`) | {summary(f['fann'])} |", "",
                  f"Plexus/FANN time: {ratio(f['plexus1'], f['fann'])} at 1 thread, "
                  f"{ratio(f['plexus2'], f['fann'])} at 2 (target ≤ {target}). "
                  f"2 threads/1 thread time: {ratio(f['plexus2'], f['plexus1'])}.", ""]
        ours, theirs = paired_runs(paired, workload, runs, env)
        lines += [f"In one process, alternating chunks (`bench_tiny_paired {workload}`, {runs} runs): "
                  f"Plexus {summary(ours)}, FANN {summary(theirs)} {unit}; "
                  f"Plexus/FANN time {ratio(ours, theirs)} (target ≤ {target}).", ""]
        if workload == "w2":
            ours, theirs = paired_runs(paired, "w2-run", runs, env)
            lines += [f"The same updates with each library's whole-run call, in one process (`bench_tiny_paired w2-run`, "
                      f"{runs} runs: `plexus_train`, batch 1, against `fann_train_epoch`, incremental): "
                      f"Plexus {summary(ours)}, FANN {summary(theirs)} {unit}; Plexus/FANN time {ratio(ours, theirs)}.", ""]


def mlp(build, runs, env, torch, lines):
    core = str(build / "bench_core")
    for workload, title, flops in (
            ("w3", "W3 MLP training: 784-256-128-10 relu/relu/softmax + cross-entropy, batch 64, SGD 0.01, 60,000 samples, 1 epoch", TRAIN_FLOPS),
            ("w4", "W4 MLP inference: the W3 net, 10,000 samples in one call (5 calls after a warm-up call)", FORWARD_FLOPS)):
        lines += [f"### {title}", "", f"{flops:,} FLOPs per sample (multiply-adds × 2).", ""]
        lines += ["samples/s, median (min–max)", "",
                  "| threads | Plexus | numpy | PyTorch | GEMM alone | Plexus/numpy | Plexus/PyTorch | Plexus/GEMM alone | Plexus GFLOP/s |",
                  "|---|---|---|---|---|---|---|---|---|"]
        by_threads = {}
        for threads in ("1", "2"):
            print(f"{workload.upper()} {threads} thread(s)...", file=sys.stderr)
            contenders = {"plexus": [core, workload, threads],
                          "numpy": [PY, str(HERE / "peer_numpy.py"), workload, threads],
                          "gemm": [core, f"sgemm-{workload}", threads]}
            if torch:
                contenders["torch"] = [PY, str(HERE / "peer_torch.py"), workload, threads]
            f = alternate(contenders, runs, env)
            by_threads[threads] = f
            lines.append(
                f"| {threads} | {summary(f['plexus'])} | {summary(f['numpy'])} | "
                f"{summary(f['torch']) if torch else 'not installed'} | {summary(f['gemm'])} | "
                f"{ratio(f['plexus'], f['numpy'])} | {ratio(f['plexus'], f['torch']) if torch else '–'} | "
                f"{ratio(f['plexus'], f['gemm'])} | {statistics.median(f['plexus']) * flops / 1e9:.1f} |")
        lines += ["", f"2 threads/1 thread speed: Plexus {ratio(by_threads['2']['plexus'], by_threads['1']['plexus'])}, "
                      f"GEMM alone {ratio(by_threads['2']['gemm'], by_threads['1']['gemm'])}.", ""]


def python_rows(build, runs, env, lines):
    core = str(build / "bench_core")
    print("W5...", file=sys.stderr)
    f = alternate({"c": [core, "w1", "1"], "py": [PY, str(HERE / "w5_python.py"), "predict", "1"]}, runs, env)
    overhead = [p - c for p, c in zip(f["py"], f["c"])]
    lines += ["### W5 from Python (the pip-installed package through ctypes)", "",
              "| workload | Python | C | Python − C or Python/C |", "|---|---|---|---|",
              f"| one-sample `predict`, 2-4-1 net, ns/call | {summary(f['py'])} | {summary(f['c'])} | "
              f"+{statistics.median(overhead):,.0f} ns ({min(overhead):,.0f}–{max(overhead):,.0f}); target ≤ +2,000 |"]
    pairs = [figures_of([PY, str(HERE / "w5_python.py"), "predict-paired", "1", str(build / "libw5_c_loop.so")], env, 2)
             for _ in range(runs)]
    paired = [p - c for p, c in pairs]
    lines.append(f"| the same in one process, alternating chunks (`w5_python.py predict-paired`), ns/call | "
                 f"{summary([p for p, _ in pairs])} | {summary([c for _, c in pairs])} | "
                 f"+{statistics.median(paired):,.0f} ns ({min(paired):,.0f}–{max(paired):,.0f}); target ≤ +2,000 |")
    for threads in ("1", "2"):
        fit = alternate({"c": [core, "w3", threads], "py": [PY, str(HERE / "w5_python.py"), "fit", threads]}, runs, env)
        lines.append(f"| W3 `Network.fit` vs `plexus_train`, {threads} thread(s), samples/s | {summary(fit['py'])} | "
                     f"{summary(fit['c'])} | {ratio(fit['py'], fit['c'])}; target within 3% |")
    lines.append("")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="GEMM,W1,W2,W3,W4,W5")
    parser.add_argument("--gemm-peer", action="append", default=[], help="LABEL=PATH[:PREFIX], a cblas_sgemm to compare")
    args = parser.parse_args()
    only = set(args.only.upper().split(","))
    build = args.build.resolve()
    import numpy
    torch = has_torch()
    env = {k: v for k, v in os.environ.items() if k != "PLEXUS_LIBRARY"}
    machine = subprocess.run([PY, str(HERE / "machine.py")], capture_output=True, text=True, check=True).stdout.strip()
    print(machine, file=sys.stderr)
    lines = [line + "  " for line in machine.splitlines()] + [
        f"Python {platform.python_version()}, numpy {numpy.__version__}"
        f"{'' if not torch else ', torch ' + subprocess.run([PY, '-c', 'import torch; print(torch.__version__)'], capture_output=True, text=True).stdout.strip()}"
        f"; {args.runs} alternating runs per contender.", ""]
    if not torch:
        lines += ["PyTorch is not installed, so its columns are empty: run `make bench TORCH=install`.", ""]
    if "GEMM" in only:
        gemm(build, args.gemm_peer, env, lines)
    if only & {"W1", "W2"}:
        tiny(build, args.runs, env, lines)
    if only & {"W3", "W4"}:
        mlp(build, args.runs, env, torch, lines)
    if "W5" in only:
        python_rows(build, args.runs, env, lines)
    text = "\n".join(lines)
    print(text)
    (build / "bench-results.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
