"""Stack ``secrets-<env>``: every app's secrets in the environment's Key Vault (the azure-secrets module per app).

Replaces the manual ``terraform apply`` of the azure-secrets module once per app. It reads the vault ID from the
azure stack's state, through the RBAC propagation wait, so no secret is written before the grants hold.
"""

from __future__ import annotations

from cdk import Construct, RandomProvider
from addresses import apps_scope
from adoption import import_existing
from config import Environment
from modules.azure_secrets import AzureSecrets
from stacks.azure_stack import AzureStack
from stacks.base import EnvironmentStack, azurerm_provider


WRITE_ONLY_TERRAFORM_VERSION = ">= 1.11.0"


class SecretsStack(EnvironmentStack):
    """One :class:`AzureSecrets` per app, ``app/<app>`` (the app's name, a contract)."""

    def __init__(self, scope: Construct, id: str, *, env: Environment, azure: AzureStack) -> None:
        super().__init__(scope, id, env=env)
        azurerm_provider(self, env)
        RandomProvider(self, "random")
        write_only = env.key_vault.write_only_secrets
        if write_only:
            # Write-only arguments and ephemeral variables need Terraform 1.11.
            self.add_override("terraform.required_version", WRITE_ONLY_TERRAFORM_VERSION)
        self.apps = {
            app.name: AzureSecrets.for_app(
                apps_scope(self),
                app,
                key_vault_id=azure.vault_access.writable_vault_id,
                write_only=write_only,
                # Isolated apps: their own identity may read exactly their own secrets.
                reader_principal_id=azure.app_identities[app.name].principal_id if app.isolated else None,
            )
            for app in env.apps
            if app.secrets
        }
        for app_name, module in self.apps.items():
            for key, secret in module.secrets.items():
                import_existing(secret, env.adoption.vault_secrets.get(f"{app_name}-{key}"))
