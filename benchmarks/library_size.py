"""What libplexus.so is made of, by symbol size: `make library-size` (the table in
docs/performance.md). Reads the unstripped library's symbol table (nm -S) and sums each symbol's
size by its owner, told by its name: Plexus's Swift modules and C kernels, Swift's regex engine
(_StringProcessing, left out since 0.11.0), the Swift standard library and runtime, Swift
concurrency, the C++ runtime, and the rest. Prints the stripped file's size beside it.

    python3 benchmarks/library_size.py .build/release/libplexus.so
"""
import collections
import os
import subprocess
import sys
import tempfile

OWNERS = [
    ("Plexus (its Swift modules)", ("$s6Plexus", "$s7PlexusC", "$s14CPlexus")),
    ("Plexus (C: GEMM kernels, handles, pool, messages)", ("plxs_", "plexus_")),
    ("Swift regex engine (_StringProcessing, _RegexParser)", ("$s17_StringProcessing", "$s12_RegexParser")),
    ("Swift concurrency", ("$sScT", "$sScG", "$sScC", "$ss5Task", "swift_task", "swift_job", "swift_continuation")),
    ("Swift standard library", ("$ss", "$sS", "$s")),
    ("Swift runtime (C++)", ("_ZN5swift", "swift_", "_swift")),
    ("C++ runtime (libstdc++ pieces, demangler)", ("_Z",)),
]


def owner(name: str) -> str:
    for label, prefixes in OWNERS:
        if name.startswith(prefixes):
            return label
    return "other (tables, C helpers, unnamed)"


def main() -> None:
    library = sys.argv[1] if len(sys.argv) > 1 else ".build/release/libplexus.so"
    symbols = subprocess.run(["nm", "-S", "--size-sort", library], capture_output=True, text=True, check=True).stdout
    sizes: collections.Counter[str] = collections.Counter()
    for line in symbols.splitlines():
        parts = line.split()
        if len(parts) == 4:
            sizes[owner(parts[3])] += int(parts[1], 16)
    with tempfile.TemporaryDirectory() as folder:
        stripped = os.path.join(folder, "libplexus.so")
        subprocess.run(["strip", "--strip-unneeded", "-o", stripped, library], check=True)
        stripped_size = os.path.getsize(stripped)
    print(f"{library}: {os.path.getsize(library):,} bytes, {stripped_size:,} stripped")
    print("| owner | bytes of symbols |")
    print("|---|---|")
    for label, size in sizes.most_common():
        print(f"| {label} | {size:,} |")
    print(f"| total named | {sum(sizes.values()):,} |")


if __name__ == "__main__":
    main()
