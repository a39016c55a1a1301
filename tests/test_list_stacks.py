"""`make list`: the stacks in deployment order."""

from __future__ import annotations

import importlib.util
import json

from support import ROOT

spec = importlib.util.spec_from_file_location("list_stacks", ROOT / "scripts" / "list_stacks.py")
list_stacks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(list_stacks)


def test_stacks_come_after_their_dependencies_grouped_by_environment():
    stacks = {
        "apps-dev": {"dependencies": ["eso-config-dev", "secrets-dev"]},
        "secrets-dev": {"dependencies": ["azure-dev"]},
        "eso-config-dev": {"dependencies": ["eso-dev", "azure-dev"]},
        "eso-dev": {"dependencies": ["azure-dev"]},
        "azure-dev": {},
        "azure-prod": {},
        "eso-prod": {"dependencies": ["azure-prod"]},
    }
    assert list_stacks.deployment_order(stacks) == [
        "azure-dev", "eso-dev", "eso-config-dev", "secrets-dev", "apps-dev", "azure-prod", "eso-prod",
    ]


def test_every_stack_is_listed_once_after_its_dependencies_grouped_by_environment(synth_set, capsys):
    assert list_stacks.main(synth_set.outdir) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    stacks = json.loads((synth_set.outdir / "manifest.json").read_text())["stacks"]
    assert sorted(names) == sorted(stacks)
    assert [(name, dep) for name in names for dep in stacks[name].get("dependencies", [])
            if names.index(dep) > names.index(name)] == []
    environments = [name.rsplit("-", 1)[1] for name in names]
    assert environments == sorted(environments)
    assert [name for name in names if name.startswith("azure-")] == [f"azure-{env.name}" for env in synth_set.environments]


def test_each_environment_lists_in_the_documented_run_order(synth_set, capsys):
    assert list_stacks.main(synth_set.outdir) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    for env in synth_set.environments:
        kinds = [name.removesuffix(f"-{env.name}") for name in names if name.rsplit("-", 1)[1] == env.name]
        assert kinds == [kind for kind in list_stacks.KINDS if kind in kinds], env.name
