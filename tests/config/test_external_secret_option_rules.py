"""An ExternalSecret's refresh policy, the target Secret's type, labels and annotations: rules with the exact
message, what is emitted (checked against ESO's CRD), and the vault request budget."""

from __future__ import annotations

import pytest

from app_manifests import external_secret
from config import ConfigError
from config.apps import RefreshPolicy, vault_request_rate
from eso_checks import manifest_problems
from support import make_env

F = "environments/test.yaml"
TYPES = (
    "one of Opaque, kubernetes.io/tls, kubernetes.io/dockerconfigjson, kubernetes.io/dockercfg, "
    "kubernetes.io/basic-auth, kubernetes.io/ssh-auth, bootstrap.kubernetes.io/token, or a type of your own named "
    "'<domain>/<name>' (such as 'example.com/api-token')"
)
KEY_RULE = (
    "must be a Kubernetes label or annotation key: a name of 1-63 letters, digits, '-', '_' and '.', starting and "
    "ending with a letter or digit, with an optional DNS prefix and '/' ('reloader.stakater.com/match')"
)


def app(**external_secret_settings) -> dict:
    return {"apps": {"myapp": {"random_secrets": {"db-password": {}}, "external_secret": external_secret_settings}}}


def manifest(**external_secret_settings) -> dict:
    return external_secret(make_env(app(**external_secret_settings)).apps[0], store_name="azure-kv-store-test")


