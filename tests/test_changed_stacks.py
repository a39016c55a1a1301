"""scripts/changed_stacks.py: what CI plans on a pull request and deploys on merge."""

from __future__ import annotations

import importlib.util
import json

from support import ROOT

spec = importlib.util.spec_from_file_location("changed_stacks", ROOT / "scripts" / "changed_stacks.py")
changed_stacks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(changed_stacks)


def cloud(workspace: str, **rest) -> dict:
    return {"terraform": {"cloud": {"organization": "acme", "workspaces": {"name": workspace}}}, **rest}


HCP = cloud(
    "p-hcp-x",
    resource={
        "tfe_workspace": {"a": {"name": "p-azure-x"}, "s": {"name": "p-secrets-x"}, "e": {"name": "p-eso-x"}},
        "tfe_workspace_settings": {
            "a-settings": {"workspace_id": "${tfe_workspace.a.id}", "execution_mode": "remote"},
            "s-settings": {"workspace_id": "${tfe_workspace.s.id}", "execution_mode": "agent"},
            "e-settings": {"workspace_id": "${tfe_workspace.e.id}", "execution_mode": "local"},
            "own": {"workspace_id": "${data.tfe_workspace.own.id}", "execution_mode": "local"},
        },
        "tfe_run_trigger": {"s-after-a": {"workspace_id": "${tfe_workspace.s.id}", "sourceable_id": "${tfe_workspace.a.id}"}},
    },
)


def write(outdir, stacks: dict[str, dict], dependencies: dict[str, list[str]]):
    manifest = {"stacks": {}}
    for name, document in stacks.items():
        (outdir / "stacks" / name).mkdir(parents=True)
        (outdir / "stacks" / name / "cdk.tf.json").write_text(json.dumps({"//": {"metadata": {"stackName": name}}, **document}))
        manifest["stacks"][name] = {"synthesizedStackPath": f"stacks/{name}/cdk.tf.json", "dependencies": dependencies.get(name, [])}
    (outdir / "manifest.json").write_text(json.dumps(manifest))
    return outdir


DEPENDENCIES = {"azure-x": ["hcp-x"], "secrets-x": ["hcp-x", "azure-x"], "eso-x": ["hcp-x", "azure-x"]}


def test_every_stack_counts_as_changed_without_a_base_synth(tmp_path):
    head = write(tmp_path / "head", {"azure-x": {"resource": {"a": 1}}, "apps-x": {}}, {"apps-x": ["azure-x"]})
    assert changed_stacks.changed_stacks(tmp_path / "missing", head) == [
        {"stack": "azure-x", "backend": "local"},
        {"stack": "apps-x", "backend": "local"},
    ]


def test_only_stacks_whose_terraform_differs_are_listed_in_deployment_order(tmp_path):
    before = {"azure-x": {"resource": {"a": 1}}, "eso-x": {"resource": {"e": 1}}, "apps-x": {"resource": {"p": 1}}}
    after = {**before, "azure-x": {"resource": {"a": 2}}, "apps-x": {"resource": {"p": 2}}}
    dependencies = {"eso-x": ["azure-x"], "apps-x": ["eso-x"]}
    base = write(tmp_path / "base", before, dependencies)
    head = write(tmp_path / "head", after, dependencies)
    assert [entry["stack"] for entry in changed_stacks.changed_stacks(base, head)] == ["azure-x", "apps-x"]


def test_a_changed_workspace_that_a_run_trigger_reaches_starts_no_run_of_its_own(tmp_path):
    stacks = {"hcp-x": HCP, "azure-x": cloud("p-azure-x"), "secrets-x": cloud("p-secrets-x"), "eso-x": cloud("p-eso-x")}
    entries = {entry["stack"]: entry for entry in changed_stacks.changed_stacks(tmp_path / "none", write(tmp_path / "h", stacks, DEPENDENCIES))}
    assert entries["azure-x"] == {
        "stack": "azure-x", "backend": "cloud", "organization": "acme", "hostname": "app.terraform.io",
        "workspace": "p-azure-x", "runs_in_hcp": True, "starts_run": True,
    }
    assert (entries["secrets-x"]["runs_in_hcp"], entries["secrets-x"]["starts_run"]) == (True, False)
    assert entries["eso-x"]["runs_in_hcp"] is False and "starts_run" not in entries["eso-x"]
    assert entries["hcp-x"]["runs_in_hcp"] is False


def test_a_changed_workspace_whose_upstream_is_unchanged_starts_its_own_run(tmp_path):
    stacks = {"hcp-x": HCP, "azure-x": cloud("p-azure-x"), "secrets-x": cloud("p-secrets-x")}
    base = write(tmp_path / "b", stacks, DEPENDENCIES)
    head = write(tmp_path / "h", {**stacks, "secrets-x": cloud("p-secrets-x", resource={"x": {}})}, DEPENDENCIES)
    (entry,) = changed_stacks.changed_stacks(base, head)
    assert (entry["stack"], entry["starts_run"]) == ("secrets-x", True)
