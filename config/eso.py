"""Settings of External Secrets Operator and of the cluster it runs in.

ESO reads the vault as one identity, in one of two modes:
* ``service_principal``: an Entra ID application with a client secret, handed to ESO as a Kubernetes Secret
  (the manual setup's path, and the only one for clusters outside Azure such as a local Rancher Desktop);
* ``workload_identity``: a user-assigned managed identity federated with ESO's Kubernetes service account
  (AKS with the OIDC issuer enabled; no secret exists at all).
https://external-secrets.io/latest/provider/azure-key-vault/

The chart settings (version, replicas, resources, pod disruption budget, ServiceMonitor) become the values of the
``external-secrets`` Helm release; see ``constructs/eso_chart.py`` for how each one maps to a chart value.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from config.eso_alerts import EsoAlertSettings
from config.reader import Flag, Settings, settings, choice, problem, text, whole

# The chart release this project's values are checked against (../shared/eso/ holds its values and schemas).
DEFAULT_CHART_VERSION = "2.9.0"
# external-secrets.io/v1, which every manifest here uses, is served from this release on.
MINIMUM_CHART_VERSION = (0, 16, 0)


class Isolation(Enum):
    """Who may read which secrets.

    * ``shared``: one ClusterSecretStore, and ESO's one identity reads the whole vault (the manual setup);
    * ``isolated``: each app gets its own identity, allowed to read only that app's secrets (a role assignment
      per secret), and a namespaced SecretStore in the app's namespace. No identity reads the whole vault.
    """

    SHARED = "shared"
    ISOLATED = "isolated"


class EsoAuth(Enum):
    SERVICE_PRINCIPAL = "service_principal"
    WORKLOAD_IDENTITY = "workload_identity"


# -- rules ----------------------------------------------------------------------------------------------------

DNS_LABEL_RULE = "a Kubernetes name: 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit"
DNS_LABEL_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
DnsLabel = text(DNS_LABEL_RULE, DNS_LABEL_PATTERN)


DisplayName = text("1-120 characters", r"\S", max_length=120)
IdentityName = text("3-128 letters, digits, '-' and '_', starting with a letter or digit",
                    r"^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$")
OidcIssuerUrl = text("an https:// URL", r"^https://[^\s/]+(/[^\s]*)?$", explain=lambda _: (
    "must be an https:// URL (the cluster's OIDC issuer, from `az aks show --query oidcIssuerProfile.issuerUrl`)"))
KubeconfigPath = text("a path to a kubeconfig file", r"^[^/]", explain=lambda _: (
    "must not be an absolute path: it is written into the synthesized stack, so use '~/...' or a path relative to "
    "cdktf.out/stacks/<stack>/"))

CHART_VERSION_RULE = "an exact chart version such as '2.9.0' (MAJOR.MINOR.PATCH: the release is pinned, not a range)"


def check_chart_version(value: str) -> str | None:
    if tuple(int(part) for part in re.split(r"[.+-]", value)[:3]) < MINIMUM_CHART_VERSION:
        minimum = ".".join(str(part) for part in MINIMUM_CHART_VERSION)
        return (
            f"must be {minimum} or newer: older charts do not serve external-secrets.io/v1, the API version of the "
            "ClusterSecretStore (the 0.9.x line is end-of-life)"
        )
    return None


ChartVersion = text(
    CHART_VERSION_RULE,
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$",
    check=check_chart_version,
)

# Kubernetes quantities, restricted to the forms that make sense for each resource, written as text ('250m') or
# as a plain YAML number (0.5, 2): numbers are taken as their text, as in a pod spec.
# https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
CPU_RULE = "a CPU quantity: cores such as '0.5' or '2', or millicores such as '250m'"
MEMORY_RULE = "a memory quantity: bytes with a suffix such as '256Mi' or '1Gi' (Ki, Mi, Gi, Ti; k, M, G, T)"
_MULTIPLIERS = {
    "": 1, "m": Decimal("0.001"),
    "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}  # fmt: skip


def _number_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _quantity(rule: str, pattern: str, explain: Any = None) -> Any:
    quantity = text(rule, pattern, explain=explain, wrong_type=f"must be {rule}")
    return Annotated[quantity, BeforeValidator(_number_as_text, json_schema_input_type=quantity | float)]


def _explain_memory(value: str) -> str:
    # Kubernetes accepts '256m', but for memory that is 0.256 bytes: always a slip for Mi or M.
    if re.fullmatch(r"\d+(\.\d+)?m", value):
        number = value[:-1]
        return f"means {number} thousandths of a byte: write '{number}Mi' (mebibytes) or '{number}M' (megabytes)"
    return f"must be {MEMORY_RULE}"


Cpu = _quantity(CPU_RULE, r"^([0-9]+(\.[0-9]{1,3})?|\.[0-9]{1,3}|[0-9]+m)$")
Memory = _quantity(MEMORY_RULE, r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$", _explain_memory)


def quantity_value(value: str) -> Decimal:
    """The number a checked CPU or memory quantity stands for (cores or bytes), for comparisons."""
    match = re.fullmatch(r"([\d.]+)([A-Za-z]*)", value)
    assert match, value
    return Decimal(match.group(1)) * _MULTIPLIERS[match.group(2)]


# -- models ---------------------------------------------------------------------------------------------------


# The Kubernetes Secret holding a service principal's client ID and secret, named and keyed as in the manual setup
# (`kubectl create secret generic azure-secret-creds --from-literal=client-id=... --from-literal=client-secret=...`).
CREDENTIALS_SECRET_NAME = "azure-secret-creds"
CLIENT_ID_KEY = "client-id"
CLIENT_SECRET_KEY = "client-secret"
SecretDataKey = text("a Kubernetes Secret key: 1-253 letters, digits, '-', '_' and '.'", r"^[-._a-zA-Z0-9]{1,253}$")


@settings
class CredentialsSecretSettings(Settings):
    """The Kubernetes Secret a service principal's client ID and secret are kept in, and the keys the stores read.

    The defaults are the manual setup's, so a Secret and a store made by hand keep working when this project takes
    them over (docs/migration.md). ESO's own Secret is in ``eso.namespace``; an isolated app's is in the app's
    namespace. https://external-secrets.io/latest/provider/azure-key-vault/#service-principal-key-authentication
    """

    name: DnsLabel = Field(CREDENTIALS_SECRET_NAME, description="The Secret's name.")
    client_id_key: SecretDataKey = Field(CLIENT_ID_KEY, description="The key holding the client ID.")
    client_secret_key: SecretDataKey = Field(CLIENT_SECRET_KEY, description="The key holding the client secret.")

    @model_validator(mode="after")
    def _keys_differ(self) -> CredentialsSecretSettings:
        if self.client_id_key == self.client_secret_key:
            raise problem(
                "must differ from client_id_key: one key cannot hold both the client ID and the client secret",
                at=("client_secret_key",),
                value=self.client_secret_key,
            )
        return self


@settings
class ServicePrincipalSettings(Settings):
    """The Entra ID application ESO signs in as, and how its client secret is rotated.

    Two client secrets rotate in turn: bumping ``password_generation`` replaces the older one and makes it current,
    so the one ESO holds stays valid until its Secret is updated. Each is valid for ``password_validity_days``.
    """

    display_name: DisplayName = Field("eso-app", description="The Entra ID application's display name.")
    password_validity_days: whole(1, 730, "days") = Field(
        180, description="How long each client secret is valid after it is made."
    )
    password_generation: whole(1, 1_000_000) = Field(
        1, description="Bump to rotate: the older of the two client secrets is replaced and becomes current; the one "
        "ESO holds stays valid until eso-<env> is deployed (docs/eso.md).",
    )
    credentials_secret: CredentialsSecretSettings = Field(
        default_factory=CredentialsSecretSettings,
        description="The Kubernetes Secret with the client ID and secret, and its keys (default: the manual setup's "
        "azure-secret-creds with client-id and client-secret).",
    )


@settings
class WorkloadIdentitySettings(Settings):
    """The user-assigned managed identity ESO's service account is federated with."""

    identity_name: IdentityName = Field(description="The managed identity's name. Default: id-eso-<env>.")


