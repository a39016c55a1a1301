"""Where the environment's Terraform state lives: one state per stack, in one of three backends.

* ``local`` (default): ``state/<stack>.tfstate`` beside ``cdktf.out/``;
* ``cloud``: HCP Terraform / Terraform Enterprise, one named workspace per stack, ``<prefix>-<stack>``;
* ``azurerm``: a blob per stack in an Azure Storage container, ``<key_prefix>/<stack>.tfstate``, Entra ID auth.

No token or key is ever read from the environment file: Terraform takes them at run time from its CLI credentials
(``terraform login``, ``TF_TOKEN_<host>``) or ``ARM_*`` variables.
https://developer.hashicorp.com/terraform/language/backend
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field

from config.azure import ResourceGroup
from config.reader import Settings, settings, guid, text, variants


class BackendType(Enum):
    LOCAL = "local"
    CLOUD = "cloud"
    AZURERM = "azurerm"


_ENTRA_ID = "the azurerm backend signs in with Entra ID (az login or ARM_* variables)"
_NEVER = "credentials never go into an environment file: "


@dataclass(frozen=True)
class BackendSettings:
    """The environment's backend, as stacks read it: its type, and the settings of a cloud or azurerm backend."""

    type: BackendType = BackendType.LOCAL
    cloud: CloudBackendSettings | None = None
    azurerm: AzurermBackendSettings | None = None

    @classmethod
    def of(cls, written: _Backend) -> BackendSettings:
        """From the section as the file writes it (one of the variants below)."""
        return cls(
            type=written.type,
            cloud=written if isinstance(written, CloudBackendSettings) else None,
            azurerm=written if isinstance(written, AzurermBackendSettings) else None,
        )

    def workspace(self, stack: str) -> str:
        """The HCP Terraform workspace of a stack (cloud backend)."""
        assert self.cloud
        return f"{self.cloud.workspace_prefix}-{stack}"


@settings
class _Backend(Settings):
    """A ``backend:`` section; ``type`` says which of the variants below it is."""

    type: BackendType
    # Keys that would put a credential into the file (and so into Git and cdktf.out), with where it comes from.
    refused: ClassVar[dict[str, tuple[bool, str]]] = {
        "token": (False, _NEVER + "Terraform reads it from `terraform login` or TF_TOKEN_<hostname with dots as "
                  "underscores> at run time"),
        "access_key": (False, f"{_NEVER}{_ENTRA_ID}; no storage key is needed"),
        "sas_token": (False, f"{_NEVER}{_ENTRA_ID}; no SAS token is needed"),
        "client_secret": (False, _NEVER + "set ARM_CLIENT_SECRET in the environment of the Terraform run"),
    }


@settings
class LocalBackendSettings(_Backend):
    type: Annotated[Literal[BackendType.LOCAL], BeforeValidator(BackendType)] = Field(
        BackendType.LOCAL, description="local: state/<stack>.tfstate; cloud: HCP Terraform; azurerm: Azure Storage."
    )


@settings
class CloudBackendSettings(_Backend):
    type: Annotated[Literal[BackendType.CLOUD], BeforeValidator(BackendType)]
    refused: ClassVar[dict[str, tuple[bool, str]]] = {
        **_Backend.refused,
        "workspace_tags": (True, "tag-based workspaces cannot carry the cross-stack references between this "
                           "project's stacks (the ESO stack reads the azure stack's outputs from a named workspace): "
                           "use workspace_prefix, which gives each stack its own workspace '<prefix>-<stack>'"),
    }
    organization: text("an HCP Terraform organization name: letters, digits, '_' and '-'",
                       r"^[A-Za-z0-9_-]{1,80}$") = Field(description="The HCP Terraform organization.")
    hostname: text("a host name such as 'app.terraform.io'",
                   r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$") = Field(
        "app.terraform.io", description="HCP Terraform or a Terraform Enterprise host."
    )
    workspace_prefix: text("1-40 letters, digits, '_' and '-' (workspace names are '<prefix>-<stack>')",
                           r"^[A-Za-z0-9_-]{1,40}$") = Field("platform", description="Workspaces are <prefix>-<stack>.")
    project: text("an HCP Terraform project name") | None = Field(
        None, description="The HCP Terraform project of new workspaces (default: the organization's default)."
    )
    agent_pool: text("the name of an existing HCP Terraform agent pool: 1-90 letters, digits, spaces, '_', '-' and '.'",
                     r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,89}$") | None = Field(
        None, description="An existing agent pool: workspaces whose runs must reach the cluster or a closed vault run "
        "on it (stack hcp-<env>). Default: none, those workspaces use local execution.",
    )


@settings
class AzurermBackendSettings(_Backend):
    type: Annotated[Literal[BackendType.AZURERM], BeforeValidator(BackendType)]
    resource_group_name: ResourceGroup = Field(description="The resource group of the storage account.")
    storage_account_name: text("3-24 lower-case letters and digits", r"^[a-z0-9]{3,24}$") = Field(
        description="The storage account holding state."
    )
    container_name: text(
        "3-63 lower-case letters, digits and single dashes, starting and ending with a letter or digit",
        r"^[a-z0-9](-?[a-z0-9])+$", min_length=3, max_length=63,
    ) = Field("tfstate", description="The blob container.")
    key_prefix: text(
        "letters, digits, '_', '-', '.' and '/' separated path segments, without leading or trailing '/'",
        r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$",
    ) = Field("platform", description="Blobs are <key_prefix>/<stack>.tfstate.")
    subscription_id: guid() | None = Field(None, description="Default: from ARM_* variables or az login.")
    tenant_id: guid() | None = Field(None, description="Default: from ARM_* variables or az login.")


Backend = variants("type", BackendType, {
    BackendType.LOCAL: LocalBackendSettings,
    BackendType.CLOUD: CloudBackendSettings,
    BackendType.AZURERM: AzurermBackendSettings,
})
