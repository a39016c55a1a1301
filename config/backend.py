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

from config.azure import RESOURCE_GROUP_RULE, check_resource_group
from config.reader import Section, check_guid, check_pattern

# -- models ---------------------------------------------------------------------------------------------------


class BackendType(Enum):
    LOCAL = "local"
    CLOUD = "cloud"
    AZURERM = "azurerm"


@dataclass(frozen=True)
class CloudBackendSettings:
    organization: str
    hostname: str = "app.terraform.io"
    workspace_prefix: str = "platform"
    # The HCP Terraform project new workspaces go into (None: the organization's default project).
    project: str | None = None
    # An existing HCP Terraform agent pool for the workspaces whose runs must reach a private network (the cluster,
    # a vault behind its firewall); None: those workspaces use local execution. See stacks/hcp_stack.py.
    agent_pool: str | None = None


@dataclass(frozen=True)
class AzurermBackendSettings:
    resource_group_name: str
    storage_account_name: str
    container_name: str = "tfstate"
    key_prefix: str = "platform"
    subscription_id: str | None = None
    tenant_id: str | None = None


@dataclass(frozen=True)
class BackendSettings:
    type: BackendType = BackendType.LOCAL
    cloud: CloudBackendSettings | None = None
    azurerm: AzurermBackendSettings | None = None

    def workspace(self, stack: str) -> str:
        """The HCP Terraform workspace of a stack (cloud backend)."""
        assert self.cloud
        return f"{self.cloud.workspace_prefix}-{stack}"


# -- rules ----------------------------------------------------------------------------------------------------

# Keys that would put a credential into the file (and so into Git and cdktf.out), with where it comes from instead.
_CREDENTIAL_KEYS = {
    "token": "Terraform reads it from `terraform login` or TF_TOKEN_<hostname with dots as underscores> at run time",
    "access_key": "the azurerm backend signs in with Entra ID (az login or ARM_* variables); no storage key is needed",
    "sas_token": "the azurerm backend signs in with Entra ID (az login or ARM_* variables); no SAS token is needed",
    "client_secret": "set ARM_CLIENT_SECRET in the environment of the Terraform run",
}

ORGANIZATION_RULE = "an HCP Terraform organization name: letters, digits, '_' and '-'"
check_organization = check_pattern(r"[A-Za-z0-9_-]{1,80}", ORGANIZATION_RULE)
HOSTNAME_RULE = "a host name such as 'app.terraform.io'"
check_hostname = check_pattern(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+", HOSTNAME_RULE)
AGENT_POOL_RULE = "the name of an existing HCP Terraform agent pool: 1-90 letters, digits, spaces, '_', '-' and '.'"
check_agent_pool = check_pattern(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,89}", AGENT_POOL_RULE)
PREFIX_RULE = "1-40 letters, digits, '_' and '-' (workspace names are '<prefix>-<stack>')"
check_prefix = check_pattern(r"[A-Za-z0-9_-]{1,40}", PREFIX_RULE)
STORAGE_ACCOUNT_RULE = "3-24 lower-case letters and digits"
check_storage_account = check_pattern(r"[a-z0-9]{3,24}", STORAGE_ACCOUNT_RULE)
CONTAINER_RULE = "3-63 lower-case letters, digits and single dashes, starting and ending with a letter or digit"
check_container = check_pattern(r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]", CONTAINER_RULE)
KEY_PREFIX_RULE = "letters, digits, '_', '-', '.' and '/' separated path segments, without leading or trailing '/'"
check_key_prefix = check_pattern(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*", KEY_PREFIX_RULE)


def _refuse_credentials(section: Section) -> None:
    for key, instead in _CREDENTIAL_KEYS.items():
        if section.has(key):
            section.fail(key, "<not shown>", f"credentials never go into an environment file: {instead}")


# -- parsing --------------------------------------------------------------------------------------------------


def parse_backend(section: Section) -> BackendSettings:
    _refuse_credentials(section)
    # Every backend type's keys; done() still rejects those of another type.
    section.expect(
        "type", "workspace_tags", "organization", "hostname", "workspace_prefix", "project", "agent_pool",
        "resource_group_name", "storage_account_name", "container_name", "key_prefix", "subscription_id", "tenant_id",
    )
    backend_type = section.choice("type", BackendType, BackendType.LOCAL)
    cloud = azurerm = None
    if backend_type is BackendType.CLOUD:
        if section.has("workspace_tags"):
            section.fail(
                "workspace_tags",
                section.raw["workspace_tags"],
                "tag-based workspaces cannot carry the cross-stack references between this project's stacks "
                "(the ESO stack reads the azure stack's outputs from a named workspace): use workspace_prefix, "
                "which gives each stack its own workspace '<prefix>-<stack>'",
            )
        cloud = CloudBackendSettings(
            organization=section.string("organization", rule=ORGANIZATION_RULE, check=check_organization),
            hostname=section.string("hostname", "app.terraform.io", rule=HOSTNAME_RULE, check=check_hostname),
            workspace_prefix=section.string("workspace_prefix", "platform", rule=PREFIX_RULE, check=check_prefix),
            project=section.string("project", None, rule="an HCP Terraform project name"),
            agent_pool=section.string("agent_pool", None, rule=AGENT_POOL_RULE, check=check_agent_pool),
        )
    elif backend_type is BackendType.AZURERM:
        azurerm = AzurermBackendSettings(
            resource_group_name=section.string(
                "resource_group_name", rule=RESOURCE_GROUP_RULE, check=check_resource_group
            ),
            storage_account_name=section.string(
                "storage_account_name", rule=STORAGE_ACCOUNT_RULE, check=check_storage_account
            ),
            container_name=section.string("container_name", "tfstate", rule=CONTAINER_RULE, check=check_container),
            key_prefix=section.string("key_prefix", "platform", rule=KEY_PREFIX_RULE, check=check_key_prefix),
            subscription_id=section.string("subscription_id", None, rule="a GUID", check=check_guid),
            tenant_id=section.string("tenant_id", None, rule="a GUID", check=check_guid),
        )
    section.done()
    return BackendSettings(type=backend_type, cloud=cloud, azurerm=azurerm)
