"""Settings of the applications whose secrets live in the environment's vault.

An app declares its secrets by key; each becomes the vault secret ``<app>-<key>``:
* ``static_secrets``: values that are not secret but belong with the others (user name, host, database name);
* ``random_secrets``: values Terraform generates (``random_password``), rotated by bumping ``version``;
* ``sensitive_secrets``: values a person supplies at apply time through a sensitive Terraform variable
  (``TF_VAR_<variable>`` or an HCP Terraform workspace variable), never in the file.
The app's ExternalSecret maps them to Kubernetes keys in the app's namespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from config.eso import DNS_LABEL_RULE, Isolation, check_dns_label
from config.reader import MISSING, Section, check_pattern, fail
from config.secret_values import HIDDEN, check_tags_hold_no_secret, secret_detector, template_literals

# -- models ---------------------------------------------------------------------------------------------------


class SecretKind(Enum):
    STATIC = "static"
    RANDOM = "random"
    SENSITIVE = "sensitive"


class CreationPolicy(Enum):
    OWNER = "Owner"
    ORPHAN = "Orphan"
    MERGE = "Merge"
    NONE = "None"


class DeletionPolicy(Enum):
    RETAIN = "Retain"
    DELETE = "Delete"
    MERGE = "Merge"


@dataclass(frozen=True)
class RandomPolicy:
    """How a random secret is generated. The default is 32 characters that need no escaping in a URL, a
    connection string or a shell: letters, digits, '-' and '_' (https://www.rfc-editor.org/rfc/rfc3986#section-2.3)."""

    length: int = 32
    special: bool = True
    override_special: str = "-_"
    min_lower: int = 1
    min_upper: int = 1
    min_numeric: int = 1
    min_special: int = 0


@dataclass(frozen=True)
class SecretSpec:
    """One vault secret of an app."""

    key: str
    vault_name: str
    kind: SecretKind
    # Where it was declared, for messages: "apps.myapp.static_secrets.db-host".
    declared_at: str
    value: str | None = None
    variable: str | None = None
    random: RandomPolicy | None = None
    # Bump to rotate: a new random value, or a new write of the supplied value.
    version: int = 1
    content_type: str = "text/plain"
    expiration_date: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExternalSecretSettings:
    """The app's ExternalSecret (https://external-secrets.io/latest/api/externalsecret/)."""

    target_name: str
    refresh_interval: str = "1h"
    creation_policy: CreationPolicy = CreationPolicy.OWNER
    deletion_policy: DeletionPolicy = DeletionPolicy.RETAIN
    # (Kubernetes key, app secret key), in file order.
    data: tuple[tuple[str, str], ...] = ()
    # Derived Kubernetes keys: name -> Go template over the data keys ("{{ .POSTGRES_PASSWORD }}").
    template: dict[str, str] = field(default_factory=dict)

    @property
    def refresh_interval_seconds(self) -> float:
        return duration_seconds(self.refresh_interval)


@dataclass(frozen=True)
class AppSettings:
    name: str
    # The Kubernetes namespace the app's secrets are synced into (defaults to the app's name).
    namespace: str
    secrets: tuple[SecretSpec, ...] = ()
    external_secret: ExternalSecretSettings | None = None
    # Create the namespace (in stack eso-<env>; off: the app's own deployment usually owns its namespace).
    create_namespace: bool = False
    isolation: Isolation = Isolation.SHARED
    # Isolated apps: the Kubernetes service account (workload identity) or Secret (service principal) in the app's
    # namespace that the app's SecretStore signs in with.
    service_account: str = ""

    @property
    def isolated(self) -> bool:
        return self.isolation is Isolation.ISOLATED

    @property
    def secret_store_name(self) -> str:
        """The app's namespaced SecretStore (isolated apps)."""
        return f"azure-kv-{self.name}"

    def secret(self, key: str) -> SecretSpec:
        return next(secret for secret in self.secrets if secret.key == key)


# -- rules ----------------------------------------------------------------------------------------------------

SECRET_KEY_RULE = "letters, digits and single dashes, starting and ending with a letter or digit"
check_secret_key = check_pattern(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*", SECRET_KEY_RULE)
VAULT_SECRET_NAME_RULE = "1-127 letters, digits and dashes"
_VAULT_SECRET_NAME = re.compile(r"[A-Za-z0-9-]{1,127}")

VARIABLE_RULE = "a Terraform variable name: letters, digits, '_' and '-', starting with a letter or '_'"
check_variable = check_pattern(r"[A-Za-z_][A-Za-z0-9_-]*", VARIABLE_RULE)

K8S_KEY_RULE = "a Kubernetes Secret key: letters, digits, '-', '_' and '.'"
check_k8s_key = check_pattern(r"[-._a-zA-Z0-9]{1,253}", K8S_KEY_RULE)

SPECIAL_RULE = "punctuation characters other than quotes, backslash and space"
check_special = check_pattern(r"[!#$%&()*+,\-./:;<=>?@\[\]^_{|}~]+", SPECIAL_RULE)

CONTENT_TYPE_RULE = "at most 255 characters, such as 'text/plain'"

DURATION_RULE = "a duration such as '1h', '30m' or '1h30m' (Go syntax), at least 1m"
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}

# Key names that say "this is a secret": such a value must not be written in an environment file.
_SECRET_WORDS = re.compile(r"(password|passwd|pwd|secret|token|api-?key|private-?key|credential|connection-?string)", re.I)

# Key Vault throttles at 4,000 GET/LIST transactions per vault per 10 seconds
# (https://learn.microsoft.com/azure/key-vault/general/service-limits); ESO makes one GET per data entry per
# refresh. Steady load from ExternalSecrets may use at most this share, leaving room for bursts (every
# ExternalSecret refreshes at once when ESO restarts), deployments and other clients.
KEY_VAULT_GETS_PER_SECOND = 400
SAFE_SHARE = 0.25


def duration_seconds(value: str) -> float:
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _DURATION_PART.findall(value))


