"""The azure-secrets module: an app's secrets in Azure Key Vault, named ``<app>-<key>``.

The Python form of the manual setup's Terraform module, with the same interface::

    AzureSecrets(stack, "myapp",
                 key_vault_id=vault_id, app_name="myapp",
                 static_secrets={"db-username": "myapp", "db-host": "postgres", "db-name": "myapp"},
                 random_secrets=["db-password"])

makes ``myapp-db-username``, ``myapp-db-host``, ``myapp-db-name`` and a generated ``myapp-db-password``.
Stacks build it from an environment file with :meth:`AzureSecrets.for_app`, which adds what the file declares per
secret: generation policy, person-supplied values (sensitive Terraform variables), content type, expiry, tags and
rotation versions.

With ``write_only=True`` (``key_vault.write_only_secrets`` in the environment file), random and person-supplied
values are written through the write-only ``value_wo`` argument from an ephemeral ``random_password`` or an
ephemeral variable, with ``value_wo_version`` as the rotation trigger: no secret value in plan or state
(Terraform >= 1.11, https://developer.hashicorp.com/terraform/language/resources/ephemeral/write-only).

Defaults: a random secret is 32 characters of letters, digits, ``-`` and ``_`` (safe in URLs, connection strings
and shells unescaped); every secret has ``content_type`` ``text/plain`` and tags ``app`` and ``source``.
Pass ``key_vault_id`` from :attr:`VaultAccess.writable_vault_id` so that every write waits for the role
assignments to propagate (https://learn.microsoft.com/azure/key-vault/general/rbac-guide).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from addresses import formerly
from cdk import (
    Construct,
    KeyVaultSecret,
    RandomPassword,
    RoleAssignment,
    TerraformVariable,
    TerraformVariableValidationConfig,
    terraform_literal,
)
from ephemeral_resource import EphemeralRandomPassword
from vault_access import SECRETS_USER
from config.apps import (
    VAULT_SECRET_NAME_RULE,
    AppSettings,
    RandomPolicy,
    SecretKind,
    SecretSpec,
    check_secret_key,
)


def static_secret(app_name: str, key: str, value: str, **metadata) -> SecretSpec:
    """A value that is not secret (a user name, a host). Never pass a password here."""
    return SecretSpec(key=key, vault_name=f"{app_name}-{key}", kind=SecretKind.STATIC, declared_at=key, value=value,
                      tags={"app": app_name, "source": "static"}, **metadata)


def random_secret(app_name: str, key: str, policy: RandomPolicy | None = None, **metadata) -> SecretSpec:
    """A value Terraform generates with ``random_password``."""
    return SecretSpec(key=key, vault_name=f"{app_name}-{key}", kind=SecretKind.RANDOM, declared_at=key,
                      random=policy or RandomPolicy(), tags={"app": app_name, "source": "random"}, **metadata)


class AzureSecrets(Construct):
    """Makes, per secret, a construct named after the key holding an ``azurerm_key_vault_secret`` (its own
    resource, ID ``Default``) and, for a random secret, a ``random_password`` (``value``); for a person-supplied
    secret, a sensitive, non-nullable Terraform variable named as declared (set it with ``TF_VAR_<variable>``).
    With ``reader_principal_id`` (an isolated app's identity), a ``Key Vault Secrets User`` role assignment scoped
    to each secret (``reader``). In the secrets stack, ``myapp``'s ``db-host`` is
    ``azurerm_key_vault_secret.app_myapp_db-host``, its reader ``azurerm_role_assignment.app_myapp_db-host_reader``.

    Construct IDs are the secret keys: renaming a key replaces the vault secret (the old one is soft-deleted).
    A key is its own construct, so no key can meet another key's parts (``db`` and ``db-value`` both work).
    Every value and tag is written for Terraform to read literally (a static ``${...}`` stays as written).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        key_vault_id: str,
        app_name: str,
        static_secrets: Mapping[str, str] | None = None,
        random_secrets: Sequence[str] | None = None,
        secrets: Sequence[SecretSpec] = (),
        write_only: bool = False,
        reader_principal_id: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        specs = [
            *secrets,
            *(static_secret(app_name, key, value) for key, value in (static_secrets or {}).items()),
            *(random_secret(app_name, key) for key in (random_secrets or ())),
        ]
        self.app_name = app_name
        self.write_only = write_only
        self.secrets: dict[str, KeyVaultSecret] = {}
        self.readers: dict[str, RoleAssignment] = {}
        self.variables: dict[str, TerraformVariable] = {}
        for spec in specs:
            _check(app_name, spec)
            if spec.key in self.secrets:
                raise ValueError(f"azure-secrets {app_name}: secret key {spec.key!r} is given twice")
            # The key's own construct; its resources were directly in this construct before, as <key>-<part>.
            secret_scope = formerly(Construct(self, spec.key))
            value = self._value(secret_scope, spec)
            # Write-only: the value goes to Key Vault but never into plan or state; Terraform sends it again only
            # when value_wo_version changes (bump `version` in the environment file to rotate).
            write_only = self.write_only and spec.kind is not SecretKind.STATIC
            self.secrets[spec.key] = formerly(
                KeyVaultSecret(
                    secret_scope,
                    "Default",
                    key_vault_id=key_vault_id,
                    name=spec.vault_name,
                    value=None if write_only else value,
                    value_wo=value if write_only else None,
                    value_wo_version=spec.version if write_only else None,
                    content_type=terraform_literal(spec.content_type),
                    expiration_date=spec.expiration_date,
                    tags=terraform_literal(spec.tags),
                ),
                spec.key,
            )
            if reader_principal_id:
                # Key Vault RBAC takes a single secret as scope: this principal reads this secret and no other.
                self.readers[spec.key] = formerly(
                    RoleAssignment(
                        secret_scope,
                        "reader",
                        scope=self.secrets[spec.key].resource_versionless_id,
                        role_definition_name=SECRETS_USER,
                        principal_id=reader_principal_id,
                        principal_type="ServicePrincipal",
                    ),
                    f"{spec.key}-reader",
                )

    @classmethod
    def for_app(
        cls,
        scope: Construct,
        app: AppSettings,
        *,
        key_vault_id: str,
        write_only: bool = False,
        reader_principal_id: str | None = None,
    ) -> "AzureSecrets":
        """The module as an environment file declares it for ``app`` (construct ID: the app's name)."""
        return cls(
            scope,
            app.name,
            key_vault_id=key_vault_id,
            app_name=app.name,
            secrets=app.secrets,
            write_only=write_only,
            reader_principal_id=reader_principal_id,
        )

    def _value(self, scope: Construct, spec: SecretSpec) -> str:
        if spec.kind is SecretKind.STATIC:
            assert spec.value is not None
            return terraform_literal(spec.value)
        if spec.kind is SecretKind.RANDOM:
            policy = spec.random or RandomPolicy()
            if self.write_only:
                # Generated afresh at every run and never stored; only a version bump sends a new one to the vault.
                return EphemeralRandomPassword(
                    scope,
                    "value",
                    length=policy.length,
                    special=policy.special,
                    **({"override_special": terraform_literal(policy.override_special)} if policy.special else {}),
                    min_lower=policy.min_lower,
                    min_upper=policy.min_upper,
                    min_numeric=policy.min_numeric,
                    min_special=policy.min_special,
                ).result
            password = formerly(
                RandomPassword(
                    scope,
                    "value",
                    length=policy.length,
                    special=policy.special,
                    override_special=terraform_literal(policy.override_special) if policy.special else None,
                    min_lower=policy.min_lower,
                    min_upper=policy.min_upper,
                    min_numeric=policy.min_numeric,
                    min_special=policy.min_special,
                    # Bumping the version in the environment file generates a new value.
                    keepers={"version": str(spec.version)},
                ),
                f"{spec.key}-value",
            )
            return password.result
        assert spec.variable
        variable = TerraformVariable(
            scope,
            "variable",
            type="string",
            sensitive=True,
            nullable=False,
            description=f"Value of Key Vault secret {spec.vault_name} (set TF_VAR_{spec.variable})",
            # An HCP Terraform workspace variable declared by hcp-<env> is empty until someone types the value:
            # a run then stops here instead of writing an empty secret.
            validation=[
                TerraformVariableValidationConfig(
                    condition=f"${{length(var.{spec.variable}) > 0}}",
                    error_message=f"Key Vault secret {spec.vault_name} needs a value: set TF_VAR_{spec.variable}, or "
                    f"the sensitive workspace variable {spec.variable} in HCP Terraform. An empty value is refused.",
                )
            ],
        )
        # The variable keeps the name the environment file gives it, so TF_VAR_<name> finds it.
        variable.override_logical_id(spec.variable)
        if self.write_only:
            # An ephemeral variable (Terraform >= 1.10) is never written to plan or state; CDKTF 0.21 has no
            # property for it.
            variable.add_override("ephemeral", True)
        self.variables[spec.variable] = variable
        return variable.string_value


def _check(app_name: str, spec: SecretSpec) -> None:
    """Rules for callers that build the module in Python (environment files are checked when parsed)."""
    problem = check_secret_key(spec.key)
    if problem:
        raise ValueError(f"azure-secrets {app_name}: secret key {spec.key!r} {problem}")
    name = f"{app_name}-{spec.key}"
    if spec.vault_name != name or not 1 <= len(name) <= 127:
        raise ValueError(f"azure-secrets {app_name}: vault secret name {name!r} must be {VAULT_SECRET_NAME_RULE}")
