"""Synthesize the project as `make synth` does, in a copy somewhere else, and collect every file the synth emitted.

The copy leaves out what Git ignores and what a synth writes (``cdktf.out``), so everything the synth produces
(``cdktf.out/``, ``manifests/``, or any other file a later feature writes) is found by comparing the copy before
and after. Committed files under ``manifests/`` count as output too: they are what the cluster receives.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Folders that are not sources of a synth: Git, the virtual environment, caches, earlier outputs and state.
NOT_COPIED = (
    ".git",
    ".venv",
    ".pytest_cache",
    "__pycache__",
    "cdktf.out",
    "cdktf.out.*",
    "state",
    ".benchmark",
    ".terraform",
    "node_modules",
)
# Committed output: scanned as emitted even when the synth leaves it unchanged.
OUTPUT_FOLDERS = ("cdktf.out", "manifests")
SYNTH_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Synth:
    """One synth of a copy of the project: where it ran and what it emitted."""

    root: Path
    environment: dict[str, str]
    # Path relative to ``root`` (POSIX form) -> content.
    files: dict[str, bytes]


def copy_project(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
    return destination


def _digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def start_synth(root: Path, environment: dict[str, str]) -> subprocess.Popen[bytes]:
    """``python main.py`` in ``root`` with exactly ``environment`` (no variable of this process leaks in)."""
    return subprocess.Popen(
        [sys.executable, "main.py"],
        cwd=root,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def synthesize(copies: list[tuple[Path, dict[str, str]]]) -> list[Synth]:
    """Synthesize several copies at once (one process each) and return what each emitted."""
    before = [_digests(root) for root, _ in copies]
    processes = [start_synth(root, environment) for root, environment in copies]
    results = []
    for (root, environment), process, digests in zip(copies, processes, before):
        try:
            stdout, stderr = process.communicate(timeout=SYNTH_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            raise AssertionError(f"synth in {root} took more than {SYNTH_TIMEOUT_SECONDS} s") from None
        if process.returncode != 0:
            raise AssertionError(
                f"synth in {root} failed with exit code {process.returncode}:\n"
                f"{stdout.decode(errors='replace')}{stderr.decode(errors='replace')}"
            )
        results.append(Synth(root=root, environment=environment, files=emitted_files(root, digests)))
    return results


def emitted_files(root: Path, before: dict[str, str]) -> dict[str, bytes]:
    """Files that are new or changed since ``before``, and every file of the output folders."""
    files = {}
    for relative, digest in _digests(root).items():
        in_output_folder = relative.split("/", 1)[0] in OUTPUT_FOLDERS
        if in_output_folder or before.get(relative) != digest:
            files[relative] = (root / relative).read_bytes()
    return files


def base_environment(*, home: Path, user: str, tmpdir: Path) -> dict[str, str]:
    """This process's environment without anything that could carry a secret or select other outputs.

    HOME, USER, LOGNAME and TMPDIR are replaced so that a synth that writes any of them into its output differs
    from a synth run with other values.
    """
    keep = ("PATH", "LANG", "LC_ALL", "JSII_NODE", "CDK_PROVIDER_LOADING", "SYSTEMROOT")
    environment = {name: os.environ[name] for name in keep if name in os.environ}
    # jsii unpacks its assemblies (~300 MB) into a cache under HOME; a fresh HOME would cost seconds per synth.
    environment["JSII_RUNTIME_PACKAGE_CACHE_ROOT"] = os.environ.get(
        "JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(Path.home() / ".cache" / "aws" / "jsii" / "package-cache")
    )
    environment.update(
        HOME=str(home),
        USER=user,
        LOGNAME=user,
        TMPDIR=str(tmpdir),
        PYTHONDONTWRITEBYTECODE="1",
        CHECKPOINT_DISABLE="1",
        DISABLE_VERSION_CHECK="1",
    )
    for folder in (home, tmpdir):
        folder.mkdir(parents=True, exist_ok=True)
    return environment