def check_duration(value: str) -> str | None:
    if not re.fullmatch(r"(\d+(?:\.\d+)?(ns|us|µs|ms|s|m|h))+", value) or duration_seconds(value) < 60:
        return f"must be {DURATION_RULE}"
    return None


def check_expiration_date(value: str) -> str | None:
    problem = "must be a UTC date and time in RFC 3339 form, such as '2027-12-31T00:00:00Z'"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", value):
        return problem
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return problem
    return None


def check_content_type(value: str) -> str | None:
    return None if 1 <= len(value) <= 255 else f"must be {CONTENT_TYPE_RULE}"


def default_k8s_key(secret_key: str) -> str:
    """``db-password`` -> ``DB_PASSWORD``: the environment-variable style most apps read."""
    return secret_key.upper().replace("-", "_")


# -- parsing --------------------------------------------------------------------------------------------------


METADATA_KEYS = ("content_type", "expiration_date", "tags")


def _metadata(section: Section, app: str, kind: SecretKind) -> dict[str, Any]:
    tags = section.string_map("tags", rule="a tag value")
    check_tags_hold_no_secret(section, tags)
    return {
        "content_type": section.string("content_type", "text/plain", rule=CONTENT_TYPE_RULE, check=check_content_type),
        "expiration_date": section.string(
            "expiration_date", None, rule="an RFC 3339 UTC date", check=check_expiration_date
        ),
        "tags": {"app": app, "source": kind.value, **tags},
    }


def _vault_name(section: Section, app: str, key: str) -> str:
    problem = check_secret_key(key)
    if problem:
        section.fail(key, key, f"secret keys must be {SECRET_KEY_RULE}")
    name = f"{app}-{key}"
    if not _VAULT_SECRET_NAME.fullmatch(name):
        section.fail(key, name, f"the vault secret name '<app>-<key>' must be {VAULT_SECRET_NAME_RULE}")
    return name


def _versioned_spec(
    section: Section, entry: Section, app: str, key: str, name: str, kind: SecretKind, **value_source: Any
) -> SecretSpec:
    """A generated or supplied secret: its value source, rotation ``version`` and metadata, read from ``entry``."""
    version = entry.integer("version", 1, minimum=1, maximum=1_000_000)
    metadata = _metadata(entry, app, kind)
    entry.done()
    return SecretSpec(
        key=key, vault_name=name, kind=kind, declared_at=section.field(key), version=version, **value_source, **metadata
    )


def _supply_instead(app: str, key: str) -> str:
    return (
        f"generate it with random_secrets ({key}: {{}}), or supply it at apply time with sensitive_secrets "
        f"({key}: {{variable: {app.replace('-', '_')}_{key.replace('-', '_')}}}) and TF_VAR_<variable>"
    )


