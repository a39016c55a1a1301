"""``apps.<app>.external_secret.name``: an ExternalSecret made by hand (``myapp-db-credentials``) keeps its name."""

from __future__ import annotations

import pytest

from config import ConfigError
from support import make_env, only, synth_app

F = "environments/test.yaml"
SECRETS = {"static_secrets": {"db-host": "db"}}


def test_an_external_secret_is_named_after_its_app_by_default():
    assert make_env({"apps.myapp": SECRETS}).apps[0].external_secret.name == "myapp"


def test_an_external_secret_and_its_target_can_keep_the_names_of_existing_ones(tmp_path):
    env = make_env({"apps.myapp": {**SECRETS, "external_secret": {
        "name": "myapp-db-credentials", "target_name": "myapp-db-credentials"}}})
    manifest = only(synth_app([env], tmp_path)["apps-test"], "kubernetes_manifest")["manifest"]
    assert (manifest["metadata"]["name"], manifest["spec"]["target"]["name"]) == (
        "myapp-db-credentials", "myapp-db-credentials"
    )


def test_two_external_secrets_of_one_name_in_one_namespace_are_refused():
    with pytest.raises(ConfigError) as error:
        make_env({"apps": {
            "api": {"namespace": "shop", **SECRETS, "external_secret": {"name": "creds"}},
            "web": {"namespace": "shop", **SECRETS, "external_secret": {"name": "creds"}},
        }})
    assert str(error.value) == (
        f"{F}: apps.web.external_secret.name 'creds': is also the ExternalSecret of app 'api' in namespace 'shop': "
        "give each ExternalSecret a name of its own"
    )


def test_an_external_secret_name_that_is_no_kubernetes_name_is_refused():
    with pytest.raises(ConfigError) as error:
        make_env({"apps.myapp": {**SECRETS, "external_secret": {"name": "MyApp"}}})
    assert str(error.value) == (
        f"{F}: apps.myapp.external_secret.name 'MyApp': must be a Kubernetes name: 1-63 lower-case letters, digits "
        "and '-', starting and ending with a letter or digit"
    )
