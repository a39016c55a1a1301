"""Settings of the applications whose secrets live in the environment's vault.

An app declares its secrets by key; each becomes the vault secret ``<app>-<key>``:
* ``static_secrets``: values that are not secret but belong with the others (user name, host, database name);
* ``random_secrets``: values Terraform generates (``random_password``), rotated by bumping ``version``;
* ``sensitive_secrets``: values a person supplies at apply time through a sensitive Terraform variable
  (``TF_VAR_<variable>`` or an HCP Terraform workspace variable), never in the file.
The app's ExternalSecret maps them to Kubernetes keys in the app's namespace.

:class:`AppFile` is the app as its file writes it; :func:`resolve_apps` derives the :class:`AppSettings` that
stacks read (names, defaults that depend on the app's name or on ``eso.app_isolation``) and checks the rules that
span secrets or apps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, ClassVar, Union

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, model_validator

from config.eso import DNS_LABEL_RULE, DNS_LABEL_PATTERN, DnsLabel, Isolation
from config.kubernetes_metadata import Annotations, Labels
from config.secret_types import SecretType, missing_keys
from config.reader import (
    HIDDEN, MISSING, Flag, Rule, Settings, Variants, choice, pattern_check, problem, settings, sorted_map, text, whole,
)
from config.secret_values import refuse_secret_tags, refuse_secret_template_literals, secret_detector


class SecretKind(Enum):
    STATIC = "static"
    RANDOM = "random"
    SENSITIVE = "sensitive"


class CreationPolicy(Enum):
    OWNER = "Owner"
    ORPHAN = "Orphan"
    MERGE = "Merge"
    NONE = "None"


class RefreshPolicy(Enum):
    """How ESO keeps the Secret in step with the vault (https://external-secrets.io/latest/api/externalsecret/):
    every ``refresh_interval`` (Periodic), once when the Secret is first created (CreatedOnce), or only when the
    ExternalSecret itself changes (OnChange). CreatedOnce and OnChange read the vault on those events only."""

    PERIODIC = "Periodic"
    CREATED_ONCE = "CreatedOnce"
    ON_CHANGE = "OnChange"


class DeletionPolicy(Enum):
    RETAIN = "Retain"
    DELETE = "Delete"
    MERGE = "Merge"


# -- rules ----------------------------------------------------------------------------------------------------

SECRET_KEY_RULE = "letters, digits and single dashes, starting and ending with a letter or digit"
SECRET_KEY_PATTERN = r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"
check_secret_key = pattern_check(SECRET_KEY_PATTERN, SECRET_KEY_RULE)
SecretKey = text(SECRET_KEY_RULE, SECRET_KEY_PATTERN, explain=lambda _: f"secret keys must be {SECRET_KEY_RULE}")
VAULT_SECRET_NAME_RULE = "1-127 letters, digits and dashes"
AppName = text(DNS_LABEL_RULE, DNS_LABEL_PATTERN, explain=lambda _: f"app names must be {DNS_LABEL_RULE}")
Variable = text("a Terraform variable name: letters, digits, '_' and '-', starting with a letter or '_'",
                r"^[A-Za-z_][A-Za-z0-9_-]*$")
K8sKey = text("a Kubernetes Secret key: letters, digits, '-', '_' and '.'", r"^[-._a-zA-Z0-9]{1,253}$")
Special = text("punctuation characters other than quotes, backslash and space", r"^[-!#$%&()*+,./:;<=>?@\[\]^_{|}~]+$")
ContentType = text("at most 255 characters, such as 'text/plain'", min_length=1, max_length=255)

DURATION_RULE = "a duration such as '1h', '30m' or '1h30m' (Go syntax), at least 1m"
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def duration_seconds(value: str) -> float:
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _DURATION_PART.findall(value))


Duration = text(DURATION_RULE, r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$",
                check=lambda value: f"must be {DURATION_RULE}" if duration_seconds(value) < 60 else None)


_NO_DATE = "must be a UTC date and time in RFC 3339 form, such as '2027-12-31T00:00:00Z'"


def _check_date(value: str) -> str | None:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # the form is right, the date does not exist (2027-02-30)
        return _NO_DATE
    return None


ExpirationDate = text("an RFC 3339 UTC date", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                      explain=lambda _: _NO_DATE, check=_check_date)

# Key names that say "this is a secret": such a value must not be written in an environment file.
_SECRET_WORDS = re.compile(r"(password|passwd|pwd|secret|token|api-?key|private-?key|credential|connection-?string)", re.I)

# Key Vault throttles at 4,000 GET/LIST transactions per vault per 10 seconds
# (https://learn.microsoft.com/azure/key-vault/general/service-limits); ESO makes one GET per data entry per
# refresh. Steady load from ExternalSecrets may use at most this share, leaving room for bursts (every
# ExternalSecret refreshes at once when ESO restarts), deployments and other clients.
KEY_VAULT_GETS_PER_SECOND = 400
SAFE_SHARE = 0.25


def may_hold_a_secret(loc: tuple) -> bool:
    """Whether a value at this location of the file may be a secret, so that no message shows it: a static secret
    whose key names a secret. (A sensitive secret's value has no place in the file: its messages never show it.)"""
    return len(loc) > 3 and loc[0] == "apps" and loc[2] == "static_secrets" and bool(_SECRET_WORDS.search(str(loc[3])))


def default_k8s_key(secret_key: str) -> str:
    """``db-password`` -> ``DB_PASSWORD``: the environment-variable style most apps read."""
    return secret_key.upper().replace("-", "_")


def _variable_for(app: str, key: str) -> str:
    return f"{app.replace('-', '_')}_{key.replace('-', '_')}"


# -- the file's models ----------------------------------------------------------------------------------------


@settings
class SecretMetadata(Settings):
    content_type: ContentType = Field("text/plain", description="The vault secret's content type.")
    expiration_date: ExpirationDate | None = Field(None, description="UTC RFC 3339, such as 2027-12-31T00:00:00Z.")
    tags: Annotated[sorted_map(str, text("a tag value")), AfterValidator(refuse_secret_tags)] = Field(
        default_factory=dict, description="Tags of the vault secret ('app' and 'source' are added)."
    )


ALLOW_SECRET_LIKE_RULE = "the reason the value is public although it looks secret, such as 'public CDN host name'"


@settings
class StaticSecret(SecretMetadata):
    value: text("a value that is not secret (a user name, a host)") = Field(description="The value, not secret.")
    allow_secret_like: text(ALLOW_SECRET_LIKE_RULE, r"^\s*\S.{8,}\S\s*$", explain=lambda _: (
        f"must be {ALLOW_SECRET_LIKE_RULE} (at least 10 characters)")) | None = Field(
        None, description="Why a value that detect-secrets takes for a secret is public (a host name with a "
        "token-like label); refused when no detector flags the value.",
    )


@settings
class RandomPolicy(Settings):
    """How a random secret is generated. The default is 32 characters that need no escaping in a URL, a
    connection string or a shell: letters, digits, '-' and '_' (https://www.rfc-editor.org/rfc/rfc3986#section-2.3)."""

    length: whole(16, 256, "characters") = Field(32, description="Characters; at least the sum of the min_* settings.")
    special: Flag = Field(True, description="Use the special characters of override_special.")
    override_special: Special = Field("-_", description="The special characters to use.")
    min_lower: whole(0, 64) = Field(1, description="At least this many lower-case letters.")
    min_upper: whole(0, 64) = Field(1, description="At least this many upper-case letters.")
    min_numeric: whole(0, 64) = Field(1, description="At least this many digits.")
    min_special: whole(0, 64) = Field(0, description="At least this many special characters (0 without special).")

    @model_validator(mode="after")
    def _minimums_fit(self) -> RandomPolicy:
        minimums = self.min_lower + self.min_upper + self.min_numeric + self.min_special
        if minimums > self.length:
            raise problem(f"must be at least the sum of the min_* settings ({minimums})", at=("length",), value=self.length)
        if self.min_special and not self.special:
            raise problem("must be 0 when special is false", at=("min_special",), value=self.min_special)
        return self


@settings
class VersionedSecret(SecretMetadata):
    version: whole(1, 1_000_000) = Field(
        1, description="Bump to rotate: a new random value, or (write-only vaults) a new write of the supplied value."
    )


@settings
class RandomSecret(RandomPolicy, VersionedSecret):
    """A value Terraform generates (``random_password``)."""


@settings
class SensitiveSecret(VersionedSecret):
    """A value supplied at apply time through the sensitive Terraform variable ``variable``."""

    refused: ClassVar[dict[str, tuple[bool, str]]] = {"value": (False, (
        "a secret value never goes into an environment file: name a sensitive Terraform variable with 'variable' and "
        "give its value at apply time (TF_VAR_<variable>, or an HCP Terraform workspace variable marked sensitive)"))}
    variable: Variable = Field(description="The sensitive Terraform variable that supplies the value (TF_VAR_<variable>).")


def _sensitive(value: Any) -> Any:
    if not isinstance(value, dict):
        raise problem(lambda path: (
            "must be a mapping naming the sensitive Terraform variable that supplies the value at apply time, such as "
            f"{{variable: {_variable_for(path.split('.')[1], path.split('.')[-1])}}}; the value itself never goes "
            "into an environment file"), shown=False)
    return value


# A static secret is written `key: value` or `key: {value: ..., ...}`: told apart by the form, not by a key.
_STATIC_FORMS = {"text": text("a value that is not secret, or a mapping with 'value'"), "mapping": StaticSecret}
StaticValue = Annotated[
    Union[tuple(Annotated[form, Tag(tag)] for tag, form in _STATIC_FORMS.items())],
    Discriminator(lambda value: "mapping" if isinstance(value, (dict, StaticSecret)) else "text"),
    Variants("form", _STATIC_FORMS, Rule("a value or a mapping")),
]
RandomValue = Annotated[RandomSecret, BeforeValidator(lambda v: {} if v is None else v,
                                                      json_schema_input_type=RandomSecret | None)]
SensitiveValue = Annotated[SensitiveSecret, BeforeValidator(_sensitive)]


@settings
class ExternalSecretFile(Settings):
    """The app's ExternalSecret (https://external-secrets.io/latest/api/externalsecret/)."""

    name: DnsLabel | None = Field(
        None, description="The ExternalSecret's own name (one made by hand keeps its name). Default: the app's name."
    )
    target_name: DnsLabel | None = Field(None, description="The Kubernetes Secret ESO writes. Default: the app's name.")
    refresh_policy: choice(RefreshPolicy) = Field(
        RefreshPolicy.PERIODIC,
        description="Periodic: every refresh_interval; CreatedOnce: once, when the Secret is created; OnChange: when "
        "the ExternalSecret changes. CreatedOnce and OnChange add no steady vault reads.",
    )
    refresh_interval: Duration = Field("1h", description="How often ESO reads the vault (refresh_policy Periodic).")
    creation_policy: choice(CreationPolicy) = Field(CreationPolicy.OWNER, description="ESO's creationPolicy.")
    deletion_policy: choice(DeletionPolicy) = Field(
        DeletionPolicy.RETAIN, description="ESO's deletionPolicy: Delete needs Owner, Merge not with None."
    )
    data: dict[K8sKey, text("the key of one of the app's secrets")] | None = Field(
        None, description="Kubernetes key -> secret key. Default: every secret, as DB_PASSWORD for db-password."
    )
    template: Annotated[sorted_map(K8sKey, text("a Go template over the data keys")),
                        AfterValidator(refuse_secret_template_literals)] = Field(
        default_factory=dict, description="Derived keys: Go templates over the data keys."
    )
    secret_type: SecretType | None = Field(
        None, description="The Secret's type (kubernetes.io/tls needs tls.crt and tls.key, ...). Default: Opaque."
    )
    secret_labels: Labels = Field(
        default_factory=dict, description="Labels of the Secret ESO writes (spec.target.template.metadata)."
    )
    secret_annotations: Annotations = Field(
        default_factory=dict, description="Annotations of the Secret, such as reloader.stakater.com/match: 'true' "
        "for Stakater Reloader (docs/apps.md#rollout).",
    )

    @model_validator(mode="before")
    @classmethod
    def _interval_only_when_periodic(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "refresh_interval" not in data:
            return data
        policy = data.get("refresh_policy", RefreshPolicy.PERIODIC.value)
        if policy in (RefreshPolicy.CREATED_ONCE.value, RefreshPolicy.ON_CHANGE.value):
            raise problem(
                f"is only read with refresh_policy 'Periodic' (this ExternalSecret's is '{policy}'): remove it, or "
                "set refresh_policy Periodic",
                at=("refresh_interval",), value=data["refresh_interval"],
            )
        return data

    @model_validator(mode="after")
    def _policies_go_together(self) -> ExternalSecretFile:
        # Rules ESO's admission webhook enforces (the CRD schema cannot): see ../shared/eso/README.md.
        if self.deletion_policy is DeletionPolicy.DELETE and self.creation_policy is not CreationPolicy.OWNER:
            raise problem("requires creation_policy 'Owner'", at=("deletion_policy",), value="Delete")
        if self.deletion_policy is DeletionPolicy.MERGE and self.creation_policy is CreationPolicy.NONE:
            raise problem("cannot go with creation_policy 'None'", at=("deletion_policy",), value="Merge")
        return self


class CertificateContentType(Enum):
    """How Key Vault stores the certificate's backing secret: its ``content_type`` when it was created or imported
    (Key Vault's default is PKCS#12)."""

    PKCS12 = "pkcs12"
    PEM = "pem"


CERTIFICATE_NAME_RULE = "a Key Vault certificate name: 1-127 letters, digits and dashes"
CertificateName = text(CERTIFICATE_NAME_RULE, r"^[0-9A-Za-z-]{1,127}$",
                       explain=lambda _: f"certificate names must be {CERTIFICATE_NAME_RULE}")


@settings
class CertificateFile(Settings):
    """A Key Vault certificate (created or imported in the vault, not by this project), synced into a
    ``kubernetes.io/tls`` Secret with ``tls.crt`` (the certificate and its chain) and ``tls.key``.

    ESO reads the certificate's backing secret ``secret/<name>``, which holds the certificate with its private key
    (``cert/<name>`` would give the public certificate alone). https://external-secrets.io/latest/provider/azure-key-vault/
    """

    target_name: DnsLabel | None = Field(
        None, description="The kubernetes.io/tls Secret ESO writes. Default: the certificate's name."
    )
    content_type: choice(CertificateContentType) = Field(
        CertificateContentType.PKCS12,
        description="pkcs12 (Key Vault's default, application/x-pkcs12) or pem (application/x-pem-file): how the "
        "certificate's backing secret holds it.",
    )
    refresh_interval: Duration = Field(
        "1h", description="How often ESO reads it; a certificate Key Vault renews reaches the Secret within this."
    )
    secret_annotations: Annotations = Field(
        default_factory=dict, description="Annotations of the Secret (reloader.stakater.com/match: 'true')."
    )


@settings
class AppFile(Settings):
    namespace: DnsLabel | None = Field(None, description="The namespace the secrets are synced into. Default: the app's name.")
    create_namespace: Flag = Field(
        False, description="Create the namespace (in stack eso-<env>; usually the app's own deployment owns it)."
    )
    isolation: choice(Isolation) | None = Field(
        None, description="shared or isolated (needs a namespace of its own). Default: eso.app_isolation."
    )
    service_account: DnsLabel | None = Field(
        None, description="Isolated apps: the service account (workload identity) or Secret (service principal) "
        "the app's SecretStore signs in with. Default: external-secrets-<app>.",
    )
    static_secrets: dict[SecretKey, StaticValue] = Field(
        default_factory=dict, description="Values that are not secret (a user name, a host): `key: value`, or "
        "a mapping with `value`. A key that names a secret (password, token, api-key, ...) is refused."
    )
    random_secrets: dict[SecretKey, RandomValue] = Field(
        default_factory=dict, description="Values Terraform generates: `key: {}` for 32 URL-safe characters."
    )
    sensitive_secrets: dict[SecretKey, SensitiveValue] = Field(
        default_factory=dict, description="Values supplied at apply time through sensitive Terraform variables; "
        "a `value` is refused."
    )
    external_secret: ExternalSecretFile | None = Field(None, description="The app's ExternalSecret.")
    certificates: dict[CertificateName, CertificateFile] = Field(
        default_factory=dict, description="Key Vault certificates (existing or imported, by name) -> a "
        "kubernetes.io/tls Secret each, through an ExternalSecret <app>-<certificate>.",
    )


# -- what stacks read -----------------------------------------------------------------------------------------


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
    # The ExternalSecret's own name ("": the app's name).
    name: str = ""
    refresh_policy: RefreshPolicy = RefreshPolicy.PERIODIC
    # The target Secret's type (None: Kubernetes' default, Opaque), labels and annotations.
    secret_type: str | None = None
    secret_labels: dict[str, str] = field(default_factory=dict)
    secret_annotations: dict[str, str] = field(default_factory=dict)

    @property
    def refresh_interval_seconds(self) -> float:
        return duration_seconds(self.refresh_interval)

    @property
    def periodic(self) -> bool:
        """Whether ESO reads the vault every refresh_interval (else only on creation or on a change)."""
        return self.refresh_policy is RefreshPolicy.PERIODIC


@dataclass(frozen=True)
class CertificateSpec:
    """One Key Vault certificate of an app, read through its backing secret ``secret/<name>``."""

    name: str
    target_name: str
    content_type: CertificateContentType = CertificateContentType.PKCS12
    refresh_interval: str = "1h"
    secret_annotations: dict[str, str] = field(default_factory=dict)

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
    certificates: tuple[CertificateSpec, ...] = ()

    @property
    def reads_the_vault(self) -> bool:
        """Whether the app has an ExternalSecret of its own or a certificate (each needs a store to read)."""
        return self.external_secret is not None or bool(self.certificates)

    @property
    def isolated(self) -> bool:
        return self.isolation is Isolation.ISOLATED

    @property
    def secret_store_name(self) -> str:
        """The app's namespaced SecretStore (isolated apps)."""
        return f"azure-kv-{self.name}"

    def secret(self, key: str) -> SecretSpec:
        return next(secret for secret in self.secrets if secret.key == key)


# (field path, value shown or MISSING, rule): a rule broken across secrets or apps.
Problem = tuple[str, Any, str]
_TEMPLATE_REFERENCE = re.compile(r"\{\{[^}]*?\.([A-Za-z0-9_.-]+)[^}]*\}\}")
_POLICY_FIELDS = tuple(RandomPolicy.__pydantic_fields__)


def _secrets(name: str, app: AppFile, problems: list[Problem]) -> list[SecretSpec]:
    declared: list[tuple[SecretKind, str, Any]] = [
        *((SecretKind.STATIC, key, entry) for key, entry in app.static_secrets.items()),
        *((SecretKind.RANDOM, key, entry) for key, entry in app.random_secrets.items()),
        *((SecretKind.SENSITIVE, key, entry) for key, entry in app.sensitive_secrets.items()),
    ]
    secrets: list[SecretSpec] = []
    for kind, key, entry in declared:
        at = f"apps.{name}.{kind.value}_secrets.{key}"
        vault_name = f"{name}-{key}"
        if len(vault_name) > 127:
            problems.append((at, vault_name, f"the vault secret name '<app>-<key>' must be {VAULT_SECRET_NAME_RULE}"))
        if kind is SecretKind.STATIC:
            problems.extend(_static_problems(name, key, at, entry))
            entry = StaticSecret(value=entry) if isinstance(entry, str) else entry
        secrets.append(SecretSpec(
            key=key, vault_name=vault_name, kind=kind, declared_at=at,
            value=getattr(entry, "value", None),
            variable=getattr(entry, "variable", None),
            random=RandomPolicy(**{f: getattr(entry, f) for f in _POLICY_FIELDS})
            if kind is SecretKind.RANDOM else None,
            version=getattr(entry, "version", 1),
            content_type=entry.content_type,
            expiration_date=entry.expiration_date,
            tags={"app": name, "source": kind.value, **entry.tags},
        ))
    first: dict[str, SecretSpec] = {}
    for secret in secrets:
        if secret.key in first:
            problems.append((secret.declared_at, MISSING, f"is also declared as {first[secret.key].declared_at}"))
        first.setdefault(secret.key, secret)
    return list(first.values())


def _supply_instead(app: str, key: str) -> str:
    return (f"generate it with random_secrets ({key}: {{}}), or supply it at apply time with sensitive_secrets "
            f"({key}: {{variable: {_variable_for(app, key)}}}) and TF_VAR_<variable>")


def _static_problems(app: str, key: str, at: str, entry: str | StaticSecret) -> list[Problem]:
    """A static value is written into Git, cdktf.out and the plan: a key that names a secret is refused, and so
    is a value that detect-secrets takes for a secret (config/secret_values.py), unless ``allow_secret_like`` says
    why it is public."""
    if _SECRET_WORDS.search(key):
        return [(at, HIDDEN, f"looks like a secret, and a secret value never goes into an environment file: "
                 f"{_supply_instead(app, key)}")]
    value, written, allowed_because = (
        (entry, at, None) if isinstance(entry, str) else (entry.value, f"{at}.value", entry.allow_secret_like)
    )
    detector = secret_detector(value, key)
    if detector and not allowed_because:
        return [(written, HIDDEN, (
            f"looks like a secret ({detector}), and a secret value never goes into an environment file: "
            f"{_supply_instead(app, key)}; a value that only looks secret (a public host name with a token-like "
            "label) is written {value: ..., allow_secret_like: <why it is not a secret>}"))]
    if allowed_because and not detector:
        return [(f"{at}.allow_secret_like", allowed_because, (
            "is given, but no detector takes the value for a secret: remove it, so that a secret written here later "
            "is refused"))]
    return []


def _external_secret(name: str, file: ExternalSecretFile, secrets: list[SecretSpec], problems: list[Problem]) -> ExternalSecretSettings:
    at = f"apps.{name}.external_secret"
    keys = {secret.key for secret in secrets}
    if file.data is None:
        data = tuple((default_k8s_key(secret.key), secret.key) for secret in secrets)
    else:
        data = tuple(file.data.items())
        for k8s_key, secret_key in data:
            if secret_key not in keys:
                problems.append((f"{at}.data.{k8s_key}", secret_key,
                                 f"is not a secret of app '{name}' (declared: {', '.join(sorted(keys)) or 'none'})"))
    data_keys = {k8s_key for k8s_key, _ in data}
    for key, template in file.template.items():
        for reference in _TEMPLATE_REFERENCE.findall(template):
            if reference not in data_keys:
                problems.append((f"{at}.template.{key}", template, (
                    f"refers to '.{reference}', which is not a data key of this ExternalSecret "
                    f"({', '.join(sorted(data_keys)) or 'none'})")))
        if key in data_keys:
            problems.append((f"{at}.template.{key}", template, "has the same name as a data key; give the derived key its own name"))
    if file.secret_type:
        missing = missing_keys(file.secret_type, data_keys | set(file.template))
        if missing:
            problems.append((f"{at}.secret_type", file.secret_type, missing))
    if not data:
        problems.append((f"{at}.data", MISSING, f"app '{name}' declares no secrets, so its ExternalSecret would have no data"))
    return ExternalSecretSettings(
        name=file.name or name,
        target_name=file.target_name or name,
        refresh_interval=file.refresh_interval,
        creation_policy=file.creation_policy,
        deletion_policy=file.deletion_policy,
        data=data,
        template=file.template,
        refresh_policy=file.refresh_policy,
        secret_type=file.secret_type,
        secret_labels=file.secret_labels,
        secret_annotations=file.secret_annotations,
    )


def resolve_apps(apps: dict[str, AppFile], default_isolation: Isolation, problems: list[Problem]) -> tuple[AppSettings, ...]:
    """The apps as stacks read them, sorted by name; broken rules are added to ``problems``."""
    resolved = []
    for name, app in apps.items():
        secrets = _secrets(name, app, problems)
        external_secret = None
        if secrets or app.external_secret:
            external_secret = _external_secret(name, app.external_secret or ExternalSecretFile(), secrets, problems)
        resolved.append(AppSettings(
            name=name,
            namespace=app.namespace or name,
            secrets=tuple(secrets),
            external_secret=external_secret,
            create_namespace=app.create_namespace,
            isolation=app.isolation or default_isolation,
            service_account=app.service_account or f"external-secrets-{name}"[:63].rstrip("-"),
            certificates=_certificates(name, app, external_secret, problems),
        ))
    for check in (_vault_names_are_unique, _variables_are_unique, _vault_request_rate, _isolated_namespaces,
                  _external_secret_names_are_unique):
        problems.extend(check(resolved))
    return tuple(sorted(resolved, key=lambda app: app.name))


def _certificates(name: str, app: AppFile, external_secret: ExternalSecretSettings | None,
                  problems: list[Problem]) -> tuple[CertificateSpec, ...]:
    """The app's certificates; each writes a Secret of its own, which no other Secret of the app may share."""
    taken = {external_secret.target_name: "the app's ExternalSecret"} if external_secret else {}
    certificates = []
    for certificate, file in app.certificates.items():
        at = f"apps.{name}.certificates.{certificate}"
        target = file.target_name or certificate
        if file.target_name is None and not re.fullmatch(DNS_LABEL_PATTERN, target):
            problems.append((at, certificate, (
                f"is not a Kubernetes name, so it cannot name the Secret: set target_name ({DNS_LABEL_RULE})")))
        elif target in taken:
            problems.append((f"{at}.target_name" if file.target_name else at, target, (
                f"is also the Secret of {taken[target]}: give each Secret its own name")))
        taken[target] = f"certificate '{certificate}'"
        certificates.append(CertificateSpec(
            name=certificate, target_name=target, content_type=file.content_type,
            refresh_interval=file.refresh_interval, secret_annotations=file.secret_annotations,
        ))
    return tuple(certificates)


def _isolated_namespaces(apps: list[AppSettings]) -> list[Problem]:
    """An isolated app's namespace holds its own identity and SecretStore: sharing it with another app would let
    that app use them."""
    problems, by_namespace = [], {}
    for app in apps:
        other = by_namespace.get(app.namespace)
        if other and (app.isolated or other.isolated):
            problems.append((f"apps.{app.name}.namespace", app.namespace, (
                f"is also the namespace of app '{other.name}': an isolated app needs a namespace of its own, or the "
                "other app could use its SecretStore")))
        by_namespace[app.namespace] = app
    return problems


def _external_secret_names_are_unique(apps: list[AppSettings]) -> list[Problem]:
    """Two ExternalSecrets of one name in one namespace would be one object, written by two resources."""
    problems, seen = [], {}
    for app in apps:
        if app.external_secret is None:
            continue
        key = (app.namespace, app.external_secret.name)
        if key in seen:
            problems.append((f"apps.{app.name}.external_secret.name", app.external_secret.name, (
                f"is also the ExternalSecret of app '{seen[key]}' in namespace '{app.namespace}': give each "
                "ExternalSecret a name of its own")))
        seen.setdefault(key, app.name)
    return problems


def _vault_names_are_unique(apps: list[AppSettings]) -> list[Problem]:
    """Two declarations that map to the same vault secret name would overwrite each other. Key Vault secret names
    are case-insensitive."""
    problems, seen = [], {}
    for secret in (secret for app in apps for secret in app.secrets):
        other = seen.get(secret.vault_name.lower())
        if other:
            problems.append((secret.declared_at, MISSING, (
                f"maps to vault secret '{secret.vault_name}', which {other.declared_at} maps to as well "
                f"('{other.vault_name}'; Key Vault secret names are case-insensitive): rename one of the two")))
        seen[secret.vault_name.lower()] = secret
    return problems


def _variables_are_unique(apps: list[AppSettings]) -> list[Problem]:
    """One sensitive Terraform variable supplies one secret: two secrets naming the same variable are refused."""
    problems, seen = [], {}
    for secret in (secret for app in apps for secret in app.secrets if secret.variable is not None):
        other = seen.get(secret.variable)
        if other:
            problems.append((f"{secret.declared_at}.variable", secret.variable,
                             f"is also the variable of {other.declared_at}: give each secret its own variable"))
        seen[secret.variable] = secret
    return problems


def vault_request_rate(apps: tuple[AppSettings, ...] | list[AppSettings]) -> float:
    """Steady GET requests per second that the apps' ExternalSecrets make to the vault: one GET per data entry per
    refresh_interval with refresh_policy Periodic. CreatedOnce and OnChange read only when the Secret is created or
    the ExternalSecret changes, so they add nothing steady (a restart of ESO still reads them all once)."""
    return sum(
        len(app.external_secret.data) / app.external_secret.refresh_interval_seconds
        for app in apps
        if app.external_secret and app.external_secret.periodic
    ) + sum(1 / certificate.refresh_interval_seconds for app in apps for certificate in app.certificates)


def _vault_request_rate(apps: list[AppSettings]) -> list[Problem]:
    rate = vault_request_rate(apps)
    limit = KEY_VAULT_GETS_PER_SECOND * SAFE_SHARE
    if rate <= limit:
        return []
    return [("apps", MISSING, (
        f"the ExternalSecrets would read the vault {rate:.0f} times per second, above the safe share of Key "
        f"Vault's limit ({limit:.0f} of {KEY_VAULT_GETS_PER_SECOND} GET per second): raise refresh_interval, "
        "use refresh_policy OnChange or CreatedOnce for secrets that seldom change, or spread the apps over more "
        "vaults"))]
