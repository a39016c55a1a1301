"""An app's ExternalSecret, and the Argo CD Application of an environment, as plain manifests (Python dicts).

Pure functions with no CDK and no I/O, so that the same manifest is handed to a ``kubernetes_manifest``
(Terraform delivery) or rendered to YAML for Argo CD (GitOps delivery).
https://external-secrets.io/latest/api/externalsecret/
"""

from __future__ import annotations

from typing import Any

import yaml

from config.apps import AppSettings, ExternalSecretSettings

ESO_API_VERSION = "external-secrets.io/v1"


def external_secret(app: AppSettings, *, store_name: str, store_kind: str = "ClusterSecretStore") -> dict[str, Any]:
    """The ExternalSecret ``name`` (default: the app's name) that syncs ``app``'s vault secrets into the Secret
    ``target_name`` of its namespace.

    Each ``data`` entry maps a Kubernetes key to the vault secret ``<app>-<key>`` (``POSTGRES_PASSWORD`` from
    ``myapp-db-password``). Derived keys (``template``) are rendered by ESO's template engine v2 and merged with
    the data keys, so the Secret holds both.
    """
    settings = app.external_secret
    if settings is None:
        raise ValueError(f"app {app.name!r} declares no secrets, so it has no ExternalSecret")
    target: dict[str, Any] = {
        "name": settings.target_name,
        "creationPolicy": settings.creation_policy.value,
        "deletionPolicy": settings.deletion_policy.value,
    }
    template = secret_template(settings)
    if template:
        target["template"] = template
    return {
        "apiVersion": ESO_API_VERSION,
        "kind": "ExternalSecret",
        "metadata": {
            "name": settings.name or app.name,
            "namespace": app.namespace,
            "labels": {"app.kubernetes.io/name": app.name, "app.kubernetes.io/managed-by": "cdktf"},
        },
        "spec": {
            **refresh(settings),
            "secretStoreRef": {"kind": store_kind, "name": store_name},
            "target": target,
            "data": [
                {"secretKey": k8s_key, "remoteRef": {"key": app.secret(secret_key).vault_name}}
                for k8s_key, secret_key in settings.data
            ],
        },
    }


def refresh(settings: ExternalSecretSettings) -> dict[str, str]:
    """``refreshInterval`` with the Periodic policy (ESO's default, so not written); otherwise ``refreshPolicy``
    alone, since ESO reads no interval then."""
    if settings.periodic:
        return {"refreshInterval": settings.refresh_interval}
    return {"refreshPolicy": settings.refresh_policy.value}


def secret_template(settings: ExternalSecretSettings) -> dict[str, Any] | None:
    """``spec.target.template``: the derived keys, the Secret's type, labels and annotations; None when there is
    none of them. ``mergePolicy: Merge`` keeps the data keys beside what the template adds."""
    if not (settings.template or settings.secret_type or settings.secret_labels or settings.secret_annotations):
        return None
    template: dict[str, Any] = {"engineVersion": "v2", "mergePolicy": "Merge"}
    if settings.secret_type:
        template["type"] = settings.secret_type
    metadata = {
        name: dict(values)
        for name, values in (("labels", settings.secret_labels), ("annotations", settings.secret_annotations))
        if values
    }
    if metadata:
        template["metadata"] = metadata
    if settings.template:
        template["data"] = dict(settings.template)
    return template


def argocd_application(
    *,
    name: str,
    namespace: str,
    project: str,
    repo_url: str,
    target_revision: str,
    path: str,
    destination_server: str,
) -> dict[str, Any]:
    """An Argo CD Application that syncs the manifests under ``path`` and keeps them as committed (prune and
    self-heal). https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/"""
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "project": project,
            "source": {"repoURL": repo_url, "targetRevision": target_revision, "path": path},
            "destination": {"server": destination_server},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True},
                # The CRDs come from the ESO Helm release; wait for them rather than fail the first sync.
                "retry": {"limit": 5, "backoff": {"duration": "30s", "factor": 2, "maxDuration": "5m"}},
            },
        },
    }


def to_yaml(manifest: dict[str, Any], *, header: str) -> str:
    """One manifest as a YAML document, keys in the order given, behind a comment ``header``."""
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + yaml.safe_dump(manifest, sort_keys=False, default_flow_style=False, width=10_000)
