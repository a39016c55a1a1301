"""The azure-secrets module on the synthesized JSON."""

from __future__ import annotations

import pytest

from modules.azure_secrets import AzureSecrets
from support import make_env, only, resources, synth_json


def secrets_by_name(synthesized: dict) -> dict[str, dict]:
    return {secret["name"]: secret for secret in resources(synthesized, "azurerm_key_vault_secret").values()}


def test_manual_module_interface_makes_app_dash_key_secrets(stack):
    AzureSecrets(
        stack,
        "myapp",
        key_vault_id="/vault/id",
        app_name="myapp",
        static_secrets={"db-username": "myapp", "db-host": "postgres", "db-name": "myapp"},
        random_secrets=["db-password"],
    )
    synthesized = synth_json(stack)
    secrets = secrets_by_name(synthesized)
    assert sorted(secrets) == ["myapp-db-host", "myapp-db-name", "myapp-db-password", "myapp-db-username"]
    assert secrets["myapp-db-host"]["value"] == "postgres"
    assert {secret["key_vault_id"] for secret in secrets.values()} == {"/vault/id"}
    (password_id,) = resources(synthesized, "random_password")
    assert secrets["myapp-db-password"]["value"] == f"${{random_password.{password_id}.result}}"


def test_random_secret_is_32_url_safe_characters_by_default(stack):
    AzureSecrets(stack, "myapp", key_vault_id="/v", app_name="myapp", random_secrets=["db-password"])
    password = only(synth_json(stack), "random_password")
    assert password["length"] == 32
    assert password["override_special"] == "-_"
    assert password["keepers"] == {"version": "1"}


def test_bumping_a_random_secret_version_changes_its_keepers(stack):
    env = make_env({"apps": {"myapp": {"random_secrets": {"db-password": {"version": 3, "length": 48}}}}})
    AzureSecrets.for_app(stack, env.apps[0], key_vault_id="/v")
    password = only(synth_json(stack), "random_password")
    assert (password["keepers"], password["length"]) == ({"version": "3"}, 48)


def test_person_supplied_secret_reads_a_sensitive_variable_of_the_declared_name(stack):
    env = make_env({"apps": {"myapp": {"sensitive_secrets": {"stripe-api-key": {"variable": "myapp_stripe"}}}}})
    AzureSecrets.for_app(stack, env.apps[0], key_vault_id="/v")
    synthesized = synth_json(stack)
    assert synthesized["variable"] == {
        "myapp_stripe": {
            "description": "Value of Key Vault secret myapp-stripe-api-key (set TF_VAR_myapp_stripe)",
            "nullable": False,
            "sensitive": True,
            "type": "string",
            "validation": [
                {
                    "condition": "${length(var.myapp_stripe) > 0}",
                    "error_message": "Key Vault secret myapp-stripe-api-key needs a value: set TF_VAR_myapp_stripe, or "
                    "the sensitive workspace variable myapp_stripe in HCP Terraform. An empty value is refused.",
                }
            ],
        }
    }
    assert secrets_by_name(synthesized)["myapp-stripe-api-key"]["value"] == "${var.myapp_stripe}"


def test_secret_metadata_comes_from_the_declaration(stack):
    env = make_env(
        {
            "apps": {
                "myapp": {
                    "static_secrets": {
                        "db-host": {
                            "value": "postgres",
                            "content_type": "hostname",
                            "expiration_date": "2027-12-31T00:00:00Z",
                            "tags": {"team": "payments"},
                        }
                    }
                }
            }
        }
    )
    AzureSecrets.for_app(stack, env.apps[0], key_vault_id="/v")
    secret = only(synth_json(stack), "azurerm_key_vault_secret")
    assert secret["content_type"] == "hostname"
    assert secret["expiration_date"] == "2027-12-31T00:00:00Z"
    assert secret["tags"] == {"app": "myapp", "source": "static", "team": "payments"}


def test_python_callers_get_the_key_rule_too(stack):
    with pytest.raises(ValueError, match=r"azure-secrets myapp: secret key 'db_host' must be letters, digits and single dashes"):
        AzureSecrets(stack, "myapp", key_vault_id="/v", app_name="myapp", static_secrets={"db_host": "x"})


def test_python_callers_cannot_declare_a_key_twice(stack):
    with pytest.raises(ValueError, match=r"azure-secrets myapp: secret key 'db-host' is given twice"):
        AzureSecrets(
            stack, "myapp", key_vault_id="/v", app_name="myapp", static_secrets={"db-host": "x"}, random_secrets=["db-host"]
        )


WRITE_ONLY_APP = {
    "apps": {
        "myapp": {
            "static_secrets": {"db-host": "postgres"},
            "random_secrets": {"db-password": {"version": 4}},
            "sensitive_secrets": {"stripe-api-key": {"variable": "myapp_stripe", "version": 2}},
        }
    }
}


@pytest.fixture
def write_only_json(stack) -> dict:
    env = make_env(WRITE_ONLY_APP)
    AzureSecrets.for_app(stack, env.apps[0], key_vault_id="/v", write_only=True)
    return synth_json(stack)


def test_write_only_random_secret_comes_from_an_ephemeral_password(write_only_json):
    assert "random_password" not in write_only_json.get("resource", {})
    (ephemeral_id,) = write_only_json["ephemeral"]["random_password"]
    secret = secrets_by_name(write_only_json)["myapp-db-password"]
    assert "value" not in secret
    assert secret["value_wo"] == f"${{ephemeral.random_password.{ephemeral_id}.result}}"
    assert secret["value_wo_version"] == 4


def test_write_only_ephemeral_password_keeps_the_generation_policy(write_only_json):
    (policy,) = write_only_json["ephemeral"]["random_password"].values()
    assert policy == {
        "length": 32,
        "special": True,
        "override_special": "-_",
        "min_lower": 1,
        "min_upper": 1,
        "min_numeric": 1,
        "min_special": 0,
    }


def test_write_only_supplied_secret_reads_an_ephemeral_variable(write_only_json):
    assert write_only_json["variable"]["myapp_stripe"]["ephemeral"] is True
    secret = secrets_by_name(write_only_json)["myapp-stripe-api-key"]
    assert (secret.get("value"), secret["value_wo"], secret["value_wo_version"]) == (None, "${var.myapp_stripe}", 2)


def test_write_only_keeps_static_values_as_plain_values(write_only_json):
    secret = secrets_by_name(write_only_json)["myapp-db-host"]
    assert secret["value"] == "postgres"
    assert "value_wo" not in secret
