"""The vendored, trimmed provider schemas cover every type the stacks use and are what the trim script writes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from main import synth
from support import WRITE_ONLY, make_env, shared_file
from terraform.harness import HERE, WITHOUT_STANDIN

RETRIM = ".venv/bin/python tests/terraform/trim_schemas.py"
BLOCK_KINDS = {"resource": "resource_schemas", "data": "data_source_schemas", "ephemeral": "ephemeral_resource_schemas"}
# terraform_remote_state is Terraform's own data source (provider terraform.io/builtin/terraform).
BUILT_IN = {("data", "terraform_remote_state")}

def _trim_script():
    spec = importlib.util.spec_from_file_location("trim_schemas", HERE / "trim_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

def vendored() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text()) for path in sorted((HERE / "schemas").glob("*.json"))}

def missing_types(outdir: Path) -> list[str]:
    schemas = vendored()
    missing = set()
    for path in sorted(outdir.glob("stacks/*/cdk.tf.json")):
        synthesized = json.loads(path.read_text())
        for block, kind in BLOCK_KINDS.items():
            for type_name in synthesized.get(block, {}):
                provider = type_name.split("_", 1)[0]
                if provider in WITHOUT_STANDIN:
                    continue
                if (block, type_name) not in BUILT_IN and type_name not in schemas.get(provider, {}).get(kind, {}):
                    missing.add(f"{block} {type_name} (stack {path.parent.name})")
    return sorted(missing)

def test_every_type_the_example_stacks_use_has_a_vendored_schema(example_outdir):
    assert missing_types(example_outdir) == [], f"run `{RETRIM}` to vendor the schemas of these types"

def test_every_type_a_generated_environment_uses_has_a_vendored_schema(tmp_path):
    apps = {"web": {"namespace": "web", "static_secrets": {"host": "web.internal"}, "random_secrets": {"token": {}},
                    "sensitive_secrets": {"key": {"variable": "web_key"}}}}
    environments = [
        make_env({"apps": apps}, name="plain1"),
        make_env({"apps": apps, **WRITE_ONLY}, name="wonly2"),
    ]
    synth(environments, tmp_path / "cdktf.out")
    assert missing_types(tmp_path / "cdktf.out") == [], f"run `{RETRIM}` to vendor the schemas of these types"

def test_a_type_missing_from_the_vendored_schemas_is_named_with_the_command_to_run(tmp_path):
    stack = tmp_path / "stacks" / "azure-qa"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(json.dumps({"resource": {"azurerm_storage_account": {"sa": {}}}}))
    assert missing_types(tmp_path) == ["resource azurerm_storage_account (stack azure-qa)"]

def test_vendored_schemas_are_what_the_trim_script_writes_from_shared():
    source = shared_file("terraform/schemas/azurerm.json.gz").parent
    script = _trim_script()
    fresh = script.trim(source, script.used_types())
    stale = sorted(name for name, entry in fresh.items() if vendored().get(name) != json.loads(json.dumps(entry)))
    assert stale == [], f"the vendored schemas of {', '.join(stale)} are stale: run `{RETRIM}`"
