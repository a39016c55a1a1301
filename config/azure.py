"""Settings of the Azure side: subscription, resource group and Key Vault.

Rules follow Azure's documented limits:
https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftkeyvault
https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from enum import Enum

from config.reader import Section, check_guid
from config.secret_values import check_tags_hold_no_secret

# -- models ---------------------------------------------------------------------------------------------------


class SkuName(Enum):
    STANDARD = "standard"
    PREMIUM = "premium"


class NetworkDefaultAction(Enum):
    DENY = "Deny"
    ALLOW = "Allow"


class NetworkBypass(Enum):
    AZURE_SERVICES = "AzureServices"
    NONE = "None"


@dataclass(frozen=True)
class NetworkAcls:
    """The vault firewall. Denies by default; ``ip_rules`` and ``virtual_network_subnet_ids`` open it."""

    default_action: NetworkDefaultAction = NetworkDefaultAction.DENY
    bypass: NetworkBypass = NetworkBypass.AZURE_SERVICES
    ip_rules: tuple[str, ...] = ()
    virtual_network_subnet_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrivateEndpointSettings:
    """A private endpoint for the vault in ``subnet_id``, registered in the private DNS zones given (normally
    ``privatelink.vaultcore.azure.net`` linked to the cluster's network).
    https://learn.microsoft.com/azure/key-vault/general/private-link-service"""

    subnet_id: str
    private_dns_zone_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyVaultSettings:
    name: str
    sku_name: SkuName = SkuName.STANDARD
    soft_delete_retention_days: int = 90
    purge_protection_enabled: bool = True
    public_network_access_enabled: bool = True
    network_acls: NetworkAcls = field(default_factory=NetworkAcls)
    prevent_destroy: bool = True
    # Object IDs of principals that may write secrets, besides the principal that deploys.
    secrets_officers: tuple[str, ...] = ()
    # How long anything that writes secrets waits after the role assignments (RBAC propagation).
    rbac_propagation_wait_seconds: int = 60
    # Write secret values with write-only arguments from ephemeral sources: no value in plan or state
    # (Terraform >= 1.11). Terraform then cannot see drift of the values; see docs/secrets-in-state.md.
    write_only_secrets: bool = False
    # None: no private endpoint (optional part, absent unless configured).
    private_endpoint: PrivateEndpointSettings | None = None


@dataclass(frozen=True)
class AzureSettings:
    location: str
    resource_group: str
    # None: taken from ARM_SUBSCRIPTION_ID or the Azure CLI login at plan time.
    subscription_id: str | None = None
    # The Entra ID tenant of the vault. Needed only where it is written into a file (GitOps delivery); stacks
    # otherwise read it from the signed-in client at plan time.
    tenant_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    # Role assignments this environment may create. Azure allows 4,000 per subscription, shared by everything in
    # it; isolated apps need one per secret.
    role_assignment_budget: int = 2000


# -- rules ----------------------------------------------------------------------------------------------------

# https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits
AZURE_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION = 4000

KEY_VAULT_NAME_RULE = "3-24 letters, digits and single dashes, starting with a letter and ending with a letter or digit"


def check_key_vault_name(name: str) -> str | None:
    """One rule, one message: Azure's Key Vault naming rules."""
    if not 3 <= len(name) <= 24:
        return f"must be 3-24 characters long, not {len(name)} ({KEY_VAULT_NAME_RULE})"
    if not re.fullmatch(r"[A-Za-z0-9-]+", name):
        bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c == "-"))})
        return f"must not contain {', '.join(repr(c) for c in bad)} ({KEY_VAULT_NAME_RULE})"
    if not name[0].isalpha():
        return f"must start with a letter ({KEY_VAULT_NAME_RULE})"
    if not name[-1].isalnum():
        return f"must end with a letter or digit ({KEY_VAULT_NAME_RULE})"
    if "--" in name:
        return f"must not contain '--' ({KEY_VAULT_NAME_RULE})"
    return None


RESOURCE_GROUP_RULE = "1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'"


def check_resource_group(name: str) -> str | None:
    if not 1 <= len(name) <= 90 or not re.fullmatch(r"[\w\-.()]+", name, flags=re.ASCII) or name.endswith("."):
        return f"must be {RESOURCE_GROUP_RULE}"
    return None


def check_location(name: str) -> str | None:
    if not re.fullmatch(r"[a-z][a-z0-9]+", name):
        return "must be an Azure region name in lower case without spaces, such as 'westeurope'"
    return None


_NON_PUBLIC = [
    ipaddress.ip_network(cidr)
    for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8")
]


def check_ip_rule(value: str) -> str | None:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        return "must be a public IPv4 address or CIDR range, such as '203.0.113.7' or '203.0.113.0/24'"
    if network.version != 4:
        return "must be an IPv4 address or CIDR range: Key Vault firewall rules do not accept IPv6"
    if any(network.subnet_of(private) for private in _NON_PUBLIC):
        return (
            "must be a public IPv4 address or range: the Key Vault firewall sees public source addresses only "
            "(allow private networks with virtual_network_subnet_ids)"
        )
    return None