def check_static_value_is_not_secret(
    section: Section, key: str, value: str, app: str, secret_key: str, allowed_because: str | None
) -> None:
    """A static value is written into Git, cdktf.out and the plan: one that detect-secrets takes for a secret is
    refused (config/secret_values.py), unless ``allow_secret_like`` says why it is public. ``key`` is where the
    value is written in ``section``: the secret's key, or ``value`` in the mapping form."""
    detector = secret_detector(value, secret_key)
    if detector and not allowed_because:
        section.fail(
            key,
            HIDDEN,
            f"looks like a secret ({detector}), and a secret value never goes into an environment file: "
            f"{_supply_instead(app, secret_key)}; a value that only looks secret (a public host name with a "
            "token-like label) is written {value: ..., allow_secret_like: <why it is not a secret>}",
        )
    if allowed_because and not detector:
        section.fail(
            "allow_secret_like",
            allowed_because,
            "is given, but no detector takes the value for a secret: remove it, so that a secret written here "
            "later is refused",
        )


ALLOW_SECRET_LIKE_RULE = "the reason the value is public although it looks secret, such as 'public CDN host name'"


def check_reason(value: str) -> str | None:
    return None if len(value.strip()) >= 10 else f"must be {ALLOW_SECRET_LIKE_RULE} (at least 10 characters)"


def _parse_static(section: Section, app: str) -> list[SecretSpec]:
    secrets = []
    for key in section.keys():
        name = _vault_name(section, app, key)
        if _SECRET_WORDS.search(key):
            section.fail(
                key,
                HIDDEN,
                f"looks like a secret, and a secret value never goes into an environment file: {_supply_instead(app, key)}",
            )
        if isinstance(section.raw[key], dict):
            entry = section.section(key)
            entry.expect("value", "allow_secret_like", *METADATA_KEYS)
            value = entry.string("value", rule="a value that is not secret (a user name, a host)")
            allowed_because = entry.string("allow_secret_like", None, rule=ALLOW_SECRET_LIKE_RULE, check=check_reason)
            check_static_value_is_not_secret(entry, "value", value, app, key, allowed_because)
            metadata = _metadata(entry, app, SecretKind.STATIC)
            entry.done()
        else:
            value = section.string(key, rule="a value that is not secret, or a mapping with 'value'")
            check_static_value_is_not_secret(section, key, value, app, key, None)
            metadata = {"content_type": "text/plain", "expiration_date": None, "tags": {"app": app, "source": "static"}}
        secrets.append(
            SecretSpec(
                key=key, vault_name=name, kind=SecretKind.STATIC, declared_at=section.field(key), value=value, **metadata
            )
        )
    section.done()
    return secrets


def _parse_random(section: Section, app: str) -> list[SecretSpec]:
    secrets = []
    for key in section.keys():
        name = _vault_name(section, app, key)
        entry = section.section(key)
        entry.expect(
            "length", "special", "override_special", "min_lower", "min_upper", "min_numeric", "min_special",
            "version", *METADATA_KEYS,
        )
        defaults = RandomPolicy()
        policy = RandomPolicy(
            length=entry.integer("length", defaults.length, minimum=16, maximum=256, unit="characters"),
            special=entry.boolean("special", defaults.special),
            override_special=entry.string("override_special", defaults.override_special, rule=SPECIAL_RULE, check=check_special),
            min_lower=entry.integer("min_lower", defaults.min_lower, minimum=0, maximum=64),
            min_upper=entry.integer("min_upper", defaults.min_upper, minimum=0, maximum=64),
            min_numeric=entry.integer("min_numeric", defaults.min_numeric, minimum=0, maximum=64),
            min_special=entry.integer("min_special", defaults.min_special, minimum=0, maximum=64),
        )
        minimums = policy.min_lower + policy.min_upper + policy.min_numeric + policy.min_special
        if minimums > policy.length:
            entry.fail("length", policy.length, f"must be at least the sum of the min_* settings ({minimums})")
        if policy.min_special and not policy.special:
            entry.fail("min_special", policy.min_special, "must be 0 when special is false")
        secrets.append(_versioned_spec(section, entry, app, key, name, SecretKind.RANDOM, random=policy))
    section.done()
    return secrets


def _parse_sensitive(section: Section, app: str) -> list[SecretSpec]:
    secrets = []
    for key in section.keys():
        name = _vault_name(section, app, key)
        if not isinstance(section.raw[key], dict):
            section.fail(
                key,
                "<not shown>",
                f"must be a mapping naming the sensitive Terraform variable that supplies the value at apply time, "
                f"such as {{variable: {app.replace('-', '_')}_{key.replace('-', '_')}}}; the value itself never "
                "goes into an environment file",
            )
        entry = section.section(key)
        entry.expect("variable", "value", "version", *METADATA_KEYS)
        if entry.has("value"):
            entry.fail(
                "value",
                "<not shown>",
                "a secret value never goes into an environment file: name a sensitive Terraform variable with "
                "'variable' and give its value at apply time (TF_VAR_<variable>, or an HCP Terraform workspace "
                "variable marked sensitive)",
            )
        variable = entry.string("variable", rule=VARIABLE_RULE, check=check_variable)
        secrets.append(_versioned_spec(section, entry, app, key, name, SecretKind.SENSITIVE, variable=variable))
    section.done()
    return secrets


