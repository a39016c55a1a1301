"""Deterministic, plausible values for what a cloud or cluster would decide: IDs, URIs, GUIDs, generated secrets.

The same configuration always gets the same values (they are derived from a hash of the resource's type and
configuration), so runs are reproducible and a re-plan after apply is empty. Azure resources get Azure-shaped
resource IDs built from their own arguments, e.g.
``/subscriptions/<SUBSCRIPTION_ID>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>``.
"""

from __future__ import annotations

import base64
import datetime
import re
from typing import Any

from values import Attribute, digest, guid, is_unknown, zero_value

SUBSCRIPTION_ID = "5f3c1b6e-0d8a-4e7b-9a61-2c4d8e9f0a17"
TENANT_ID = "9b2e4f70-3c1d-4a5e-8f6b-7d0c1e2a3b4c"
FIXED_TIME = "2026-01-01T00:00:00Z"
TIME_TYPES = ("time_static", "time_sleep", "time_offset", "time_rotating")


def moment(type_name: str, config: dict) -> datetime.datetime:
    """A point in time on 1 January 2026 that is the same for the same configuration (time_static's "now")."""
    seconds = int(digest(type_name, config)[:8], 16) % 86400
    return datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=seconds)


def rfc3339(type_name: str, config: dict) -> str:
    return moment(type_name, config).strftime("%Y-%m-%dT%H:%M:%SZ")

# Where each Azure resource type lives: provider namespace and resource type of its ID.
AZURE_TYPES = {
    "azurerm_key_vault": "Microsoft.KeyVault/vaults",
    "azurerm_user_assigned_identity": "Microsoft.ManagedIdentity/userAssignedIdentities",
    "azurerm_private_endpoint": "Microsoft.Network/privateEndpoints",
    "azurerm_management_lock": "Microsoft.Authorization/locks",
}
GUID_ATTRIBUTES = re.compile(
    r"(^|_)(tenant_id|object_id|principal_id|client_id|application_id|subscription_id|key_id|app_role_id|"
    r"oauth2_permission_scope_id|uid|guid)$"
)
# Attributes whose generated value is a secret: the harness checks that none of them reaches a state or a plan
# where the environment asks for write-only secrets.
SECRET_ATTRIBUTES = {
    "random_password": ("result", "bcrypt_hash"),
    "azuread_application_password": ("value",),
    "azuread_service_principal_password": ("value",),
}


def _known(config: dict, name: str) -> str | None:
    value = config.get(name)
    return value if isinstance(value, str) and not is_unknown(value) else None


def _vault_name(key_vault_id: str | None) -> str:
    return (key_vault_id or "vault").rstrip("/").rsplit("/", 1)[-1]