@settings
class ResourceQuantities(Settings):
    """CPU and memory as Kubernetes quantities (``'250m'``, ``'256Mi'``); ``None`` leaves the value unset."""

    cpu: Cpu | None = Field(None, description="CPU: '250m', 0.5, '2'.")
    memory: Memory | None = Field(None, description="Memory: '256Mi', '1Gi' ('256m' is refused).")

    def as_dict(self) -> dict[str, str]:
        return {name: value for name, value in (("cpu", self.cpu), ("memory", self.memory)) if value is not None}


@settings
class ResourceSettings(Settings):
    """Requests and limits of the ESO controller's container. Empty: the chart's default (none set).

    https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    """

    requests: ResourceQuantities = Field(default_factory=ResourceQuantities, description="What the container requests.")
    limits: ResourceQuantities = Field(default_factory=ResourceQuantities, description="What the container may use.")

    @model_validator(mode="after")
    def _request_not_above_limit(self) -> ResourceSettings:
        for name in ("cpu", "memory"):
            request, limit = getattr(self.requests, name), getattr(self.limits, name)
            if request is not None and limit is not None and quantity_value(request) > quantity_value(limit):
                raise problem(
                    f"must not be above eso.resources.limits.{name} {limit!r} (Kubernetes rejects a container whose "
                    "request is above its limit)",
                    at=("requests", name),
                    value=request,
                )
        return self


@settings
class PodDisruptionBudgetSettings(Settings):
    """A PodDisruptionBudget keeping ``min_available`` pods of the controller and of the webhook during drains.

    https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
    """

    min_available: whole(1, 9, "pods") = Field(1, description="Pods kept during drains; below eso.replicas.")


