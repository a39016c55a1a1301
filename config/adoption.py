"""What already exists, and the first deploy takes over: the ``adopt:`` section of an environment file.

People who did the manual setup (``terraform apply`` of the Key Vault module, ``helm install``, ``kubectl create
secret``, ``kubectl apply``, ``az keyvault secret set``) have every object this project would create. Listed here,
each one gets a Terraform ``import`` block (Terraform >= 1.5) in its stack, so the first plan imports it and
updates it in place instead of failing with "already exists"
(https://developer.hashicorp.com/terraform/language/import). The section is grouped by stack, in deployment order:

* ``azure``: the resource group and the vault (``true``: the one this file names; or the resource ID), ESO's
  application and service principal (object IDs), the role assignments on the vault (their resource IDs);
* ``secrets``: vault secrets, by name, with their IDs (``az keyvault secret show ... --query id``);
* ``eso``: ESO's namespace, its Helm release, the credentials Secret, the apps' namespaces;
* ``eso_config``: the ClusterSecretStore; ``apps``: the apps' ExternalSecrets.

Kubernetes objects are named by this file, so their import IDs are derived (``true`` or an app's name). An ID is
checked against what this file configures: its type, its name, its vault, its subscription. Adopting what the
configuration does not manage, or one object twice, is refused. What cannot be imported is said at synth
(:attr:`Adoption.notes`): an application password's value (Entra ID never returns it), a random secret's value.
Step by step: docs/migration.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from config.apps import AppName, SecretKind
from config.azure import _any_case
from config.eso import EsoAuth
from config.reader import GUID_PATTERN, MISSING, Flag, Rule, Settings, listing, problem, settings, text

if TYPE_CHECKING:
    from config.apps import AppSettings, Problem
    from config.environment import Environment

_GUID = GUID_PATTERN.strip("^$")
_SUBSCRIPTION = rf"/{_any_case('subscriptions')}/(?P<subscription>{_GUID})"
_GROUP = rf"/{_any_case('resourceGroups')}/(?P<group>[-\w.()]+)"
_VAULT = rf"/{_any_case('providers')}/{_any_case('Microsoft.KeyVault')}/{_any_case('vaults')}/(?P<vault>[A-Za-z0-9-]+)"
_ASSIGNMENT = (rf"/{_any_case('providers')}/{_any_case('Microsoft.Authorization')}/{_any_case('roleAssignments')}/"
               rf"(?P<assignment>{_GUID})")
RESOURCE_GROUP_ID = re.compile(_SUBSCRIPTION + _GROUP)
KEY_VAULT_ID = re.compile(_SUBSCRIPTION + _GROUP + _VAULT)
ROLE_ASSIGNMENT_ID = re.compile(_SUBSCRIPTION + _GROUP + _VAULT + _ASSIGNMENT)
# Key Vault's data-plane host in each Azure cloud.
_VAULT_HOSTS = r"vault\.azure\.net|vault\.azure\.cn|vault\.usgovcloudapi\.net|vault\.microsoftazure\.de"
VAULT_SECRET_ID = re.compile(
    rf"https://(?P<vault>[A-Za-z0-9-]+)\.(?:{_VAULT_HOSTS})/secrets/(?P<name>[A-Za-z0-9-]+)/(?P<version>[0-9a-fA-F]{{32}})"
)
APPLICATION_ID = re.compile(rf"(?:/applications/)?(?P<object>{_GUID})")
SERVICE_PRINCIPAL_ID = re.compile(rf"(?:/servicePrincipals/)?(?P<object>{_GUID})")

RESOURCE_GROUP_SHAPE = "/subscriptions/<subscription>/resourceGroups/<group>"
KEY_VAULT_SHAPE = "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<vault>"
ROLE_ASSIGNMENT_SHAPE = f"{KEY_VAULT_SHAPE}/providers/Microsoft.Authorization/roleAssignments/<GUID>"
VAULT_SECRET_SHAPE = "https://<vault>.vault.azure.net/secrets/<name>/<version>"


def _plain(pattern: re.Pattern) -> str:
    """The pattern anchored and without group names, as JSON Schema (ECMA-262) and pydantic both read it."""
    return "^" + re.sub(r"\(\?P<\w+>", "(", pattern.pattern) + "$"


def _kind_of(value: str) -> str | None:
    """The resource type an Azure Resource Manager ID names (``Microsoft.KeyVault/vaults``), if it is one."""
    parts = value.strip("/").split("/")
    lowered = [part.lower() for part in parts]
    if len(parts) < 2 or lowered[0] != "subscriptions":
        return None
    if "providers" in lowered:
        at = len(lowered) - 1 - lowered[::-1].index("providers")
        return "/".join(parts[at + 1: at + 3]) if len(parts) > at + 2 else None
    return "resourceGroups" if len(parts) >= 4 and lowered[2] == "resourcegroups" else "subscriptions"


_KIND_NAMES = {"subscriptions": "a subscription", "resourceGroups": "a resource group"}


def _wrong(value: str, wanted: str, wanted_kind: str, shape: str, source: str) -> str:
    """The message for a value that is not an ID of the kind ``wanted``: which kind it is, if any, and the shape."""
    kind = _kind_of(value)
    if kind is None:
        said = f"must be the resource ID of {wanted}"
    elif kind.lower() != wanted_kind.lower():
        said = f"is the ID of {_KIND_NAMES.get(kind, f'a {kind} resource')}, not of {wanted}"
    elif wanted_kind == "Microsoft.Authorization/roleAssignments":
        said = ("is a role assignment at another scope than a Key Vault: this configuration grants on the vault, and "
                "importing an assignment of another scope would replace it; leave it out")
    else:
        said = f"is not a well-formed ID of {wanted}"
    return f"{said}: {shape} ({source})"


def _ref_type(wanted: str, kind: str, pattern: re.Pattern, shape: str, source: str) -> Any:
    """``true`` (the object this file names: the ID is derived) or the object's resource ID."""
    rule = f"true (the one this file names) or the resource ID of {wanted}, {shape}"

    def validate(value: Any) -> Any:
        if value is False or value is None:
            return None
        if value is True:
            return True
        if not isinstance(value, str):
            raise problem(f"must be {rule}", value=value)
        if not pattern.fullmatch(value):
            raise problem(_wrong(value, wanted, kind, shape, source), value=value)
        return value

    schema = {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": _plain(pattern)}]}
    return Annotated[str | bool | None, BeforeValidator(validate), WithJsonSchema(schema), Rule(rule)]


def _id_type(wanted: str, kind: str, pattern: re.Pattern, shape: str, source: str) -> Any:
    return text(f"the ID of {wanted}, {shape}", _plain(pattern),
                explain=lambda value: _wrong(value, wanted, kind, shape, source))


ResourceGroupRef = _ref_type("a resource group", "resourceGroups", RESOURCE_GROUP_ID, RESOURCE_GROUP_SHAPE,
                             "az group show --name <group> --query id -o tsv")
KeyVaultRef = _ref_type("a Key Vault", "Microsoft.KeyVault/vaults", KEY_VAULT_ID, KEY_VAULT_SHAPE, "az keyvault show --name <vault> --query id -o tsv")
RoleAssignmentId = _id_type("a role assignment on the vault", "Microsoft.Authorization/roleAssignments", ROLE_ASSIGNMENT_ID, ROLE_ASSIGNMENT_SHAPE,
                            "az role assignment list --scope <vault ID> --query \"[].{id:id, role:roleDefinitionName}\"")


def _explain_object(wanted: str, other: str, other_prefix: str, source: str) -> Callable[[str], str]:
    def explain(value: str) -> str:
        if value.startswith(other_prefix):
            return f"is the ID of {other}, not of {wanted}: give the object ID of {wanted} ({source})"
        return f"must be the object ID of {wanted}, a GUID such as 00000000-0000-0000-0000-000000000000 ({source})"
    return explain


ApplicationId = text(
    "an application's object ID (a GUID, or /applications/<GUID>)", _plain(APPLICATION_ID),
    explain=_explain_object("the application", "a service principal", "/servicePrincipals/",
                            "az ad app list --display-name <name> --query \"[].id\" -o tsv"))
ServicePrincipalId = text(
    "a service principal's object ID (a GUID, or /servicePrincipals/<GUID>)", _plain(SERVICE_PRINCIPAL_ID),
    explain=_explain_object("the service principal", "an application", "/applications/",
                            "az ad sp list --display-name <name> --query \"[].id\" -o tsv"))


def _explain_vault_secret(value: str) -> str:
    source = "az keyvault secret show --vault-name <vault> --name <name> --query id -o tsv"
    if re.fullmatch(rf"https://[A-Za-z0-9-]+\.(?:{_VAULT_HOSTS})/secrets/[A-Za-z0-9-]+/?", value):
        return f"lacks the secret's version: azurerm imports a vault secret by its versioned ID, {VAULT_SECRET_SHAPE} ({source})"
    if _kind_of(value):
        return (f"is an Azure Resource Manager ID: azurerm imports a vault secret by its data-plane ID, "
                f"{VAULT_SECRET_SHAPE} ({source})")
    return f"must be a vault secret's ID, {VAULT_SECRET_SHAPE} ({source})"


VaultSecretId = text(f"a vault secret's ID, {VAULT_SECRET_SHAPE}", _plain(VAULT_SECRET_ID),
                     explain=_explain_vault_secret)
VaultSecretName = text("a vault secret's name, '<app>-<key>'", r"^[A-Za-z0-9-]{1,127}$")


# -- the file's models ----------------------------------------------------------------------------------------


@settings
class RoleAssignmentsAdoption(Settings):
    """Role assignments on the vault that exist, by the grant that takes each over."""

    eso_secrets_user: RoleAssignmentId | None = Field(
        None, description="Key Vault Secrets User of ESO's service principal (needs a shared app)."
    )
    deployer_secrets_officer: RoleAssignmentId | None = Field(
        None, description="Key Vault Secrets Officer of the principal that deploys."
    )
    secrets_officers: dict[text("the object ID (a GUID) of one of key_vault.secrets_officers", GUID_PATTERN), RoleAssignmentId] = Field(
        default_factory=dict, description="Object ID (one of key_vault.secrets_officers) -> its assignment's ID."
    )


@settings
class AzureAdoption(Settings):
    """What stack azure-<env> takes over."""

    resource_group: ResourceGroupRef = Field(None, description="true, or the resource group's ID.")
    key_vault: KeyVaultRef = Field(None, description="true, or the vault's ID.")
    application: ApplicationId | None = Field(
        None, description="ESO's Entra ID application: its object ID (not the client ID). Its passwords are not "
        "imported: new ones are made (docs/migration.md).",
    )
    service_principal: ServicePrincipalId | None = Field(None, description="The application's service principal: its object ID.")
    role_assignments: RoleAssignmentsAdoption = Field(
        default_factory=RoleAssignmentsAdoption, description="Role assignments on the vault."
    )


@settings
class EsoAdoption(Settings):
    """What stack eso-<env> takes over; the IDs are derived from the names this file gives."""

    namespace: Flag = Field(False, description="ESO's namespace, eso.namespace.")
    release: Flag = Field(False, description="The Helm release external-secrets in eso.namespace.")
    credentials_secret: Flag = Field(
        False, description="ESO's credentials Secret (eso.service_principal.credentials_secret) in eso.namespace."
    )
    app_namespaces: listing(AppName, "app names") = Field(
        (), description="Apps whose namespace exists (apps with create_namespace)."
    )


@settings
class EsoConfigAdoption(Settings):
    """What stack eso-config-<env> takes over."""

    cluster_secret_store: Flag = Field(False, description="The ClusterSecretStore azure-kv-store-<env>.")


@settings
class AppsAdoption(Settings):
    """What stack apps-<env> takes over."""

    external_secrets: listing(AppName, "app names") = Field(
        (), description="Apps whose ExternalSecrets exist: the one of its secrets (named as external_secret.name "
        "says) and one per certificate, named <app>-<certificate> (one made by hand under another name is not adopted: "
        "delete it once apps-<env> has made its own)."
    )


@settings
class AdoptFile(Settings):
    """Objects that exist and the first deploy takes over (Terraform import blocks); docs/migration.md."""

    azure: AzureAdoption = Field(default_factory=AzureAdoption, description="Stack azure-<env>.")
    secrets: dict[VaultSecretName, VaultSecretId] = Field(
        default_factory=dict, description="Stack secrets-<env>: vault secret name -> its versioned ID."
    )
    eso: EsoAdoption = Field(default_factory=EsoAdoption, description="Stack eso-<env>.")
    eso_config: EsoConfigAdoption = Field(default_factory=EsoConfigAdoption, description="Stack eso-config-<env>.")
    apps: AppsAdoption = Field(default_factory=AppsAdoption, description="Stack apps-<env>.")


# -- what stacks read -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AzureImport:
    """An Azure Resource Manager ID. ``subscription_id`` None: the subscription Terraform signs in to (the ID was
    derived from names, and the file names no subscription)."""

    path: str  # below /subscriptions/<subscription>
    subscription_id: str | None = None

    def resource_id(self, current_subscription_id: str) -> str:
        return f"/subscriptions/{self.subscription_id or current_subscription_id}{self.path}"


@dataclass(frozen=True)
class Adoption:
    """The import ID of every object an environment takes over (none: it adopts nothing)."""

    resource_group: AzureImport | None = None
    key_vault: AzureImport | None = None
    application: str | None = None
    service_principal: str | None = None
    # Grant ID (vault_access.Grant.id: eso_secrets_user, deployer_secrets_officer, secrets_officer_<object ID>)
    # -> the role assignment's ID.
    role_assignments: dict[str, str] = field(default_factory=dict)
    # Vault secret name -> its versioned ID.
    vault_secrets: dict[str, str] = field(default_factory=dict)
    eso_namespace: bool = False
    eso_release: bool = False
    credentials_secret: bool = False
    app_namespaces: frozenset[str] = frozenset()  # app names
    cluster_secret_store: bool = False
    external_secrets: frozenset[str] = frozenset()  # app names
    # What cannot be imported and what happens instead, one line each (main.py prints them at synth).
    notes: tuple[str, ...] = ()


def officer_grant_id(object_id: str) -> str:
    """The grant (and construct) ID of an extra Key Vault Secrets Officer (stacks/azure_stack.py)."""
    return f"secrets_officer_{object_id}"


def resolve_adoption(file: AdoptFile, env: Environment) -> tuple[Adoption, list[Problem]]:
    """The import IDs of what ``file`` adopts, checked against what ``env`` configures."""
    return _Resolver(file, env).resolve()


class _Resolver:
    def __init__(self, file: AdoptFile, env: Environment) -> None:
        self.file, self.env = file, env
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.first_subscription: tuple[str, str] | None = None  # (subscription, where an ID first named it)
        self.adopted: dict[str, str] = {}  # object (lower case) -> where it was adopted first

    def problem(self, at: str, value: Any, rule: str) -> None:
        self.problems.append((f"adopt.{at}", value, rule))

    def note(self, at: str, text: str) -> None:
        self.notes.append(f"{self.env.source}: adopt.{at}: {text}")

    def once(self, at: str, value: Any, identity: str, what: str, why: str = "") -> bool:
        """Whether ``identity`` is adopted here for the first time (a second time is a problem)."""
        first = self.adopted.setdefault(identity.lower(), at)
        if first != at:
            self.problem(at, value, f"is also adopted as adopt.{first}: one {what} can be taken over once{why}")
            return False
        return True

    def subscription(self, at: str, value: str, subscription: str) -> bool:
        """Whether the subscription an ID names is the environment's: azure.subscription_id when the file sets it,
        and the one every other ID of the section names."""
        wanted = self.env.azure.subscription_id
        if wanted and subscription.lower() != wanted.lower():
            self.problem(at, value, f"is in subscription {subscription}, not in azure.subscription_id {wanted}")
            return False
        if self.first_subscription is None:
            self.first_subscription = (subscription, at)
            return True
        first, where = self.first_subscription
        if first.lower() != subscription.lower():
            self.problem(at, value, (
                f"is in subscription {subscription}, but adopt.{where} is in {first}: an environment's Azure objects "
                "are in one subscription"))
            return False
        return True

    def resolve(self) -> tuple[Adoption, list[Problem]]:
        azure = self.file.azure
        found = dict(
            resource_group=self._resource_group(azure.resource_group),
            key_vault=self._key_vault(azure.key_vault),
            application=self._directory_object("azure.application", azure.application, APPLICATION_ID, "/applications/"),
            service_principal=self._directory_object(
                "azure.service_principal", azure.service_principal, SERVICE_PRINCIPAL_ID, "/servicePrincipals/"),
            role_assignments=self._role_assignments(azure.role_assignments),
            vault_secrets=self._vault_secrets(self.file.secrets),
            eso_namespace=self._eso_namespace(),
            eso_release=self.file.eso.release,
            credentials_secret=self._credentials_secret(),
            app_namespaces=self._app_namespaces(),
            cluster_secret_store=self._cluster_secret_store(),
            external_secrets=self._external_secrets(),
        )
        self._together(found)
        # An ID derived from names is in the subscription the file names, or that of the IDs written here, or
        # else the one Terraform signs in to.
        subscription = self.env.azure.subscription_id or (self.first_subscription or (None,))[0]
        for name in ("resource_group", "key_vault"):
            if found[name] is not None and found[name].subscription_id is None:
                found[name] = AzureImport(found[name].path, subscription)
        return Adoption(**found, notes=tuple(self.notes)), self.problems

    # azure-<env>

    def _derived(self, path: str) -> AzureImport:
        return AzureImport(path, self.env.azure.subscription_id)

    def _resource_group(self, value: bool | str | None) -> AzureImport | None:
        group = self.env.azure.resource_group
        if value is None:
            return None
        if value is True:
            return self._derived(f"/resourceGroups/{group}")
        match = RESOURCE_GROUP_ID.fullmatch(value)
        assert match
        if match["group"].lower() != group.lower():
            self.problem("azure.resource_group", value, (
                f"names resource group '{match['group']}', not azure.resource_group '{group}' (the one this file "
                "configures: adopting another would replace it)"))
            return None
        if not self.subscription("azure.resource_group", value, match["subscription"]):
            return None
        return AzureImport(f"/resourceGroups/{match['group']}", match["subscription"])

    def _key_vault(self, value: bool | str | None) -> AzureImport | None:
        group, vault = self.env.azure.resource_group, self.env.key_vault.name
        if value is None:
            return None
        if value is True:
            return self._derived(f"/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/{vault}")
        match = KEY_VAULT_ID.fullmatch(value)
        assert match
        if match["vault"].lower() != vault.lower() or match["group"].lower() != group.lower():
            self.problem("azure.key_vault", value, (
                f"names vault '{match['vault']}' in resource group '{match['group']}', not key_vault.name "
                f"'{vault}' in azure.resource_group '{group}'"))
            return None
        if not self.subscription("azure.key_vault", value, match["subscription"]):
            return None
        return AzureImport(f"/resourceGroups/{match['group']}/providers/Microsoft.KeyVault/vaults/{match['vault']}",
                           match["subscription"])

    def _no_eso_application(self) -> str | None:
        """Why this configuration makes no application for ESO, if it makes none."""
        if not self.env.uses_cluster_secret_store:
            return ("is not managed by this configuration: no app shares the ClusterSecretStore, so ESO has no "
                    "identity of its own (each isolated app signs in as its own)")
        if self.env.eso.auth is EsoAuth.WORKLOAD_IDENTITY:
            return ("is not managed by this configuration: with eso.auth 'workload_identity' ESO signs in as a "
                    "managed identity this project creates, not as an application; leave it out (the application "
                    "made by hand is left alone: delete it once ESO reads through the new identity)")
        return None

    def _together(self, found: dict[str, Any]) -> None:
        """ESO's application, its service principal and the service principal's role assignment are taken over
        together: each refers to the one before by an argument that forces replacement (client_id, principal_id), so
        adopting one without the other would create a second object beside the existing one, or replace the
        adopted one."""
        azure = self.file.azure
        if found["application"] and azure.service_principal is None:
            self.problem("azure.service_principal", MISSING, (
                "is needed with adopt.azure.application: an application has one service principal, and the plan "
                "would try to create a second (az ad sp show --id <client ID> --query id)"))
        if found["service_principal"] and azure.application is None:
            self.problem("azure.application", MISSING, (
                "is needed with adopt.azure.service_principal: the service principal belongs to an application; "
                "without it the plan creates a new application and replaces the adopted service principal "
                "(az ad app show --id <client ID> --query id)"))
        if "eso_secrets_user" in found["role_assignments"] and azure.service_principal is None:
            self.problem("azure.service_principal", MISSING, (
                "is needed with adopt.azure.role_assignments.eso_secrets_user: the assignment's principal is ESO's "
                "service principal, so without it the adopted assignment is replaced by one for a new service "
                "principal"))

    def _directory_object(self, at: str, value: str | None, pattern: re.Pattern, prefix: str) -> str | None:
        if value is None:
            return None
        unmanaged = self._no_eso_application()
        if unmanaged:
            self.problem(at, value, unmanaged)
            return None
        match = pattern.fullmatch(value)
        assert match
        if not self.once(at, value, match["object"], "Entra ID object"):
            return None
        if prefix == "/applications/":
            self.note(at, (
                "an application password cannot be imported (Entra ID never returns a client secret's value): the "
                "first apply of azure-<env> adds two new client secrets (slots blue and green) and eso-<env> writes "
                "the current one into the credentials Secret. The client secret made by hand stays valid until it "
                "expires; remove it once eso-<env> is applied: az ad app credential list --id <client ID>, then az "
                "ad app credential delete --id <client ID> --key-id <its key ID>").replace("<env>", self.env.name))
        return f"{prefix}{match['object']}"

    def _role_assignments(self, file: RoleAssignmentsAdoption) -> dict[str, str]:
        wanted: list[tuple[str, str, str | None]] = []  # (at, grant ID, why it is not managed)
        if file.eso_secrets_user is not None:
            unmanaged = self._no_eso_application()
            if self.env.uses_cluster_secret_store and self.env.eso.auth is EsoAuth.WORKLOAD_IDENTITY:
                unmanaged = ("is not managed by this configuration: with eso.auth 'workload_identity' ESO's identity "
                             "is a managed identity this project creates, so no existing assignment can be its")
            wanted.append(("eso_secrets_user", "eso_secrets_user", unmanaged))
        if file.deployer_secrets_officer is not None:
            wanted.append(("deployer_secrets_officer", "deployer_secrets_officer", None))
        officers = {officer.lower() for officer in self.env.key_vault.secrets_officers}
        for object_id in file.secrets_officers:
            unmanaged = None if object_id.lower() in officers else (
                "is not one of key_vault.secrets_officers "
                f"({', '.join(self.env.key_vault.secrets_officers) or 'none'}): add it there, or leave it out")
            wanted.append((f"secrets_officers.{object_id}", officer_grant_id(object_id), unmanaged))
        values = {"eso_secrets_user": file.eso_secrets_user, "deployer_secrets_officer": file.deployer_secrets_officer,
                  **{f"secrets_officers.{key}": value for key, value in file.secrets_officers.items()}}
        resolved = {}
        group, vault = self.env.azure.resource_group, self.env.key_vault.name
        for at, grant, unmanaged in wanted:
            value = values[at]
            at = f"azure.role_assignments.{at}"
            if unmanaged:
                self.problem(at, value, unmanaged)
                continue
            match = ROLE_ASSIGNMENT_ID.fullmatch(value)
            assert match
            if match["vault"].lower() != vault.lower() or match["group"].lower() != group.lower():
                self.problem(at, value, (
                    f"is scoped to vault '{match['vault']}' in resource group '{match['group']}', not to key_vault.name "
                    f"'{vault}' in azure.resource_group '{group}' (the scope this configuration grants on)"))
                continue
            if self.subscription(at, value, match["subscription"]) and self.once(at, value, value, "role assignment"):
                # Written with the segments' canonical case (`az` may print `resourcegroups`): the provider parses
                # the import ID by its segment names.
                resolved[grant] = (
                    f"/subscriptions/{match['subscription']}/resourceGroups/{match['group']}/providers/"
                    f"Microsoft.KeyVault/vaults/{match['vault']}/providers/Microsoft.Authorization/roleAssignments/"
                    f"{match['assignment']}")
        return resolved

    # secrets-<env>

    def _vault_secrets(self, secrets: dict[str, str]) -> dict[str, str]:
        declared = {secret.vault_name.lower(): secret for app in self.env.apps for secret in app.secrets}
        resolved = {}
        for name, value in secrets.items():
            at = f"secrets.{name}"
            secret = declared.get(name.lower())
            if secret is None:
                names = ", ".join(sorted(s.vault_name for s in declared.values())) or "none"
                self.problem(at, MISSING, (
                    f"is not a vault secret of this configuration (declared: {names}): declare it in the app's "
                    "static_secrets, random_secrets or sensitive_secrets (key <key> of app <app> is vault secret "
                    "<app>-<key>), or leave it out"))
                continue
            match = VAULT_SECRET_ID.fullmatch(value)
            assert match
            if match["vault"].lower() != self.env.key_vault.name.lower():
                self.problem(at, value, f"is in vault '{match['vault']}', not in key_vault.name '{self.env.key_vault.name}'")
                continue
            if match["name"].lower() != name.lower():
                self.problem(at, value, f"is the ID of vault secret '{match['name']}', not of '{name}'")
                continue
            if not self.once(at, value, f"vault secret {secret.vault_name}", "vault secret",
                             " (Key Vault secret names ignore case)"):
                continue
            resolved[secret.vault_name] = value
            if secret.kind is SecretKind.RANDOM:
                self.note(at, (
                    f"a random secret: the first apply of secrets-{self.env.name} writes a newly generated value as "
                    "a new version (Terraform cannot import the value it would have generated); to keep the current "
                    f"value, declare it under sensitive_secrets and supply it at that apply (docs/migration.md)"))
        return resolved

    # eso-<env>

    def _eso_namespace(self) -> bool:
        if self.file.eso.namespace:
            self.once("eso.namespace", True, f"namespace {self.env.eso.namespace}", "namespace")
        return self.file.eso.namespace

    def _credentials_secret(self) -> bool:
        if not self.file.eso.credentials_secret:
            return False
        at = "eso.credentials_secret"
        if not self.env.uses_cluster_secret_store:
            self.problem(at, True, ("is not managed by this configuration: no app shares the ClusterSecretStore, so "
                                    "ESO has no credentials Secret of its own"))
            return False
        if self.env.eso.auth is EsoAuth.WORKLOAD_IDENTITY:
            self.problem(at, True, ("is not managed by this configuration: with eso.auth 'workload_identity' ESO "
                                    "signs in without a Secret; delete the Secret made by hand once ESO reads "
                                    "through the new identity"))
            return False
        return True

    def _app(self, at: str, name: str) -> AppSettings | None:
        """The app ``name`` of this file; a problem at ``at`` when there is none."""
        apps = {app.name: app for app in self.env.apps}
        if name not in apps:
            self.problem(at, name, f"is not an app of this file (apps: {', '.join(sorted(apps)) or 'none'})")
        return apps.get(name)

    def _app_namespaces(self) -> frozenset[str]:
        adopted = set()
        for index, name in enumerate(self.file.eso.app_namespaces):
            at = f"eso.app_namespaces[{index}]"
            app = self._app(at, name)
            if app is None:
                continue
            if not app.create_namespace:
                self.problem(at, name, (
                    f"is not managed by this configuration: apps.{name}.create_namespace is false, so eso-"
                    f"{self.env.name} leaves namespace '{app.namespace}' alone; set it to true, or leave it out"))
            elif self.once(at, name, f"namespace {app.namespace}", "namespace"):
                adopted.add(name)
        return frozenset(adopted)

    # eso-config-<env> and apps-<env>

    def _gitops(self, at: str, value: Any, what: str) -> bool:
        from config.delivery import DeliveryMode

        if self.env.delivery.mode is DeliveryMode.GITOPS:
            self.problem(at, value, (
                f"is not managed by Terraform: with delivery.mode 'gitops' Argo CD applies {what}; let Argo CD "
                "adopt it (a synced manifest of the same name takes the object over)"))
            return True
        return False

    def _cluster_secret_store(self) -> bool:
        if not self.file.eso_config.cluster_secret_store:
            return False
        at = "eso_config.cluster_secret_store"
        if self._gitops(at, True, "the ClusterSecretStore"):
            return False
        if not self.env.uses_cluster_secret_store:
            self.problem(at, True, "is not managed by this configuration: no app shares the ClusterSecretStore")
            return False
        return True

    def _external_secrets(self) -> frozenset[str]:
        adopted = set()
        for index, name in enumerate(self.file.apps.external_secrets):
            at = f"apps.external_secrets[{index}]"
            if self._gitops(at, name, "the ExternalSecrets"):
                continue
            app = self._app(at, name)
            if app is None:
                continue
            if app.external_secret is None and not app.certificates:
                self.problem(at, name, f"is not managed by this configuration: app '{name}' declares no secrets "
                             "and no certificates, so it has no ExternalSecret")
            else:
                adopted.add(name)
        return frozenset(adopted)

