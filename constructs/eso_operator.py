"""External Secrets Operator on a cluster: its namespace, its Helm release and, in service principal mode, the
Kubernetes Secret with the credentials it signs in to Azure with.

Chart: ``external-secrets`` from https://charts.external-secrets.io (fixed), version from ``eso.chart_version``.
Values: https://github.com/external-secrets/external-secrets/blob/main/deploy/charts/external-secrets/values.yaml
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from cdk import (
    Construct,
    Fn,
    HelmRelease,
    NamespaceV1,
    NamespaceV1Metadata,
    SecretV1,
    SecretV1Metadata,
    ServiceAccountV1,
    ServiceAccountV1Metadata,
    Token,
    terraform_literal,
)
from addresses import formerly
from config.eso import CredentialsSecretSettings, EsoAuth, EsoSettings

CHART_REPOSITORY = "https://charts.external-secrets.io"
CHART_NAME = "external-secrets"
RELEASE_NAME = "external-secrets"

# Labels and annotations of Azure workload identity, read by AKS's mutating webhook and by ESO.
# https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html
WORKLOAD_IDENTITY_USE_LABEL = "azure.workload.identity/use"
WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id"
WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id"


@dataclass(frozen=True)
class WorkloadIdentityBinding:
    """The identity ESO's service account is federated with: its client ID and the tenant it belongs to."""

    client_id: str
    tenant_id: str


def chart_values(settings: EsoSettings, *, workload_identity: WorkloadIdentityBinding | None) -> dict[str, Any]:
    """The values of the ``external-secrets`` release, from the environment's ESO settings.

    Always set:
    * ``installCRDs: true`` and ``crds.annotations`` ``helm.sh/resource-policy: keep``: the chart installs the CRDs
      as templates, so without the annotation uninstalling the release would delete the CRDs and, with them, every
      ExternalSecret and every Secret they own;
    * ``replicaCount``, ``webhook.replicaCount`` and ``certController.replicaCount`` from ``eso.replicas``, with
      ``leaderElect`` when above 1 (only the leader syncs; the chart turns on the cert controller's own leader
      election when it has more than one pod). The webhook validates every ExternalSecret and store change, and
      the cert controller renews the webhook's certificate and injects its CA bundle, without which the webhook
      rejects every request: both get as many pods as the controller, so no deployment is a single point of
      failure where the controller is not;
    * ``serviceAccount.name`` from ``eso.service_account``: the federated credential's subject names it.

    When configured: ``resources`` of the controller; ``podDisruptionBudget`` of the controller, the webhook and
    the cert controller;
    ``serviceMonitor`` with ``renderMode: failIfMissing`` (asked-for monitoring that silently does not exist is
    worse than a failed release). In workload identity mode, ``workload_identity`` annotates the service account
    and ``podLabels`` has ``azure.workload.identity/use: "true"``, so AKS injects the token into the controller.
    It is None when every app is isolated: ESO then signs in only as the apps' own service accounts (through
    their SecretStores) and needs no identity of its own.
    """
    if workload_identity is not None and settings.auth is not EsoAuth.WORKLOAD_IDENTITY:
        raise ValueError("workload_identity is only for auth 'workload_identity'")

    service_account: dict[str, Any] = {"create": True, "name": settings.service_account}
    webhook: dict[str, Any] = {"replicaCount": settings.replicas}
    cert_controller: dict[str, Any] = {"replicaCount": settings.replicas}
    values: dict[str, Any] = {
        "installCRDs": True,
        "crds": {"annotations": {"helm.sh/resource-policy": "keep"}},
        "replicaCount": settings.replicas,
        "leaderElect": settings.leader_election_enabled,
        "serviceAccount": service_account,
        "webhook": webhook,
        "certController": cert_controller,
    }

    resources = {
        name: quantities.as_dict()
        for name, quantities in (("requests", settings.resources.requests), ("limits", settings.resources.limits))
        if quantities.as_dict()
    }
    if resources:
        values["resources"] = resources
    if settings.pod_disruption_budget:
        budget = {"enabled": True, "minAvailable": settings.pod_disruption_budget.min_available}
        values["podDisruptionBudget"] = budget
        webhook["podDisruptionBudget"] = dict(budget)
        cert_controller["podDisruptionBudget"] = dict(budget)
    if settings.service_monitor_enabled:
        # honorLabels: the metrics' own namespace label (the ExternalSecret's) is kept, not replaced by the
        # target's (ESO's), which the alerts (constructs/eso_alerts.py) and dashboards group by.
        values["serviceMonitor"] = {"enabled": True, "renderMode": "failIfMissing", "honorLabels": True}
    if workload_identity:
        service_account["annotations"] = {
            WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION: workload_identity.client_id,
            WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION: workload_identity.tenant_id,
        }
        values["podLabels"] = {WORKLOAD_IDENTITY_USE_LABEL: "true"}
    return values


