"""A Key Vault with secure defaults, authorised by Azure RBAC only.

Defaults, each switchable through :class:`config.azure.KeyVaultSettings`:
* RBAC authorization (``rbac_authorization_enabled``), never access policies
  (https://learn.microsoft.com/azure/key-vault/general/rbac-guide);
* purge protection on and soft-delete retention of 90 days, so a deleted vault or secret can be recovered
  (https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview);
* the firewall denies by default; trusted Azure services bypass it
  (https://learn.microsoft.com/azure/key-vault/general/network-security);
* ``prevent_destroy``: no refactor can plan to destroy a vault full of secrets;
* when configured, a private endpoint (``private_endpoint``) so the cluster reaches the vault over its own network
  (https://learn.microsoft.com/azure/key-vault/general/private-link-service).
"""

from __future__ import annotations

from cdk import (
    Construct,
    KeyVault,
    KeyVaultNetworkAcls,
    PrivateEndpoint,
    PrivateEndpointPrivateDnsZoneGroup,
    PrivateEndpointPrivateServiceConnection,
    TerraformResourceLifecycle,
)
from addresses import formerly
from config.azure import KeyVaultSettings


class SecureKeyVault(Construct):
    """Makes one ``azurerm_key_vault``: the construct's own resource (ID ``Default``, so its address is the
    construct's, ``azurerm_key_vault.key_vault`` in the azure stack; a contract: changing it replaces the vault) and,
    when configured, an ``azurerm_private_endpoint`` (``private_endpoint``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: KeyVaultSettings,
        resource_group_name: str,
        location: str,
        tenant_id: str,
        tags: dict[str, str],
    ) -> None:
        super().__init__(scope, id)
        acls = settings.network_acls
        self.vault = KeyVault(
            self,
            "Default",
            name=settings.name,
            location=location,
            resource_group_name=resource_group_name,
            tenant_id=tenant_id,
            sku_name=settings.sku_name.value,
            rbac_authorization_enabled=True,
            purge_protection_enabled=settings.purge_protection_enabled,
            soft_delete_retention_days=settings.soft_delete_retention_days,
            public_network_access_enabled=settings.public_network_access_enabled,
            network_acls=KeyVaultNetworkAcls(
                default_action=acls.default_action.value,
                bypass=acls.bypass.value,
                ip_rules=list(acls.ip_rules),
                virtual_network_subnet_ids=list(acls.virtual_network_subnet_ids),
            ),
            tags=tags,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=settings.prevent_destroy),
        )
        formerly(self.vault, "vault")
        self.private_endpoint: PrivateEndpoint | None = None
        endpoint = settings.private_endpoint
        if endpoint:
            self.private_endpoint = PrivateEndpoint(
                self,
                "private_endpoint",
                name=f"pe-{settings.name}",
                location=location,
                resource_group_name=resource_group_name,
                subnet_id=endpoint.subnet_id,
                private_service_connection=PrivateEndpointPrivateServiceConnection(
                    name=f"psc-{settings.name}",
                    private_connection_resource_id=self.vault.id,
                    subresource_names=["vault"],
                    is_manual_connection=False,
                ),
                private_dns_zone_group=(
                    PrivateEndpointPrivateDnsZoneGroup(
                        name="vault", private_dns_zone_ids=list(endpoint.private_dns_zone_ids)
                    )
                    if endpoint.private_dns_zone_ids
                    else None
                ),
                tags=tags,
            )

    @property
    def vault_id(self) -> str:
        return self.vault.id

    @property
    def vault_uri(self) -> str:
        return self.vault.vault_uri

    @property
    def name(self) -> str:
        return self.vault.name
