"""No secret reaches an emitted file of any set of environments: canary values in every sensitive input, and a
secret scanner over every value."""

from __future__ import annotations

import base64
import importlib.metadata
import json

import pytest
import yaml

from quality.secret_scan import Allowed, Finding, load_allowlist, scan, stale, unexplained
from quality.sensitive_inputs import SENSITIVE_INPUTS, sensitive_variables


def canary_leaks(files: dict[str, bytes], canaries: dict[str, str]) -> list[str]:
    """Where a canary value appears in a file, as written or base64-encoded (as in a Kubernetes Secret)."""
    leaks = []
    for relative, content in sorted(files.items()):
        for variable, value in canaries.items():
            for encoding, needle in (("as written", value.encode()), ("base64", base64.b64encode(value.encode()))):
                if needle in content:
                    leaks.append(f"{relative}: the value of {variable} ({encoding})")
    return leaks


def test_every_listed_sensitive_input_gets_a_canary_value(relocated_synth):
    assert {entry.variable for entry in SENSITIVE_INPUTS} <= set(relocated_synth.environment)


def test_sensitive_terraform_variables_get_a_canary_value(relocated_synth, synth_set):
    variables = {f"TF_VAR_{name}" for name in sensitive_variables(synth_set.outdir)}
    assert variables <= set(relocated_synth.environment)


def test_sensitive_variables_are_read_from_every_stack(tmp_path):
    (tmp_path / "stacks" / "a").mkdir(parents=True)
    (tmp_path / "stacks" / "b").mkdir(parents=True)
    stacks = {
        "a": {"variable": {"db_password": {"type": "string", "sensitive": True}, "replicas": {"type": "number"}}},
        "b": {"variable": {"api_key": {"type": "string", "sensitive": True}}},
    }
    for name, synthesized in stacks.items():
        (tmp_path / "stacks" / name / "cdk.tf.json").write_text(json.dumps(synthesized))
    manifest = {"stacks": {name: {"synthesizedStackPath": f"stacks/{name}/cdk.tf.json"} for name in stacks}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert sensitive_variables(tmp_path) == ["api_key", "db_password"]


def test_no_canary_value_appears_in_any_emitted_file(relocated_synth):
    canaries = {name: value for name, value in relocated_synth.environment.items() if value.startswith("canary")}
    leaks = canary_leaks(relocated_synth.files, canaries)
    assert not leaks, "secret inputs reach emitted files:\n" + "\n".join(leaks)


def test_canary_finder_reports_a_base64_encoded_value():
    files = {"manifests/dev/secret.yaml": b"data:\n  token: " + base64.b64encode(b"canarya00xfeed") + b"\n"}
    assert canary_leaks(files, {"TF_TOKEN_app_terraform_io": "canarya00xfeed"}) == [
        "manifests/dev/secret.yaml: the value of TF_TOKEN_app_terraform_io (base64)"
    ]


@pytest.fixture(scope="session")
def findings_per_set(relocated_synths) -> dict[str, list[Finding]]:
    return {name: scan(synth.root, sorted(synth.files)) for name, synth in relocated_synths.items()}


@pytest.fixture
def scanner_findings(synth_set, findings_per_set) -> list[Finding]:
    return findings_per_set[synth_set.name]


def test_secret_scanner_is_checkovs_fork():
    import detect_secrets.__version__ as scanner

    assert scanner.VERSION == importlib.metadata.version("bc-detect-secrets")


def test_secret_scanner_reports_nothing_the_allowlist_does_not_explain(scanner_findings):
    new = unexplained(scanner_findings, load_allowlist())
    assert not new, (
        "the secret scanner flags these values in emitted files; remove the value, or (when it is not a secret) "
        "add an entry with the reason to tests/quality/secrets_allowlist.yaml:\n" + "\n".join(finding.as_allowlist_entry() for finding in new)
    )


def test_every_allowlist_entry_still_explains_a_finding(findings_per_set):
    # An entry may explain a value of one set only: stale is an entry that explains nothing in any set.
    findings = [finding for found in findings_per_set.values() for finding in found]
    assert stale(findings, load_allowlist()) == []


def findings_in(tmp_path, name: str, text: str) -> list[tuple[str, str]]:
    (tmp_path / name).write_text(text)
    return [(finding.type, finding.where) for finding in scan(tmp_path, [name])]


def test_secret_scanner_flags_a_password_in_a_manifest(tmp_path):
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "app.yaml").write_text("stringData:\n  password: 'n0t-a-Ref3rence!x9'\n")
    assert [(f.file, f.type, f.where) for f in scan(tmp_path, ["manifests/app.yaml"])] == [
        ("manifests/app.yaml", "Secret Keyword", "stringData.password")
    ]


