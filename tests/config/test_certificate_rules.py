"""An app's Key Vault certificates: each a kubernetes.io/tls Secret through an ExternalSecret reading the
certificate's backing secret, the role that read needs (isolated apps), and the reads in the request budget."""

from __future__ import annotations

import pytest

from certificate_manifests import certificate_external_secret
from config import ConfigError
from config.apps import vault_request_rate
from eso_checks import manifest_problems
from support import make_env, synth_app

F = "environments/test.yaml"


def certificates(app_settings: dict | None = None, **certs) -> dict:
    return {"apps": {"web": {**(app_settings or {}), "certificates": certs}}}


REJECTED = [
    (
        "certificate name with an underscore",
        certificates(Web_TLS={}),
        f"{F}: apps.web.certificates.Web_TLS 'Web_TLS': certificate names must be a Key Vault certificate name: "
        "1-127 letters, digits and dashes",
    ),
    (
        "certificate name that cannot name the Secret",
        certificates(**{"Web-TLS": {}}),
        f"{F}: apps.web.certificates.Web-TLS 'Web-TLS': is not a Kubernetes name, so it cannot name the Secret: set "
        "target_name (a Kubernetes name: 1-63 lower-case letters, digits and '-', starting and ending with a letter "
        "or digit)",
    ),
    (
        "certificate Secret named like the app's Secret",
        certificates({"random_secrets": {"token-seed": {}}}, **{"web-tls": {"target_name": "web"}}),
        f"{F}: apps.web.certificates.web-tls.target_name 'web': is also the Secret of the app's ExternalSecret: give "
        "each Secret its own name",
    ),
    (
        "two certificates writing one Secret",
        certificates(**{"web-a": {"target_name": "tls"}, "web-b": {"target_name": "tls"}}),
        f"{F}: apps.web.certificates.web-b.target_name 'tls': is also the Secret of certificate 'web-a': give each "
        "Secret its own name",
    ),
    (
        "unknown content type",
        certificates(**{"web-tls": {"content_type": "pfx"}}),
        f"{F}: apps.web.certificates.web-tls.content_type 'pfx': must be one of 'pkcs12', 'pem'",
    ),
    (
        "certificate Secret annotation key with a space",
        certificates(**{"web-tls": {"secret_annotations": {"reload me": "true"}}}),
        f"{F}: apps.web.certificates.web-tls.secret_annotations.reload me 'reload me': must be a Kubernetes label or "
        "annotation key: a name of 1-63 letters, digits, '-', '_' and '.', starting and ending with a letter or "
        "digit, with an optional DNS prefix and '/' ('reloader.stakater.com/match')",
    ),
    (
        "certificate refresh below a minute",
        certificates(**{"web-tls": {"refresh_interval": "30s"}}),
        f"{F}: apps.web.certificates.web-tls.refresh_interval '30s': must be a duration such as '1h', '30m' or "
        "'1h30m' (Go syntax), at least 1m",
    ),
]


@pytest.mark.parametrize(("changes", "message"), [case[1:] for case in REJECTED], ids=[case[0] for case in REJECTED])
def test_invalid_certificate_setting_is_rejected(changes, message):
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    assert str(error.value) == message


def external_secret_of(changes: dict) -> dict:
    app = make_env(changes).apps[0]
    return certificate_external_secret(app, app.certificates[0], store_name="azure-kv-store-test")


def test_pkcs12_certificate_becomes_a_tls_secret_from_its_backing_secret():
    manifest = external_secret_of(certificates(**{"web-tls": {}}))
    assert manifest["metadata"]["name"] == "web-web-tls"
    assert manifest["spec"]["data"] == [{"secretKey": "certificate", "remoteRef": {"key": "secret/web-tls"}}]
    assert manifest["spec"]["target"]["name"] == "web-tls"
    assert manifest["spec"]["target"]["template"] == {
        "engineVersion": "v2",
        "type": "kubernetes.io/tls",
        "data": {
            "tls.crt": "{{ .certificate | b64dec | pkcs12cert }}",
            "tls.key": "{{ .certificate | b64dec | pkcs12key }}",
        },
    }
    assert manifest_problems(manifest) == []


def test_pem_certificate_is_split_with_filter_pem_and_keeps_only_the_two_keys():
    manifest = external_secret_of(certificates(**{"web-tls": {"content_type": "pem", "target_name": "tls"}}))
    template = manifest["spec"]["target"]["template"]
    assert template["data"] == {
        "tls.crt": '{{ .certificate | filterPEM "CERTIFICATE" }}',
        "tls.key": '{{ .certificate | filterPEM "PRIVATE KEY" }}',
    }
    assert "mergePolicy" not in template  # Replace: the raw PEM is not written beside tls.crt and tls.key
    assert manifest_problems(manifest) == []


def test_each_certificate_adds_one_read_per_refresh_to_the_budget():
    env = make_env(certificates(**{"web-a": {"refresh_interval": "1m"}, "web-b": {"refresh_interval": "2m"}}))
    assert vault_request_rate(env.apps) == pytest.approx(1 / 60 + 1 / 120)


def test_isolated_app_may_read_exactly_the_certificates_backing_secret(tmp_path):
    env = make_env({"eso.app_isolation": "isolated", **certificates(**{"web-tls": {}})})
    stacks = synth_app([env], tmp_path)
    reader = stacks["secrets-test"]["resource"]["azurerm_role_assignment"]["app_web_certificate_web-tls_reader"]
    assert reader["role_definition_name"] == "Key Vault Secrets User"
    assert reader["scope"].endswith("cross-stack-output-azurerm_key_vaultkey_vaultid}/secrets/web-tls")
    assert "app_web_identity" in reader["principal_id"]
    manifests = stacks["apps-test"]["resource"]["kubernetes_manifest"]
    assert manifests["app_web_certificate_web-tls"]["manifest"]["spec"]["secretStoreRef"] == {
        "kind": "SecretStore", "name": "azure-kv-web",
    }
    assert env.role_assignment_count == 2  # the deployer's on the vault, and this one


def test_shared_app_certificate_reads_through_the_cluster_secret_store_without_a_grant_of_its_own(tmp_path):
    stacks = synth_app([make_env(certificates(**{"web-tls": {}}))], tmp_path)
    assert "azurerm_role_assignment" not in stacks["secrets-test"].get("resource", {})
    manifest = stacks["apps-test"]["resource"]["kubernetes_manifest"]["app_web_certificate_web-tls"]["manifest"]
    assert manifest["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "azure-kv-store-test"}
