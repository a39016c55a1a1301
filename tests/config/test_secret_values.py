"""Secret-looking values are refused wherever a user string reaches Git or cdktf.out, with the exact message.

Token-shaped inputs are built by concatenation, so that no scanner of this repository takes the test for a leak.
"""

from __future__ import annotations

import pytest

from config import ConfigError
from config.secret_values import secret_detector
from support import make_env

F = "environments/test.yaml"
STATIC = (
    F + ": apps.myapp.static_secrets.{key} '<not shown>': looks like a secret ({detector}), and a secret value never "
    "goes into an environment file: generate it with random_secrets ({key}: {{}}), or supply it at apply time with "
    "sensitive_secrets ({key}: {{variable: myapp_{variable}}}) and TF_VAR_<variable>; a value that only looks secret "
    "(a public host name with a token-like label) is written {{value: ..., allow_secret_like: <why it is not a "
    "secret>}}"
)
CDN_HOST = "k8Xq2Lm9Pz4Rt7Wv1Ny6Bc3DfG5hJ0sQ.cdn.example.net"
BASE64_KEY = "Tq8vXw2Zr5Ny/Lp7Km4Jh1Gf3Dc6Bx9Va0Se2Rt5Yu8="
STORAGE_KEY = "Zm9vYmFyYmF6cXV4Zm9vYmFy/mF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmE" + "=="


def static(key: str, value) -> dict:
    return {"apps": {"myapp": {"static_secrets": {key: value}}}}


def refusal(changes: dict) -> str:
    with pytest.raises(ConfigError) as error:
        make_env(changes)
    return str(error.value)


