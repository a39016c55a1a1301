"""External Secrets Operator's stores as plain Kubernetes manifests (Python dicts), built by pure functions.

No CDK and no I/O here, so the same builders serve every way a store reaches a cluster:
* the ``eso-config-<env>`` stack hands the ClusterSecretStore to a ``kubernetes_manifest`` (values may be
  Terraform references, such as the vault URI from the ``azure-<env>`` stack);
* GitOps delivery renders the same dict to YAML for Argo CD (values are then literals);
* per-app isolation builds namespaced SecretStores around the same ``azurekv`` provider block.

Every manifest is ``external-secrets.io/v1`` (served since ESO 0.16.0; ``v1beta1`` is no longer served) and is
checked in the tests against the CRD schemas of ESO 2.9.0 in ``../shared/eso/``.
https://external-secrets.io/latest/provider/azure-key-vault/
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from config import Environment
from config.apps import AppSettings
# The credentials Secret's defaults: the manual setup's name and keys (eso.service_principal.credentials_secret).
from config.eso import (  # noqa: F401  (the defaults are read from here too)
    CLIENT_ID_KEY,
    CLIENT_SECRET_KEY,
    CREDENTIALS_SECRET_NAME,
    CredentialsSecretSettings,
    EsoAuth,
    EsoSettings,
)

ESO_API_VERSION = "external-secrets.io/v1"


@dataclass(frozen=True)
class ServicePrincipalCredentials:
    """Sign in as a service principal whose client ID and secret are keys of a Kubernetes Secret.

    ``namespace`` is always written: a ClusterSecretStore's ``authSecretRef`` without one is looked up in the
    namespace of each ExternalSecret, where the Secret does not exist (or, worse, where anyone could plant one).
    """

    namespace: str
    secret_name: str = CREDENTIALS_SECRET_NAME
    client_id_key: str = CLIENT_ID_KEY
    client_secret_key: str = CLIENT_SECRET_KEY

    @classmethod
    def of(cls, settings: CredentialsSecretSettings, *, namespace: str) -> ServicePrincipalCredentials:
        """The Secret ``settings`` describes, in ``namespace``."""
        return cls(
            namespace=namespace,
            secret_name=settings.name,
            client_id_key=settings.client_id_key,
            client_secret_key=settings.client_secret_key,
        )


@dataclass(frozen=True)
class WorkloadIdentityServiceAccount:
    """Sign in with workload identity as the Kubernetes service account ``namespace/name``.

    ESO reads ``azure.workload.identity/client-id`` (and ``.../tenant-id``) from the account's annotations and
    exchanges the account's token for an Entra ID token; no secret exists.
    https://external-secrets.io/latest/provider/azure-key-vault/#workload-identity
    """

    name: str
    namespace: str


StoreAuth = ServicePrincipalCredentials | WorkloadIdentityServiceAccount


def cluster_secret_store_name(env_name: str) -> str:
    """The environment's ClusterSecretStore, named as in the manual setup."""
    return f"azure-kv-store-{env_name}"


def store_auth(settings: EsoSettings) -> StoreAuth:
    """How the environment's ClusterSecretStore signs in, from the environment's ESO settings."""
    if settings.auth is EsoAuth.WORKLOAD_IDENTITY:
        return WorkloadIdentityServiceAccount(name=settings.service_account, namespace=settings.namespace)
    return ServicePrincipalCredentials.of(settings.service_principal.credentials_secret, namespace=settings.namespace)


def azurekv_provider(*, vault_url: str, tenant_id: str, auth: StoreAuth) -> dict[str, Any]:
    """The ``spec.provider`` block of a store reading one Key Vault."""
    azurekv: dict[str, Any] = {"vaultUrl": vault_url, "tenantId": tenant_id}
    if isinstance(auth, WorkloadIdentityServiceAccount):
        azurekv["authType"] = "WorkloadIdentity"
        azurekv["serviceAccountRef"] = {"name": auth.name, "namespace": auth.namespace}
    else:
        azurekv["authType"] = "ServicePrincipal"
        azurekv["authSecretRef"] = {
            "clientId": {"name": auth.secret_name, "key": auth.client_id_key, "namespace": auth.namespace},
            "clientSecret": {"name": auth.secret_name, "key": auth.client_secret_key, "namespace": auth.namespace},
        }
    return {"azurekv": azurekv}


def cluster_secret_store(
    *,
    name: str,
    vault_url: str,
    tenant_id: str,
    auth: StoreAuth,
    namespaces: Iterable[str] | None = None,
) -> dict[str, Any]:
    """A ClusterSecretStore reading the vault at ``vault_url``.

    ``namespaces``: when given, only ExternalSecrets in these namespaces may use the store (``spec.conditions``);
    an empty collection means no namespace may. ``None``: every namespace of the cluster may.
    """
    spec: dict[str, Any] = {"provider": azurekv_provider(vault_url=vault_url, tenant_id=tenant_id, auth=auth)}
    if namespaces is not None:
        spec["conditions"] = [{"namespaces": sorted(set(namespaces))}]
    return {"apiVersion": ESO_API_VERSION, "kind": "ClusterSecretStore", "metadata": {"name": name}, "spec": spec}


def secret_store(*, name: str, namespace: str, vault_url: str, tenant_id: str, auth: StoreAuth) -> dict[str, Any]:
    """A namespaced SecretStore: only ExternalSecrets in ``namespace`` can use it."""
    return {
        "apiVersion": ESO_API_VERSION,
        "kind": "SecretStore",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"provider": azurekv_provider(vault_url=vault_url, tenant_id=tenant_id, auth=auth)},
    }


def app_secret_store(
    app: AppSettings,
    *,
    vault_url: str,
    tenant_id: str,
    auth_mode: EsoAuth,
    credentials: CredentialsSecretSettings | None = None,
) -> dict[str, Any]:
    """An isolated app's SecretStore ``azure-kv-<app>`` in its namespace, signing in as the app's own identity:
    the service account ``app.service_account`` (workload identity) or the credentials Secret of the app's
    namespace (service principal; ``credentials``, default ``azure-secret-creds`` with ``client-id`` and
    ``client-secret``)."""
    auth: StoreAuth
    if auth_mode is EsoAuth.WORKLOAD_IDENTITY:
        auth = WorkloadIdentityServiceAccount(name=app.service_account, namespace=app.namespace)
    else:
        auth = ServicePrincipalCredentials.of(credentials or CredentialsSecretSettings(), namespace=app.namespace)
    return secret_store(
        name=app.secret_store_name, namespace=app.namespace, vault_url=vault_url, tenant_id=tenant_id, auth=auth
    )


def environment_cluster_secret_store(env: Environment, *, vault_url: str, tenant_id: str) -> dict[str, Any]:
    """The ClusterSecretStore of an environment: its name, how it signs in and, when
    ``eso.restrict_to_app_namespaces`` is on (the default), the namespaces of the environment's apps.

    ``vault_url`` and ``tenant_id`` are Terraform references in the ``eso-config`` stack and literals elsewhere.
    """
    # Isolated apps read through SecretStores of their own, so only the shared apps' namespaces need this store.
    namespaces = [app.namespace for app in env.shared_apps] if env.eso.restrict_to_app_namespaces else None
    return cluster_secret_store(
        name=cluster_secret_store_name(env.name),
        vault_url=vault_url,
        tenant_id=tenant_id,
        auth=store_auth(env.eso),
        namespaces=namespaces,
    )
