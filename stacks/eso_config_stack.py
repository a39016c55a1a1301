"""Stack ``eso-config-<env>``: the environment's ClusterSecretStore, ``azure-kv-store-<env>``, and ESO's alerts.

Replaces the manual ``kubectl apply -f clustersecretstore.yaml``. It is a stack of its own, deployed after
``eso-<env>``, because ``kubernetes_manifest`` reads the ClusterSecretStore CRD from the cluster at plan time: in
the same stack as the Helm release that installs the CRD, the first plan would fail. With
``eso.service_monitor_enabled`` (and ``eso.alerts.enabled``) it also holds the PrometheusRule
``external-secrets-alerts`` (constructs/eso_alerts.py), whose CRD comes with the Prometheus Operator; the stack then
exists even when every app is isolated and there is no ClusterSecretStore.
"""

from __future__ import annotations

from cdk import Construct, KubernetesManifest, terraform_literal
from adoption import import_existing, manifest_import_id
from cluster_access import kubernetes_provider
from config import Environment
from eso_alerts import prometheus_rule
from eso_manifests import environment_cluster_secret_store
from stacks.azure_stack import AzureStack
from stacks.base import EnvironmentStack
from stacks.eso_stack import EsoStack


class EsoConfigStack(EnvironmentStack):
    """Construct IDs ``cluster_secret_store`` and ``prometheus_rule`` are a contract: changing one deletes and
    recreates the object."""

    def __init__(self, scope: Construct, id: str, *, env: Environment, azure: AzureStack, eso: EsoStack) -> None:
        super().__init__(scope, id, env=env)
        # The CRD and the webhook come with the release; the vault URI and tenant come from the azure stack
        # (a cross-stack reference, which adds that dependency by itself).
        self.add_dependency(eso)
        kubernetes_provider(self, env.cluster)
        self.manifest = None
        self.cluster_secret_store = None
        if env.uses_cluster_secret_store:
            self.manifest = environment_cluster_secret_store(
                env, vault_url=azure.key_vault.vault_uri, tenant_id=azure.tenant_id
            )
            self.cluster_secret_store = KubernetesManifest(
                self, "cluster_secret_store", manifest=terraform_literal(self.manifest)
            )
            if env.adoption.cluster_secret_store:
                import_existing(self.cluster_secret_store, manifest_import_id(self.manifest))
        self.alerts_manifest = None
        self.prometheus_rule = None
        if env.eso.alerts_enabled:
            self.alerts_manifest = prometheus_rule(namespace=env.eso.namespace, labels=env.eso.alerts.rule_labels)
            self.prometheus_rule = KubernetesManifest(
                self, "prometheus_rule", manifest=terraform_literal(self.alerts_manifest)
            )
