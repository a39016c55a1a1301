"""No secret reaches an emitted file: canary values in every sensitive input, and a secret scanner."""

from __future__ import annotations

import base64
import importlib.metadata
import json

import pytest

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


def test_sensitive_terraform_variables_get_a_canary_value(relocated_synth, example_outdir):
    variables = {f"TF_VAR_{name}" for name in sensitive_variables(example_outdir)}
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


@pytest.fixture(scope="module")
def scanner_findings(relocated_synth) -> list[Finding]:
    return scan(relocated_synth.root, sorted(relocated_synth.files))


def test_secret_scanner_is_checkovs_fork():
    import detect_secrets.__version__ as scanner

    assert scanner.VERSION == importlib.metadata.version("bc-detect-secrets")


def test_secret_scanner_reports_nothing_the_allowlist_does_not_explain(scanner_findings):
    new = unexplained(scanner_findings, load_allowlist())
    assert not new, (
        "the secret scanner flags these in emitted files; remove the value, or add an entry with the reason to "
        "tests/quality/secrets_allowlist.yaml:\n" + "\n".join(finding.as_allowlist_entry() for finding in new)
    )


def test_every_allowlist_entry_still_explains_a_finding(scanner_findings):
    assert stale(scanner_findings, load_allowlist()) == []


def test_secret_scanner_flags_a_password_in_a_manifest(tmp_path):
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "app.yaml").write_text("stringData:\n  password: 'n0t-a-Ref3rence!x9'\n")
    assert [(f.file, f.type, f.line) for f in scan(tmp_path, ["manifests/app.yaml"])] == [
        ("manifests/app.yaml", "Secret Keyword", 2)
    ]


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
    finding = Finding(file="cdktf.out/x.json", type="Secret Keyword", hashed_secret="cd", line=1)
    assert stale([finding], [entry]) == [entry]
