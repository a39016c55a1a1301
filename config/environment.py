"""One environment (dev, prod, ...): parsed from ``environments/<name>.yaml`` into a frozen, typed model.

Stacks receive an :class:`Environment` and never read files or environment variables themselves; environments
differ by data, not by branches in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import yaml
from pydantic import Field, ValidationError, model_validator

from config.adoption import AdoptFile, Adoption, resolve_adoption
from config.apps import AppFile, AppName, AppSettings, Problem, may_hold_a_secret, resolve_apps
from config.azure import AZURE_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION, AzureSettings, KeyVaultSettings, NetworkDefaultAction
from config.backend import Backend, BackendSettings, LocalBackendSettings
from config.delivery import Delivery, DeliveryMode, DeliverySettings, TerraformDelivery
from config.eso import ClusterSettings, EsoAuth, EsoSettings
from config.operations import audit_log_problems, expired_secret_problems
from config.reader import MISSING, ConfigError, Settings, settings, config_error, line, load_yaml

ENV_NAME_RULE = "1-16 lower-case letters and digits, starting with a letter (the name becomes part of stack names)"
_ENV_NAME = re.compile(r"[a-z][a-z0-9]{0,15}")


@settings
class EnvironmentFile(Settings):
    """An environment file as written: ``environments/schema.json`` is generated from this model."""

    azure: AzureSettings = Field(description="The subscription and the resource group.")
    key_vault: KeyVaultSettings = Field(description="The vault.")
    eso: EsoSettings = Field(default_factory=EsoSettings, description="External Secrets Operator (docs/eso.md).")
    cluster: ClusterSettings = Field(default_factory=ClusterSettings, description="How Terraform reaches the cluster.")
    apps: dict[AppName, AppFile] = Field(default_factory=dict, description="App name -> its secrets (docs/apps.md).")
    backend: Backend = Field(
        default_factory=LocalBackendSettings, description="Where Terraform state lives (docs/state-and-terraform-cloud.md)."
    )
    delivery: Delivery = Field(
        default_factory=TerraformDelivery, description="How the ExternalSecrets reach the cluster."
    )
    adopt: AdoptFile = Field(
        default_factory=AdoptFile,
        description="Objects that exist (the manual setup's) and the first deploy imports (docs/migration.md).",
    )

    @model_validator(mode="before")
    @classmethod
    def _sections_are_mappings(cls, data: object) -> object:
        # An absent azure or key_vault section is reported by the keys it lacks.
        if data is None or isinstance(data, dict):
            return {"azure": {}, "key_vault": {}, **(data or {})}
        return data


@dataclass(frozen=True)
class Environment:
    name: str
    # Where the settings came from, relative to the project (for messages and review output).
    source: str
    azure: AzureSettings
    key_vault: KeyVaultSettings
    eso: EsoSettings
    cluster: ClusterSettings
    apps: tuple[AppSettings, ...]
    backend: BackendSettings
    delivery: DeliverySettings
    # What exists already and the stacks import (config/adoption.py); nothing by default.
    adoption: Adoption = Adoption()

    @property
    def shared_apps(self) -> tuple[AppSettings, ...]:
        """Apps that read the vault through the ClusterSecretStore and ESO's own identity."""
        return tuple(app for app in self.apps if not app.isolated)

    @property
    def isolated_apps(self) -> tuple[AppSettings, ...]:
        return tuple(app for app in self.apps if app.isolated)

    @property
    def uses_cluster_secret_store(self) -> bool:
        """The ClusterSecretStore, and ESO's grant on the whole vault, exist only while an app is shared."""
        return bool(self.shared_apps)

    @property
    def role_assignment_count(self) -> int:
        """Role assignments the environment's stacks create: the deployer's and the extra officers' on the vault,
        ESO's on the vault while an app is shared, and one per secret and per certificate of every isolated app."""
        vault_scope = 1 + len(self.key_vault.secrets_officers) + (1 if self.uses_cluster_secret_store else 0)
        return vault_scope + sum(len(app.secrets) + len(app.certificates) for app in self.isolated_apps)

    @property
    def tags(self) -> dict[str, str]:
        """Tags on every Azure resource: the environment's own, plus what says where a resource comes from."""
        return {"environment": self.name, "managed-by": "cdktf", **self.azure.tags}


