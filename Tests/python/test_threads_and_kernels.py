"""Plexus's threads and its own GEMM, seen from Python: one order of arithmetic (a row's outputs
are the same bits alone or in any batch, at any thread count, under every kernel the CPU has), the
library needs no BLAS and other BLAS libraries in the same process change nothing, idle threads
use no CPU, fork() is safe, and the versions agree."""
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import plexus

# Part of the wheel's smoke set (Tests/python/test_wheel.sh).
pytestmark = pytest.mark.smoke

REPOSITORY = Path(__file__).resolve().parents[2]
KERNELS = {"avx512": "avx512f 12x32", "avx2": "avx2-fma 6x16", "neon": "neon 8x8", "portable": "portable fmaf 4x4"}


def cpu_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags") or line.startswith("Features"):
            return set(line.split(":", 1)[1].split())
    return set()


def kernels_of_this_cpu() -> list[str]:
    """The kernels Plexus can run here, best first (what its dispatch would choose)."""
    flags, found = cpu_flags(), []
    if "avx512f" in flags and "avx2" in flags:
        found.append("avx512")
    if "avx2" in flags and "fma" in flags:
        found.append("avx2")
    if os.uname().machine == "aarch64":
        found.append("neon")
    return found + ["portable"]


# The work the subprocesses below repeat: a net whose training batches are cut into column tiles
# and whose 1,100-row predict is three blocks; a digest of its parameters and outputs.
WORKLOAD = """
import hashlib, numpy as np, plexus
def workload(threads):
    plexus.set_threads(threads)
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, (1100, 300)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 1100)]
    net = plexus.Network([300, 200, 150, 10], ["relu", "tanh", "softmax"], loss="cross_entropy", seed=3).adam(1e-3)
    net.fit(x, y, epochs=2, batch_size=64, shuffle_seed=5, progress=False)
    digest = hashlib.sha256(net.params.tobytes() + net.predict(x).tobytes()).hexdigest()
    return digest, float(np.abs(net.params).sum())
"""


def run_python(code: str, timeout: int = 300, **variables: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "PLEXUS_KERNEL")} | variables
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.installed
def test_versions_agree():
    assert plexus.__version__ == plexus.version() == importlib.metadata.version("plexus")
    header = (REPOSITORY / "include" / "plexus.h").read_text()
    parts = [line.split()[-1] for line in header.splitlines()
             if line.split()[:2] in (["#define", "PLEXUS_VERSION_MAJOR"], ["#define", "PLEXUS_VERSION_MINOR"],
                                     ["#define", "PLEXUS_VERSION_PATCH"])]
    assert ".".join(parts) == plexus.__version__
    number = next(line.split()[-1] for line in header.splitlines() if line.startswith("#define PLEXUS_VERSION_NUMBER "))
    major, minor, patch = map(int, parts)
    assert int(number) == plexus.version_number() == major * 1_000_000 + minor * 1_000 + patch


def test_gemm_info_names_the_gemm_kernel_this_cpu_runs_best():
    info = plexus.gemm_info()
    match = re.fullmatch(r"Plexus GEMM (.+), (\d+) threads?", info)
    assert match, info
    assert match.group(1) == KERNELS[kernels_of_this_cpu()[0]], info
    assert int(match.group(2)) == plexus.get_threads()


