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
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from config.reader import Section, check_pattern

# The chart release this project's values are checked against (../shared/eso/ holds its values and schemas).
DEFAULT_CHART_VERSION = "2.9.0"
# external-secrets.io/v1, which every manifest here uses, is served from this release on.
MINIMUM_CHART_VERSION = (0, 16, 0)

# -- models ---------------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ServicePrincipalSettings:
    """The Entra ID application ESO signs in as, and how its client secret is rotated.

    Two client secrets rotate in turn: bumping ``password_generation`` replaces the older one and makes it current,
    so the one ESO holds stays valid until its Secret is updated. Each is valid for ``password_validity_days``.
    """

    display_name: str = "eso-app"
    password_validity_days: int = 180
    password_generation: int = 1


@dataclass(frozen=True)
class WorkloadIdentitySettings:
    """The user-assigned managed identity ESO's service account is federated with."""

    identity_name: str


@dataclass(frozen=True)
class ResourceQuantities:
    """CPU and memory as Kubernetes quantities (``'250m'``, ``'256Mi'``); ``None`` leaves the value unset."""

    cpu: str | None = None
    memory: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {name: value for name, value in (("cpu", self.cpu), ("memory", self.memory)) if value is not None}


@dataclass(frozen=True)
class ResourceSettings:
    """Requests and limits of the ESO controller's container. Empty: the chart's default (none set).

    https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    """

    requests: ResourceQuantities = field(default_factory=ResourceQuantities)
    limits: ResourceQuantities = field(default_factory=ResourceQuantities)


@dataclass(frozen=True)
class PodDisruptionBudgetSettings:
    """A PodDisruptionBudget keeping ``min_available`` pods of the controller and of the webhook during drains.

    https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
    """

    min_available: int


@dataclass(frozen=True)
class EsoSettings:
    auth: EsoAuth
    namespace: str = "external-secrets"
    service_account: str = "external-secrets"
    service_principal: ServicePrincipalSettings = field(default_factory=ServicePrincipalSettings)
    workload_identity: WorkloadIdentitySettings | None = None
    # The external-secrets chart version, pinned (https://charts.external-secrets.io). The repository is fixed.
    chart_version: str = DEFAULT_CHART_VERSION
    # Pods of the controller and of the webhook. Above 1 the controllers elect a leader (only one syncs at a time).
    replicas: int = 1
    resources: ResourceSettings = field(default_factory=ResourceSettings)
    # None: no PodDisruptionBudget (the chart's default).
    pod_disruption_budget: PodDisruptionBudgetSettings | None = None
    # A Prometheus Operator ServiceMonitor for ESO's metrics; the release fails when its CRD is missing.
    service_monitor_enabled: bool = False
    # The ClusterSecretStore serves only the namespaces of the environment's apps (spec.conditions), not every
    # namespace of the cluster: a namespace that is not an app's cannot read the vault through it.
    restrict_to_app_namespaces: bool = True
    # The default isolation of the environment's apps; an app may override it (apps.<app>.isolation).
    app_isolation: Isolation = Isolation.SHARED

    @property
    def leader_election_enabled(self) -> bool:
        """Several controller replicas must elect a leader, or each would sync every ExternalSecret."""
        return self.replicas > 1


@dataclass(frozen=True)
class ClusterSettings:
    """How Terraform reaches the cluster: a kubeconfig file and context (never credentials in code)."""

    kubeconfig_path: str = "~/.kube/config"
    context: str | None = None
    # The cluster's OIDC issuer URL, needed for workload identity (`az aks show --query oidcIssuerProfile.issuerUrl`).
    oidc_issuer_url: str | None = None


# -- rules ----------------------------------------------------------------------------------------------------

