from __future__ import annotations

import pytest

from eso_identity import EsoServicePrincipal, EsoWorkloadIdentity, slot_generation
from support import make_env, only, resources, synth_json


def test_service_principal_has_application_principal_and_password(stack):
    EsoServicePrincipal(stack, "eso", settings=make_env().eso.service_principal)
    synthesized = synth_json(stack)
    assert only(synthesized, "azuread_application")["display_name"] == "eso-app"
    principal = only(synthesized, "azuread_service_principal")
    assert principal["client_id"].endswith(".client_id}")
    passwords = resources(synthesized, "azuread_application_password").values()
    assert len(passwords) == 2
    assert all(p["application_id"].endswith(".id}") for p in passwords)


def passwords_by_slot(synthesized: dict) -> dict[str, dict]:
    return {p["display_name"].rsplit("-", 1)[1]: p for p in resources(synthesized, "azuread_application_password").values()}


def test_two_passwords_expire_after_validity_from_their_creation(stack):
    settings = make_env({"eso.service_principal": {"password_validity_days": 60}})
    EsoServicePrincipal(stack, "eso", settings=settings.eso.service_principal)
    synthesized = synth_json(stack)
    created = {t["triggers"]["generation"]: address for address, t in resources(synthesized, "time_static").items()}
    passwords = passwords_by_slot(synthesized)
    assert sorted(passwords) == ["blue", "green"]
    for password in passwords.values():
        generation = password["rotate_when_changed"]["generation"]
        assert password["end_date"] == f'${{timeadd(time_static.{created[generation]}.rfc3339, "1440h")}}'


def test_bumping_the_generation_replaces_only_the_older_password(stack):
    settings = make_env({"eso.service_principal": {"password_generation": 7}})
    EsoServicePrincipal(stack, "eso", settings=settings.eso.service_principal)
    passwords = passwords_by_slot(synth_json(stack))
    # Generation 7 lives in the green slot; blue keeps generation 6, still valid while ESO switches over.
    assert passwords["green"]["rotate_when_changed"] == {"generation": "7"}
    assert passwords["blue"]["rotate_when_changed"] == {"generation": "6"}


@pytest.mark.parametrize(("generation", "slot"), [(1, 1), (2, 0), (3, 1)])
def test_client_secret_is_the_password_of_the_current_generation(stack, generation, slot):
    settings = make_env({"eso.service_principal": {"password_generation": generation}})
    identity = EsoServicePrincipal(stack, "eso", settings=settings.eso.service_principal)
    assert identity.password is identity.passwords[slot]
    assert slot_generation(generation, slot) == generation
    assert slot_generation(generation, 1 - slot) == generation - 1


def test_workload_identity_federates_eso_service_account(stack):
    EsoWorkloadIdentity(
        stack,
        "eso",
        name="id-eso-test",
        resource_group_name="rg",
        location="westeurope",
        oidc_issuer_url="https://issuer.example/abc/",
        namespace="external-secrets",
        service_account="external-secrets",
        tags={},
    )
    synthesized = synth_json(stack)
    assert only(synthesized, "azurerm_user_assigned_identity")["name"] == "id-eso-test"
    credential = only(synthesized, "azurerm_federated_identity_credential")
    assert credential["issuer"] == "https://issuer.example/abc/"
    assert credential["subject"] == "system:serviceaccount:external-secrets:external-secrets"
    assert credential["audience"] == ["api://AzureADTokenExchange"]
    assert "azuread_application_password" not in synthesized.get("resource", {})
