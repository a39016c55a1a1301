"""Settings of the Azure side: subscription, resource group and Key Vault.

Rules follow Azure's documented limits:
https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftkeyvault
https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview
"""

from __future__ import annotations

import ipaddress
import re
from enum import Enum
from typing import Annotated

from pydantic import AfterValidator, Field

from config.operations import AuditLogSettings, ExpiryNotificationSettings, audit_logs_enabled
from config.reader import Flag, Settings, choice, guid, listing, settings, sorted_map, text, whole
from config.secret_values import refuse_secret_tags

# https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits
AZURE_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION = 4000


class SkuName(Enum):
    STANDARD = "standard"
    PREMIUM = "premium"


class NetworkDefaultAction(Enum):
    DENY = "Deny"
    ALLOW = "Allow"


class NetworkBypass(Enum):
    AZURE_SERVICES = "AzureServices"
    NONE = "None"


# -- rules ----------------------------------------------------------------------------------------------------

KEY_VAULT_NAME_RULE = "3-24 letters, digits and single dashes, starting with a letter and ending with a letter or digit"


def check_key_vault_name(name: str) -> str:
    """Which of Azure's Key Vault naming rules a name breaks, in one message."""
    if not 3 <= len(name) <= 24:
        return f"must be 3-24 characters long, not {len(name)} ({KEY_VAULT_NAME_RULE})"
    bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c == "-"))})
    if bad:
        return f"must not contain {', '.join(repr(c) for c in bad)} ({KEY_VAULT_NAME_RULE})"
    if not name[0].isalpha():
        return f"must start with a letter ({KEY_VAULT_NAME_RULE})"
    if not name[-1].isalnum():
        return f"must end with a letter or digit ({KEY_VAULT_NAME_RULE})"
    return f"must not contain '--' ({KEY_VAULT_NAME_RULE})"


KeyVaultName = text(KEY_VAULT_NAME_RULE, r"^[A-Za-z](-?[A-Za-z0-9])+$", min_length=3, max_length=24,
                    explain=check_key_vault_name)

RESOURCE_GROUP_RULE = "1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'"
ResourceGroup = text(RESOURCE_GROUP_RULE, r"^[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]$")
Location = text("an Azure region such as 'westeurope'", r"^[a-z][a-z0-9]+$",
                explain=lambda _: "must be an Azure region name in lower case without spaces, such as 'westeurope'")

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


IpRule = text("a public IPv4 address or CIDR range", r"^[0-9]{1,3}(\.[0-9]{1,3}){3}(/[0-9]{1,2})?$",
              explain=lambda value: check_ip_rule(value) or "", check=check_ip_rule)