DNS_LABEL_RULE = "a Kubernetes name: 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit"
check_dns_label = check_pattern(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", DNS_LABEL_RULE)

DISPLAY_NAME_RULE = "1-120 characters"


def check_display_name(value: str) -> str | None:
    return None if 1 <= len(value.strip()) <= 120 else f"must be {DISPLAY_NAME_RULE}"


IDENTITY_NAME_RULE = "3-128 letters, digits, '-' and '_', starting with a letter or digit"
check_identity_name = check_pattern(r"[A-Za-z0-9][A-Za-z0-9_-]{2,127}", IDENTITY_NAME_RULE)


def check_https_url(value: str) -> str | None:
    if not re.fullmatch(r"https://[^\s/]+(/[^\s]*)?", value):
        return "must be an https:// URL (the cluster's OIDC issuer, from `az aks show --query oidcIssuerProfile.issuerUrl`)"
    return None


def check_kubeconfig_path(value: str) -> str | None:
    if value.startswith("/"):
        return (
            "must not be an absolute path: it is written into the synthesized stack, so use '~/...' or a path "
            "relative to cdktf.out/stacks/<stack>/"
        )
    return None


_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
)
CHART_VERSION_RULE = "an exact chart version such as '2.9.0' (MAJOR.MINOR.PATCH: the release is pinned, not a range)"


def check_chart_version(value: str) -> str | None:
    match = _SEMVER.fullmatch(value)
    if not match:
        return f"must be {CHART_VERSION_RULE}"
    if tuple(int(part) for part in match.group(1, 2, 3)) < MINIMUM_CHART_VERSION:
        minimum = ".".join(str(part) for part in MINIMUM_CHART_VERSION)
        return (
            f"must be {minimum} or newer: older charts do not serve external-secrets.io/v1, the API version of the "
            "ClusterSecretStore (the 0.9.x line is end-of-life)"
        )
    return None


