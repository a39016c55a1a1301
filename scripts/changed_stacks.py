"""The stacks whose synthesized Terraform differs between two synths, in deployment order, as JSON for CI.

    python scripts/changed_stacks.py BASE_OUTDIR HEAD_OUTDIR

BASE_OUTDIR may be missing or empty (a first synth: every stack is new). Prints a JSON list; each entry:

* ``stack``, ``backend`` (``local``, ``cloud`` or ``azurerm``, from the stack's own ``terraform`` block);
* for the cloud backend: ``organization``, ``hostname``, ``workspace``, ``runs_in_hcp`` (its workspace runs in HCP
  Terraform, remote or agent, as ``hcp-<env>`` sets it) and ``starts_run`` (no other changed workspace reaches it
  through ``hcp-<env>``'s run triggers, so CI starts its run; the triggers start the others, in order).

The GitHub workflows (.github/workflows/) use it for ``cdktf diff`` per changed stack and for the deploy on merge.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from list_stacks import deployment_order  # noqa: E402

WORKSPACE_REFERENCE = re.compile(r"^\$\{tfe_workspace\.([^.]+)\.id\}$")


def read(outdir: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    """The manifest's stacks and each stack's Terraform JSON (without cdktf's ``//`` metadata)."""
    manifest = outdir / "manifest.json"
    if not manifest.exists():
        return {}, {}
    stacks = json.loads(manifest.read_text())["stacks"]
    synthesized = {}
    for name, stack in stacks.items():
        document = json.loads((outdir / stack["synthesizedStackPath"]).read_text())
        document.pop("//", None)
        synthesized[name] = document
    return stacks, synthesized


def backend_of(document: dict) -> str:
    terraform = document.get("terraform", {})
    if "cloud" in terraform:
        return "cloud"
    (kind,) = terraform.get("backend", {"local": {}}).keys()
    return kind


def hcp_workspaces(synthesized: dict[str, dict]) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """From every ``hcp-<env>`` stack: each workspace's execution mode, and the run triggers (source, target)."""
    modes: dict[str, str] = {}
    triggers: set[tuple[str, str]] = set()
    for document in synthesized.values():
        workspaces = document.get("resource", {}).get("tfe_workspace", {})
        if not workspaces:
            continue

        def name(reference: str) -> str | None:
            match = WORKSPACE_REFERENCE.match(reference)
            return workspaces[match.group(1)]["name"] if match else None

        for settings in document["resource"].get("tfe_workspace_settings", {}).values():
            workspace = name(settings["workspace_id"])
            if workspace:
                modes[workspace] = settings["execution_mode"]
        for trigger in document["resource"].get("tfe_run_trigger", {}).values():
            triggers.add((name(trigger["sourceable_id"]), name(trigger["workspace_id"])))
    return modes, triggers


def changed_stacks(base: Path, head: Path) -> list[dict]:
    _, before = read(base)
    stacks, after = read(head)
    changed = [name for name in deployment_order(stacks) if before.get(name) != after[name]]
    modes, triggers = hcp_workspaces(after)
    entries = []
    for name in changed:
        document = after[name]
        entry: dict = {"stack": name, "backend": backend_of(document)}
        if entry["backend"] == "cloud":
            cloud = document["terraform"]["cloud"]
            entry.update(
                organization=cloud["organization"],
                hostname=cloud.get("hostname", "app.terraform.io"),
                workspace=cloud["workspaces"]["name"],
                runs_in_hcp=modes.get(cloud["workspaces"]["name"], "local") in ("remote", "agent"),
            )
        entries.append(entry)
    in_hcp = {entry["workspace"] for entry in entries if entry.get("runs_in_hcp")}
    for entry in entries:
        if entry.get("runs_in_hcp"):
            entry["starts_run"] = not _reached(entry["workspace"], in_hcp - {entry["workspace"]}, triggers)
    return entries


def _reached(workspace: str, sources: set[str], triggers: set[tuple[str, str]]) -> bool:
    """Whether a run in any of ``sources`` queues, through run triggers, a run of ``workspace``."""
    pending, seen = list(sources), set()
    while pending:
        current = pending.pop()
        for source, target in triggers:
            if source == current and target not in seen:
                if target == workspace:
                    return True
                seen.add(target)
                pending.append(target)
    return False


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    print(json.dumps(changed_stacks(Path(argv[0]), Path(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
