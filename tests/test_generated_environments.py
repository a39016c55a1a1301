"""The generated environments (tests/generated_environments.py) cover what the gates must hold for."""

from __future__ import annotations

from config.apps import SecretKind
from config.delivery import DeliveryMode
from config.eso import EsoAuth, Isolation


def test_generated_set_covers_both_auth_modes_and_both_delivery_modes(generated_set):
    environments = generated_set.environments
    assert {env.eso.auth for env in environments} == set(EsoAuth)
    assert {env.delivery.mode for env in environments} == set(DeliveryMode)


def test_generated_set_has_a_dev_like_environment_with_workload_identity(generated_set):
    assert any(
        env.eso.auth is EsoAuth.WORKLOAD_IDENTITY and env.key_vault.network_acls.default_action.value == "Allow"
        for env in generated_set.environments
    )


def test_generated_set_covers_every_backend(generated_set):
    assert {env.backend.type.value for env in generated_set.environments} == {"local", "cloud", "azurerm"}


def test_generated_set_has_several_apps_with_every_kind_of_secret_shared_and_isolated(generated_set):
    apps = [app for env in generated_set.environments for app in env.apps]
    assert len(apps) > len(generated_set.environments)
    assert {secret.kind for app in apps for secret in app.secrets} == set(SecretKind)
    assert {app.isolation for app in apps} == set(Isolation)


def test_generated_vault_names_are_unique(generated_set):
    names = [env.key_vault.name.lower() for env in generated_set.environments]
    assert len(set(names)) == len(names)