_TEMPLATE_REFERENCE = re.compile(r"\{\{[^}]*?\.([A-Za-z0-9_.-]+)[^}]*\}\}")


def _parse_external_secret(section: Section, app: str, secrets: list[SecretSpec]) -> ExternalSecretSettings:
    section.expect(
        "target_name", "refresh_interval", "creation_policy", "deletion_policy", "data", "template"
    )
    keys = {secret.key for secret in secrets}
    data_section = section.section("data")
    if section.has("data"):
        data = []
        for k8s_key in data_section.keys():
            problem = check_k8s_key(k8s_key)
            if problem:
                data_section.fail(k8s_key, k8s_key, problem)
            secret_key = data_section.string(k8s_key, rule="the key of one of the app's secrets")
            if secret_key not in keys:
                known = ", ".join(sorted(keys)) or "none"
                data_section.fail(k8s_key, secret_key, f"is not a secret of app '{app}' (declared: {known})")
            data.append((k8s_key, secret_key))
        data_section.done()
    else:
        data = [(default_k8s_key(secret.key), secret.key) for secret in secrets]
    template = section.string_map("template", rule="a Go template over the data keys", check_key=check_k8s_key)
    data_keys = {k8s_key for k8s_key, _ in data}
    for name, text in template.items():
        check_template_holds_no_secret(section, name, text)
        for reference in _TEMPLATE_REFERENCE.findall(text):
            if reference not in data_keys:
                section.fail(
                    f"template.{name}",
                    text,
                    f"refers to '.{reference}', which is not a data key of this ExternalSecret "
                    f"({', '.join(sorted(data_keys)) or 'none'})",
                )
        if name in data_keys:
            section.fail(f"template.{name}", text, "has the same name as a data key; give the derived key its own name")
    settings = ExternalSecretSettings(
        target_name=section.string("target_name", app, rule=DNS_LABEL_RULE, check=check_dns_label),
        refresh_interval=section.string("refresh_interval", "1h", rule=DURATION_RULE, check=check_duration),
        creation_policy=section.choice("creation_policy", CreationPolicy, CreationPolicy.OWNER),
        deletion_policy=section.choice("deletion_policy", DeletionPolicy, DeletionPolicy.RETAIN),
        data=tuple(data),
        template=template,
    )
    # Rules ESO's admission webhook enforces (the CRD schema cannot): see ../shared/eso/README.md.
    if settings.deletion_policy is DeletionPolicy.DELETE and settings.creation_policy is not CreationPolicy.OWNER:
        section.fail("deletion_policy", "Delete", "requires creation_policy 'Owner'")
    if settings.deletion_policy is DeletionPolicy.MERGE and settings.creation_policy is CreationPolicy.NONE:
        section.fail("deletion_policy", "Merge", "cannot go with creation_policy 'None'")
    if not settings.data:
        section.fail("data", MISSING, f"app '{app}' declares no secrets, so its ExternalSecret would have no data")
    section.done()
    return settings


def check_template_holds_no_secret(section: Section, name: str, text: str) -> None:
    """A template is written into the ExternalSecret (Git or cdktf.out): its literal text, outside the ``{{ }}``
    actions, must not hold a secret."""
    detector = secret_detector(template_literals(text), name)
    if detector:
        section.fail(
            f"template.{name}",
            HIDDEN,
            f"holds a literal that looks like a secret ({detector}), and a secret value never goes into an "
            "environment file: declare it as a random or sensitive secret of the app and refer to its data key, "
            "as in {{ .POSTGRES_PASSWORD }}",
        )


