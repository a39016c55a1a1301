"""Who may do what in the vault, and the wait for those grants to take effect.

Roles are Azure built-in roles for Key Vault's RBAC model
(https://learn.microsoft.com/azure/key-vault/general/rbac-guide#azure-built-in-roles-for-key-vault-data-plane-operations):
* ``Key Vault Secrets User`` reads secret values: ESO gets it;
* ``Key Vault Secrets Officer`` manages secrets: the principal that deploys (and any extra officers) gets it.

New role assignments take a while to reach Key Vault; writing a secret right after granting the role fails with
403. Everything that writes secrets takes the vault ID from :attr:`VaultAccess.writable_vault_id`: the vault ID
read back from a ``time_sleep`` after the grants, so the dependency on the wait is carried by the data itself and
holds across stacks too (a consumer stack reads it through its remote state).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdk import Construct, RoleAssignment, TimeSleep, Token

SECRETS_USER = "Key Vault Secrets User"
SECRETS_OFFICER = "Key Vault Secrets Officer"


@dataclass(frozen=True)
class Grant:
    """One role for one principal. ``id`` becomes the construct ID (a contract: keep it stable)."""

    id: str
    principal_id: str
    role: str
    # "ServicePrincipal" for identities Terraform just created: Azure then skips the directory look-up that
    # fails while a new principal replicates. None when the principal type is not known (the deployer).
    principal_type: str | None = None


class VaultAccess(Construct):
    """Makes one ``azurerm_role_assignment`` per grant, scoped to the vault, then a ``time_sleep`` ``rbac_propagation``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vault_id: str,
        grants: list[Grant],
        propagation_wait_seconds: int,
    ) -> None:
        super().__init__(scope, id)
        self.assignments = [
            RoleAssignment(
                self,
                grant.id,
                scope=vault_id,
                role_definition_name=grant.role,
                principal_id=grant.principal_id,
                principal_type=grant.principal_type,
            )
            for grant in grants
        ]
        self.ready = TimeSleep(
            self,
            "rbac_propagation",
            create_duration=f"{propagation_wait_seconds}s",
            triggers={"key_vault_id": vault_id},
            depends_on=self.assignments,
        )

    @property
    def writable_vault_id(self) -> str:
        """The vault ID, known only once the role assignments have had time to propagate."""
        return Token.as_string(self.ready.interpolation_for_attribute("triggers.key_vault_id"))