def _any_case(word: str) -> str:
    """A regular expression matching ``word`` in any case (JSON Schema patterns take no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


_ARM_PREFIX = rf"^/{_any_case('subscriptions')}/[0-9a-fA-F-]{{36}}/{_any_case('resourceGroups')}/[^/]+/" \
              rf"{_any_case('providers')}/{_any_case('Microsoft.Network')}/"
SubnetId = text(
    "a subnet resource ID",
    rf"{_ARM_PREFIX}{_any_case('virtualNetworks')}/[^/]+/{_any_case('subnets')}/[^/]+$",
    explain=lambda _: "must be a subnet resource ID: /subscriptions/<id>/resourceGroups/<rg>/providers/"
    "Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>",
)
PrivateDnsZoneId = text(
    "a private DNS zone resource ID",
    rf"{_ARM_PREFIX}{_any_case('privateDnsZones')}/[^/]+$",
    explain=lambda _: "must be a private DNS zone resource ID: /subscriptions/<id>/resourceGroups/<rg>/providers/"
    "Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net",
)
TagName = text("1-512 characters without < > * % & : \\ ? / +", r"^[^<>*%&:\\?/+]{1,512}$",
               explain=lambda _: "tag names must be 1-512 characters without < > * % & : \\ ? / +")
TagValue = text("a tag value", max_length=256, explain=lambda _: "tag values must be at most 256 characters")


# -- models ---------------------------------------------------------------------------------------------------


@settings
class NetworkAcls(Settings):
    """The vault firewall. Denies by default; ``ip_rules`` and ``virtual_network_subnet_ids`` open it."""

    default_action: choice(NetworkDefaultAction) = Field(
        NetworkDefaultAction.DENY, description="What the firewall does with traffic no rule allows (opt out explicitly)."
    )
    bypass: choice(NetworkBypass) = Field(
        NetworkBypass.AZURE_SERVICES, description="Whether trusted Azure services pass the firewall."
    )
    ip_rules: listing(IpRule, "public IPv4 addresses or CIDR ranges") = Field(
        (), description="Public addresses allowed through (Key Vault takes no IPv6 and sees no private addresses)."
    )
    virtual_network_subnet_ids: listing(SubnetId, "subnet resource IDs") = Field(
        (), description="Subnets allowed through (each needs the Microsoft.KeyVault service endpoint)."
    )


@settings
class PrivateEndpointSettings(Settings):
    """A private endpoint for the vault in ``subnet_id``, registered in the private DNS zones given (normally
    ``privatelink.vaultcore.azure.net`` linked to the cluster's network).
    https://learn.microsoft.com/azure/key-vault/general/private-link-service"""

    subnet_id: SubnetId = Field(description="The subnet the vault's private endpoint goes into.")
    private_dns_zone_ids: listing(PrivateDnsZoneId, "private DNS zone resource IDs") = Field(
        (), description="Private DNS zones the endpoint registers in (normally privatelink.vaultcore.azure.net)."
    )


@settings
class KeyVaultSettings(Settings):
    name: KeyVaultName = Field(description="The vault's name, globally unique.")
    sku_name: choice(SkuName) = Field(SkuName.STANDARD, description="The vault's pricing tier.")
    soft_delete_retention_days: whole(7, 90, "days") = Field(
        90, description="How long deleted secrets can be recovered; cannot be changed after the vault exists."
    )
    purge_protection_enabled: Flag = Field(True, description="Once on, Azure does not let it be turned off.")
    public_network_access_enabled: Flag = Field(True, description="false leaves only private endpoints.")
    network_acls: NetworkAcls = Field(default_factory=NetworkAcls, description="The vault firewall.")
    prevent_destroy: Flag = Field(True, description="Terraform refuses any plan that destroys the vault.")
    secrets_officers: listing(guid("an object ID"), "object IDs of users, groups or service principals") = Field(
        (), description="Principals that get Key Vault Secrets Officer besides the principal that deploys."
    )
    rbac_propagation_wait_seconds: whole(0, 600, "seconds") = Field(
        60, description="The wait after role assignments before anything writes a secret (RBAC propagation)."
    )
    write_only_secrets: Flag = Field(
        False,
        description="Write secret values with write-only arguments from ephemeral sources: no value in plan or "
        "state (Terraform >= 1.11); Terraform then cannot see drift of the values (docs/secrets-in-state.md). Needs "
        "eso.auth workload_identity: a service principal's client secret would be kept in state.",
    )
    private_endpoint: PrivateEndpointSettings | None = Field(
        None, description="A private endpoint for the vault; none unless configured."
    )
    audit_logs: AuditLogSettings = Field(
        default_factory=AuditLogSettings,
        description="Audit log and metrics in Log Analytics; on by default when the firewall denies (docs/operations.md).",
    )
    expiry_notifications: ExpiryNotificationSettings | None = Field(
        None, description="Alerts before secrets expire, to email or webhook receivers; none unless configured."
    )

    @property
    def audit_logs_enabled(self) -> bool:
        return audit_logs_enabled(self.audit_logs, firewall_denies=self.network_acls.default_action is NetworkDefaultAction.DENY)


@settings
class AzureSettings(Settings):
    location: Location = Field(description="The Azure region of the resource group and the vault.")
    resource_group: ResourceGroup = Field(description="The resource group the stack creates.")
    subscription_id: guid() | None = Field(
        None, description="Default: ARM_SUBSCRIPTION_ID or the Azure CLI login at plan time."
    )
    tenant_id: guid() | None = Field(
        None,
        description="The Entra ID tenant of the vault; needed where it is written into a file (delivery.mode "
        "gitops). Default: read from the signed-in client at plan time.",
    )
    tags: Annotated[sorted_map(TagName, TagValue), AfterValidator(refuse_secret_tags)] = Field(
        default_factory=dict,
        description="Tags on every Azure resource; 'environment' and 'managed-by' are added.",
    )
    role_assignment_budget: whole(1, AZURE_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION) = Field(
        2000,
        description="Role assignments this environment may create. Azure allows 4,000 per subscription, shared "
        "by everything in it; isolated apps need one per secret.",
    )
