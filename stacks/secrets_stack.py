"""Stack ``secrets-<env>``: every app's secrets in the environment's Key Vault (the azure-secrets module per app).

Replaces the manual ``terraform apply`` of the azure-secrets module once per app. It reads the vault ID from the
azure stack's state, through the RBAC propagation wait, so no secret is written before the grants hold.
"""

from __future__ import annotations

from cdk import Construct, RandomProvider, RoleAssignment
from addresses import app_scope, apps_scope
from adoption import import_existing
from config import Environment
from modules.azure_secrets import AzureSecrets
from vault_access import SECRETS_USER
from stacks.azure_stack import AzureStack
from stacks.base import EnvironmentStack, azurerm_provider


WRITE_ONLY_TERRAFORM_VERSION = ">= 1.11.0"


class SecretsStack(EnvironmentStack):
    """One :class:`AzureSecrets` per app, ``app/<app>`` (the app's name, a contract); per certificate of an
    isolated app, the role assignment ``app/<app>/certificate_<name>_reader``."""

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
        # Isolated apps read each certificate through its backing secret (constructs/certificate_manifests.py):
        # Key Vault Secrets User on that one secret, <vault id>/secrets/<name>. The certificate is not made here,
        # so its scope is written from the vault's ID and the name rather than read from a resource.
        self.certificate_readers: dict[tuple[str, str], RoleAssignment] = {}
        for app in env.isolated_apps:
            for certificate in app.certificates:
                self.certificate_readers[(app.name, certificate.name)] = RoleAssignment(
                    app_scope(self, app.name),
                    f"certificate_{certificate.name}_reader",
                    scope=f"{azure.key_vault.vault_id}/secrets/{certificate.name}",
                    role_definition_name=SECRETS_USER,
                    principal_id=azure.app_identities[app.name].principal_id,
                    principal_type="ServicePrincipal",
                )
