"""How an environment's ExternalSecrets (and its ClusterSecretStore) reach the cluster.

* ``terraform``: ``kubernetes_manifest`` resources in stacks ``eso-config-<env>`` and ``apps-<env>``;
* ``gitops``: YAML under ``manifests/<env>/``, committed, and synced by Argo CD through the ``Application`` in
  ``manifests/argocd/<env>.yaml``. Terraform then manages no Kubernetes object of the apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from config.eso import DNS_LABEL_RULE, check_dns_label
from config.reader import Section, check_pattern
from config.secret_values import HIDDEN, secret_detector


class DeliveryMode(Enum):
    TERRAFORM = "terraform"
    GITOPS = "gitops"


@dataclass(frozen=True)
class GitOpsSettings:
    """Where Argo CD finds this repository and how it syncs it (https://argo-cd.readthedocs.io/)."""

    repo_url: str
    target_revision: str = "main"
    argocd_namespace: str = "argocd"
    argocd_project: str = "default"
    # The cluster Argo CD deploys to; the default is the cluster Argo CD runs in.
    destination_server: str = "https://kubernetes.default.svc"


@dataclass(frozen=True)
class DeliverySettings:
    mode: DeliveryMode = DeliveryMode.TERRAFORM
    gitops: GitOpsSettings | None = None


REPO_URL_RULE = "a Git URL Argo CD can clone, such as 'https://github.com/acme/platform-secrets.git'"
check_repo_url = check_pattern(r"(https://|ssh://|git@)[^\s]+", REPO_URL_RULE)
REVISION_RULE = "a branch, tag or commit"
check_revision = check_pattern(r"[A-Za-z0-9][A-Za-z0-9._/-]*", REVISION_RULE)
SERVER_RULE = "an https:// URL of a Kubernetes API server"
check_server = check_pattern(r"https://[^\s]+", SERVER_RULE)


def parse_delivery(section: Section) -> DeliverySettings:
    # The GitOps keys too; done() still rejects them with mode 'terraform'.
    section.expect("mode", "repo_url", "target_revision", "argocd_namespace", "argocd_project", "destination_server")
    mode = section.choice("mode", DeliveryMode, DeliveryMode.TERRAFORM)
    gitops = None
    if mode is DeliveryMode.GITOPS:
        gitops = GitOpsSettings(
            repo_url=section.string("repo_url", rule=REPO_URL_RULE, check=check_repo_url),
            target_revision=section.string("target_revision", "main", rule=REVISION_RULE, check=check_revision),
            argocd_namespace=section.string("argocd_namespace", "argocd", rule=DNS_LABEL_RULE, check=check_dns_label),
            argocd_project=section.string("argocd_project", "default", rule=DNS_LABEL_RULE, check=check_dns_label),
            destination_server=section.string(
                "destination_server", "https://kubernetes.default.svc", rule=SERVER_RULE, check=check_server
            ),
        )
    if gitops:
        check_repo_url_has_no_credentials(section, gitops.repo_url)
    section.done()
    return DeliverySettings(mode=mode, gitops=gitops)


def check_repo_url_has_no_credentials(section: Section, repo_url: str) -> None:
    """The URL is written into the Argo CD Application in Git; Argo CD takes a private repository's credentials
    from a repository Secret (https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#repositories)."""
    detector = secret_detector(repo_url, "repo_url")
    if detector:
        section.fail(
            "repo_url",
            HIDDEN,
            f"looks like it holds a credential ({detector}): give Argo CD the repository's credentials in a "
            "repository Secret in its namespace, and the URL without them",
        )