# (test id, static value, the detector the message names)
SECRET_LOOKING = [
    ("password in a database url", "postgresql://myapp:S3cr3tP4ssw0rd!@postgres:5432/myapp", "a password in a URL"),
    ("password in a url on example.com", "https://admin:hunter2hunter2@api.example.com/v1", "a password in a URL"),
    ("password in a connection string", "Server=db;Password=Xk9#mP2vQ7zL;", "detect-secrets: Secret Keyword in Password="),
    (
        "storage account key in a connection string",
        f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={STORAGE_KEY};EndpointSuffix=core.windows.net",
        "detect-secrets: Azure Storage Account access key in AccountKey=",
    ),
    (
        "short account key in a connection string",
        "AccountName=acct;AccountKey=Zm9vYmFyYmF6==;EndpointSuffix=core.windows.net",
        "detect-secrets: Secret Keyword in AccountKey=",
    ),
    (
        "shared access key in a service bus connection string",
        f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={BASE64_KEY};EntityPath=q",
        "detect-secrets: Base64 High Entropy String in SharedAccessKey=",
    ),
    ("api key in a query parameter", "https://api.example.com/v1?api_key=k8Xq2Lm9Pz4Rt7&x=1", "detect-secrets: Secret Keyword in api_key="),
    ("github token", "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "detect-secrets: GitHub Token"),
    ("stripe secret key", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "detect-secrets: Stripe Access Key"),
    ("aws access key", "AKIA" + "IOSFODNN7EXAMPLE", "detect-secrets: AWS Access Key"),
    (
        "json web token",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "detect-secrets: JSON Web Token",
    ),
    (
        "private key",
        "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq0nX8d5gJk2m\n-----END RSA PRIVATE KEY-----",
        "detect-secrets: Private Key",
    ),
    ("slack token", "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "detect-secrets: Slack Token"),
    ("random base64 string", "k8Xq2Lm9Pz4Rt7Wv1Ny6Bc3DfG5hJ0sQ", "detect-secrets: Base64 High Entropy String"),
    ("random hex string", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "detect-secrets: Hex High Entropy String"),
    ("token in a url path", f"https://api.example.com/v1/{CDN_HOST.split('.')[0]}/events", "detect-secrets: Base64 High Entropy String"),
]


@pytest.mark.parametrize(("value", "detector"), [case[1:] for case in SECRET_LOOKING], ids=[case[0] for case in SECRET_LOOKING])
def test_secret_looking_static_value_is_refused_naming_the_detector(value, detector):
    assert refusal(static("conn", value)) == STATIC.format(key="conn", detector=detector, variable="conn")


def test_refusal_never_repeats_the_value():
    value = "postgresql://myapp:S3cr3tP4ssw0rd!@postgres:5432/myapp"
    assert "S3cr3tP4ssw0rd" not in refusal(static("db-url", value))


def test_secret_looking_value_in_the_mapping_form_names_the_value_field():
    assert refusal(static("cdn-host", {"value": CDN_HOST})) == (
        f"{F}: apps.myapp.static_secrets.cdn-host.value '<not shown>': looks like a secret (detect-secrets: Base64 "
        "High Entropy String), and a secret value never goes into an environment file: generate it with "
        "random_secrets (cdn-host: {}), or supply it at apply time with sensitive_secrets (cdn-host: {variable: "
        "myapp_cdn_host}) and TF_VAR_<variable>; a value that only looks secret (a public host name with a "
        "token-like label) is written {value: ..., allow_secret_like: <why it is not a secret>}"
    )


NOT_SECRET = [
    "myapp",
    "postgres.myapp.svc.cluster.local",
    "myapp-prod.postgres.database.azure.com",
    "https://api.example.com/v1",
    "https://api.example.com/${tenant}/v1",
    "https://user@api.example.com/v1",
    "8f3c2a1e-6b4d-4f7a-9e2c-1d5b7a3f9c0e",
    "https://westeurope.oic.prod-aks.azure.com/b5c2e8f1-7d4a-4e9b-a3c6-9f1e2d7b8a05/3f2504e0-4f89-11d3-9a0c-0305e82c3301/",
    "/subscriptions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/resourceGroups/MyResourceGroup-Prod/providers/Microsoft.KeyVault/vaults/kv",
    "Server=tcp:myserver.database.windows.net,1433;Initial Catalog=mydb;Encrypt=True;Connection Timeout=30;",
    "Server=db;Password=${DB_PASSWORD}",
    "InstrumentationKey=3f2504e0-4f89-11d3-9a0c-0305e82c3301;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
    "jdbc:postgresql://postgres.myapp.svc:5432/myapp?sslmode=require&ApplicationName=orders",
    "broker-1.kafka.svc:9092,broker-2.kafka.svc:9092",
    "%{time} %{level} %{message}",
    "The orders service reads the orders queue and writes invoices",
    "ghcr.io/acme/orders-service:1.4.2",
]


@pytest.mark.parametrize("value", NOT_SECRET)
def test_value_that_is_not_secret_is_accepted(value):
    assert make_env(static("setting", value)).apps[0].secret("setting").value == value


def test_public_value_that_looks_secret_is_accepted_with_a_reason():
    env = make_env(static("cdn-host", {"value": CDN_HOST, "allow_secret_like": "public CDN host name, not a credential"}))
    assert env.apps[0].secret("cdn-host").value == CDN_HOST


def test_reason_shorter_than_ten_characters_is_refused():
    assert refusal(static("cdn-host", {"value": CDN_HOST, "allow_secret_like": "public"})) == (
        f"{F}: apps.myapp.static_secrets.cdn-host.allow_secret_like 'public': must be the reason the value is public "
        "although it looks secret, such as 'public CDN host name' (at least 10 characters)"
    )


def test_reason_given_as_true_is_refused():
    assert refusal(static("cdn-host", {"value": CDN_HOST, "allow_secret_like": True})) == (
        f"{F}: apps.myapp.static_secrets.cdn-host.allow_secret_like true: must be a string (the reason the value is "
        "public although it looks secret, such as 'public CDN host name')"
    )


def test_reason_for_a_value_that_does_not_look_secret_is_refused():
    assert refusal(static("db-host", {"value": "postgres", "allow_secret_like": "it is a host name"})) == (
        f"{F}: apps.myapp.static_secrets.db-host.allow_secret_like 'it is a host name': is given, but no detector "
        "takes the value for a secret: remove it, so that a secret written here later is refused"
    )


def test_template_with_a_literal_password_is_refused():
    template = {"URL": "postgresql://{{ .DB_HOST }}:hunter2hunter2@db/x"}
    assert refusal({"apps": {"myapp": {"static_secrets": {"db-host": "x"}, "external_secret": {"template": template}}}}) == (
        f"{F}: apps.myapp.external_secret.template.URL '<not shown>': holds a literal that looks like a secret (a "
        "password in a URL), and a secret value never goes into an environment file: declare it as a random or "
        "sensitive secret of the app and refer to its data key, as in {{ .POSTGRES_PASSWORD }}"
    )


def test_template_whose_credentials_are_references_is_accepted():
    template = {"URL": "postgresql://{{ .DB_USER }}:{{ .DB_PASSWORD }}@{{ .DB_HOST }}:5432/app?sslmode=require"}
    app = {"static_secrets": {"db-user": "app", "db-host": "db"}, "random_secrets": {"db-password": {}}, "external_secret": {"template": template}}
    assert make_env({"apps": {"myapp": app}}).apps[0].external_secret.template == template


def test_repository_url_with_a_token_is_refused():
    url = "https://x-access-token:" + "ghs_16C7e42F292c6912E7710c838347Ae178B4a" + "@github.com/acme/repo.git"
    changes = {"delivery": {"mode": "gitops", "repo_url": url}, "azure.tenant_id": "11111111-1111-1111-1111-111111111111"}
    assert refusal(changes) == (
        f"{F}: delivery.repo_url '<not shown>': looks like it holds a credential (a password in a URL): give Argo CD "
        "the repository's credentials in a repository Secret in its namespace, and the URL without them"
    )


def test_secret_looking_azure_tag_is_refused():
    assert refusal({"azure.tags": {"owner": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"}}) == (
        f"{F}: azure.tags.owner '<not shown>': looks like a secret (detect-secrets: Stripe Access Key): tags are "
        "public metadata, readable by anyone who can read the resource, so a secret never goes into one"
    )


def test_secret_looking_tag_of_a_secret_is_refused():
    changes = {"apps": {"myapp": {"random_secrets": {"db-password": {"tags": {"note": "AKIA" + "IOSFODNN7EXAMPLE"}}}}}}
    assert refusal(changes) == (
        f"{F}: apps.myapp.random_secrets.db-password.tags.note '<not shown>': looks like a secret (detect-secrets: AWS "
        "Access Key): tags are public metadata, readable by anyone who can read the resource, so a secret never goes "
        "into one"
    )


def test_keyword_detector_reads_the_name_of_a_connection_string_part():
    assert secret_detector("Server=db;Password=hunter2;Database=x", "conn") == "detect-secrets: Secret Keyword in Password="
