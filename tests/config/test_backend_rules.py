"""Backend settings: rules and the refusal of credentials in environment files."""

from __future__ import annotations

import pytest

from config import ConfigError
from config.backend import BackendType
from support import make_env

F = "environments/test.yaml"

REJECTED = [
    (
        "unknown backend type",
        {"backend": {"type": "s3"}},
        f"{F}: backend.type 's3': must be one of 'local', 'cloud', 'azurerm'",
    ),
    (
        "cloud backend without organization",
        {"backend": {"type": "cloud"}},
        f"{F}: backend.organization: is required (an HCP Terraform organization name: letters, digits, '_' and '-')",
    ),
    (
        "cloud backend with tag-based workspaces",
        {"backend": {"type": "cloud", "organization": "acme", "workspace_tags": ["platform"]}},
        f"{F}: backend.workspace_tags ['platform']: tag-based workspaces cannot carry the cross-stack references "
        "between this project's stacks (the ESO stack reads the azure stack's outputs from a named workspace): use "
        "workspace_prefix, which gives each stack its own workspace '<prefix>-<stack>'",
    ),
    (
        "cloud backend with a token",
        {"backend": {"type": "cloud", "organization": "acme", "token": "abc"}},
        f"{F}: backend.token '<not shown>': credentials never go into an environment file: Terraform reads it from "
        "`terraform login` or TF_TOKEN_<hostname with dots as underscores> at run time",
    ),
    (
        "azurerm backend with an access key",
        {"backend": {"type": "azurerm", "access_key": "abc"}},
        f"{F}: backend.access_key '<not shown>': credentials never go into an environment file: the azurerm backend "
        "signs in with Entra ID (az login or ARM_* variables); no storage key is needed",
    ),
    (
        "cloud workspace prefix with spaces",
        {"backend": {"type": "cloud", "organization": "acme", "workspace_prefix": "my platform"}},
        f"{F}: backend.workspace_prefix 'my platform': must be 1-40 letters, digits, '_' and '-' (workspace names "
        "are '<prefix>-<stack>')",
    ),
    (
        "cloud hostname with a scheme",
        {"backend": {"type": "cloud", "organization": "acme", "hostname": "https://app.terraform.io"}},
        f"{F}: backend.hostname 'https://app.terraform.io': must be a host name such as 'app.terraform.io'",
    ),
    (
        "azurerm storage account with capitals",
        {"backend": {"type": "azurerm", "resource_group_name": "tfstate", "storage_account_name": "TfState"}},
        f"{F}: backend.storage_account_name 'TfState': must be 3-24 lower-case letters and digits",
    ),
    (
        "azurerm container with double dash",
        {
            "backend": {
                "type": "azurerm",
                "resource_group_name": "tfstate",
                "storage_account_name": "tfstate01",
                "container_name": "tf--state",
            }
        },
        f"{F}: backend.container_name 'tf--state': must be 3-63 lower-case letters, digits and single dashes, "
        "starting and ending with a letter or digit",
    ),
    (
        "azurerm key prefix with leading slash",
        {
            "backend": {
                "type": "azurerm",
                "resource_group_name": "tfstate",
                "storage_account_name": "tfstate01",
                "key_prefix": "/platform",
            }
        },
        f"{F}: backend.key_prefix '/platform': must be letters, digits, '_', '-', '.' and '/' separated path "
        "segments, without leading or trailing '/'",
    ),
    (
        "cloud settings with the local backend",
        {"backend": {"organization": "acme"}},
        f"{F}: backend.organization: unknown key (allowed here: type)",
    ),
]


@pytest.mark.parametrize(("changes", "message"), [case[1:] for case in REJECTED], ids=[case[0] for case in REJECTED])
def test_invalid_backend_setting_is_rejected(changes, message):
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    assert str(error.value) == message


def test_backend_is_local_by_default():
    assert make_env().backend.type is BackendType.LOCAL


def test_cloud_workspaces_are_named_after_prefix_and_stack():
    backend = make_env({"backend": {"type": "cloud", "organization": "acme", "workspace_prefix": "plat"}}).backend
    assert backend.workspace("azure-test") == "plat-azure-test"
