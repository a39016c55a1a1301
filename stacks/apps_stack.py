"""Stack ``apps-<env>``: one ExternalSecret per app, in the app's namespace (Terraform delivery).

Replaces the manual ``kubectl apply -f externalsecret.yaml`` per app. A shared app's ExternalSecret reads the
ClusterSecretStore (so this stack comes after ``eso-config-<env>``); an isolated app gets a SecretStore of its own
in its namespace, signing in as the app's own identity. ``kubernetes_manifest`` needs ESO's CRDs at plan time, so
this stack always comes after ``eso-<env>``. With ``delivery.mode: gitops`` this stack does not exist; the same
manifests are rendered under ``manifests/<env>/``.
"""

from __future__ import annotations

from addresses import app_scope, formerly
from adoption import import_existing, manifest_import_id
from app_manifests import external_secret
from certificate_manifests import certificate_external_secret
from cdk import Construct, KubernetesManifest, TerraformStack, terraform_literal
from cluster_access import kubernetes_provider
from config import Environment
from eso_manifests import app_secret_store, cluster_secret_store_name
from stacks.azure_stack import AzureStack
from stacks.base import EnvironmentStack


class AppsStack(EnvironmentStack):
    """Construct IDs: ``app/<app>/external_secret`` for the ExternalSecret, ``app/<app>/secret_store`` for an
    isolated app's store, ``app/<app>/certificate_<name>`` for a certificate's ExternalSecret."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        env: Environment,
        azure: AzureStack,
        after: list[TerraformStack],
    ) -> None:
        super().__init__(scope, id, env=env)
        for stack in after:
            self.add_dependency(stack)
        kubernetes_provider(self, env.cluster)
        self.external_secrets: dict[str, KubernetesManifest] = {}
        self.secret_stores: dict[str, KubernetesManifest] = {}
        self.certificates: dict[tuple[str, str], KubernetesManifest] = {}
        for app in env.apps:
            if not app.reads_the_vault:
                continue
            scope = app_scope(self, app.name)
            if app.isolated:
                store = KubernetesManifest(
                    scope,
                    "secret_store",
                    manifest=terraform_literal(
                        app_secret_store(
                            app,
                            vault_url=azure.key_vault.vault_uri,
                            tenant_id=azure.tenant_id,
                            auth_mode=env.eso.auth,
                            credentials=env.eso.service_principal.credentials_secret,
                        )
                    ),
                )
                self.secret_stores[app.name] = formerly(store, f"{app.name}-secret-store")
                store_name, store_kind = app.secret_store_name, "SecretStore"
            else:
                store = None
                store_name, store_kind = cluster_secret_store_name(env.name), "ClusterSecretStore"
            if app.external_secret:
                manifest = external_secret(app, store_name=store_name, store_kind=store_kind)
                self.external_secrets[app.name] = formerly(
                    KubernetesManifest(
                        scope, "external_secret", manifest=terraform_literal(manifest),
                        depends_on=[store] if store else None,
                    ),
                    app.name,
                )
                if app.name in env.adoption.external_secrets:
                    import_existing(self.external_secrets[app.name], manifest_import_id(manifest))
            for certificate in app.certificates:
                manifest = certificate_external_secret(app, certificate, store_name=store_name, store_kind=store_kind)
                self.certificates[(app.name, certificate.name)] = KubernetesManifest(
                    scope, f"certificate_{certificate.name}", manifest=terraform_literal(manifest),
                    depends_on=[store] if store else None,
                )
                if app.name in env.adoption.external_secrets:
                    import_existing(self.certificates[(app.name, certificate.name)], manifest_import_id(manifest))