def parse_app(section: Section, name: str, default_isolation: Isolation = Isolation.SHARED) -> AppSettings:
    section.expect(
        "namespace", "create_namespace", "isolation", "service_account", "static_secrets", "random_secrets",
        "sensitive_secrets", "external_secret",
    )
    namespace = section.string("namespace", name, rule=DNS_LABEL_RULE, check=check_dns_label)
    create_namespace = section.boolean("create_namespace", False)
    isolation = section.choice("isolation", Isolation, default_isolation)
    service_account = section.string(
        "service_account", f"external-secrets-{name}"[:63].rstrip("-"), rule=DNS_LABEL_RULE, check=check_dns_label
    )
    secrets = [
        *_parse_static(section.section("static_secrets"), name),
        *_parse_random(section.section("random_secrets"), name),
        *_parse_sensitive(section.section("sensitive_secrets"), name),
    ]
    _refuse_duplicate_keys(section.file, secrets)
    external_secret = _parse_external_secret(section.section("external_secret"), name, secrets) if secrets else None
    settings = AppSettings(
        name=name,
        namespace=namespace,
        secrets=tuple(secrets),
        external_secret=external_secret,
        create_namespace=create_namespace,
        isolation=isolation,
        service_account=service_account,
    )
    section.done()
    return settings


def _refuse_duplicate_keys(file: str, secrets: list[SecretSpec]) -> None:
    seen: dict[str, SecretSpec] = {}
    for secret in secrets:
        if secret.key in seen:
            fail(file, secret.declared_at, MISSING, f"is also declared as {seen[secret.key].declared_at}")
        seen[secret.key] = secret


def parse_apps(section: Section, default_isolation: Isolation = Isolation.SHARED) -> tuple[AppSettings, ...]:
    apps = []
    for name in section.keys():
        if check_dns_label(name):
            section.fail(name, name, f"app names must be {DNS_LABEL_RULE}")
        apps.append(parse_app(section.section(name), name, default_isolation))
    section.done()
    check_vault_names_are_unique(section.file, apps)
    check_variables_are_unique(section.file, apps)
    check_vault_request_rate(section.file, apps)
    check_isolated_namespaces(section.file, apps)
    return tuple(sorted(apps, key=lambda app: app.name))


def check_isolated_namespaces(file: str, apps: list[AppSettings]) -> None:
    """An isolated app's namespace holds its own identity and SecretStore: sharing it with another app would let
    that app use them."""
    by_namespace: dict[str, AppSettings] = {}
    for app in apps:
        other = by_namespace.get(app.namespace)
        if other and (app.isolated or other.isolated):
            fail(
                file,
                f"apps.{app.name}.namespace",
                app.namespace,
                f"is also the namespace of app '{other.name}': an isolated app needs a namespace of its own, or "
                "the other app could use its SecretStore",
            )
        by_namespace[app.namespace] = app


def check_vault_names_are_unique(file: str, apps: list[AppSettings]) -> None:
    """Two declarations that map to the same vault secret name would overwrite each other. Key Vault secret names
    are case-insensitive."""
    seen: dict[str, SecretSpec] = {}
    for app in apps:
        for secret in app.secrets:
            other = seen.get(secret.vault_name.lower())
            if other:
                fail(
                    file,
                    secret.declared_at,
                    MISSING,
                    f"maps to vault secret '{secret.vault_name}', which {other.declared_at} maps to as well "
                    f"('{other.vault_name}'; Key Vault secret names are case-insensitive): rename one of the two",
                )
            seen[secret.vault_name.lower()] = secret


def check_variables_are_unique(file: str, apps: list[AppSettings]) -> None:
    """One sensitive Terraform variable supplies one secret: two secrets naming the same variable are refused."""
    seen: dict[str, SecretSpec] = {}
    for app in apps:
        for secret in app.secrets:
            if secret.variable is None:
                continue
            other = seen.get(secret.variable)
            if other:
                fail(
                    file,
                    f"{secret.declared_at}.variable",
                    secret.variable,
                    f"is also the variable of {other.declared_at}: give each secret its own variable",
                )
            seen[secret.variable] = secret


def vault_request_rate(apps: tuple[AppSettings, ...] | list[AppSettings]) -> float:
    """Steady GET requests per second that the apps' ExternalSecrets make to the vault."""
    return sum(
        len(app.external_secret.data) / app.external_secret.refresh_interval_seconds
        for app in apps
        if app.external_secret
    )


def check_vault_request_rate(file: str, apps: list[AppSettings]) -> None:
    rate = vault_request_rate(apps)
    limit = KEY_VAULT_GETS_PER_SECOND * SAFE_SHARE
    if rate > limit:
        fail(
            file,
            "apps",
            MISSING,
            f"the ExternalSecrets would read the vault {rate:.0f} times per second, above the safe share of Key "
            f"Vault's limit ({limit:.0f} of {KEY_VAULT_GETS_PER_SECOND} GET per second): raise refresh_interval "
            "or spread the apps over more vaults",
        )
