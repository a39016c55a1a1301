"""backend.agent_pool: the HCP Terraform agent pool for workspaces whose runs must reach a private network."""

from __future__ import annotations

import pytest

from config import ConfigError
from support import make_env

CLOUD = {"type": "cloud", "organization": "acme"}


def test_agent_pool_is_unset_by_default():
    assert make_env({"backend": dict(CLOUD)}).backend.cloud.agent_pool is None


def test_agent_pool_name_is_kept():
    assert make_env({"backend": {**CLOUD, "agent_pool": "aks prod.agents_1"}}).backend.cloud.agent_pool == "aks prod.agents_1"


def test_agent_pool_name_starting_with_a_dash_is_rejected():
    with pytest.raises(ConfigError) as error:
        make_env({"backend": {**CLOUD, "agent_pool": "-agents"}})
    assert str(error.value) == (
        "environments/test.yaml: backend.agent_pool '-agents': must be the name of an existing HCP Terraform agent "
        "pool: 1-90 letters, digits, spaces, '_', '-' and '.'"
    )


def test_agent_pool_with_the_local_backend_is_rejected():
    with pytest.raises(ConfigError) as error:
        make_env({"backend": {"agent_pool": "agents"}})
    assert str(error.value) == "environments/test.yaml: backend.agent_pool: unknown key (allowed here: type)"