class _ValuesDumper(yaml.SafeDumper):
    """YAML as Helm reads it; a string holding a Terraform reference is double-quoted, so that whatever the
    reference resolves to (a client ID, a tenant ID) stays a string."""


def _represent_string(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if "${" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_ValuesDumper.add_representer(str, _represent_string)


def render_values(values: dict[str, Any]) -> str:
    """Chart values as the release's ``values`` document: block-style YAML, one key a line, keys sorted, so the
    same settings always give the same text, a plan shows no spurious diff and a reviewer reads it as a values
    file."""
    return yaml.dump(values, Dumper=_ValuesDumper, sort_keys=True, default_flow_style=False, width=10_000)


class ExternalSecretsOperator(Construct):
    """Makes the ESO namespace (``kubernetes_namespace_v1``, ID ``namespace``) and the Helm release
    (``helm_release``, ID ``release``) of the ``external-secrets`` chart, with :func:`chart_values`.

    ``wait = true``: the release is complete only when every pod, the webhook's included, is ready, so a
    ClusterSecretStore applied afterwards is admitted. https://external-secrets.io/latest/introduction/getting-started/
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: EsoSettings,
        workload_identity: WorkloadIdentityBinding | None,
    ) -> None:
        super().__init__(scope, id)
        self.namespace = NamespaceV1(self, "namespace", metadata=NamespaceV1Metadata(name=settings.namespace))
        self.values = chart_values(settings, workload_identity=workload_identity)
        self.release = HelmRelease(
            self,
            "release",
            name=RELEASE_NAME,
            repository=CHART_REPOSITORY,
            chart=CHART_NAME,
            version=settings.chart_version,
            # A reference, not the literal: the release waits for the namespace.
            namespace=self.namespace.metadata.name,
            wait=True,
            values=[terraform_literal(render_values(self.values))],
        )

    @property
    def namespace_name(self) -> str:
        return self.namespace.metadata.name


class AzureCredentialsSecret(Construct):
    """Makes the Kubernetes Secret ``settings.name`` (``kubernetes_secret_v1``, the construct's own resource, ID
    ``Default``) with the keys ``settings.client_id_key`` and ``settings.client_secret_key`` that a store in service
    principal mode reads (default: the manual setup's ``azure-secret-creds`` with ``client-id`` and
    ``client-secret``).

    ``client_secret`` must be a Terraform reference (the ``azure-<env>`` stack's password), never a literal: the
    value then exists only in Terraform state and in the cluster, not in ``cdktf.out``. It is marked sensitive
    here, because a value read through ``terraform_remote_state`` loses the sensitivity of its output.
    https://external-secrets.io/latest/provider/azure-key-vault/#service-principal-key-authentication
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        namespace: str,
        client_id: str,
        client_secret: str,
        settings: CredentialsSecretSettings | None = None,
    ) -> None:
        if not Token.is_unresolved(client_secret):
            raise ValueError(
                "client_secret must be a Terraform reference (such as the azure stack's application password), "
                "never a literal: a literal would be written into cdktf.out"
            )
        super().__init__(scope, id)
        settings = settings or CredentialsSecretSettings()
        self.settings = settings
        self.secret = SecretV1(
            self,
            "Default",
            metadata=SecretV1Metadata(name=settings.name, namespace=namespace),
            type="Opaque",
            # A value read through terraform_remote_state is not marked sensitive, whatever the output it comes
            # from: mark it again here, so it is redacted in any plan or output it might reach.
            data={settings.client_id_key: client_id, settings.client_secret_key: Fn.sensitive(client_secret)},
        )
        formerly(self.secret, "secret")


class AppSignIn(Construct):
    """What an isolated app's SecretStore signs in with, in the app's namespace.

    * workload identity (``client_secret`` None): the service account ``service_account``
      (``kubernetes_service_account_v1``, ID ``service_account``) annotated with the app identity's client and
      tenant IDs; ESO requests a token for it and exchanges it for an Entra ID token;
    * service principal: the credentials Secret (:class:`AzureCredentialsSecret`, ID ``credentials``, named and
      keyed by ``credentials``) with the app's own client ID and secret.
    https://external-secrets.io/latest/provider/azure-key-vault/#referenced-service-account
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        namespace: str,
        service_account: str,
        client_id: str,
        tenant_id: str,
        client_secret: str | None,
        credentials: CredentialsSecretSettings | None = None,
    ) -> None:
        super().__init__(scope, id)
        if client_secret is None:
            ServiceAccountV1(
                self,
                "service_account",
                metadata=ServiceAccountV1Metadata(
                    name=service_account,
                    namespace=namespace,
                    annotations={
                        WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION: client_id,
                        WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION: tenant_id,
                    },
                ),
            )
        else:
            AzureCredentialsSecret(
                self,
                "credentials",
                namespace=namespace,
                client_id=client_id,
                client_secret=client_secret,
                settings=credentials,
            )
