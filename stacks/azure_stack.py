"""Stack ``azure-<env>``: the resource group, the Key Vault, ESO's identity and who may use the vault.

Replaces the manual ``terraform apply`` of the Key Vault module. Provider credentials come from the Azure CLI
login or ``ARM_*`` variables at plan time; nothing secret is written here.
"""

from __future__ import annotations

from cdk import (
    AzureadProvider,
    Construct,
    DataAzurermClientConfig,
    ResourceGroup,
    TerraformOutput,
    TimeProvider,
)
from config import Environment
from config.eso import EsoAuth
from eso_identity import EsoServicePrincipal, EsoWorkloadIdentity
from secure_key_vault import SecureKeyVault
from stacks.base import EnvironmentStack, azurerm_provider
from vault_access import SECRETS_OFFICER, SECRETS_USER, Grant, VaultAccess


class AzureStack(EnvironmentStack):
    """Construct IDs here are a contract: the vault, the identity and the grants are stateful."""

    def __init__(self, scope: Construct, id: str, *, env: Environment) -> None:
        super().__init__(scope, id, env=env)

        azurerm_provider(self, env)
        AzureadProvider(self, "azuread")
        TimeProvider(self, "time")

        client = DataAzurermClientConfig(self, "current")
        tags = env.tags
        group = ResourceGroup(self, "resource_group", name=env.azure.resource_group, location=env.azure.location, tags=tags)

        self.key_vault = SecureKeyVault(
            self,
            "key_vault",
            settings=env.key_vault,
            resource_group_name=group.name,
            location=group.location,
            tenant_id=client.tenant_id,
            tags=tags,
        )

        self.service_principal: EsoServicePrincipal | None = None
        if env.eso.auth is EsoAuth.SERVICE_PRINCIPAL:
            self.service_principal = EsoServicePrincipal(self, "eso_identity", settings=env.eso.service_principal)
            identity: EsoServicePrincipal | EsoWorkloadIdentity = self.service_principal
        else:
            assert env.eso.workload_identity and env.cluster.oidc_issuer_url  # checked when the file was parsed
            identity = EsoWorkloadIdentity(
                self,
                "eso_identity",
                name=env.eso.workload_identity.identity_name,
                resource_group_name=group.name,
                location=group.location,
                oidc_issuer_url=env.cluster.oidc_issuer_url,
                namespace=env.eso.namespace,
                service_account=env.eso.service_account,
                tags=tags,
            )
        self.eso_identity = identity

        grants = [
            Grant("eso_secrets_user", identity.principal_id, SECRETS_USER, "ServicePrincipal"),
            Grant("deployer_secrets_officer", client.object_id, SECRETS_OFFICER),
            *(
                Grant(f"secrets_officer_{object_id}", object_id, SECRETS_OFFICER)
                for object_id in env.key_vault.secrets_officers
            ),
        ]
        self.vault_access = VaultAccess(
            self,
            "vault_access",
            vault_id=self.key_vault.vault_id,
            grants=grants,
            propagation_wait_seconds=env.key_vault.rbac_propagation_wait_seconds,
        )
        self.tenant_id = client.tenant_id

        TerraformOutput(self, "key_vault_id", value=self.key_vault.vault_id, description="Resource ID of the Key Vault")
        TerraformOutput(self, "key_vault_name", value=self.key_vault.name, description="Name of the Key Vault")
        TerraformOutput(self, "key_vault_uri", value=self.key_vault.vault_uri, description="Vault URI, for ESO's vaultUrl")
        TerraformOutput(self, "tenant_id", value=client.tenant_id, description="Entra ID tenant of the vault")
        TerraformOutput(self, "eso_client_id", value=identity.client_id, description="Client ID ESO signs in with")
        if self.service_principal:
            TerraformOutput(
                self,
                "eso_client_secret",
                value=self.service_principal.client_secret,
                sensitive=True,
                description="Client secret of ESO's service principal (sensitive; rotates, see the README)",
            )