def password(length: int, seed: str, special: bool = True) -> str:
    """A generated-looking password of ``length`` characters."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789" + ("-_%@" if special else "")
    stream = b""
    counter = 0
    while len(stream) < length:
        stream += bytes.fromhex(digest(seed, counter))
        counter += 1
    return "".join(alphabet[byte % len(alphabet)] for byte in stream[:length])


def resource_id(type_name: str, config: dict) -> str:
    """The ``id`` a provider would give the resource described by ``config``."""
    name = _known(config, "name") or _known(config, "display_name") or type_name
    group = _known(config, "resource_group_name") or "rg"
    subscription = f"/subscriptions/{SUBSCRIPTION_ID}"
    if type_name == "azurerm_resource_group":
        return f"{subscription}/resourceGroups/{name}"
    if type_name == "azurerm_role_assignment":
        scope = _known(config, "scope") or subscription
        return f"{scope}/providers/Microsoft.Authorization/roleAssignments/{_known(config, 'name') or guid(type_name, config)}"
    if type_name == "azurerm_federated_identity_credential":
        return f"{_known(config, 'parent_id') or subscription}/federatedIdentityCredentials/{name}"
    if type_name == "azurerm_key_vault_secret":
        return f"https://{_vault_name(_known(config, 'key_vault_id'))}.vault.azure.net/secrets/{name}/{secret_version(config)}"
    if type_name.startswith("azurerm_"):
        kind = AZURE_TYPES.get(type_name, "Microsoft.Standin/" + type_name.removeprefix("azurerm_"))
        return f"{subscription}/resourceGroups/{group}/providers/{kind}/{name}"
    if type_name == "azuread_application":
        return f"/applications/{guid(type_name, 'object', config)}"
    if type_name == "azuread_service_principal":
        return f"/servicePrincipals/{guid(type_name, 'object', config)}"
    if type_name == "azuread_application_password":
        application = _known(config, "application_id") or "/applications/unknown"
        return f"{application.rsplit('/', 1)[-1]}/password/{guid(type_name, 'key_id', config)}"
    if type_name.startswith("kubernetes_"):
        metadata = config.get("metadata")
        metadata = metadata[0] if isinstance(metadata, list) and metadata else {}
        namespace, name = _known(metadata, "namespace"), _known(metadata, "name") or name
        return f"{namespace}/{name}" if namespace else name
    if type_name in TIME_TYPES:
        return rfc3339(type_name, config)
    if type_name.startswith("random_"):
        return "none"
    return name


def secret_version(config: dict) -> str:
    return digest("version", config.get("value_wo_version"), config.get("name"), config.get("value"))[:32]


def string_value(type_name: str, attribute: str, config: dict, path: tuple) -> str:
    """A plausible string for an unknown or unset computed string attribute."""
    name = _known(config, "name") or type_name
    if path == ("id",):
        return resource_id(type_name, config)
    if attribute == "tenant_id":
        return TENANT_ID
    if attribute == "subscription_id":
        return SUBSCRIPTION_ID
    if path == ("object_id",) and type_name in ("azuread_application", "azuread_service_principal"):
        # The object ID is the last part of the ID (/applications/<object ID>), as Entra ID gives them.
        return resource_id(type_name, config).rsplit("/", 1)[-1]
    if GUID_ATTRIBUTES.search(attribute):
        return guid(type_name, attribute, config, path)
    if attribute == "vault_uri":
        return f"https://{name}.vault.azure.net/"
    if type_name == "azurerm_key_vault_secret":
        vault = _vault_name(_known(config, "key_vault_id"))
        versionless = f"https://{vault}.vault.azure.net/secrets/{name}"
        version = secret_version(config)
        return {
            "version": version,
            "versionless_id": versionless,
            "resource_id": f"{_known(config, 'key_vault_id')}/secrets/{name}/versions/{version}",
            "resource_versionless_id": f"{_known(config, 'key_vault_id')}/secrets/{name}",
        }.get(attribute, f"{attribute}-{digest(config)[:8]}")
    if type_name == "random_password" and attribute == "result":
        length = config.get("length") if isinstance(config.get("length"), int) else 16
        return password(length, digest(type_name, config), special=config.get("special") is not False)
    if type_name == "random_password" and attribute == "bcrypt_hash":
        return "$2a$10$" + base64.b64encode(bytes.fromhex(digest("bcrypt", config))).decode()[:53]
    if type_name == "azuread_application_password" and attribute == "value":
        return password(40, digest(type_name, config), special=False)
    if attribute == "rfc3339" and type_name in TIME_TYPES:
        return rfc3339(type_name, config)
    if attribute in ("rfc3339", "start_date", "end_date") or attribute.endswith("_date"):
        return FIXED_TIME
    if attribute.endswith("_uri") or attribute.endswith("_url"):
        return f"https://{name}.example.invalid/"
    if attribute in ("fqdn", "hostname"):
        return f"{name}.example.invalid"
    if attribute.endswith("ip_address"):
        return "10.0.0.4"
    return f"{attribute}-{digest(type_name, config, path)[:12]}"


def fill(type_name: str, attribute: Attribute | None, name: str, cty_type: Any, config: dict, path: tuple) -> Any:
    """A known value for a computed attribute of type ``cty_type``."""
    if cty_type == "string":
        return string_value(type_name, name, config, path)
    if cty_type == "number":
        if type_name in TIME_TYPES and name in ("year", "month", "day", "hour", "minute", "second", "unix"):
            when = moment(type_name, config)
            return int(when.timestamp()) if name == "unix" else getattr(when, name)
        return 0
    if cty_type == "dynamic":
        # kubernetes_manifest.object: what the API server returns is, here, the manifest itself.
        manifest = config.get("manifest")
        return manifest if name == "object" and manifest is not None and not is_unknown(manifest) else None
    if isinstance(cty_type, list) and cty_type[0] == "object":
        return {key: fill(type_name, None, key, inner, config, path + (key,)) for key, inner in cty_type[1].items()}
    return zero_value(cty_type)
