"""Stack ``apps-<env>``: one ExternalSecret per app, in the app's namespace (Terraform delivery).

Replaces the manual ``kubectl apply -f externalsecret.yaml`` per app. Deployed after ``eso-config-<env>``: the
ExternalSecrets name its ClusterSecretStore, and ``kubernetes_manifest`` needs the CRD at plan time. With
``delivery.mode: gitops`` this stack does not exist; the same manifests are rendered under ``manifests/<env>/``.
"""

from __future__ import annotations

from app_manifests import external_secret
from cdk import Construct, KubernetesManifest, NamespaceV1, NamespaceV1Metadata
from cluster_access import kubernetes_provider
from config import Environment
from eso_manifests import cluster_secret_store_name
from stacks.base import EnvironmentStack
from stacks.eso_config_stack import EsoConfigStack


class AppsStack(EnvironmentStack):
    """Construct IDs: ``<app>`` for the ExternalSecret, ``<app>-namespace`` for a namespace the stack creates."""

    def __init__(self, scope: Construct, id: str, *, env: Environment, eso_config: EsoConfigStack) -> None:
        super().__init__(scope, id, env=env)
        self.add_dependency(eso_config)
        kubernetes_provider(self, env.cluster)
        store = cluster_secret_store_name(env.name)
        self.external_secrets: dict[str, KubernetesManifest] = {}
        for app in env.apps:
            if app.external_secret is None:
                continue
            namespace = None
            if app.create_namespace:
                namespace = NamespaceV1(
                    self, f"{app.name}-namespace", metadata=NamespaceV1Metadata(name=app.namespace)
                )
            self.external_secrets[app.name] = KubernetesManifest(
                self,
                app.name,
                manifest=external_secret(app, store_name=store),
                depends_on=[namespace] if namespace else None,
            )
