"""Stack ``eso-config-<env>``: the environment's ClusterSecretStore, ``azure-kv-store-<env>``.

Replaces the manual ``kubectl apply -f clustersecretstore.yaml``. It is a stack of its own, deployed after
``eso-<env>``, because ``kubernetes_manifest`` reads the ClusterSecretStore CRD from the cluster at plan time: in
the same stack as the Helm release that installs the CRD, the first plan would fail.
"""

from __future__ import annotations

from cdk import Construct, KubernetesManifest, terraform_literal
from adoption import import_existing, manifest_import_id
from cluster_access import kubernetes_provider
from config import Environment
from eso_manifests import environment_cluster_secret_store
from stacks.azure_stack import AzureStack
from stacks.base import EnvironmentStack
from stacks.eso_stack import EsoStack


class EsoConfigStack(EnvironmentStack):
    """Construct ID ``cluster_secret_store`` is a contract: changing it deletes and recreates the store."""

    def __init__(self, scope: Construct, id: str, *, env: Environment, azure: AzureStack, eso: EsoStack) -> None:
        super().__init__(scope, id, env=env)
        # The CRD and the webhook come with the release; the vault URI and tenant come from the azure stack
        # (a cross-stack reference, which adds that dependency by itself).
        self.add_dependency(eso)
        kubernetes_provider(self, env.cluster)
        self.manifest = environment_cluster_secret_store(
            env, vault_url=azure.key_vault.vault_uri, tenant_id=azure.tenant_id
        )
        self.cluster_secret_store = KubernetesManifest(
            self, "cluster_secret_store", manifest=terraform_literal(self.manifest)
        )
        if env.adoption.cluster_secret_store:
            import_existing(self.cluster_secret_store, manifest_import_id(self.manifest))