def test_kubernetes_key_names_of_an_external_secret_are_never_findings(tmp_path):
    data = [{"secretKey": name, "remoteRef": {"key": f"app-{name.lower()}"}}
            for name in ("API_URL", "STRIPE_API_KEY", "DB_PASSWORD", "AUTH_TOKEN", "CLIENT_SECRET")]
    manifest = {"kind": "ExternalSecret", "spec": {"data": data}}
    assert findings_in(tmp_path, "es.json", json.dumps(manifest, indent=2)) == []
    assert findings_in(tmp_path, "es.yaml", yaml.safe_dump(manifest)) == []


def test_output_names_in_cdktf_metadata_are_never_findings(tmp_path):
    stack = {"//": {"outputs": {"eso_client_secret": "eso_client_secret", "api_token": "api_token"}}}
    assert findings_in(tmp_path, "cdk.tf.json", json.dumps(stack, indent=2)) == []


def test_a_federated_credential_subject_is_a_name_not_a_finding(tmp_path):
    credential = {"subject": "system:serviceaccount:external-secrets:external-secrets"}
    assert findings_in(tmp_path, "cdk.tf.json", json.dumps(credential)) == []


def test_a_token_in_a_key_name_position_is_still_found(tmp_path):
    token = "ghp_" + "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"
    manifest = {"spec": {"data": [{"secretKey": token}]}}
    assert findings_in(tmp_path, "es.json", json.dumps(manifest)) == [("GitHub Token", "spec.data[0].secretKey")]


def test_a_password_inside_a_connection_string_value_is_found(tmp_path):
    stack = {"resource": {"azurerm_key_vault_secret": {"conn": {"value": "Server=db;Password=Xk9#mP2vQ7zL;"}}}}
    assert findings_in(tmp_path, "cdk.tf.json", json.dumps(stack)) == [
        ("Secret Keyword", "resource.azurerm_key_vault_secret.conn.value")
    ]


def test_a_token_inside_json_encoded_helm_values_is_found(tmp_path):
    release = {"values": [json.dumps({"webhook": {"token": "xyzzy-plugh-1234"}})]}
    assert findings_in(tmp_path, "cdk.tf.json", json.dumps(release)) == [("Secret Keyword", "values[0]<json>.webhook.token")]


def test_references_and_templates_under_secret_keys_are_not_findings(tmp_path):
    secret = {"data": {"ClientSecret": "${azuread_application_password.eso.value}",
                       "DATABASE_URL": "postgresql://{{ .POSTGRES_USER }}:{{ .POSTGRES_PASSWORD }}@db:5432/app"}}
    assert findings_in(tmp_path, "cdk.tf.json", json.dumps(secret)) == []


def test_other_files_are_scanned_line_by_line(tmp_path):
    assert findings_in(tmp_path, "notes.txt", "first\npassword = 'n0t-a-Ref3rence!x9'\n") == [("Secret Keyword", "line 2")]


def test_allowlist_entry_without_reason_is_rejected(tmp_path):
    path = tmp_path / "secrets_allowlist.yaml"
    path.write_text("- {file: a, type: Secret Keyword, hashed_secret: ab, reason: ' '}\n")
    with pytest.raises(ValueError) as error:
        load_allowlist(path)
    assert str(error.value) == "secrets_allowlist.yaml: entry 1: reason must say why the finding is not a secret"


def test_allowlist_entry_with_unknown_key_is_rejected(tmp_path):
    path = tmp_path / "secrets_allowlist.yaml"
    path.write_text("- {file: a, type: Secret Keyword, hashed_secret: ab, reason: r, line: 3}\n")
    with pytest.raises(ValueError) as error:
        load_allowlist(path)
    assert str(error.value) == (
        "secrets_allowlist.yaml: entry 1: unknown keys ['line'] (allowed: ['file', 'hashed_secret', 'reason', 'type'])"
    )


def test_allowlist_entry_that_matches_no_finding_is_stale():
    entry = Allowed(file="cdktf.out/*", type="Secret Keyword", hashed_secret="ab", reason="r")
    finding = Finding(file="cdktf.out/x.json", type="Secret Keyword", hashed_secret="cd", where="a.b")
    assert stale([finding], [entry]) == [entry]
