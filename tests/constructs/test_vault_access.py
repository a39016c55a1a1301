from __future__ import annotations

from support import only, resources, synth_json
from vault_access import SECRETS_OFFICER, SECRETS_USER, Grant, VaultAccess


def test_each_grant_is_a_role_assignment_scoped_to_the_vault(stack):
    VaultAccess(
        stack,
        "access",
        vault_id="/vault/id",
        grants=[Grant("reader", "p1", SECRETS_USER, "ServicePrincipal"), Grant("writer", "p2", SECRETS_OFFICER)],
        propagation_wait_seconds=60,
    )
    assignments = resources(synth_json(stack), "azurerm_role_assignment")
    by_principal = {a["principal_id"]: a for a in assignments.values()}
    assert by_principal["p1"]["role_definition_name"] == "Key Vault Secrets User"
    assert by_principal["p1"]["principal_type"] == "ServicePrincipal"
    assert by_principal["p2"]["role_definition_name"] == "Key Vault Secrets Officer"
    assert "principal_type" not in by_principal["p2"]
    assert {a["scope"] for a in assignments.values()} == {"/vault/id"}


def test_propagation_wait_follows_every_grant(stack):
    VaultAccess(
        stack,
        "access",
        vault_id="/vault/id",
        grants=[Grant("reader", "p1", SECRETS_USER), Grant("writer", "p2", SECRETS_OFFICER)],
        propagation_wait_seconds=90,
    )
    synthesized = synth_json(stack)
    wait = only(synthesized, "time_sleep")
    assert wait["create_duration"] == "90s"
    assert sorted(wait["depends_on"]) == sorted(
        f"azurerm_role_assignment.{name}" for name in resources(synthesized, "azurerm_role_assignment")
    )
