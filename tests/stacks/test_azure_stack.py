"""Stack azure-<env>: providers, vault, identity, grants, outputs and state location."""

from __future__ import annotations

import cdktf
import pytest

from stacks.azure_stack import AzureStack
from support import make_env, only, resources, synth_json

OIDC = "https://westeurope.oic.prod-aks.azure.com/tenant/issuer/"


def azure_json(changes=None) -> dict:
    app = cdktf.Testing.app()
    return synth_json(AzureStack(app, "azure-test", env=make_env(changes)))


@pytest.fixture(scope="module")
def sp_stack() -> dict:
    return azure_json()


@pytest.fixture(scope="module")
def wi_stack() -> dict:
    return azure_json({"eso.auth": "workload_identity", "cluster.oidc_issuer_url": OIDC})


def test_providers_carry_no_credentials(sp_stack):
    azurerm = sp_stack["provider"]["azurerm"][0]
    for key in ("client_secret", "client_id", "client_certificate", "tenant_id", "use_cli"):  # tenant: none given
        assert key not in azurerm
    assert sp_stack["provider"]["azuread"] == [{}]


def test_provider_never_purges_soft_deleted_vaults_or_secrets(sp_stack):
    key_vault = sp_stack["provider"]["azurerm"][0]["features"][0]["key_vault"][0]
    assert key_vault["purge_soft_delete_on_destroy"] is False
    assert key_vault["purge_soft_deleted_secrets_on_destroy"] is False
    assert key_vault["recover_soft_deleted_key_vaults"] is True


def test_subscription_is_pinned_when_the_environment_names_one():
    stack = azure_json({"azure.subscription_id": "11111111-2222-3333-4444-555555555555"})
    assert stack["provider"]["azurerm"][0]["subscription_id"] == "11111111-2222-3333-4444-555555555555"


def test_tenant_is_pinned_when_the_environment_names_one():
    tenant = "11111111-1111-1111-1111-111111111111"
    stack = azure_json({"azure.tenant_id": tenant})
    assert stack["provider"]["azurerm"][0]["tenant_id"] == tenant
    assert stack["provider"]["azuread"][0]["tenant_id"] == tenant


def test_resource_group_is_named_and_placed_from_the_environment(sp_stack):
    group = only(sp_stack, "azurerm_resource_group")
    assert (group["name"], group["location"]) == ("rg-test", "westeurope")


def test_vault_is_in_the_resource_group_and_tenant_of_the_deployer(sp_stack):
    vault = only(sp_stack, "azurerm_key_vault")
    assert vault["resource_group_name"] == "${azurerm_resource_group.resource_group.name}"
    assert vault["tenant_id"] == "${data.azurerm_client_config.current.tenant_id}"


def test_eso_service_principal_and_deployer_get_their_roles_on_the_vault(sp_stack):
    (vault_id,) = resources(sp_stack, "azurerm_key_vault")
    roles = {
        assignment["principal_id"]: assignment["role_definition_name"]
        for assignment in resources(sp_stack, "azurerm_role_assignment").values()
    }
    (principal_id,) = resources(sp_stack, "azuread_service_principal")
    assert roles == {
        f"${{azuread_service_principal.{principal_id}.object_id}}": "Key Vault Secrets User",
        "${data.azurerm_client_config.current.object_id}": "Key Vault Secrets Officer",
    }
    scopes = {a["scope"] for a in resources(sp_stack, "azurerm_role_assignment").values()}
    assert scopes == {f"${{azurerm_key_vault.{vault_id}.id}}"}


def test_extra_secrets_officers_get_the_officer_role():
    officer = "99999999-8888-7777-6666-555555555555"
    stack = azure_json({"key_vault.secrets_officers": [officer]})
    officers = [
        a for a in resources(stack, "azurerm_role_assignment").values() if a["principal_id"] == officer
    ]
    assert [a["role_definition_name"] for a in officers] == ["Key Vault Secrets Officer"]


def test_workload_identity_mode_has_no_application_password(wi_stack):
    types = set(wi_stack["resource"])
    assert {"azurerm_user_assigned_identity", "azurerm_federated_identity_credential"} <= types
    assert not types & {"azuread_application", "azuread_application_password", "azuread_service_principal"}
    assert "eso_client_secret" not in wi_stack["output"]


