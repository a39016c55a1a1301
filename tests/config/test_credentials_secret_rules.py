"""The credentials Secret of a service principal (``eso.service_principal.credentials_secret``): the manual setup's
name and keys by default, each configurable, every rule with its exact message."""

from __future__ import annotations

import pytest

from config import ConfigError
from support import make_env, only, synth_app

F = "environments/test.yaml"
AT = "eso.service_principal.credentials_secret"


def test_the_credentials_secret_defaults_to_the_manual_setups_name_and_keys():
    secret = make_env().eso.service_principal.credentials_secret
    assert (secret.name, secret.client_id_key, secret.client_secret_key) == (
        "azure-secret-creds", "client-id", "client-secret"
    )


def test_the_bootstrap_secret_and_the_cluster_secret_store_use_the_configured_keys(tmp_path):
    env = make_env({f"{AT}": {"name": "eso-creds", "client_id_key": "ClientID", "client_secret_key": "ClientSecret"}})
    synthesized = synth_app([env], tmp_path)
    secret = only(synthesized["eso-test"], "kubernetes_secret_v1")
    assert secret["metadata"]["name"] == "eso-creds"
    assert sorted(secret["data"]) == ["ClientID", "ClientSecret"]
    store = only(synthesized["eso-config-test"], "kubernetes_manifest")["manifest"]
    assert store["spec"]["provider"]["azurekv"]["authSecretRef"] == {
        "clientId": {"name": "eso-creds", "key": "ClientID", "namespace": "external-secrets"},
        "clientSecret": {"name": "eso-creds", "key": "ClientSecret", "namespace": "external-secrets"},
    }


def test_an_isolated_apps_secret_and_secret_store_use_the_configured_keys(tmp_path):
    env = make_env({"apps.myapp": {"isolation": "isolated", "static_secrets": {"db-host": "db"}},
                    f"{AT}.client_id_key": "id"})
    synthesized = synth_app([env], tmp_path)
    secret = only(synthesized["eso-test"], "kubernetes_secret_v1")
    assert sorted(secret["data"]) == ["client-secret", "id"]
    store = next(
        manifest["manifest"] for manifest in synthesized["apps-test"]["resource"]["kubernetes_manifest"].values()
        if manifest["manifest"]["kind"] == "SecretStore"
    )
    assert store["spec"]["provider"]["azurekv"]["authSecretRef"]["clientId"] == {
        "name": "azure-secret-creds", "key": "id", "namespace": "myapp"
    }


REJECTED = [
    (
        "a key with a slash",
        {f"{AT}.client_id_key": "client/id"},
        f"{F}: {AT}.client_id_key 'client/id': must be a Kubernetes Secret key: 1-253 letters, digits, '-', '_' "
        "and '.'",
    ),
    (
        "the same key twice",
        {f"{AT}.client_id_key": "creds", f"{AT}.client_secret_key": "creds"},
        f"{F}: {AT}.client_secret_key 'creds': must differ from client_id_key: one key cannot hold both the client "
        "ID and the client secret",
    ),
    (
        "a Secret name that is no Kubernetes name",
        {f"{AT}.name": "Azure_Creds"},
        f"{F}: {AT}.name 'Azure_Creds': must be a Kubernetes name: 1-63 lower-case letters, digits and '-', starting "
        "and ending with a letter or digit",
    ),
]


@pytest.mark.parametrize(("changes", "message"), [case[1:] for case in REJECTED], ids=[case[0] for case in REJECTED])
def test_a_bad_credentials_secret_setting_is_rejected_with_file_field_value_and_rule(changes, message):
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    assert str(error.value) == message