@settings
class EsoSettings(Settings):
    auth: choice(EsoAuth) = Field(
        EsoAuth.SERVICE_PRINCIPAL,
        description="service_principal: a client secret, works for any cluster; workload_identity: AKS with the "
        "OIDC issuer, no secret at all.",
    )
    namespace: DnsLabel = Field("external-secrets", description="The namespace ESO is installed in.")
    service_account: DnsLabel = Field(
        "external-secrets", description="ESO's service account; with workload identity, the federated subject."
    )
    service_principal: ServicePrincipalSettings = Field(
        default_factory=ServicePrincipalSettings, description="Read only with auth service_principal."
    )
    workload_identity: WorkloadIdentitySettings | None = Field(
        None, description="Read only with auth workload_identity."
    )
    chart_version: ChartVersion = Field(
        DEFAULT_CHART_VERSION,
        description="The external-secrets chart version, pinned (https://charts.external-secrets.io); 0.16.0 or newer.",
    )
    replicas: whole(1, 10) = Field(
        1, description="Pods of the controller, the webhook and the cert controller; above 1 the controllers elect a "
        "leader."
    )
    resources: ResourceSettings = Field(
        default_factory=ResourceSettings, description="Requests and limits of the controller (default: none)."
    )
    pod_disruption_budget: PodDisruptionBudgetSettings | None = Field(
        None, description="A PodDisruptionBudget (written, even empty, means wanted; default: none)."
    )
    service_monitor_enabled: Flag = Field(
        False, description="A Prometheus Operator ServiceMonitor for ESO's metrics; the release fails without its CRD."
    )
    alerts: EsoAlertSettings = Field(
        default_factory=EsoAlertSettings,
        description="Prometheus alerts on failed syncs and stores that are not ready; read only with "
        "service_monitor_enabled (docs/eso.md#alerts).",
    )
    restrict_to_app_namespaces: Flag = Field(
        True, description="The ClusterSecretStore serves only the namespaces of the environment's shared apps."
    )
    app_isolation: choice(Isolation) = Field(
        Isolation.SHARED,
        description="shared: one ClusterSecretStore, ESO's identity reads the whole vault; isolated: each app gets "
        "its own identity, a role assignment per secret and a SecretStore in its namespace. Apps may override it.",
    )

    @property
    def leader_election_enabled(self) -> bool:
        """Several controller replicas must elect a leader, or each would sync every ExternalSecret."""
        return self.replicas > 1

    @property
    def alerts_enabled(self) -> bool:
        """The PrometheusRule exists when Prometheus scrapes ESO and the alerts are not turned off."""
        return self.service_monitor_enabled and self.alerts.enabled

    @model_validator(mode="before")
    @classmethod
    def _alerts_need_the_service_monitor(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("alerts") is not None and data.get("service_monitor_enabled") is not True:
            raise problem(
                "is only read with service_monitor_enabled true: the alerts read the metrics Prometheus scrapes "
                "through the ServiceMonitor",
                at=("alerts",),
                value=data["alerts"],
            )
        return data

    @model_validator(mode="before")
    @classmethod
    def _settings_of_the_auth_in_use(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        workload_identity = data.get("auth") == EsoAuth.WORKLOAD_IDENTITY.value
        unused = "service_principal" if workload_identity else "workload_identity"
        if data.get(unused) is not None:
            raise problem(f"is only read with auth '{unused}'", at=(unused,), value=data[unused])
        if workload_identity:  # the identity is named after the environment unless the file names it
            identity = data.get("workload_identity") or {}
            if isinstance(identity, dict) and "identity_name" not in identity:
                identity = {**identity, "identity_name": f"id-eso-{(info.context or {}).get('environment', 'env')}"}
            data = {**data, "workload_identity": identity}
        return data

    @model_validator(mode="after")
    def _budget_below_replicas(self) -> EsoSettings:
        budget = self.pod_disruption_budget
        if budget and budget.min_available >= self.replicas:
            raise problem(
                f"must be less than eso.replicas ({self.replicas}): a budget that keeps every pod blocks node drains "
                "and cluster upgrades (raise eso.replicas or remove the budget)",
                at=("pod_disruption_budget", "min_available"),
                value=budget.min_available,
            )
        return self


@settings
class ClusterSettings(Settings):
    """How Terraform reaches the cluster: a kubeconfig file and context (never credentials in code)."""

    kubeconfig_path: KubeconfigPath = Field(
        "~/.kube/config", description="Written into the synthesized stack, so not absolute."
    )
    context: text("a context name from the kubeconfig") | None = Field(
        None, description="Default: the kubeconfig's current context."
    )
    oidc_issuer_url: OidcIssuerUrl | None = Field(
        None,
        description="The cluster's OIDC issuer, required with eso.auth workload_identity "
        "(`az aks show --query oidcIssuerProfile.issuerUrl`).",
    )
