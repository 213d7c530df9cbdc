"""Plexus's threads and its private OpenBLAS, seen from Python: the package ships the BLAS, other
BLAS libraries in the same process change nothing, results do not depend on the thread count,
idle threads use no CPU, fork() is safe, and the versions agree."""
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import plexus

# Part of the wheel's smoke set (Tests/python/test_wheel.sh).
pytestmark = pytest.mark.smoke

REPOSITORY = Path(__file__).resolve().parents[2]
BLAS = "libplexus_openblas.so.0"
# Kernel families of OpenBLAS that use AVX2 or better: on a CPU with AVX2 nothing older may run.
AVX2_KERNELS = {"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"}


def cpu_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def mapped_libraries() -> list[str]:
    return [line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines() if ".so" in line]


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
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | variables
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.installed
def test_versions_agree():
    assert plexus.__version__ == plexus.version() == importlib.metadata.version("plexus")
    header = (REPOSITORY / "include" / "plexus.h").read_text()
    parts = [line.split()[-1] for line in header.splitlines() if line.startswith("#define PLEXUS_VERSION_")]
    assert ".".join(parts) == plexus.__version__


def test_blas_info_names_the_private_openblas_and_its_kernels():
    info = plexus.blas_info()
    name, threads = info.rsplit(", ", 1)
    assert name.startswith("OpenBLAS 0.3.3") and len(name.split()) == 3, info
    count = plexus.get_threads()
    assert threads == f"{count} thread" + ("" if count == 1 else "s")
    kernels = name.split()[-1]
    if "avx2" in cpu_flags():
        assert kernels in AVX2_KERNELS, f"{info}: a CPU with AVX2 got kernels older than AVX2"


def test_the_package_ships_its_blas_and_loads_it_from_beside_the_library():
    folder = Path(plexus.library_path).resolve().parent
    assert (folder / BLAS).is_file()
    loaded = [path for path in mapped_libraries() if path.endswith(BLAS)]
    assert loaded and all(Path(path).resolve().parent == folder for path in loaded), loaded


def test_results_do_not_depend_on_the_thread_count():
    digests = json.loads(run_python(WORKLOAD + "import json; print(json.dumps([workload(t) for t in (1, 2, 3, 7)]))"))
    assert len({d for d, _ in digests}) == 1, digests
    assert digests[0][1] > 0


def test_other_blas_libraries_in_the_process_change_nothing():
    """Debian's OpenBLAS and the unmodified scipy-openblas32 library (the very code Plexus ships,
    under its original symbol names) loaded first with RTLD_GLOBAL, and numpy's OpenBLAS in use,
    then Plexus: bitwise the results of a process with Plexus alone."""
    debian = Path("/usr/lib/x86_64-linux-gnu/libopenblas.so.0")
    unmodified = REPOSITORY / "build" / "blas" / "unmodified" / "libscipy_openblas.so"
    assert debian.exists(), "Debian's libopenblas0-pthread is missing (make deps installs it)"
    assert unmodified.exists(), "build/blas/unmodified is missing (scripts/fetch-blas.sh makes it)"
    clean = json.loads(run_python(WORKLOAD + "import json; print(json.dumps(workload(2)))"))
    crowded = json.loads(run_python(f"""
import ctypes, json, numpy as np
ctypes.CDLL({str(debian)!r}, mode=ctypes.RTLD_GLOBAL)
ctypes.CDLL({str(unmodified)!r}, mode=ctypes.RTLD_GLOBAL)
a = np.ones((200, 200), np.float32)
assert (a @ a)[0, 0] == 200
""" + WORKLOAD + f"""
maps = open("/proc/self/maps").read()
assert "libopenblas" in maps and "libscipy_openblas.so" in maps and "scipy_openblas64" in maps and {BLAS!r} in maps
assert plexus.blas_info().startswith("OpenBLAS 0.3.34"), plexus.blas_info()
print(json.dumps(workload(2)))
"""))
    assert crowded == clean


@pytest.mark.slow
def test_idle_threads_use_no_cpu():
    """Right after loading (the private OpenBLAS starts no pool) and after large calls on 4 threads,
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


def test_blas_info_matches_the_header_contract_from_c():
    """The same text through ctypes directly: never NULL, and the thread count follows
    plexus_set_threads."""
    initial = plexus.get_threads()
    try:
        plexus.set_threads(5)
        assert plexus.blas_info().endswith(", 5 threads")
        plexus.set_threads(1)
        assert plexus.blas_info().endswith(", 1 thread")
    finally:
        plexus.set_threads(initial)


def test_digest_helper_is_not_vacuous():
    """Two different networks give different digests (the comparisons above can fail)."""
    a = json.loads(run_python(WORKLOAD + "import json; print(json.dumps(workload(1)))"))
    b = json.loads(run_python(WORKLOAD.replace("seed=3", "seed=4") + "import json; print(json.dumps(workload(1)))"))
    assert a[0] != b[0]
    assert hashlib.sha256(b"").hexdigest() not in (a[0], b[0])
