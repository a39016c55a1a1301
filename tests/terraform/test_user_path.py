"""The user's path: ``cdktf deploy <stack> --auto-approve`` (what ``make deploy`` runs) through the stand-ins, stack
by stack in deployment order, then ``cdktf diff`` of each stack reporting no changes.

The environment is generated (any valid environment must deploy) with a local backend, in a copy of the project,
so state lands in the copy's state/ folder. The CLI runs on the machine's Node.js (18, 20 or 22) through ``npx``
from the npm registry, as in the Makefile; where either is unavailable the test is skipped with the reason. The
calls run in the background from the start of the session (cli_path.py); this test reads their outcome.
"""

from __future__ import annotations

import json

import pytest

NO_CHANGES = "No changes. Your infrastructure matches the configuration."


@pytest.fixture(scope="module")
def path(cli_path):
    if cli_path.skipped:
        pytest.skip(cli_path.skipped)
    assert cli_path.error is None, cli_path.error
    return cli_path


def test_cdktf_deploy_applies_each_stack_in_deployment_order(path):
    assert [call.command.split()[2] for call in path.deploys] == path.stacks
    assert {call.command: call.describe() for call in path.deploys if call.returncode != 0} == {}
    for stack in path.stacks:
        assert (path.project / "state" / f"{stack}.tfstate").is_file(), f"{stack}: no state after cdktf deploy"
    state = json.loads((path.project / "state" / f"{path.stacks[-1]}.tfstate").read_text())
    assert state["resources"], f"{path.stacks[-1]}: cdktf deploy created nothing"


def test_cdktf_diff_after_deploy_reports_no_changes(path):
    assert len(path.diffs) == len(path.stacks)
    changed = {
        call.command: call.describe()
        for call in path.diffs
        if call.returncode != 0 or NO_CHANGES not in " ".join(call.output.split())
    }
    assert changed == {}