_SUBNET_ID = re.compile(
    r"/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Network/virtualNetworks/[^/]+"
    r"/subnets/[^/]+",
    flags=re.IGNORECASE,
)


def check_subnet_id(value: str) -> str | None:
    if not _SUBNET_ID.fullmatch(value):
        return (
            "must be a subnet resource ID: /subscriptions/<id>/resourceGroups/<rg>/providers/"
            "Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>"
        )
    return None


_DNS_ZONE_ID = re.compile(
    r"/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Network/privateDnsZones/[^/]+",
    flags=re.IGNORECASE,
)


def check_private_dns_zone_id(value: str) -> str | None:
    if not _DNS_ZONE_ID.fullmatch(value):
        return (
            "must be a private DNS zone resource ID: /subscriptions/<id>/resourceGroups/<rg>/providers/"
            "Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net"
        )
    return None


def check_tag_name(name: str) -> str | None:
    if not 1 <= len(name) <= 512 or re.search(r"[<>*%&:\\?/+]", name):
        return "tag names must be 1-512 characters without < > * % & : \\ ? / +"
    return None


def check_tag_value(value: str) -> str | None:
    if len(value) > 256:
        return "tag values must be at most 256 characters"
    return None


# -- parsing --------------------------------------------------------------------------------------------------


def parse_azure(section: Section) -> AzureSettings:
    section.expect("location", "resource_group", "subscription_id", "tenant_id", "tags", "role_assignment_budget")
    settings = AzureSettings(
        location=section.string("location", rule="an Azure region such as 'westeurope'", check=check_location),
        resource_group=section.string("resource_group", rule=RESOURCE_GROUP_RULE, check=check_resource_group),
        subscription_id=section.string("subscription_id", None, rule="a GUID", check=check_guid),
        tenant_id=section.string("tenant_id", None, rule="a GUID", check=check_guid),
        tags=section.string_map("tags", rule="a tag value", check_key=check_tag_name, check_value=check_tag_value),
        role_assignment_budget=section.integer(
            "role_assignment_budget", 2000, minimum=1, maximum=AZURE_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION
        ),
    )
    check_tags_hold_no_secret(section, settings.tags)
    section.done()
    return settings


def parse_network_acls(section: Section) -> NetworkAcls:
    section.expect("default_action", "bypass", "ip_rules", "virtual_network_subnet_ids")
    acls = NetworkAcls(
        default_action=section.choice("default_action", NetworkDefaultAction, NetworkDefaultAction.DENY),
        bypass=section.choice("bypass", NetworkBypass, NetworkBypass.AZURE_SERVICES),
        ip_rules=section.string_list("ip_rules", rule="public IPv4 addresses or CIDR ranges", check=check_ip_rule),
        virtual_network_subnet_ids=section.string_list(
            "virtual_network_subnet_ids", rule="subnet resource IDs", check=check_subnet_id
        ),
    )
    section.done()
    return acls


def parse_private_endpoint(section: Section) -> PrivateEndpointSettings:
    section.expect("subnet_id", "private_dns_zone_ids")
    settings = PrivateEndpointSettings(
        subnet_id=section.string("subnet_id", rule="a subnet resource ID", check=check_subnet_id),
        private_dns_zone_ids=section.string_list(
            "private_dns_zone_ids", rule="private DNS zone resource IDs", check=check_private_dns_zone_id
        ),
    )
    section.done()
    return settings


def parse_key_vault(section: Section) -> KeyVaultSettings:
    section.expect(
        "name", "sku_name", "soft_delete_retention_days", "purge_protection_enabled", "public_network_access_enabled",
        "network_acls", "prevent_destroy", "secrets_officers", "rbac_propagation_wait_seconds", "write_only_secrets",
        "private_endpoint",
    )
    # Optional part: absent unless the file has the key.
    endpoint_section = section.section("private_endpoint")
    settings = KeyVaultSettings(
        name=section.string("name", rule=KEY_VAULT_NAME_RULE, check=check_key_vault_name),
        sku_name=section.choice("sku_name", SkuName, SkuName.STANDARD),
        soft_delete_retention_days=section.integer(
            "soft_delete_retention_days", 90, minimum=7, maximum=90, unit="days"
        ),
        purge_protection_enabled=section.boolean("purge_protection_enabled", True),
        public_network_access_enabled=section.boolean("public_network_access_enabled", True),
        network_acls=parse_network_acls(section.section("network_acls")),
        prevent_destroy=section.boolean("prevent_destroy", True),
        secrets_officers=section.string_list(
            "secrets_officers", rule="object IDs of users, groups or service principals", check=check_guid
        ),
        rbac_propagation_wait_seconds=section.integer(
            "rbac_propagation_wait_seconds", 60, minimum=0, maximum=600, unit="seconds"
        ),
        write_only_secrets=section.boolean("write_only_secrets", False),
        private_endpoint=parse_private_endpoint(endpoint_section) if section.has("private_endpoint") else None,
    )
    section.done()
    return settings
