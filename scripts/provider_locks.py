"""Provider lock files, one per stack: ``locks/<stack>.terraform.lock.hcl`` (docs/provider-locks.md).

    python scripts/provider_locks.py check [cdktf.out]                     # every committed lock file
    python scripts/provider_locks.py refresh [--platform linux_amd64 ...] [STACK ...]   # needs the registry

``refresh`` runs ``terraform providers lock`` for the given platforms in each synthesized stack's folder (all
stacks unless named), which downloads each provider's signed checksums from the registry, checks the result and
copies it into ``locks/``. A synth puts them back in place (main.py).

A lock file is refused (``check``, and ``refresh`` before it copies) when it could not have come from the registry
or would not fit its stack: each provider needs ``zh:`` hashes (the registry's signed SHA256SUMS, for every
platform), which a lock file written against a local mirror, such as the stand-in providers of the tests, never
has; its source must be one the stack requires, at the version it pins; and every provider the stack requires
must be locked. https://developer.hashicorp.com/terraform/language/files/dependency-lock
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "locks"
SUFFIX = ".terraform.lock.hcl"
# The platforms a team usually runs Terraform on: CI and HCP Terraform (linux_amd64), laptops (darwin_*).
DEFAULT_PLATFORMS = ("linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64")
DEFAULT_REGISTRY = "registry.terraform.io"

_PROVIDER = re.compile(r'provider\s+"(?P<source>[^"]+)"\s*\{(?P<body>.*?)\n\}', re.S)
_VERSION = re.compile(r'^\s*version\s*=\s*"(?P<version>[^"]+)"', re.M)
_HASH = re.compile(r'"(?P<scheme>[a-z0-9]+):[^"]+"')
_EXACT = re.compile(r"^=?\s*(\d+\.\d+\.\d+)$")


def full_source(source: str) -> str:
    """A provider source as a lock file writes it: ``azurerm`` and ``hashicorp/azurerm`` are
    ``registry.terraform.io/hashicorp/azurerm``."""
    parts = source.lower().split("/")
    if len(parts) == 1:
        parts = ["hashicorp", *parts]
    if len(parts) == 2:
        parts = [DEFAULT_REGISTRY, *parts]
    return "/".join(parts)


def locked_providers(text: str) -> dict[str, dict]:
    """The provider blocks of a lock file: source -> its version and hash schemes."""
    return {
        match["source"]: {
            "version": (_VERSION.search(match["body"]) or {"version": None})["version"],
            "schemes": {hash_match["scheme"] for hash_match in _HASH.finditer(match["body"])},
        }
        for match in _PROVIDER.finditer(text)
    }


def lock_problems(name: str, text: str, stack: dict | None, known_stacks: list[str]) -> list[str]:
    """What is wrong with the lock file ``name`` (``locks/<stack>.terraform.lock.hcl``) for ``stack`` (its
    synthesized JSON, None when there is no such stack)."""
    if stack is None:
        return [f"{name}: there is no stack {name.removesuffix(SUFFIX)!r} (the stacks: {', '.join(known_stacks)})"]
    required = {
        full_source(spec.get("source", provider)): spec.get("version", "")
        for provider, spec in stack.get("terraform", {}).get("required_providers", {}).items()
    }
    locked = locked_providers(text)
    problems = []
    for source, lock in sorted(locked.items()):
        if source not in required:
            problems.append(f"{name}: provider {source}: the stack does not use it ({', '.join(sorted(required))})")
            continue
        exact = _EXACT.match(required[source].strip())
        if exact and lock["version"] != exact[1]:
            problems.append(f"{name}: provider {source}: locked at {lock['version']}, the stack pins {exact[1]}")
        if "zh" not in lock["schemes"]:
            problems.append(
                f"{name}: provider {source}: no zh: hashes, so it was not locked against the registry (a local "
                "mirror, such as the tests' stand-in providers, gives h1: only): run make provider-locks on a machine "
                "that reaches the registry"
            )
    unlocked = sorted(set(required) - set(locked))
    problems += [f"{name}: provider {source}: not locked, and the stack requires it" for source in unlocked]
    return problems


def synthesized_stacks(outdir: Path) -> dict[str, dict]:
    return {path.parent.name: json.loads(path.read_text()) for path in sorted(outdir.glob("stacks/*/cdk.tf.json"))}


def check(locks: Path, outdir: Path) -> list[str]:
    """The problems of every lock file in ``locks`` against the stacks synthesized into ``outdir``."""
    stacks = synthesized_stacks(outdir)
    problems = []
    for path in sorted(locks.glob(f"*{SUFFIX}")):
        stack = stacks.get(path.name.removesuffix(SUFFIX))
        problems += lock_problems(path.name, path.read_text(encoding="utf-8"), stack, sorted(stacks))
    return problems


def refresh(stacks: list[str], platforms: list[str], outdir: Path, locks: Path, terraform: str) -> int:
    known = synthesized_stacks(outdir)
    unknown = [name for name in stacks if name not in known]
    if unknown:
        print(f"no stack {', '.join(unknown)} in {outdir} (the stacks: {', '.join(known)})", file=sys.stderr)
        return 2
    locks.mkdir(exist_ok=True)
    for name in stacks or list(known):
        working = outdir / "stacks" / name
        command = [terraform, f"-chdir={working}", "providers", "lock", *(f"-platform={p}" for p in platforms)]
        print(f"{name}: {' '.join(command[2:])}", file=sys.stderr)
        if subprocess.run(command).returncode != 0:
            return 1
        text = (working / ".terraform.lock.hcl").read_text(encoding="utf-8")
        problems = lock_problems(f"{name}{SUFFIX}", text, known[name], sorted(known))
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        shutil.copyfile(working / ".terraform.lock.hcl", locks / f"{name}{SUFFIX}")
    shown = locks.relative_to(ROOT) if locks.is_relative_to(ROOT) else locks
    print(f"Lock files written into {shown}/: commit them.", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="check every committed lock file")
    check_parser.add_argument("outdir", nargs="?", type=Path, default=ROOT / "cdktf.out")
    refresh_parser = commands.add_parser("refresh", help="write lock files with terraform providers lock")
    refresh_parser.add_argument("stacks", nargs="*", help="stacks to lock (default: every synthesized stack)")
    refresh_parser.add_argument("--platform", action="append", dest="platforms", help="repeatable")
    refresh_parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out")
    args = parser.parse_args(argv)
    if args.command == "check":
        problems = check(LOCKS, args.outdir)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    terraform = os.environ.get("TERRAFORM_BINARY_NAME") or "terraform"
    return refresh(args.stacks, args.platforms or list(DEFAULT_PLATFORMS), args.outdir, LOCKS, terraform)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