# Kubernetes quantities, restricted to the forms that make sense for each resource.
# https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
CPU_RULE = "a CPU quantity: cores such as '0.5' or '2', or millicores such as '250m'"
_CPU = re.compile(r"(\d+(\.\d{1,3})?|\.\d{1,3})|(\d+)m")
MEMORY_RULE = "a memory quantity: bytes with a suffix such as '256Mi' or '1Gi' (Ki, Mi, Gi, Ti; k, M, G, T)"
_MEMORY = re.compile(r"(\d+(\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?")
_MULTIPLIERS = {
    "": 1, "m": Decimal("0.001"),
    "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}  # fmt: skip


def check_cpu(value: str) -> str | None:
    if not _CPU.fullmatch(value):
        return f"must be {CPU_RULE}"
    return None


def check_memory(value: str) -> str | None:
    # Kubernetes accepts '256m', but for memory that is 0.256 bytes: always a slip for Mi or M.
    if re.fullmatch(r"\d+(\.\d+)?m", value):
        number = value[:-1]
        return f"means {number} thousandths of a byte: write '{number}Mi' (mebibytes) or '{number}M' (megabytes)"
    if not _MEMORY.fullmatch(value):
        return f"must be {MEMORY_RULE}"
    return None


def quantity_value(value: str) -> Decimal:
    """The number a checked CPU or memory quantity stands for (cores or bytes), for comparisons."""
    match = re.fullmatch(r"([\d.]+)([A-Za-z]*)", value)
    assert match, value
    return Decimal(match.group(1)) * _MULTIPLIERS[match.group(2)]


# -- parsing --------------------------------------------------------------------------------------------------


def parse_service_principal(section: Section) -> ServicePrincipalSettings:
    section.expect("display_name", "password_validity_days", "password_generation")
    settings = ServicePrincipalSettings(
        display_name=section.string("display_name", "eso-app", rule=DISPLAY_NAME_RULE, check=check_display_name),
        password_validity_days=section.integer("password_validity_days", 180, minimum=1, maximum=730, unit="days"),
        password_generation=section.integer("password_generation", 1, minimum=1, maximum=1_000_000),
    )
    section.done()
    return settings


def parse_eso(section: Section, env_name: str) -> EsoSettings:
    section.expect(
        "auth", "namespace", "service_account", "service_principal", "workload_identity", "chart_version", "replicas",
        "resources", "pod_disruption_budget", "service_monitor_enabled", "restrict_to_app_namespaces", "app_isolation",
    )
    auth = section.choice("auth", EsoAuth, EsoAuth.SERVICE_PRINCIPAL)
    namespace = section.string("namespace", "external-secrets", rule=DNS_LABEL_RULE, check=check_dns_label)
    service_account = section.string(
        "service_account", "external-secrets", rule=DNS_LABEL_RULE, check=check_dns_label
    )
    sp_section = section.section("service_principal")
    wi_section = section.section("workload_identity")
    if auth is EsoAuth.SERVICE_PRINCIPAL:
        service_principal = parse_service_principal(sp_section)
        if section.has("workload_identity"):
            section.fail("workload_identity", wi_section.raw, "is only read with auth 'workload_identity'")
        workload_identity = None
    else:
        if section.has("service_principal"):
            section.fail("service_principal", sp_section.raw, "is only read with auth 'service_principal'")
        service_principal = ServicePrincipalSettings()
        wi_section.expect("identity_name")
        workload_identity = WorkloadIdentitySettings(
            identity_name=wi_section.string(
                "identity_name", f"id-eso-{env_name}", rule=IDENTITY_NAME_RULE, check=check_identity_name
            )
        )
        wi_section.done()
    replicas = section.integer("replicas", 1, minimum=1, maximum=10)
    # Written (even empty) means wanted: the budget is an optional part, absent unless configured.
    budget_section = section.section("pod_disruption_budget")
    pod_disruption_budget = (
        parse_pod_disruption_budget(budget_section, replicas, section.field("replicas"))
        if section.raw.get("pod_disruption_budget") is not None
        else None
    )
    settings = EsoSettings(
        auth=auth,
        namespace=namespace,
        service_account=service_account,
        service_principal=service_principal,
        workload_identity=workload_identity,
        chart_version=section.string(
            "chart_version", DEFAULT_CHART_VERSION, rule=CHART_VERSION_RULE, check=check_chart_version
        ),
        replicas=replicas,
        resources=parse_resources(section.section("resources")),
        pod_disruption_budget=pod_disruption_budget,
        service_monitor_enabled=section.boolean("service_monitor_enabled", False),
        restrict_to_app_namespaces=section.boolean("restrict_to_app_namespaces", True),
        app_isolation=section.choice("app_isolation", Isolation, Isolation.SHARED),
    )
    section.done()
    return settings


def parse_quantities(section: Section) -> ResourceQuantities:
    section.expect("cpu", "memory")
    quantities = ResourceQuantities(
        cpu=section.quantity("cpu", None, rule=CPU_RULE, check=check_cpu),
        memory=section.quantity("memory", None, rule=MEMORY_RULE, check=check_memory),
    )
    section.done()
    return quantities


def parse_resources(section: Section) -> ResourceSettings:
    section.expect("requests", "limits")
    requests_section = section.section("requests")
    settings = ResourceSettings(
        requests=parse_quantities(requests_section), limits=parse_quantities(section.section("limits"))
    )
    for name in ("cpu", "memory"):
        request, limit = getattr(settings.requests, name), getattr(settings.limits, name)
        if request is not None and limit is not None and quantity_value(request) > quantity_value(limit):
            requests_section.fail(
                name,
                request,
                f"must not be above {section.field('limits')}.{name} {limit!r} (Kubernetes rejects a container "
                "whose request is above its limit)",
            )
    section.done()
    return settings


def parse_pod_disruption_budget(section: Section, replicas: int, replicas_field: str) -> PodDisruptionBudgetSettings:
    section.expect("min_available")
    settings = PodDisruptionBudgetSettings(
        min_available=section.integer("min_available", 1, minimum=1, maximum=9, unit="pods")
    )
    if settings.min_available >= replicas:
        section.fail(
            "min_available",
            settings.min_available,
            f"must be less than {replicas_field} ({replicas}): a budget that keeps every pod blocks node drains "
            f"and cluster upgrades (raise {replicas_field} or remove the budget)",
        )
    section.done()
    return settings


def parse_cluster(section: Section) -> ClusterSettings:
    section.expect("kubeconfig_path", "context", "oidc_issuer_url")
    settings = ClusterSettings(
        kubeconfig_path=section.string(
            "kubeconfig_path", "~/.kube/config", rule="a path to a kubeconfig file", check=check_kubeconfig_path
        ),
        context=section.string("context", None, rule="a context name from the kubeconfig"),
        oidc_issuer_url=section.string("oidc_issuer_url", None, rule="an https:// URL", check=check_https_url),
    )
    section.done()
    return settings
