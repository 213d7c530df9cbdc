"""Every code block of README.md, bindings/python/README.md and docs/*.md runs as written, and
every relative link in them leads to a file.

    python3 Tests/docs/check_docs.py [FILE.md ...]        (make test runs it for all of them)

The blocks of one document run in order, in a scratch folder of their own that links the
repository's include/, .build/, build/, examples/, bindings/ and Tests/ (so a command written for the
repository's root works there, and a later block sees what an earlier one wrote). By language:

  python  run with the source tree's package (PYTHONPATH) and the release library (PLEXUS_LIBRARY)
  c, cpp  a program (it has main) is compiled warning-free (-std=c99 or -std=c++17, -Wall -Wextra
          -Werror -pedantic), linked with libplexus and run; any other block is compiled (-c)
  swift   built and run as an executable of a SwiftPM package that depends on this one by path; a
          manifest (Package.swift) is built as a user's package beside a main.swift importing Plexus
  sh      run by bash; a `make TARGET` line is only checked with `make -n` (make test runs the
          targets), unless the directive says run-make: then make runs in the repository
  cmake   must appear verbatim in Tests/c/cmake_consumer/CMakeLists.txt, the CMake project that
          Tests/c/test_install.sh builds against an installed Plexus
  text    output shown in the text; not run

An HTML comment right before a block says more, as KEY=VALUE (quote values with spaces):

  file=NAME         the block is written to NAME (default: block<N>.<ext>)
  expect=REGEX      what it prints (stdout and stderr) must match REGEX
  needs=MODULE      a Python module it needs; without it the block is skipped, and said so
  fragment=SIG      a C block of statements, compiled inside `SIG { ... }` after plexus.h and stdio.h
  standalone=FILES  a C program built from itself and FILES (generated sources) alone, no libplexus
  prelude=TEXT      C put before a block that is compiled only (\\n for a new line)
  run-make          an sh block's make lines run (make -C REPOSITORY), in the scratch folder's shell

A block without a language, or with a language this script does not know, fails.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
LIBRARY = REPOSITORY / ".build" / "release" / "libplexus.so"
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]
CXXFLAGS = ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic"]
LINK = [f"-I{REPOSITORY / 'include'}", f"-L{LIBRARY.parent}", "-lplexus", f"-Wl,-rpath,{LIBRARY.parent}", "-lm"]
LINKED_INTO_SCRATCH = ("include", ".build", "build", "examples", "bindings", "Tests")
LANGUAGES = {"python", "c", "cpp", "swift", "sh", "cmake", "text"}


@dataclass
class Block:
    document: Path
    line: int
    language: str
    code: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(REPOSITORY)}:{self.line}"


def blocks(document: Path) -> list[Block]:
    """The fenced blocks of `document`, each with the directive of the comment right before it."""
    found, lines = [], document.read_text().split("\n")
    i = 0
    while i < len(lines):
        fence = re.match(r"^(```+)(\S*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        start, language = i, fence.group(2)
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(fence.group(1))), None)
        if end is None:
            raise SystemExit(f"{document}:{start + 1}: a code block is never closed")
        options = {}
        previous = lines[start - 1].strip() if start > 0 else ""
        directive = re.fullmatch(r"<!--\s*doc-test:(.*?)-->", previous)
        if directive:
            for item in shlex.split(directive.group(1)):
                key, _, value = item.partition("=")
                options[key] = value
        found.append(Block(document, start + 1, language, "\n".join(lines[start + 1:end]) + "\n", options))
        i = end + 1
    return found


class Checker:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.passed = self.skipped = 0
        self.failures: list[str] = []
        self.env = dict(os.environ, PYTHONPATH=str(REPOSITORY / "bindings" / "python"), PLEXUS_LIBRARY=str(LIBRARY))
        self.swift_binaries: dict[int, Path] = {}

    # ----- running ---------------------------------------------------------------------------------
    def run(self, block: Block, command: list[str], folder: Path, timeout: int = 600) -> None:
        result = subprocess.run(command, cwd=folder, env=self.env, capture_output=True, text=True, timeout=timeout)
        output = result.stdout + result.stderr
        if result.returncode != 0:
            self.fail(block, f"`{' '.join(command)}` exited with {result.returncode}:\n{output[-3000:]}")
            return
        pattern = block.options.get("expect")
        if pattern and not re.search(pattern, output):
            self.fail(block, f"its output does not match /{pattern}/:\n{output[-3000:]}")
            return
        self.passed += 1

    def fail(self, block: Block, message: str) -> None:
        self.failures.append(f"{block.where} ({block.language}): {message}")

    def check_document(self, document: Path, all_blocks: list[Block]) -> None:
        folder = self.work / re.sub(r"\W", "_", str(document.relative_to(REPOSITORY)))
        folder.mkdir()
        for name in LINKED_INTO_SCRATCH:
            (folder / name).symlink_to(REPOSITORY / name)
        for index, block in enumerate(all_blocks):
            if block.document != document:
                continue
            try:
                self.check(block, index, folder)
            except subprocess.TimeoutExpired as error:
                self.fail(block, f"timed out after {error.timeout} s")

    def check(self, block: Block, index: int, folder: Path) -> None:
        language, name = block.language, block.options.get("file")
        if language not in LANGUAGES:
            self.fail(block, f"the block's language is {language or 'missing'}; use one of {', '.join(sorted(LANGUAGES))}")
            return
        if language == "text":
            return
        needed = block.options.get("needs")
        if needed and subprocess.run([sys.executable, "-c", f"import {needed}"], capture_output=True).returncode != 0:
            print(f"docs: {block.where}: skipped, it needs the Python module {needed}")
            self.skipped += 1
            return
        extension = {"python": "py", "c": "c", "cpp": "cpp", "swift": "swift", "sh": "sh", "cmake": "cmake"}[language]
        path = folder / (name or f"block{index}.{extension}")
        if language == "python":
            path.write_text(block.code)
            self.run(block, [sys.executable, path.name], folder)
        elif language in ("c", "cpp"):
            self.check_c(block, path, folder)
        elif language == "swift" and "import PackageDescription" in block.code:
            self.check_manifest(block)
        elif language == "swift":
            binary = self.swift_binaries.get(index)
            if binary is None:
                self.fail(block, "the Swift package did not build (see its failure above)")
            else:
                self.run(block, [str(binary)], folder)
        elif language == "sh":
            self.check_shell(block, path, folder)
        elif language == "cmake":
            consumer = (REPOSITORY / "Tests" / "c" / "cmake_consumer" / "CMakeLists.txt").read_text()
            missing = [line for line in block.code.strip().split("\n") if line.split("#")[0].strip() not in consumer]
            if missing:
                self.fail(block, f"Tests/c/cmake_consumer/CMakeLists.txt lacks: {missing}")
            else:
                self.passed += 1

    def check_c(self, block: Block, path: Path, folder: Path) -> None:
        compiler, flags = ("c++", CXXFLAGS) if block.language == "cpp" else ("cc", CFLAGS)
        code = block.code
        if "fragment" in block.options:
            code = f'#include "plexus.h"\n#include <stdio.h>\n{block.options["fragment"]};\n{block.options["fragment"]} {{\n{code}}}\n'
        elif "prelude" in block.options:
            code = block.options["prelude"].replace("\\n", "\n") + "\n" + code
        path.write_text(code)
        if re.search(r"\bint\s+main\s*\(", code):
            program = path.with_suffix("")
            if "standalone" in block.options:
                sources = block.options["standalone"].split(",")
                command = [compiler, *flags, "-I.", path.name, *sources, "-lm", "-o", program.name]
            else:
                command = [compiler, *flags, path.name, *LINK, "-o", program.name]
            before = len(self.failures)
            self.run(Block(block.document, block.line, block.language, code, {}), command, folder)
            if len(self.failures) == before:
                self.passed -= 1   # the build was a step, not the check
                self.run(block, [f"./{program.name}"], folder)
        else:
            self.run(block, [compiler, *flags, f"-I{REPOSITORY / 'include'}", "-I.", "-c", path.name,
                             "-o", path.with_suffix(".o").name], folder)

    def check_shell(self, block: Block, path: Path, folder: Path) -> None:
        commands = [line for line in block.code.split("\n") if line.strip() and not line.strip().startswith("#")]
        if "run-make" in block.options:
            path.write_text(f'set -euo pipefail\nmake() {{ command make -C "{REPOSITORY}" --no-print-directory "$@"; }}\n'
                            + "\n".join(commands) + "\n")
            self.run(block, ["bash", path.name], folder)
            return
        make_lines = [line for line in commands if line.startswith("make ")]
        for line in make_lines:
            words = shlex.split(line.split("#")[0])
            result = subprocess.run(["make", "-n", "-C", str(REPOSITORY), *words[1:]], capture_output=True, text=True)
            if result.returncode != 0:
                self.fail(block, f"`{line}` is not a make target here: {result.stderr.strip()}")
                return
        rest = [line for line in commands if not line.startswith("make ")]
        if not rest:
            self.passed += 1
            return
        path.write_text("set -euo pipefail\n" + "\n".join(rest) + "\n")
        self.run(block, ["bash", path.name], folder)

    def check_manifest(self, block: Block) -> None:
        """A Package.swift of a user's package that depends on Plexus by path: built, with a main.swift
        that imports Plexus, in build/doc-swift-manifest (beside a link named as the path names it)."""
        folder = REPOSITORY / "build" / "doc-swift-manifest"
        dependency = re.search(r'\.package\(path: "\.\./([^"]+)"\)', block.code)
        target = re.search(r'executableTarget\(name: "([^"]+)"', block.code)
        if not dependency or not target:
            self.fail(block, 'a manifest here depends on Plexus with .package(path: "../NAME") and has an executableTarget')
            return
        app = folder / "app"
        (app / "Sources" / target.group(1)).mkdir(parents=True, exist_ok=True)
        link = folder / dependency.group(1)
        if not link.is_symlink():
            link.symlink_to(REPOSITORY)
        (app / "Package.swift").write_text(block.code)
        (app / "Sources" / target.group(1) / "main.swift").write_text("import Plexus\nprint(PlexusVersion.string)\n")
        self.run(block, ["swift", "build", "--package-path", str(app)], app)

    # ----- Swift: one package, a target per block, built once ---------------------------------------
    def build_swift(self, all_blocks: list[Block]) -> None:
        swift = [(i, b) for i, b in enumerate(all_blocks) if b.language == "swift" and "import PackageDescription" not in b.code]
        if not swift:
            return
        package = REPOSITORY / "build" / "doc-swift"      # kept between runs: the second build is incremental
        sources = package / "Sources"
        shutil.rmtree(sources, ignore_errors=True)
        targets = []
        for index, block in swift:
            (sources / f"Doc{index}").mkdir(parents=True)
            (sources / f"Doc{index}" / "main.swift").write_text(block.code)
            targets.append(f'.executableTarget(name: "Doc{index}", dependencies: [.product(name: "Plexus", package: "{REPOSITORY.name}")])')
        (package / "Package.swift").write_text(
            "// swift-tools-version:6.0\n// Written by Tests/docs/check_docs.py: the Swift blocks of the documentation.\n"
            "import PackageDescription\n"
            f'let package = Package(name: "DocExamples", dependencies: [.package(path: "{REPOSITORY}")],\n'
            f"    targets: [{', '.join(targets)}])\n")
        result = subprocess.run(["swift", "build", "--package-path", str(package)], capture_output=True, text=True)
        if result.returncode != 0:
            self.fail(swift[0][1], f"the Swift blocks did not build:\n{(result.stdout + result.stderr)[-4000:]}")
            return
        binaries = Path(subprocess.run(["swift", "build", "--package-path", str(package), "--show-bin-path"],
                                       capture_output=True, text=True, check=True).stdout.strip())
        self.swift_binaries = {index: binaries / f"Doc{index}" for index, _ in swift}


def main(arguments: list[str]) -> int:
    documents = [Path(a).resolve() for a in arguments] or [
        REPOSITORY / "README.md", REPOSITORY / "bindings" / "python" / "README.md",
        *sorted((REPOSITORY / "docs").glob("*.md"))]
    if not LIBRARY.is_file():
        print(f"docs: {LIBRARY} is missing; run `make lib` first", file=sys.stderr)
        return 1
    all_blocks = [block for document in documents for block in blocks(document)]
    broken = [f"{document.relative_to(REPOSITORY)}: the link {target} leads nowhere"
              for document in documents for target in re.findall(r"\]\(([^)#\s]+)", document.read_text())
              if not re.match(r"[a-z]+://", target) and not (document.parent / target).exists()]
    with tempfile.TemporaryDirectory(prefix="plexus-docs-") as scratch:
        checker = Checker(Path(scratch))
        checker.build_swift(all_blocks)
        for document in documents:
            checker.check_document(document, all_blocks)
    checker.failures += broken
    for failure in checker.failures:
        print(f"FAIL docs: {failure}\n")
    counted = {language: sum(1 for b in all_blocks if b.language == language) for language in sorted(LANGUAGES)}
    summary = ", ".join(f"{n} {language}" for language, n in counted.items() if n)
    print(f"docs: {len(documents)} documents, {len(all_blocks)} code blocks ({summary}): "
          f"{checker.passed} checks passed, {len(checker.failures)} failed, {checker.skipped} skipped")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
