"""How an environment's ExternalSecrets (and its ClusterSecretStore) reach the cluster.

* ``terraform``: ``kubernetes_manifest`` resources in stacks ``eso-config-<env>`` and ``apps-<env>``;
* ``gitops``: YAML under ``manifests/<env>/``, committed, and synced by Argo CD through the ``Application`` in
  ``manifests/argocd/<env>.yaml``. Terraform then manages no Kubernetes object of the apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from config.eso import DnsLabel
from config.reader import Settings, settings, text, variants
from config.secret_values import refuse_credentials_in_repo_url


class DeliveryMode(Enum):
    TERRAFORM = "terraform"
    GITOPS = "gitops"


@dataclass(frozen=True)
class DeliverySettings:
    """How the environment's manifests are delivered, as stacks read it: the mode, and the GitOps settings."""

    mode: DeliveryMode = DeliveryMode.TERRAFORM
    gitops: GitOpsSettings | None = None

    @classmethod
    def of(cls, written: TerraformDelivery | GitOpsSettings) -> DeliverySettings:
        """From the section as the file writes it (one of the variants below)."""
        return cls(mode=written.mode, gitops=written if isinstance(written, GitOpsSettings) else None)


@settings
class TerraformDelivery(Settings):
    mode: Annotated[Literal[DeliveryMode.TERRAFORM], BeforeValidator(DeliveryMode)] = Field(
        DeliveryMode.TERRAFORM,
        description="terraform: stacks eso-config-<env> and apps-<env> apply the manifests; gitops: YAML under "
        "manifests/<env>/ for Argo CD (needs azure.tenant_id).",
    )


@settings
class GitOpsSettings(Settings):
    """Where Argo CD finds this repository and how it syncs it (https://argo-cd.readthedocs.io/)."""

    mode: Annotated[Literal[DeliveryMode.GITOPS], BeforeValidator(DeliveryMode)]
    repo_url: Annotated[
        text("a Git URL Argo CD can clone, such as 'https://github.com/acme/platform-secrets.git'",
             r"^(https://|ssh://|git@)[^\s]+$"),
        AfterValidator(refuse_credentials_in_repo_url),
    ] = Field(description="The Git URL Argo CD clones, without credentials (a repository Secret holds them).")
    target_revision: text("a branch, tag or commit", r"^[A-Za-z0-9][A-Za-z0-9._/-]*$") = Field(
        "main", description="The branch, tag or commit Argo CD syncs."
    )
    argocd_namespace: DnsLabel = Field("argocd", description="The namespace of Argo CD's Application.")
    argocd_project: DnsLabel = Field("default", description="The Argo CD project of the Application.")
    destination_server: text("an https:// URL of a Kubernetes API server", r"^https://[^\s]+$") = Field(
        "https://kubernetes.default.svc", description="The cluster Argo CD deploys to (default: its own)."
    )


Delivery = variants("mode", DeliveryMode, {DeliveryMode.TERRAFORM: TerraformDelivery, DeliveryMode.GITOPS: GitOpsSettings})