def test_the_library_needs_no_blas():
    """libplexus.so depends on the C and C++ runtimes only: its products are its own."""
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                        subprocess.run(["readelf", "-d", str(plexus.library_path)], capture_output=True, text=True,
                                       check=True).stdout)
    allowed = ("libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "libpthread.so", "libdl.so", "librt.so", "ld-linux")
    assert needed and all(name.startswith(allowed) for name in needed), needed


def test_every_kernel_gives_the_same_bits():
    """Training and predicting under each kernel this CPU has (PLEXUS_KERNEL): one digest."""
    results = {}
    for kernel in kernels_of_this_cpu():
        out = run_python(WORKLOAD + "import json; print(json.dumps([workload(2), plexus.gemm_info()]))",
                         PLEXUS_KERNEL=kernel)
        (digest, total), info = json.loads(out)
        assert KERNELS[kernel] in info, (kernel, info)
        results[kernel] = digest
    assert len(set(results.values())) == 1, results


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_a_row_is_the_same_alone_and_in_any_batch(threads):
    """One order of arithmetic: each of 40 rows predicted alone gives the bits it gets inside
    batches of 2, 7, 64, 511, 512, 513 and 10,000 rows, at 1, 2, 3 and 7 threads; so does forward."""
    initial = plexus.get_threads()
    try:
        plexus.set_threads(threads)
        rng = np.random.default_rng(3)
        x = rng.uniform(-2, 2, (10_000, 40)).astype(np.float32)
        net = plexus.Network([40, 96, 64, 10], ["gelu", "tanh", "softmax"], seed=2)   # 40*96, 96*64: the GEMM
        alone = np.stack([net.predict(x[r:r + 1])[0] for r in range(40)])
        for batch in (2, 7, 64, 511, 512, 513, 10_000):
            together = net.predict(x[:batch])[:40]
            assert together.tobytes() == alone[:batch].tobytes(), f"batch {batch}"
        assert net.forward(x[:513])[:40].tobytes() == alone.tobytes()
    finally:
        plexus.set_threads(initial)


def test_results_do_not_depend_on_the_thread_count():
    digests = json.loads(run_python(WORKLOAD + "import json; print(json.dumps([workload(t) for t in (1, 2, 3, 7)]))"))
    assert len({d for d, _ in digests}) == 1, digests
    assert digests[0][1] > 0


def test_other_blas_libraries_in_the_process_change_nothing():
    """Debian's OpenBLAS loaded first with RTLD_GLOBAL, and numpy's OpenBLAS in use, then Plexus:
    bitwise the results of a process with Plexus alone."""
    debian = Path("/usr/lib/x86_64-linux-gnu/libopenblas.so.0")
    assert debian.exists(), "Debian's libopenblas0-pthread is missing (make deps installs it)"
    clean = json.loads(run_python(WORKLOAD + "import json; print(json.dumps(workload(2)))"))
    crowded = json.loads(run_python(f"""
import ctypes, json, numpy as np
ctypes.CDLL({str(debian)!r}, mode=ctypes.RTLD_GLOBAL)
a = np.ones((200, 200), np.float32)
assert (a @ a)[0, 0] == 200
""" + WORKLOAD + """
maps = open("/proc/self/maps").read()
assert "libopenblas" in maps and "openblas" in maps.split("libopenblas", 1)[1], "both OpenBLAS libraries loaded"
print(json.dumps(workload(2)))
"""))
    assert crowded == clean


@pytest.mark.slow
def test_idle_threads_use_no_cpu():
    """Right after loading (Plexus starts no thread before its first parallel call) and after large calls on 4 threads,
    the process uses no CPU while it sleeps for a second. numpy's own OpenBLAS is kept to one
    thread (OPENBLAS_NUM_THREADS=1): its pool spins for about 0.1 s after import, which is numpy's
    doing; Plexus's threads are set explicitly."""
    out = run_python("""
import time, numpy as np, plexus
def idle_cpu():
    before = time.process_time(); time.sleep(1.0); return time.process_time() - before
loaded = idle_cpu()
plexus.set_threads(4)
net = plexus.Network([784, 256, 128, 10], ["relu", "relu", "softmax"], loss="cross_entropy")
x = np.random.default_rng(1).random((5000, 784), dtype=np.float32)
net.predict(x)
net.fit(x[:2000], np.eye(10, dtype=np.float32)[np.arange(2000) % 10], epochs=1, batch_size=64, progress=False)
print(loaded, idle_cpu())
""", OPENBLAS_NUM_THREADS="1")
    loaded, after = map(float, out.split())
    assert loaded < 0.05, f"{loaded:.3f} s of CPU in the first idle second after import"
    assert after < 0.05, f"{after:.3f} s of CPU in the idle second after large calls"


def _child_digest(queue):
    namespace: dict = {}
    exec(WORKLOAD, namespace)
    queue.put(namespace["workload"](3)[0])


def test_fork_after_parallel_calls():
    namespace: dict = {}
    exec(WORKLOAD, namespace)
    initial = plexus.get_threads()
    try:
        parent = namespace["workload"](3)[0]
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        child = context.Process(target=_child_digest, args=(queue,))
        child.start()
        child.join(120)
        assert child.exitcode == 0, f"the forked child hung or failed (exit code {child.exitcode})"
        assert queue.get(timeout=5) == parent
    finally:
        plexus.set_threads(initial)


def test_gemm_info_matches_the_header_contract_from_c():
    """The same text through ctypes directly: never NULL, and the thread count follows
    plexus_set_threads."""
    initial = plexus.get_threads()
    try:
        plexus.set_threads(5)
        assert plexus.gemm_info().endswith(", 5 threads")
        plexus.set_threads(1)
        assert plexus.gemm_info().endswith(", 1 thread")
    finally:
        plexus.set_threads(initial)


def test_digest_helper_is_not_vacuous():
    """Two different networks give different digests (the comparisons above can fail)."""
    a = json.loads(run_python(WORKLOAD + "import json; print(json.dumps(workload(1)))"))
    b = json.loads(run_python(WORKLOAD.replace("seed=3", "seed=4") + "import json; print(json.dumps(workload(1)))"))
    assert a[0] != b[0]
    assert hashlib.sha256(b"").hexdigest() not in (a[0], b[0])


def test_settings_the_library_ignores_are_said():
    """PLEXUS_NUM_THREADS outside 1..1024 or not a number, and a PLEXUS_KERNEL that names no kernel
    or one this CPU cannot run, are ignored (the defaults run) and said in gemm_info."""
    default = json.loads(run_python("import json, plexus; print(json.dumps([plexus.get_threads(), plexus.gemm_info()]))"))
    for threads, kernel, said in [("100000", "bogus", "not a kernel"), ("abc", "neon" if "avx2" in cpu_flags() else "avx512",
                                                                           "this CPU cannot run it"), ("0", None, None)]:
        variables = {"PLEXUS_NUM_THREADS": threads} | ({"PLEXUS_KERNEL": kernel} if kernel else {})
        count, info = json.loads(run_python("import json, plexus; print(json.dumps([plexus.get_threads(), plexus.gemm_info()]))",
                                            **variables))
        assert count == default[0], (variables, count)
        assert f"PLEXUS_NUM_THREADS={threads} ignored: not a number from 1 to 1024" in info, info
        if kernel:
            assert f"PLEXUS_KERNEL={kernel} ignored: {said}" in info, info
            assert info.startswith(default[1]), (info, default[1])


def test_a_reader_beside_a_writer_gets_a_whole_result_or_busy():
    """One writer or many readers: predict racing `net.params = ...` and `fit` returns the outputs
    of the old or the new parameters, bit for bit, or raises BusyError; never a torn mixture."""
    import threading
    net = plexus.Network([8, 64, 64, 4], ["tanh", "tanh", "identity"], seed=4)
    a = net.params.copy()
    b = (-0.5 * a).astype(np.float32)
    x = np.random.default_rng(0).uniform(-1, 1, (64, 8)).astype(np.float32)
    net.params = b
    out_b = net.predict(x)
    net.params = a
    out_a = net.predict(x)
    stop = threading.Event()
    refusals = {"setter": 0, "swaps": 0}

    # The writer swaps for as long as the reader reads (a fixed count of swaps could end before
    # the reader's first call on a loaded machine, leaving nothing checked).
    def swap() -> None:
        i = 0
        while not stop.is_set():
            try:
                net.params = b if i % 2 == 0 else a
                refusals["swaps"] += 1
            except plexus.BusyError:
                refusals["setter"] += 1
            i += 1

    writer = threading.Thread(target=swap)
    writer.start()
    whole = busy = torn = 0
    try:
        # Until 200 whole results and at least one swap: on a loaded machine the reader can win
        # every race, so while the writer has not got in it leaves a moment between reads.
        while (whole < 200 or refusals["swaps"] == 0) and whole + busy < 100000:
            if refusals["swaps"] == 0 and whole >= 50:
                time.sleep(0.001)
            try:
                y = net.predict(x)
            except plexus.BusyError:
                busy += 1
                continue
            if np.array_equal(y.view(np.uint32), out_a.view(np.uint32)) or np.array_equal(y.view(np.uint32), out_b.view(np.uint32)):
                whole += 1
            else:
                torn += 1
    finally:
        stop.set()
        writer.join()
    assert torn == 0 and whole > 0 and refusals["swaps"] > 0, (whole, busy, torn, refusals)

    # fit holds the network for its whole run: a predict from another thread meanwhile is refused.
    net.params = a
    started, seen = threading.Event(), []

    def watch(epoch: int, loss: float) -> None:
        if epoch == 0:
            started.set()
            probe = threading.Thread(target=lambda: seen.append(_outcome(net, x)))
            probe.start()
            probe.join()

    xs, ys = x, np.tanh(x[:, :4])
    net.fit(xs, ys, epochs=3, batch_size=8, progress=False, callback=watch)
    assert started.is_set() and seen == ["busy"], seen


def _outcome(net: plexus.Network, x: np.ndarray) -> str:
    try:
        net.predict(x)
        return "whole"
    except plexus.BusyError as error:
        assert "training it" in str(error) and error.status_name == "PLEXUS_ERR_BUSY", error
        return "busy"
