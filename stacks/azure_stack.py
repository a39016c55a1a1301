"""Stack ``azure-<env>``: the resource group, the Key Vault, ESO's identity and who may use the vault.

Replaces the manual ``terraform apply`` of the Key Vault module. Provider credentials come from the Azure CLI
login or ``ARM_*`` variables at plan time; nothing secret is written here.
"""

from __future__ import annotations

from dataclasses import replace

from cdk import (
    AzureadProvider,
    Construct,
    DataAzurermClientConfig,
    ResourceGroup,
    TerraformOutput,
    TimeProvider,
    terraform_literal,
)
from addresses import app_scope, formerly
from adoption import import_existing
from config import Environment
from config.adoption import officer_grant_id
from config.eso import EsoAuth
from eso_identity import EsoServicePrincipal, EsoWorkloadIdentity
from secure_key_vault import SecureKeyVault
from stacks.base import EnvironmentStack, azurerm_provider
from expiry_notifications import ExpiryNotifications
from vault_audit import VaultAuditLogs
from vault_access import SECRETS_OFFICER, SECRETS_USER, Grant, VaultAccess


class AzureStack(EnvironmentStack):
    """Construct IDs here are a contract: the vault, the identity and the grants are stateful.

    An isolated app's identity is ``app/<app>/identity`` and its client ID the output ``app_<app>_client_id``.
    """

    def _identity(
        self,
        scope: Construct,
        id: str,
        *,
        display_name: str,
        identity_name: str,
        namespace: str,
        service_account: str,
        resource_group_name: str,
        location: str,
        tags: dict[str, str],
    ) -> EsoServicePrincipal | EsoWorkloadIdentity:
        """An identity in the environment's mode: a service principal, or a managed identity federated with the
        Kubernetes service account ``namespace/service_account``."""
        env = self.env
        if env.eso.auth is EsoAuth.SERVICE_PRINCIPAL:
            settings = replace(env.eso.service_principal, display_name=display_name)
            return EsoServicePrincipal(scope, id, settings=settings)
        assert env.cluster.oidc_issuer_url  # checked when the file was parsed
        return EsoWorkloadIdentity(
            scope,
            id,
            name=identity_name,
            resource_group_name=resource_group_name,
            location=location,
            oidc_issuer_url=env.cluster.oidc_issuer_url,
            namespace=namespace,
            service_account=service_account,
            tags=tags,
        )

    def __init__(self, scope: Construct, id: str, *, env: Environment) -> None:
        super().__init__(scope, id, env=env)

        azurerm_provider(self, env)
        AzureadProvider(self, "azuread", tenant_id=env.azure.tenant_id)
        TimeProvider(self, "time")

        client = DataAzurermClientConfig(self, "current")
        tags = terraform_literal(env.tags)
        group = ResourceGroup(self, "resource_group", name=env.azure.resource_group, location=env.azure.location, tags=tags)
        adopted = env.adoption

        self.key_vault = SecureKeyVault(
            self,
            "key_vault",
            settings=env.key_vault,
            resource_group_name=group.name,
            location=group.location,
            tenant_id=client.tenant_id,
            tags=tags,
        )
        for resource, existing in ((group, adopted.resource_group), (self.key_vault.vault, adopted.key_vault)):
            import_existing(resource, existing.resource_id(client.subscription_id) if existing else None)

        self.audit_logs: VaultAuditLogs | None = None
        if env.key_vault.audit_logs_enabled:
            self.audit_logs = VaultAuditLogs(
                self,
                "audit_logs",
                vault_id=self.key_vault.vault_id,
                vault_name=env.key_vault.name,
                workspace_id=env.key_vault.audit_logs.workspace_id,
                retention_days=env.key_vault.audit_logs.retention_days,
                resource_group_name=group.name,
                location=group.location,
                tags=tags,
            )

        self.expiry_notifications: ExpiryNotifications | None = None
        if env.key_vault.expiry_notifications:
            self.expiry_notifications = ExpiryNotifications(
                self,
                "expiry_notifications",
                settings=env.key_vault.expiry_notifications,
                vault_id=self.key_vault.vault_id,
                vault_name=env.key_vault.name,
                resource_group_name=group.name,
                location=group.location,
                tags=tags,
            )

        # ESO's own identity reads the whole vault for the ClusterSecretStore; it exists only while an app uses
        # that store (isolated apps read through identities of their own, below).
        self.service_principal: EsoServicePrincipal | None = None
        self.eso_identity: EsoServicePrincipal | EsoWorkloadIdentity | None = None
        grants = [Grant("deployer_secrets_officer", client.object_id, SECRETS_OFFICER)]
        if env.uses_cluster_secret_store:
            self.eso_identity = self._identity(
                self,
                "eso_identity",
                display_name=env.eso.service_principal.display_name,
                identity_name=env.eso.workload_identity.identity_name if env.eso.workload_identity else "",
                namespace=env.eso.namespace,
                service_account=env.eso.service_account,
                resource_group_name=group.name,
                location=group.location,
                tags=tags,
            )
            if isinstance(self.eso_identity, EsoServicePrincipal):
                self.service_principal = self.eso_identity
                import_existing(self.service_principal.application, adopted.application)
                import_existing(self.service_principal.service_principal, adopted.service_principal)
            grants.insert(0, Grant("eso_secrets_user", self.eso_identity.principal_id, SECRETS_USER, "ServicePrincipal"))
        grants += [
            Grant(officer_grant_id(object_id), object_id, SECRETS_OFFICER) for object_id in env.key_vault.secrets_officers
        ]

        # Isolated apps: an identity each, granted per secret in the secrets stack, never on the vault.
        self.app_identities: dict[str, EsoServicePrincipal | EsoWorkloadIdentity] = {
            app.name: formerly(
                self._identity(
                    app_scope(self, app.name),
                    "identity",
                    display_name=f"eso-{app.name}-{env.name}",
                    identity_name=f"id-{app.name}-{env.name}",
                    namespace=app.namespace,
                    service_account=app.service_account,
                    resource_group_name=group.name,
                    location=group.location,
                    tags={**tags, "app": app.name},
                ),
                f"{app.name}_identity",
            )
            for app in env.isolated_apps
        }

        self.vault_access = VaultAccess(
            self,
            "vault_access",
            vault_id=self.key_vault.vault_id,
            grants=grants,
            propagation_wait_seconds=env.key_vault.rbac_propagation_wait_seconds,
        )
        for grant, assignment in zip(grants, self.vault_access.assignments):
            import_existing(assignment, adopted.role_assignments.get(grant.id))
        self.tenant_id = client.tenant_id

        TerraformOutput(self, "key_vault_id", value=self.key_vault.vault_id, description="Resource ID of the Key Vault")
        TerraformOutput(self, "key_vault_name", value=self.key_vault.name, description="Name of the Key Vault")
        TerraformOutput(self, "key_vault_uri", value=self.key_vault.vault_uri, description="Vault URI, for ESO's vaultUrl")
        if self.audit_logs:
            TerraformOutput(
                self, "audit_log_workspace_id", value=self.audit_logs.workspace_id,
                description="Log Analytics workspace of the vault's audit log (docs/operations.md)",
            )
        TerraformOutput(self, "tenant_id", value=client.tenant_id, description="Entra ID tenant of the vault")
        if self.eso_identity:
            TerraformOutput(
                self, "eso_client_id", value=self.eso_identity.client_id, description="Client ID ESO signs in with"
            )
        for app_name, app_identity in self.app_identities.items():
            TerraformOutput(
                app_scope(self, app_name),
                "client_id",
                value=app_identity.client_id,
                description=f"Client ID the SecretStore of app {app_name} signs in with",
            )
        if self.service_principal:
            TerraformOutput(
                self,
                "eso_client_secret",
                value=self.service_principal.client_secret,
                sensitive=True,
                description="Client secret of ESO's service principal (sensitive; rotates, see the README)",
            )
