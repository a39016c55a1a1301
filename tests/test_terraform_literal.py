"""User strings reach Terraform JSON escaped (``${`` as ``$${``, ``%{`` as ``%%{``), so Terraform reads them as
written; cdktf's references in the same strings still resolve. Proven with Terraform itself where it is on PATH."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from cdk import RandomPassword, RandomProvider, Token, terraform_literal
from stacks.gitops_manifests import render
from support import make_env, run_terraform, synth_app, synth_json, terraform_binary

URL = "https://api.example.com/${tenant}/v1?format=%{if true}json%{endif}"
USER = "${user}/%{user}"
UNESCAPED_USER = re.compile(r"(?<![$%])[$%]\{user\}")
WORKLOAD_IDENTITY = {"eso.auth": "workload_identity"}


def test_a_value_with_both_sequences_is_escaped():
    assert terraform_literal(URL) == "https://api.example.com/$${tenant}/v1?format=%%{if true}json%%{endif}"


def test_mapping_keys_and_list_items_are_escaped():
    assert terraform_literal({"a${b}": ["%{c}", 1]}) == {"a$${b}": ["%%{c}", 1]}


def test_a_token_inside_a_string_is_kept_for_terraform_to_resolve(stack):
    RandomProvider(stack, "random")
    first = RandomPassword(stack, "first", length=16)
    RandomPassword(stack, "second", length=16, keepers={"k": terraform_literal(f"${{x}}/{first.result}/%{{y}}")})
    keepers = synth_json(stack)["resource"]["random_password"]["second"]["keepers"]
    assert keepers == {"k": "$${x}/${random_password.first.result}/%%{y}"}


def test_a_dollar_right_before_a_token_stays_a_dollar(stack):
    RandomProvider(stack, "random")
    first = RandomPassword(stack, "first", length=16)
    assert terraform_literal("price: $" + Token.as_string(first.result)).startswith('price: ${"$"}${TfToken[')


def every_string(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from every_string(item)
    elif isinstance(value, list):
        for item in value:
            yield from every_string(item)


def user_strings_everywhere(**changes: Any) -> dict[str, Any]:
    """Every free-form string an environment file can hold, with ``${user}`` and ``%{user}`` in it."""
    metadata = {"content_type": f"text/{USER}", "tags": {"note${user}": USER}}
    return {
        "azure.tags": {"team${user}": USER},
        "eso.service_principal.display_name": f"eso {USER}",
        "cluster": {"kubeconfig_path": f"~/{USER}/config", "context": f"ctx-{USER}",
                    "oidc_issuer_url": f"https://issuer.example/{USER}/"},
        "apps": {
            "myapp": {
                "create_namespace": True,
                "static_secrets": {"api-url": {"value": URL + USER, **metadata}},
                "random_secrets": {"db-password": {"override_special": "-%{}${}", **metadata}},
                "sensitive_secrets": {"stripe-key": {"variable": "stripe_key", **metadata}},
                "external_secret": {"template": {"DSN": "{{ .API_URL }}/" + USER + "/{{ .DB_PASSWORD }}"}},
            },
        },
        **changes,
    }


# (changes, keys to drop): the service principal's display name is only read in its mode.
VARIANTS = {
    "service principal": ({}, ()),
    "workload identity, isolated, write-only": (
        {**WORKLOAD_IDENTITY, "eso.app_isolation": "isolated", "key_vault.write_only_secrets": True},
        ("eso.service_principal",),
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_no_user_string_reaches_terraform_json_unescaped(tmp_path, variant):
    changes, drop = VARIANTS[variant]
    synthesized = synth_app([make_env(user_strings_everywhere(**changes), drop=drop)], tmp_path)
    strings = [s for stack, body in synthesized.items() if stack != "manifest.json" for s in every_string(body)]
    assert [s for s in strings if UNESCAPED_USER.search(s)] == []
    # Every field above is seen: tags, display name, providers, issuer, values, content types, templates.
    assert sum(s.count("{user}") for s in strings) >= 20


def test_override_special_is_escaped(tmp_path):
    secrets = synth_app([make_env(user_strings_everywhere())], tmp_path)["secrets-test"]
    password = next(iter(secrets["resource"]["random_password"].values()))
    assert password["override_special"] == "-%%{}$${}"


def test_gitops_files_keep_the_users_text_as_written():
    env = make_env(
        user_strings_everywhere(**{
            "azure.tenant_id": "11111111-1111-1111-1111-111111111111",
            "delivery": {"mode": "gitops", "repo_url": "https://github.com/acme/secrets.git"},
        })
    )
    external_secret = next(text for path, text in render(env).items() if path.endswith("myapp.external-secret.yaml"))
    assert "/${user}/%{user}/" in external_secret


# -- Terraform reads the escaped strings as the user wrote them ------------------------------------------------


@pytest.fixture(scope="module")
def terraform() -> str:
    return terraform_binary()


def terraform_outputs(terraform: str, folder: Path, outputs: dict[str, Any]) -> dict[str, Any]:
    """``outputs`` (name -> value as written in Terraform JSON) applied by Terraform in ``folder`` (a configuration
    with outputs only needs no provider), and read back."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.tf.json").write_text(json.dumps({"output": {name: {"value": v} for name, v in outputs.items()}}))
    run_terraform(terraform, folder, "init", "-backend=false")
    run_terraform(terraform, folder, "apply", "-auto-approve")
    read = json.loads(run_terraform(terraform, folder, "output", "-json"))
    return {name: output["value"] for name, output in read.items()}


def test_terraform_reads_the_synthesized_strings_as_the_user_wrote_them(terraform, tmp_path):
    env = make_env(user_strings_everywhere())
    synthesized = synth_app([env], tmp_path / "out")
    secret = synthesized["secrets-test"]["resource"]["azurerm_key_vault_secret"]["app_myapp_api-url"]
    application = next(iter(synthesized["azure-test"]["resource"]["azuread_application"].values()))
    group = synthesized["azure-test"]["resource"]["azurerm_resource_group"]["resource_group"]
    manifest = synthesized["apps-test"]["resource"]["kubernetes_manifest"]["app_myapp_external_secret"]["manifest"]
    written = {
        "value": secret["value"],
        "content_type": secret["content_type"],
        "display_name": application["display_name"],
        "tags": group["tags"],
        "template": manifest["spec"]["target"]["template"]["data"]["DSN"],
        "special": "$%{}${}".replace("${", "$${").replace("%{", "%%{"),
    }
    assert terraform_outputs(terraform, tmp_path / "tf", written) == {
        "value": URL + USER,
        "content_type": f"text/{USER}",
        "display_name": f"eso {USER}",
        "tags": {"environment": "test", "managed-by": "cdktf", "team${user}": USER},
        "template": "{{ .API_URL }}/" + USER + "/{{ .DB_PASSWORD }}",
        "special": "$%{}${}",
    }
