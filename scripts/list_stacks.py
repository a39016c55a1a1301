"""Print the synthesized stacks in deployment order, with what each depends on (from cdktf.out/manifest.json)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


# The run order of one environment's stacks (the order of docs/state-and-terraform-cloud.md); hcp-<env> exists
# only with HCP Terraform state and comes first.
KINDS = ("hcp", "azure", "eso", "eso-config", "secrets", "apps")


def _sort_key(name: str) -> tuple[str, int, str]:
    """Group by environment, then by kind in run order."""
    kind, _, env = name.rpartition("-")
    return (env, KINDS.index(kind) if kind in KINDS else len(KINDS), name)


def deployment_order(stacks: dict[str, dict]) -> list[str]:
    """Stacks sorted so that each comes after its dependencies, grouped by environment (stable output)."""
    done: list[str] = []
    pending = sorted(stacks, key=_sort_key)
    while pending:
        ready = [name for name in pending if all(dep in done for dep in stacks[name].get("dependencies", []))]
        if not ready:
            raise SystemExit(f"cycle among stacks: {', '.join(pending)}")
        done.append(ready[0])
        pending.remove(ready[0])
    return done


def main(outdir: Path) -> int:
    manifest = outdir / "manifest.json"
    if not manifest.exists():
        print(f"{manifest} is missing: run `make synth` first", file=sys.stderr)
        return 1
    stacks = json.loads(manifest.read_text())["stacks"]
    width = max(len(name) for name in stacks)
    for name in deployment_order(stacks):
        dependencies = stacks[name].get("dependencies", [])
        print(f"{name:<{width}}  {'after ' + ', '.join(dependencies) if dependencies else ''}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "cdktf.out")))
