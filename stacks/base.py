"""What every stack of an environment shares: its environment and where its state lives."""

from __future__ import annotations

from typing import Any

from cdk import (
    AzurermBackend,
    AzurermProvider,
    AzurermProviderFeatures,
    AzurermProviderFeaturesKeyVault,
    CloudBackend,
    Construct,
    LocalBackend,
    NamedCloudWorkspace,
    TerraformStack,
)
from addresses import NameRegistry, moved_blocks
from config import Environment
from config.backend import BackendSettings, BackendType

# Terraform runs each stack in <outdir>/stacks/<stack>/. From there this is the folder `state/` beside the outdir
# (normally the project root's state/): state survives `rm -rf cdktf.out`, the path holds nothing of this machine,
# and other stacks' terraform_remote_state resolve to the same file.
LOCAL_STATE_DIR = "../../../state"


def configure_backend(stack: TerraformStack, stack_name: str, settings: BackendSettings) -> None:
    """One state per stack. cdktf derives each cross-stack ``terraform_remote_state`` from the producing stack's
    backend, so a consumer always reads the state where the producer writes it, whichever backend is chosen.

    No credential is passed: Terraform takes HCP Terraform tokens from ``terraform login`` / ``TF_TOKEN_<host>``
    and Azure credentials from ``az login`` / ``ARM_*`` at run time.
    """
    if settings.type is BackendType.LOCAL:
        LocalBackend(stack, path=f"{LOCAL_STATE_DIR}/{stack_name}.tfstate")
    elif settings.type is BackendType.CLOUD:
        assert settings.cloud
        CloudBackend(
            stack,
            organization=settings.cloud.organization,
            hostname=settings.cloud.hostname,
            workspaces=NamedCloudWorkspace(name=settings.workspace(stack_name), project=settings.cloud.project),
        )
    else:
        assert settings.azurerm
        azurerm = settings.azurerm
        AzurermBackend(
            stack,
            resource_group_name=azurerm.resource_group_name,
            storage_account_name=azurerm.storage_account_name,
            container_name=azurerm.container_name,
            key=f"{azurerm.key_prefix}/{stack_name}.tfstate",
            subscription_id=azurerm.subscription_id,
            tenant_id=azurerm.tenant_id,
            # Entra ID (RBAC: Storage Blob Data Contributor) instead of the storage account's shared key.
            use_azuread_auth=True,
        )


# Provider sources as Terraform's documentation writes them. The bindings write some as "azurerm", others as
# "hashicorp/azuread"; both mean registry.terraform.io/hashicorp/<name>, so state and lock files are unaffected.
DEFAULT_PROVIDER_NAMESPACE = "hashicorp"


# Import blocks with an expression as their ID (docs/migration.md).
IMPORT_TERRAFORM_VERSION = ">= 1.6.0"


class EnvironmentStack(TerraformStack):
    """A stack named ``<kind>-<env>`` with its own state in the environment's backend.

    Its JSON is written for review: resource names are readable and stable (``app_myapp_db-host``, not
    ``myapp_db-host_5F70B805``; see constructs/addresses.py), with a ``moved`` block for every resource whose
    address differs from the one cdktf gave it before, and every provider source is ``<namespace>/<name>``.
    """

    def __init__(self, scope: Construct, id: str, *, env: Environment) -> None:
        super().__init__(scope, id)
        self.env = env
        self._names = NameRegistry()
        self._final: dict[str, Any] | None = None
        configure_backend(self, id, env.backend)

    def _allocate_logical_id(self, tf_element):  # cdktf calls this for every element without an explicit name
        return self._names.allocate(tf_element, self)

    def final_terraform(self) -> dict[str, Any]:
        """The stack's Terraform JSON once it is complete, kept and returned again by :meth:`to_terraform` when
        ``app.synth()`` asks: rendering a stack of a few hundred apps takes seconds. Call it only when nothing more
        is added to this stack and every stack that reads from it has run ``prepare_stack`` (which turns
        cross-stack references into outputs here and ``terraform_remote_state`` there, as ``app.synth()`` does
        first). stacks/hcp_stack.py does, as the last stack of its environment."""
        if self._final is None:
            self._final = self.to_terraform()
        return self._final

    def to_terraform(self):
        if self._final is not None:
            return self._final
        synthesized = super().to_terraform()
        if synthesized.get("import"):
            # An import block's ID may be an expression (the subscription Terraform signs in to) since Terraform 1.6;
            # a stack that asks for more (write-only secrets: 1.11) keeps its requirement.
            synthesized.setdefault("terraform", {}).setdefault("required_version", IMPORT_TERRAFORM_VERSION)
        moved = moved_blocks(self, self._names)
        if moved:
            synthesized["moved"] = moved
        for provider in synthesized.get("terraform", {}).get("required_providers", {}).values():
            if "/" not in provider["source"]:
                provider["source"] = f"{DEFAULT_PROVIDER_NAMESPACE}/{provider['source']}"
        return synthesized


def azurerm_provider(stack: TerraformStack, env: Environment) -> AzurermProvider:
    """The azurerm provider as every stack that touches Azure configures it. Credentials come from ``az login`` or
    ``ARM_*`` at plan time."""
    return AzurermProvider(
        stack,
        "azurerm",
        subscription_id=env.azure.subscription_id,
        # When the file names the tenant (GitOps manifests carry it), Terraform signs in to that tenant and no other,
        # so the vault and the rendered stores cannot disagree.
        tenant_id=env.azure.tenant_id,
        # The provider would otherwise try to register every resource provider in the subscription, which needs
        # subscription-wide rights the deploying principal often lacks.
        resource_provider_registrations="none",
        features=[
            AzurermProviderFeatures(
                # Destroying a vault or secret soft-deletes it and never purges it; creating one whose name is
                # soft-deleted recovers it instead of failing. Secrets are never lost by a Terraform run.
                key_vault=[
                    AzurermProviderFeaturesKeyVault(
                        purge_soft_delete_on_destroy=False,
                        purge_soft_deleted_secrets_on_destroy=False,
                        recover_soft_deleted_key_vaults=True,
                        recover_soft_deleted_secrets=True,
                    )
                ]
            )
        ],
    )
