"""Settings of External Secrets Operator and of the cluster it runs in.

ESO reads the vault as one identity, in one of two modes:
* ``service_principal``: an Entra ID application with a client secret, handed to ESO as a Kubernetes Secret
  (the manual setup's path, and the only one for clusters outside Azure such as a local Rancher Desktop);
* ``workload_identity``: a user-assigned managed identity federated with ESO's Kubernetes service account
  (AKS with the OIDC issuer enabled; no secret exists at all).
https://external-secrets.io/latest/provider/azure-key-vault/
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from config.reader import Section, check_pattern

# -- models ---------------------------------------------------------------------------------------------------


class EsoAuth(Enum):
    SERVICE_PRINCIPAL = "service_principal"
    WORKLOAD_IDENTITY = "workload_identity"


@dataclass(frozen=True)
class ServicePrincipalSettings:
    """The Entra ID application ESO signs in as, and how its client secret is rotated.

    The password is replaced every ``password_rotation_days`` (a ``time_rotating`` resource) and stays valid for
    ``password_validity_days`` from its creation, so the old one still works while the new one rolls out.
    Bump ``password_generation`` to replace it at the next apply.
    """

    display_name: str = "eso-app"
    password_rotation_days: int = 90
    password_validity_days: int = 180
    password_generation: int = 1


@dataclass(frozen=True)
class WorkloadIdentitySettings:
    """The user-assigned managed identity ESO's service account is federated with."""

    identity_name: str


@dataclass(frozen=True)
class EsoSettings:
    auth: EsoAuth
    namespace: str = "external-secrets"
    service_account: str = "external-secrets"
    service_principal: ServicePrincipalSettings = field(default_factory=ServicePrincipalSettings)
    workload_identity: WorkloadIdentitySettings | None = None


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


# -- parsing --------------------------------------------------------------------------------------------------


def parse_service_principal(section: Section) -> ServicePrincipalSettings:
    settings = ServicePrincipalSettings(
        display_name=section.string("display_name", "eso-app", rule=DISPLAY_NAME_RULE, check=check_display_name),
        password_rotation_days=section.integer("password_rotation_days", 90, minimum=1, maximum=365, unit="days"),
        password_validity_days=section.integer("password_validity_days", 180, minimum=2, maximum=730, unit="days"),
        password_generation=section.integer("password_generation", 1, minimum=1, maximum=1_000_000),
    )
    if settings.password_validity_days <= settings.password_rotation_days:
        section.fail(
            "password_validity_days",
            settings.password_validity_days,
            f"must be greater than password_rotation_days ({settings.password_rotation_days}), so that the old "
            "password is still valid while the rotated one rolls out",
        )
    section.done()
    return settings


def parse_eso(section: Section, env_name: str) -> EsoSettings:
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
        workload_identity = WorkloadIdentitySettings(
            identity_name=wi_section.string(
                "identity_name", f"id-eso-{env_name}", rule=IDENTITY_NAME_RULE, check=check_identity_name
            )
        )
        wi_section.done()
    settings = EsoSettings(
        auth=auth,
        namespace=namespace,
        service_account=service_account,
        service_principal=service_principal,
        workload_identity=workload_identity,
    )
    section.done()
    return settings


def parse_cluster(section: Section) -> ClusterSettings:
    settings = ClusterSettings(
        kubeconfig_path=section.string(
            "kubeconfig_path", "~/.kube/config", rule="a path to a kubeconfig file", check=check_kubeconfig_path
        ),
        context=section.string("context", None, rule="a context name from the kubeconfig"),
        oidc_issuer_url=section.string("oidc_issuer_url", None, rule="an https:// URL", check=check_https_url),
    )
    section.done()
    return settings