def parse_environment(source: str, text: str, *, now: datetime | None = None) -> Environment:
    """Parse one environment file's text; ``source`` is the path shown in errors, e.g. ``environments/dev.yaml``.
    ``now`` is the moment expiration dates must lie after (default: the clock, read here, at synth).

    Every problem of the file is reported at once, one line each; rules that span sections or apps are checked
    once every section is valid.
    """
    name = Path(source).stem
    if not _ENV_NAME.fullmatch(name):
        raise ConfigError(line(source, "(file name)", name, f"environment names must be {ENV_NAME_RULE}"))
    try:
        file = EnvironmentFile.__pydantic_validator__.validate_python(load_yaml(source, text), context={"environment": name})
    except ValidationError as error:
        raise config_error(source, EnvironmentFile, error, may_hold_a_secret) from None
    problems: list[Problem] = []
    environment = Environment(
        name=name,
        source=source,
        azure=file.azure,
        key_vault=file.key_vault,
        eso=file.eso,
        cluster=file.cluster,
        apps=resolve_apps(file.apps, file.eso.app_isolation, problems),
        backend=BackendSettings.of(file.backend),
        delivery=DeliverySettings.of(file.delivery),
    )
    problems.extend(_across_sections(environment, now or datetime.now(UTC)))
    if not problems:  # adoption is checked against a configuration that is valid
        adoption, adoption_problems = resolve_adoption(file.adopt, environment)
        problems.extend(adoption_problems)
        environment = replace(environment, adoption=adoption)
    if problems:
        raise ConfigError("\n".join(line(source, *problem) for problem in problems))
    return environment


def _across_sections(env: Environment, now: datetime) -> list[Problem]:
    problems: list[Problem] = []
    problems.extend(audit_log_problems(
        env.key_vault.audit_logs, firewall_denies=env.key_vault.network_acls.default_action is NetworkDefaultAction.DENY))
    variables = {secret.variable: secret.declared_at for app in env.apps for secret in app.secrets if secret.variable}
    for receiver, webhook in (env.key_vault.expiry_notifications.webhook_receivers.items()
                              if env.key_vault.expiry_notifications else ()):
        if env.key_vault.write_only_secrets:
            problems.append((f"key_vault.expiry_notifications.webhook_receivers.{receiver}", webhook.variable, (
                "is not possible with key_vault.write_only_secrets: the action group keeps a webhook's URL, and the "
                "key in it, in the Terraform state of azure-<env> (service_uri has no write-only form), and this "
                "environment keeps no secret in state; use email_receivers, or a webhook without a key")))
            continue
        if webhook.variable in variables:
            problems.append((f"key_vault.expiry_notifications.webhook_receivers.{receiver}.variable", webhook.variable,
                             f"is also the variable of {variables[webhook.variable]}: TF_VAR_{webhook.variable} would "
                             "give both the same value; give the webhook a variable of its own"))
    problems.extend(expired_secret_problems(
        [(secret.declared_at, secret.expiration_date) for app in env.apps for secret in app.secrets
         if secret.expiration_date], now))
    if env.role_assignment_count > env.azure.role_assignment_budget:
        problems.append(("apps", MISSING, (
            f"the environment needs {env.role_assignment_count:,} role assignments (one per secret of each isolated "
            f"app), above azure.role_assignment_budget ({env.azure.role_assignment_budget:,}; Azure allows "
            f"{AZURE_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION:,} per subscription, shared by everything in it): share a "
            "vault among fewer isolated apps, move environments to subscriptions of their own, or raise the budget")))
    if env.delivery.mode is DeliveryMode.GITOPS and not env.azure.tenant_id:
        problems.append(("azure.tenant_id", MISSING, (
            "is required with delivery.mode 'gitops': the ClusterSecretStore is rendered to a YAML file, so the "
            "tenant must be known when synthesizing (`az account show --query tenantId`)")))
    if env.key_vault.write_only_secrets and env.eso.auth is EsoAuth.SERVICE_PRINCIPAL and env.apps:
        problems.append(("key_vault.write_only_secrets", True, (
            "needs eso.auth 'workload_identity': with 'service_principal' Entra ID makes a client secret for ESO "
            "(and for each isolated app), and Terraform keeps it in the state of azure-<env> and of the stacks that "
            "read it (azuread_application_password has no write-only form), so this environment would still keep "
            "secrets in state (docs/secrets-in-state.md)")))
    if env.eso.auth is EsoAuth.WORKLOAD_IDENTITY and not env.cluster.oidc_issuer_url:
        problems.append(("cluster.oidc_issuer_url", MISSING, (
            "is required with eso.auth 'workload_identity' (the cluster's OIDC issuer, from "
            "`az aks show --query oidcIssuerProfile.issuerUrl`)")))
    return problems


