"""Stack secrets-<env>: the apps' secrets, written only after the RBAC grants have propagated."""

from __future__ import annotations

import json

import cdktf
import pytest

from stacks.azure_stack import AzureStack
from stacks.secrets_stack import SecretsStack
from support import WRITE_ONLY, make_env, resources

APPS = {
    "myapp": {"static_secrets": {"db-host": "postgres"}, "random_secrets": {"db-password": {}}},
    "billing": {"sensitive_secrets": {"stripe-api-key": {"variable": "billing_stripe"}}},
}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> tuple[dict, dict]:
    outdir = tmp_path_factory.mktemp("secrets")
    app = cdktf.App(outdir=str(outdir))
    env = make_env({"apps": APPS})
    azure = AzureStack(app, "azure-test", env=env)
    SecretsStack(app, "secrets-test", env=env, azure=azure)
    app.synth()
    read = lambda name: json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text())  # noqa: E731
    return read("azure-test"), read("secrets-test")


def test_every_app_gets_its_secrets(synthesized):
    _, secrets = synthesized
    names = sorted(s["name"] for s in resources(secrets, "azurerm_key_vault_secret").values())
    assert names == ["billing-stripe-api-key", "myapp-db-host", "myapp-db-password"]


def test_every_secret_waits_for_the_rbac_propagation_of_the_azure_stack(synthesized):
    azure, secrets = synthesized
    vault_ids = {s["key_vault_id"] for s in resources(secrets, "azurerm_key_vault_secret").values()}
    assert len(vault_ids) == 1
    (vault_id,) = vault_ids
    output_name = vault_id.split(".outputs.")[1].rstrip("}")
    (sleep_id,) = resources(azure, "time_sleep")
    assert azure["output"][output_name]["value"] == f"${{time_sleep.{sleep_id}.triggers.key_vault_id}}"
    assert azure["output"][output_name]["sensitive"] is True


def test_secrets_stack_has_azurerm_and_random_providers_only(synthesized):
    _, secrets = synthesized
    assert sorted(secrets["provider"]) == ["azurerm", "random"]


def test_app_without_secrets_gets_no_module():
    app = cdktf.Testing.app()
    env = make_env({"apps": {"empty": {}}})
    stack = SecretsStack(app, "secrets-test", env=env, azure=AzureStack(app, "azure-test", env=env))
    assert stack.apps == {}


def test_write_only_environment_requires_terraform_1_11():
    app = cdktf.Testing.app()
    env = make_env({"apps": APPS, **WRITE_ONLY})
    stack = SecretsStack(app, "secrets-test", env=env, azure=AzureStack(app, "azure-test", env=env))
    assert json.loads(cdktf.Testing.synth(stack))["terraform"]["required_version"] == ">= 1.11.0"


def test_stacks_without_write_only_state_no_terraform_version():
    app = cdktf.Testing.app()
    env = make_env({"apps": APPS})
    stack = SecretsStack(app, "secrets-test", env=env, azure=AzureStack(app, "azure-test", env=env))
    assert "required_version" not in json.loads(cdktf.Testing.synth(stack)).get("terraform", {})
