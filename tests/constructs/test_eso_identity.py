from __future__ import annotations

from eso_identity import EsoServicePrincipal, EsoWorkloadIdentity
from support import make_env, only, resources, synth_json


def test_service_principal_has_application_principal_and_password(stack):
    EsoServicePrincipal(stack, "eso", settings=make_env().eso.service_principal)
    synthesized = synth_json(stack)
    assert only(synthesized, "azuread_application")["display_name"] == "eso-app"
    principal = only(synthesized, "azuread_service_principal")
    assert principal["client_id"].endswith(".client_id}")
    assert only(synthesized, "azuread_application_password")["application_id"].endswith(".id}")


def test_password_expires_after_validity_from_last_rotation(stack):
    settings = make_env({"eso.service_principal": {"password_rotation_days": 30, "password_validity_days": 60}})
    EsoServicePrincipal(stack, "eso", settings=settings.eso.service_principal)
    synthesized = synth_json(stack)
    assert only(synthesized, "time_rotating")["rotation_days"] == 30
    (rotating_id,) = resources(synthesized, "time_rotating")
    password = only(synthesized, "azuread_application_password")
    assert password["end_date"] == f'${{timeadd(time_rotating.{rotating_id}.rfc3339, "1440h")}}'


def test_bumping_the_generation_rotates_the_password(stack):
    settings = make_env({"eso.service_principal": {"password_generation": 7}})
    EsoServicePrincipal(stack, "eso", settings=settings.eso.service_principal)
    rotate = only(synth_json(stack), "azuread_application_password")["rotate_when_changed"]
    assert rotate["generation"] == "7"
    assert rotate["rotation"].startswith("${time_rotating.")


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