def test_workload_identity_gets_secrets_user_on_the_vault(wi_stack):
    (identity_id,) = resources(wi_stack, "azurerm_user_assigned_identity")
    users = [
        a for a in resources(wi_stack, "azurerm_role_assignment").values()
        if a["role_definition_name"] == "Key Vault Secrets User"
    ]
    assert [a["principal_id"] for a in users] == [f"${{azurerm_user_assigned_identity.{identity_id}.principal_id}}"]


def test_outputs_are_ids_and_uris_and_the_client_secret_is_sensitive(sp_stack):
    outputs = sp_stack["output"]
    assert set(outputs) == {"key_vault_id", "key_vault_name", "key_vault_uri", "tenant_id", "eso_client_id", "eso_client_secret",
                            "audit_log_workspace_id"}
    assert outputs["eso_client_secret"]["sensitive"] is True
    assert not any(output.get("sensitive") for name, output in outputs.items() if name != "eso_client_secret")


def test_local_state_lives_outside_cdktf_out_at_a_relative_path(sp_stack):
    assert sp_stack["terraform"]["backend"] == {"local": {"path": "../../../state/azure-test.tfstate"}}


# Construct IDs are a contract: they become the Terraform addresses in state, and renaming one replaces the
# resource (a vault full of secrets, ESO's credentials). A failure here means a refactor would destroy something.
# Each pinned address with the one cdktf gave it before the readable names; a moved block carries the state over.
SERVICE_PRINCIPAL_ADDRESSES = {
    "azuread_application.eso_identity_application": "azuread_application.eso_identity_application_5B42368B",
    "azuread_application_password.eso_identity_password_blue": (
        "azuread_application_password.eso_identity_password_blue_D025366F"
    ),
    "azuread_application_password.eso_identity_password_green": (
        "azuread_application_password.eso_identity_password_green_0026D22A"
    ),
    "azuread_service_principal.eso_identity_service_principal": (
        "azuread_service_principal.eso_identity_service_principal_989257B6"
    ),
    "azurerm_key_vault.key_vault": "azurerm_key_vault.key_vault_15104185",
    "azurerm_resource_group.resource_group": "azurerm_resource_group.resource_group",
    "azurerm_role_assignment.vault_access_deployer_secrets_officer": (
        "azurerm_role_assignment.vault_access_deployer_secrets_officer_B8EA9565"
    ),
    "azurerm_role_assignment.vault_access_eso_secrets_user": (
        "azurerm_role_assignment.vault_access_eso_secrets_user_58502409"
    ),
    "time_static.eso_identity_password_blue_created": "time_static.eso_identity_password_blue_created_B6BC9769",
    "time_static.eso_identity_password_green_created": "time_static.eso_identity_password_green_created_65DC7C2F",
}
WORKLOAD_IDENTITY_ADDRESSES = {
    "azurerm_federated_identity_credential.eso_identity_federated_credential": (
        "azurerm_federated_identity_credential.eso_identity_federated_credential_8188FE92"
    ),
    "azurerm_key_vault.key_vault": "azurerm_key_vault.key_vault_15104185",
    "azurerm_user_assigned_identity.eso_identity": "azurerm_user_assigned_identity.eso_identity_3021EFD6",
}


def addresses(stack: dict) -> set[str]:
    return {f"{kind}.{name}" for kind, found in stack["resource"].items() for name in found}


def moves(stack: dict) -> dict[str, str]:
    return {block["to"]: block["from"] for block in stack.get("moved", [])}


def former_addresses(stack: dict, pinned: dict[str, str]) -> dict[str, str]:
    """The pinned addresses' former addresses, as the stack's moved blocks say (unchanged ones stay)."""
    return {address: moves(stack).get(address, address) for address in pinned}


def test_stateful_resources_keep_their_addresses_with_a_service_principal(sp_stack):
    assert set(SERVICE_PRINCIPAL_ADDRESSES) <= addresses(sp_stack)


def test_stateful_resources_keep_their_addresses_with_workload_identity(wi_stack):
    assert set(WORKLOAD_IDENTITY_ADDRESSES) <= addresses(wi_stack)


def test_state_at_the_former_addresses_moves_to_the_addresses_with_a_service_principal(sp_stack):
    assert former_addresses(sp_stack, SERVICE_PRINCIPAL_ADDRESSES) == SERVICE_PRINCIPAL_ADDRESSES


def test_state_at_the_former_addresses_moves_to_the_addresses_with_workload_identity(wi_stack):
    assert former_addresses(wi_stack, WORKLOAD_IDENTITY_ADDRESSES) == WORKLOAD_IDENTITY_ADDRESSES
