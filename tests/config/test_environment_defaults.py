"""What an environment file gets when it says nothing: the secure defaults."""

from __future__ import annotations

import dataclasses

import pytest

from config.azure import NetworkBypass, NetworkDefaultAction, SkuName
from config.eso import EsoAuth
from support import SUBNET_EXAMPLE, make_env


def test_minimal_environment_gets_secure_vault_defaults():
    vault = make_env().key_vault
    assert vault.sku_name is SkuName.STANDARD
    assert vault.soft_delete_retention_days == 90
    assert vault.purge_protection_enabled is True
    assert vault.prevent_destroy is True
    assert vault.network_acls.default_action is NetworkDefaultAction.DENY
    assert vault.network_acls.bypass is NetworkBypass.AZURE_SERVICES


def test_minimal_environment_uses_a_service_principal_named_like_the_manual_setup():
    eso = make_env().eso
    assert eso.auth is EsoAuth.SERVICE_PRINCIPAL
    assert eso.service_principal.display_name == "eso-app"
    assert eso.namespace == "external-secrets"


def test_environment_name_comes_from_the_file_name():
    assert make_env(name="staging").name == "staging"


def test_workload_identity_name_defaults_from_the_environment():
    env = make_env({"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/x/"})
    assert env.eso.workload_identity.identity_name == "id-eso-test"


def test_settings_are_frozen():
    env = make_env()
    with pytest.raises(dataclasses.FrozenInstanceError):
        env.key_vault.name = "other"  # type: ignore[misc]


def test_subnet_ids_are_accepted_in_any_case():
    env = make_env({"key_vault.network_acls": {"virtual_network_subnet_ids": [SUBNET_EXAMPLE.lower()]}})
    assert env.key_vault.network_acls.virtual_network_subnet_ids == (SUBNET_EXAMPLE.lower(),)


def test_tags_include_where_resources_come_from():
    env = make_env({"azure.tags": {"owner": "platform"}})
    assert env.tags == {"environment": "test", "managed-by": "cdktf", "owner": "platform"}