REJECTED = [
    (
        "refresh interval with a policy that reads no interval",
        app(refresh_policy="OnChange", refresh_interval="2h"),
        f"{F}: apps.myapp.external_secret.refresh_interval '2h': is only read with refresh_policy 'Periodic' (this "
        "ExternalSecret's is 'OnChange'): remove it, or set refresh_policy Periodic",
    ),
    (
        "unknown refresh policy",
        app(refresh_policy="Sometimes"),
        f"{F}: apps.myapp.external_secret.refresh_policy 'Sometimes': must be one of 'Periodic', 'CreatedOnce', "
        "'OnChange'",
    ),
    (
        "secret type that is not a type",
        app(secret_type="tls"),
        f"{F}: apps.myapp.external_secret.secret_type 'tls': must be a Kubernetes Secret type: {TYPES}",
    ),
    (
        "secret type Kubernetes does not have",
        app(secret_type="kubernetes.io/certificate"),
        f"{F}: apps.myapp.external_secret.secret_type 'kubernetes.io/certificate': is not a built-in type of "
        f"Kubernetes: must be a Kubernetes Secret type: {TYPES}",
    ),
    (
        "service account token type",
        app(secret_type="kubernetes.io/service-account-token"),
        f"{F}: apps.myapp.external_secret.secret_type 'kubernetes.io/service-account-token': is written by "
        f"Kubernetes' token controller for a service account, not synced from a vault: use {TYPES}",
    ),
    (
        "tls secret without the key",
        app(secret_type="kubernetes.io/tls", data={"tls.crt": "db-password"}),
        f"{F}: apps.myapp.external_secret.secret_type 'kubernetes.io/tls': a Secret of type kubernetes.io/tls needs "
        "the key(s) 'tls.crt' and 'tls.key' (Kubernetes refuses it otherwise); this ExternalSecret writes tls.crt: "
        "map them in data or template",
    ),
    (
        "docker config secret without its key",
        app(secret_type="kubernetes.io/dockerconfigjson"),
        f"{F}: apps.myapp.external_secret.secret_type 'kubernetes.io/dockerconfigjson': a Secret of type "
        "kubernetes.io/dockerconfigjson needs the key(s) '.dockerconfigjson' (Kubernetes refuses it otherwise); this "
        "ExternalSecret writes DB_PASSWORD: map them in data or template",
    ),
    (
        "basic auth secret with neither user name nor password",
        app(secret_type="kubernetes.io/basic-auth"),
        f"{F}: apps.myapp.external_secret.secret_type 'kubernetes.io/basic-auth': a Secret of type "
        "kubernetes.io/basic-auth needs the key(s) 'username' or 'password' (Kubernetes refuses it otherwise); this "
        "ExternalSecret writes DB_PASSWORD: map them in data or template",
    ),
    (
        "secret label key with a space",
        app(secret_labels={"my team": "a"}),
        f"{F}: apps.myapp.external_secret.secret_labels.my team 'my team': {KEY_RULE}",
    ),
    (
        "secret label value too long",
        app(secret_labels={"team": "a" * 64}),
        f"{F}: apps.myapp.external_secret.secret_labels.team '{'a' * 64}': must be a Kubernetes label value: at most "
        "63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    ),
    (
        "secret annotation key with two slashes",
        app(secret_annotations={"reloader.stakater.com/match/x": "true"}),
        f"{F}: apps.myapp.external_secret.secret_annotations.reloader.stakater.com/match/x "
        f"'reloader.stakater.com/match/x': {KEY_RULE}",
    ),
    (
        "secret annotation value that is not text",
        app(secret_annotations={"reloader.stakater.com/match": True}),
        f"{F}: apps.myapp.external_secret.secret_annotations.reloader.stakater.com/match true: must be a string (a "
        "string (an annotation value))",
    ),
]


@pytest.mark.parametrize(("changes", "message"), [case[1:] for case in REJECTED], ids=[case[0] for case in REJECTED])
def test_invalid_external_secret_option_is_rejected(changes, message):
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    assert str(error.value) == message


def test_refresh_policy_defaults_to_periodic_and_only_the_interval_is_written():
    spec = manifest()["spec"]
    assert make_env(app()).apps[0].external_secret.refresh_policy is RefreshPolicy.PERIODIC
    assert spec["refreshInterval"] == "1h" and "refreshPolicy" not in spec


@pytest.mark.parametrize("policy", ["CreatedOnce", "OnChange"])
def test_a_policy_without_an_interval_writes_the_policy_alone_and_passes_the_crd(policy):
    written = manifest(refresh_policy=policy)
    assert written["spec"]["refreshPolicy"] == policy and "refreshInterval" not in written["spec"]
    assert manifest_problems(written) == []


def test_created_once_and_on_change_add_no_steady_vault_reads():
    def rate(**settings):
        return vault_request_rate(make_env(app(**settings)).apps)

    assert rate(refresh_interval="1m") == pytest.approx(1 / 60)
    assert rate(refresh_policy="CreatedOnce") == 0
    assert rate(refresh_policy="OnChange") == 0


def test_apps_above_the_budget_pass_with_on_change():
    # 20 apps x 320 secrets read every minute: 107 GET per second, above the safe share (100).
    apps = {f"app{index}": {"random_secrets": {f"k{key}": {} for key in range(320)},
                            "external_secret": {"refresh_interval": "1m"}} for index in range(20)}
    with pytest.raises(ConfigError, match="use refresh_policy OnChange or CreatedOnce"):
        make_env({"apps": apps})
    quiet = {name: {**settings, "external_secret": {"refresh_policy": "OnChange"}} for name, settings in apps.items()}
    assert vault_request_rate(make_env({"apps": quiet}).apps) == 0


def test_type_labels_and_annotations_go_on_the_target_secret_template():
    written = manifest(
        secret_type="kubernetes.io/basic-auth",
        data={"password": "db-password"},
        secret_labels={"team": "payments"},
        secret_annotations={"reloader.stakater.com/match": "true"},
    )
    assert written["spec"]["target"]["template"] == {
        "engineVersion": "v2",
        "mergePolicy": "Merge",
        "type": "kubernetes.io/basic-auth",
        "metadata": {"labels": {"team": "payments"}, "annotations": {"reloader.stakater.com/match": "true"}},
    }
    assert manifest_problems(written) == []


def test_tls_secret_from_template_keys_passes():
    written = manifest(
        secret_type="kubernetes.io/tls",
        data={"CERT": "db-password"},
        template={"tls.crt": "{{ .CERT | b64dec | pkcs12cert }}", "tls.key": "{{ .CERT | b64dec | pkcs12key }}"},
    )
    assert written["spec"]["target"]["template"]["type"] == "kubernetes.io/tls"
    assert manifest_problems(written) == []


def test_no_template_without_type_labels_annotations_or_derived_keys():
    assert "template" not in manifest()["spec"]["target"]


def test_a_type_of_ones_own_needs_no_particular_key():
    assert manifest(secret_type="example.com/api-token")["spec"]["target"]["template"]["type"] == "example.com/api-token"