def load_environments(directory: Path, names: list[str] | None = None, *, root: Path | None = None,
                      now: datetime | None = None) -> list[Environment]:
    """Load ``<directory>/<name>.yaml`` for each name (all files when ``names`` is empty), sorted by name.

    Every file is parsed before anything is returned, so a bad file stops the run before a stack is built. The
    vault names are checked against every file of the folder, also those not loaded (see
    :func:`check_key_vault_names_are_unique`).
    """
    root = root or directory.parent
    available = {path.stem: path for path in sorted(directory.glob("*.yaml"))}
    wanted = names or sorted(available)
    if not wanted:
        raise ConfigError(f"{_relative(directory, root)}: no environment files (*.yaml) found")
    environments = []
    for name in wanted:
        if name not in available:
            known = ", ".join(sorted(available)) or "none"
            raise ConfigError(f"{_relative(directory, root)}: no environment {name!r} (known: {known})")
        path = available[name]
        environments.append(parse_environment(_relative(path, root), path.read_text(encoding="utf-8"), now=now))
    claims = [(env.source, env.key_vault.name) for env in environments]
    for name, path in available.items():
        if name not in wanted:
            claims.extend((_relative(path, root), vault) for vault in _declared_vault_name(path))
    check_key_vault_names_are_unique(claims)
    return environments


def check_key_vault_names_are_unique(claims: list[tuple[str, str]]) -> None:
    """Two environment files may not name the same vault: Key Vault names are globally unique and case-insensitive,
    so the second deploy would fail (or, with the first one's vault deleted, take it over).

    ``claims`` are (file, key_vault.name); the later file in name order is reported, naming the earlier one.
    """
    seen: dict[str, tuple[str, str]] = {}
    problems = []
    for source, vault in sorted(claims):
        other = seen.get(vault.lower())
        if other:
            problems.append(line(source, "key_vault.name", vault, (
                f"is also the vault of {other[0]} ({other[1]!r}; Key Vault names are globally unique, ignoring "
                "case): give each environment a vault of its own")))
        seen.setdefault(vault.lower(), (source, vault))
    if problems:
        raise ConfigError("\n".join(problems))


def _declared_vault_name(path: Path) -> list[str]:
    """The vault name a file not selected for this run declares, read without validating the rest of it.

    Synthesizing one environment (``--env dev``) must not take a vault another file claims, but a half-written
    sibling file must not block it either: its own errors are reported when it is loaded (``make test`` and a full
    ``make synth`` load every file).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return []
    vault = data.get("key_vault") if isinstance(data, dict) else None
    name = vault.get("name") if isinstance(vault, dict) else None
    return [name] if isinstance(name, str) else []


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
