"""Which checkov checks may fail, decided by the environment's settings, with the reason: the one place for both.

A check fails on purpose only where an environment file asks for what the check forbids: an open firewall, no
private endpoint, a secret without expiry date, purge protection off. Each such setting *grants* the exception to
the resources it shapes; nothing is granted by a stack or environment name, so the rules hold for any
environments/*.yaml. The policy test requires both directions:

- every failed check is granted by a setting of its environment (otherwise the stack is wrong, or a new setting
  needs a grant here, with its reason);
- every grant matches a failure (a grant whose setting holds while the check passes is wider than the check);
- every check of REQUIRED_CHECKS passes (is reported, and passed) on every resource of its type that no grant
  covers: e.g. CKV_AZURE_109 on every vault whose file keeps ``network_acls.default_action: Deny``.

See docs/quality-gates.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from config import Environment

# Checks that make a vault hold secrets safely. Each must pass on every resource of the type unless a grant below
# covers the resource; no grant exists for CKV_AZURE_111 and CKV_AZURE_114, so they pass everywhere.
REQUIRED_CHECKS: dict[str, dict[str, str]] = {
    "azurerm_key_vault": {
        "CKV_AZURE_42": "the vault is recoverable (soft delete and purge protection)",
        "CKV_AZURE_110": "purge protection",
        "CKV_AZURE_111": "soft delete",
        "CKV_AZURE_109": "the firewall denies by default",
        "CKV_AZURE_189": "public network access off or limited by network rules",
        "CKV2_AZURE_32": "a private endpoint",
    },
    "azurerm_key_vault_secret": {
        "CKV_AZURE_41": "the secret has an expiration date",
        "CKV_AZURE_114": "the secret has a content type",
    },
}


def _value(setting: Any) -> Any:
    """An Enum setting's value, any other setting as it is."""
    return getattr(setting, "value", setting)


def firewall_allows_by_default(env: Environment, resource: dict[str, Any]) -> bool:
    return _value(env.key_vault.network_acls.default_action) == "Allow"


def public_access_without_network_rules(env: Environment, resource: dict[str, Any]) -> bool:
    acls = env.key_vault.network_acls
    return env.key_vault.public_network_access_enabled and not acls.ip_rules and not acls.virtual_network_subnet_ids


def no_private_endpoint(env: Environment, resource: dict[str, Any]) -> bool:
    return env.key_vault.private_endpoint is None


def purge_protection_off(env: Environment, resource: dict[str, Any]) -> bool:
    return not env.key_vault.purge_protection_enabled


def secret_without_expiration_date(env: Environment, resource: dict[str, Any]) -> bool:
    """The Key Vault secret (by its name ``<app>-<key>``) is declared without ``expiration_date``."""
    declared = {secret.vault_name: secret for app in env.apps for secret in app.secrets}
    secret = declared.get(resource.get("name", ""))
    if secret is None:
        raise AssertionError(f"{env.source}: no app declares the Key Vault secret {resource.get('name')!r}")
    return secret.expiration_date is None


@dataclass(frozen=True)
class Grant:
    check: str  # checkov check ID
    resource_type: str
    setting: str  # the environment setting that grants it, as a user would write it
    applies: Callable[[Environment, dict[str, Any]], bool]  # (environment, synthesized resource body)
    reason: str

    def covers(self, check: str, resource_type: str, env: Environment, resource: dict[str, Any]) -> bool:
        return check == self.check and resource_type == self.resource_type and self.applies(env, resource)


GRANTS: tuple[Grant, ...] = (
    Grant(
        "CKV_AZURE_109",
        "azurerm_key_vault",
        "key_vault.network_acls.default_action: Allow",
        firewall_allows_by_default,
        "The file opts out of the firewall: a cluster outside Azure (a laptop's Rancher Desktop) reaches the vault "
        "over the internet from changing addresses. RBAC still decides who reads a secret.",
    ),
    Grant(
        "CKV_AZURE_189",
        "azurerm_key_vault",
        "key_vault.public_network_access_enabled: true with no network_acls.ip_rules or virtual_network_subnet_ids",
        public_access_without_network_rules,
        "Public network access stays on and no IP range or subnet is listed: with default_action Allow every network "
        "reaches the vault (see CKV_AZURE_109); with Deny only trusted Azure services and private endpoints do, "
        "which checkov cannot tell apart from an open vault.",
    ),
    Grant(
        "CKV2_AZURE_32",
        "azurerm_key_vault",
        "no key_vault.private_endpoint",
        no_private_endpoint,
        "The file configures no private endpoint: the cluster reaches the vault through its firewall (ip_rules, "
        "subnets) or over the internet.",
    ),
    Grant(
        "CKV_AZURE_110",
        "azurerm_key_vault",
        "key_vault.purge_protection_enabled: false",
        purge_protection_off,
        "The file turns purge protection off so that a deleted vault can be purged and its name reused at once "
        "(short-lived test environments). Soft delete still keeps deleted secrets recoverable for "
        "soft_delete_retention_days.",
    ),
    Grant(
        "CKV_AZURE_42",
        "azurerm_key_vault",
        "key_vault.purge_protection_enabled: false",
        purge_protection_off,
        "checkov's 'recoverable' needs purge protection; see CKV_AZURE_110.",
    ),
    Grant(
        "CKV_AZURE_41",
        "azurerm_key_vault_secret",
        "no expiration_date on the secret (static_secrets, random_secrets or sensitive_secrets entry)",
        secret_without_expiration_date,
        "expiration_date is optional per secret, as in the manual setup, whose secrets never expire: Key Vault "
        "then never disables the secret, and rotation is by `version`.",
    ),
)


def grants_for(check: str, resource_type: str, env: Environment, resource: dict[str, Any]) -> list[Grant]:
    return [grant for grant in GRANTS if grant.covers(check, resource_type, env, resource)]
