"""`make list`: the stacks in deployment order."""

from __future__ import annotations

import importlib.util

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


def test_example_environments_list_in_the_documented_run_order(example_outdir, capsys):
    assert list_stacks.main(example_outdir) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    # prod keeps its state in HCP Terraform: hcp-prod sets up the workspaces first.
    assert names == [
        "azure-dev", "eso-dev", "eso-config-dev", "secrets-dev", "apps-dev", "hcp-prod", "azure-prod", "eso-prod", "secrets-prod",
    ]
