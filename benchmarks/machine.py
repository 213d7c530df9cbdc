"""What a benchmark ran on, for the top of its output: the CPU (model name, family and model
numbers, the flags that decide kernels: avx2, avx512f, fma; core count, from /proc/cpuinfo), the
GEMM kernel behind Plexus's products and its thread count, and numpy's BLAS with its kernels
(threadpoolctl, which scikit-learn brings, reads them from the loaded library)."""
import os
import platform
from pathlib import Path


def cpu() -> str:
    fields = {}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    name = fields.get("model name", platform.processor() or "unknown CPU")
    flags = [f for f in ("avx2", "avx512f", "fma") if f in fields.get("flags", "").split()]
    return (f"{name} (family {fields.get('cpu family', '?')}, model {fields.get('model', '?')}; "
            f"flags: {' '.join(flags) or 'none of avx2 avx512f fma'}), {os.cpu_count()} cores")


def numpy_blas() -> str:
    import numpy
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return f"numpy {numpy.__version__} (threadpoolctl is not installed to name its BLAS)"
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    described = ", ".join(f"{p.get('internal_api')} {p.get('version')} {p.get('architecture')}, {p.get('num_threads')} threads"
                          for p in pools)
    return f"numpy {numpy.__version__} ({described or 'no BLAS found'})"


def describe() -> str:
    try:
        import plexus
        ours = f"Plexus {plexus.__version__}: {plexus.blas_info()}"
    except ImportError as error:
        ours = f"Plexus: not importable here ({error})"
    return f"CPU: {cpu()}\n{ours}\n{numpy_blas()}"


if __name__ == "__main__":
    print(describe())
