"""Each backend gives every stack its own state, and cross-stack references read the producer's state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from quality.sensitive_inputs import SENSITIVE_INPUTS
from support import ROOT, synth_pair

CLOUD = {"type": "cloud", "organization": "acme", "workspace_prefix": "platform", "project": "secrets"}
AZURERM = {
    "type": "azurerm",
    "resource_group_name": "tfstate-rg",
    "storage_account_name": "tfstateacme01",
    "container_name": "tfstate",
    "key_prefix": "platform",
}


def remote_state(consumer: dict) -> dict:
    (state,) = consumer["data"]["terraform_remote_state"].values()
    return state


def test_local_backend_keeps_state_beside_cdktf_out(tmp_path):
    producer, consumer = synth_pair(tmp_path, None)
    assert producer["terraform"]["backend"] == {"local": {"path": "../../../state/azure-test.tfstate"}}
    assert consumer["terraform"]["backend"] == {"local": {"path": "../../../state/consumer-test.tfstate"}}


def test_local_cross_stack_reference_reads_the_producers_state_file(tmp_path):
    producer, consumer = synth_pair(tmp_path, None)
    state = remote_state(consumer)
    assert state["backend"] == "local"
    assert state["config"]["path"] == producer["terraform"]["backend"]["local"]["path"]


def test_cloud_backend_gives_each_stack_a_named_workspace(tmp_path):
    producer, consumer = synth_pair(tmp_path, CLOUD)
    assert producer["terraform"]["cloud"] == {
        "hostname": "app.terraform.io",
        "organization": "acme",
        "workspaces": {"name": "platform-azure-test", "project": "secrets"},
    }
    assert consumer["terraform"]["cloud"]["workspaces"]["name"] == "platform-consumer-test"
    assert "backend" not in producer["terraform"]


def test_cloud_cross_stack_reference_reads_the_producers_workspace(tmp_path):
    _, consumer = synth_pair(tmp_path, CLOUD)
    state = remote_state(consumer)
    assert state["backend"] == "remote"
    assert state["config"]["organization"] == "acme"
    assert state["config"]["hostname"] == "app.terraform.io"
    assert state["config"]["workspaces"] == {"name": "platform-azure-test"}
    assert "token" not in state["config"]


def test_azurerm_backend_gives_each_stack_its_own_key_with_entra_id_auth(tmp_path):
    producer, consumer = synth_pair(tmp_path, AZURERM)
    assert producer["terraform"]["backend"]["azurerm"] == {
        "resource_group_name": "tfstate-rg",
        "storage_account_name": "tfstateacme01",
        "container_name": "tfstate",
        "key": "platform/azure-test.tfstate",
        "use_azuread_auth": True,
    }
    assert consumer["terraform"]["backend"]["azurerm"]["key"] == "platform/consumer-test.tfstate"


def test_azurerm_cross_stack_reference_reads_the_producers_blob(tmp_path):
    producer, consumer = synth_pair(tmp_path, AZURERM)
    state = remote_state(consumer)
    assert state["backend"] == "azurerm"
    backend = producer["terraform"]["backend"]["azurerm"]
    assert {key: state["config"][key] for key in backend} == backend


def test_tokens_and_keys_in_the_environment_never_reach_the_output(tmp_path):
    """A fresh process (so jsii's Node.js sees the variables too) synthesizes with fake credentials set, once per
    backend."""
    # Every sensitive input of the project (tests/quality/sensitive_inputs.py), each with its own value.
    canaries = {entry.variable: f"canary-{index:02d}-5f1c2a90e3d4" for index, entry in enumerate(SENSITIVE_INPUTS)}
    backends = {"local": None, "cloud": CLOUD, "azurerm": AZURERM}
    script = "import sys; from pathlib import Path; sys.path[:0] = ['.', 'constructs', 'tests']\nimport support\n" + "".join(
        f"support.synth_pair(Path({str(tmp_path / name)!r}), {backend!r})\n" for name, backend in backends.items()
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, **canaries}, check=True)
    for name in backends:
        emitted = "".join(path.read_text() for path in (tmp_path / name).rglob("*") if path.is_file())
        assert "vault_uri" in emitted, name
        assert [variable for variable, value in canaries.items() if value in emitted] == [], name
