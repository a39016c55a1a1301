"""A person-supplied secret (sensitive_secrets) refuses an empty value: Terraform itself stops the run.

hcp-<env> declares such variables on HCP Terraform workspaces without a value, so an empty one must never reach
the vault. The variable block is taken from a synthesized secrets stack and planned alone (it needs no provider).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import cdktf
import pytest

from stacks.azure_stack import AzureStack
from stacks.secrets_stack import SecretsStack
from support import WRITE_ONLY, make_env, synth_json

SUPPLIED = {"apps": {"shop": {"sensitive_secrets": {"api-key": {"variable": "shop_api_key"}}}}}


@pytest.fixture(scope="module")
def variable_only(tmp_path_factory):
    if shutil.which("terraform") is None:
        pytest.skip("no terraform binary on PATH")
    env = make_env({**SUPPLIED, **WRITE_ONLY})
    app = cdktf.Testing.app()
    secrets = SecretsStack(app, "secrets-test", env=env, azure=AzureStack(app, "azure-test", env=env))
    variables = synth_json(secrets)["variable"]
    folder = tmp_path_factory.mktemp("variable")
    (folder / "main.tf.json").write_text(json.dumps({"variable": variables}))
    subprocess.run(["terraform", "init", "-input=false"], cwd=folder, capture_output=True, check=True, timeout=120)
    return folder


def plan(folder, value: str) -> subprocess.CompletedProcess:
    environment = {"TF_VAR_shop_api_key": value, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "PATH": os.environ["PATH"]}
    return subprocess.run(
        ["terraform", "plan", "-input=false", "-no-color"], cwd=folder, capture_output=True, text=True, env=environment, timeout=120
    )


def test_an_empty_supplied_value_stops_the_plan(variable_only):
    result = plan(variable_only, "")
    assert result.returncode != 0
    assert (
        "Key Vault secret shop-api-key needs a value: set TF_VAR_shop_api_key, or the sensitive workspace variable "
        "shop_api_key in HCP Terraform. An empty value is refused." in " ".join(result.stderr.split())
    )


def test_a_supplied_value_passes(variable_only):
    assert plan(variable_only, "sk-test-value").returncode == 0
