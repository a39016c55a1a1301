"""Stack ``eso-<env>``: External Secrets Operator on the environment's cluster.

Replaces the manual ``helm install external-secrets ...`` and, in service principal mode,
``kubectl create secret generic azure-secret-creds ...``. The client ID and secret come from the ``azure-<env>``
stack as cross-stack references (a sensitive output there, a ``terraform_remote_state`` here), so the secret is
never written into ``cdktf.out``; it is in both stacks' Terraform state, which is therefore secret.
"""

from __future__ import annotations

from cdk import Construct, NamespaceV1, NamespaceV1Metadata
from cluster_access import helm_provider, kubernetes_provider
from addresses import app_scope, formerly
from adoption import import_existing, namespaced_id
from config import Environment
from config.eso import EsoAuth
from eso_identity import EsoServicePrincipal
from eso_operator import RELEASE_NAME, AppSignIn, AzureCredentialsSecret, ExternalSecretsOperator, WorkloadIdentityBinding
from stacks.azure_stack import AzureStack
from stacks.base import EnvironmentStack


class EsoStack(EnvironmentStack):
    """Construct IDs here are a contract: ``eso`` (namespace, release) and ``azure_credentials`` (the Secret); per
    app, ``app/<app>/namespace`` and ``app/<app>/sign_in``."""

    def __init__(self, scope: Construct, id: str, *, env: Environment, azure: AzureStack) -> None:
        super().__init__(scope, id, env=env)
        kubernetes_provider(self, env.cluster)
        helm_provider(self, env.cluster)

        workload_identity = None
        if env.eso.auth is EsoAuth.WORKLOAD_IDENTITY and azure.eso_identity:
            workload_identity = WorkloadIdentityBinding(
                client_id=azure.eso_identity.client_id, tenant_id=azure.tenant_id
            )
        self.operator = ExternalSecretsOperator(self, "eso", settings=env.eso, workload_identity=workload_identity)
        adopted = env.adoption
        if adopted.eso_namespace:
            import_existing(self.operator.namespace, env.eso.namespace)
        if adopted.eso_release:
            import_existing(self.operator.release, namespaced_id(env.eso.namespace, RELEASE_NAME))

        self.credentials: AzureCredentialsSecret | None = None
        if azure.service_principal:
            self.credentials = AzureCredentialsSecret(
                self,
                "azure_credentials",
                namespace=self.operator.namespace_name,
                client_id=azure.service_principal.client_id,
                client_secret=azure.service_principal.client_secret,
                settings=env.eso.service_principal.credentials_secret,
            )
            if adopted.credentials_secret:
                import_existing(self.credentials.secret, namespaced_id(env.eso.namespace, self.credentials.settings.name))

        # The apps' side of the cluster: namespaces this project creates, and for isolated apps the service
        # account (workload identity) or credentials Secret (service principal) their SecretStore signs in with.
        self.app_namespaces = {
            app.name: formerly(
                NamespaceV1(app_scope(self, app.name), "namespace", metadata=NamespaceV1Metadata(name=app.namespace)),
                f"{app.name}-namespace",
            )
            for app in env.apps
            if app.create_namespace
        }
        for app in env.apps:
            if app.name in adopted.app_namespaces:
                import_existing(self.app_namespaces[app.name], app.namespace)
        self.app_sign_ins: dict[str, AppSignIn] = {}
        for app in env.isolated_apps:
            identity = azure.app_identities[app.name]
            namespace = self.app_namespaces.get(app.name)
            self.app_sign_ins[app.name] = AppSignIn(
                app_scope(self, app.name),
                "sign_in",
                namespace=namespace.metadata.name if namespace else app.namespace,
                service_account=app.service_account,
                client_id=identity.client_id,
                tenant_id=azure.tenant_id,
                client_secret=identity.client_secret if isinstance(identity, EsoServicePrincipal) else None,
                credentials=env.eso.service_principal.credentials_secret,
            )
            formerly(self.app_sign_ins[app.name], f"{app.name}-sign-in")
