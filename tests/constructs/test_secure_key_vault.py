from __future__ import annotations

from secure_key_vault import SecureKeyVault
from support import make_env, only, synth_json


def vault_json(stack, **changes):
    env = make_env(changes)
    SecureKeyVault(
        stack,
        "key_vault",
        settings=env.key_vault,
        resource_group_name="rg-test",
        location="westeurope",
        tenant_id="tenant",
        tags=env.tags,
    )
    return only(synth_json(stack), "azurerm_key_vault")


def test_vault_uses_rbac_authorization_not_access_policies(stack):
    vault = vault_json(stack)
    assert vault["rbac_authorization_enabled"] is True
    assert "enable_rbac_authorization" not in vault
    assert "access_policy" not in vault


def test_vault_has_purge_protection_and_full_retention_by_default(stack):
    vault = vault_json(stack)
    assert vault["purge_protection_enabled"] is True
    assert vault["soft_delete_retention_days"] == 90


def test_vault_firewall_denies_by_default(stack):
    assert vault_json(stack)["network_acls"] == {
        "default_action": "Deny",
        "bypass": "AzureServices",
        "ip_rules": [],
        "virtual_network_subnet_ids": [],
    }


def test_vault_firewall_opens_to_listed_ranges(stack):
    acls = vault_json(stack, **{"key_vault.network_acls": {"ip_rules": ["203.0.113.0/24"]}})["network_acls"]
    assert acls["ip_rules"] == ["203.0.113.0/24"]
    assert acls["default_action"] == "Deny"


def test_vault_cannot_be_destroyed_by_default(stack):
    assert vault_json(stack)["lifecycle"] == {"prevent_destroy": True}


def test_vault_destroy_protection_can_be_lifted(stack):
    assert vault_json(stack, **{"key_vault.prevent_destroy": False})["lifecycle"] == {"prevent_destroy": False}


def test_vault_takes_sku_and_public_access_from_settings(stack):
    vault = vault_json(stack, **{"key_vault.sku_name": "premium", "key_vault.public_network_access_enabled": False})
    assert vault["sku_name"] == "premium"
    assert vault["public_network_access_enabled"] is False


def test_vault_is_tagged(stack):
    assert vault_json(stack)["tags"] == {"environment": "test", "managed-by": "cdktf"}


SUBNET = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/"
    "virtualNetworks/vnet/subnets/endpoints"
)
ZONE = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/dns/providers/Microsoft.Network/"
    "privateDnsZones/privatelink.vaultcore.azure.net"
)


def test_no_private_endpoint_unless_configured(stack):
    vault_json(stack)
    assert "azurerm_private_endpoint" not in synth_json(stack)["resource"]


def test_private_endpoint_connects_the_vault_into_the_subnet_and_dns_zone(stack):
    vault_json(stack, **{"key_vault.private_endpoint": {"subnet_id": SUBNET, "private_dns_zone_ids": [ZONE]}})
    synthesized = synth_json(stack)
    endpoint = only(synthesized, "azurerm_private_endpoint")
    (vault_id,) = synthesized["resource"]["azurerm_key_vault"]
    assert endpoint["subnet_id"] == SUBNET
    assert endpoint["private_service_connection"] == {
        "name": "psc-kv-test",
        "private_connection_resource_id": f"${{azurerm_key_vault.{vault_id}.id}}",
        "subresource_names": ["vault"],
        "is_manual_connection": False,
    }
    assert endpoint["private_dns_zone_group"] == {"name": "vault", "private_dns_zone_ids": [ZONE]}
