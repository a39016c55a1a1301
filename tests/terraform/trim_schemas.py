"""Re-trim the vendored provider schemas of the stand-in providers from ``../shared/terraform/schemas/``.

    .venv/bin/python tests/terraform/trim_schemas.py            # after using a new resource, data or ephemeral type
    .venv/bin/python tests/terraform/trim_schemas.py --source DIR

Keeps, per provider, the provider-configuration block and the schemas of the types the project uses: every
resource and data source class that ``cdk.py`` imports, and every type the example environments synthesize
(ephemeral resources have no binding class). Writes ``tests/terraform/schemas/<provider>.json`` (descriptions
dropped: Terraform validates without them) and ``SOURCE.md`` with the source files' SHA-256 and versions, so a fresh
clone runs Terraform without ``../shared``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCHEMAS = HERE / "schemas"
DEFAULT_SOURCE = ROOT.parent / "shared" / "terraform" / "schemas"
KINDS = ("resource_schemas", "data_source_schemas", "ephemeral_resource_schemas")
BLOCKS = ("resource", "data", "ephemeral")  # the Terraform JSON blocks of each kind
# What each source file is (from ../shared/terraform/README.md).
SOURCE_VERSIONS = {
    "azurerm": "azurerm 4.55.0 exact; provider block of 4.51.0 (structurally identical to the 4.55 bindings)",
    "azuread": "azuread 3.7.0 exact; provider block reconstructed from the prebuilt bindings",
    "kubernetes": "kubernetes 2.38.0 exact; provider block reconstructed from the prebuilt bindings",
    "helm": "helm 3.0.2 plus take_ownership, timeouts, upgrade_install of 3.1.1 from the bindings",
    "random": "random 3.7.2 exact, with the ephemeral random_password",
    "time": "time 0.9.1 (the 0.13 resources used here are the same)",
}


def _strip_descriptions(node):
    if isinstance(node, dict):
        return {
            key: _strip_descriptions(value)
            for key, value in node.items()
            if key not in ("description", "description_kind")
        }
    if isinstance(node, list):
        return [_strip_descriptions(item) for item in node]
    return node


def used_types() -> dict[str, set[str]]:
    """Per kind, the type names of cdk.py's resource and data source classes and of what the examples synthesize."""
    sys.path[:0] = [str(ROOT), str(ROOT / "constructs")]
    import cdk
    from config import load_environments
    from main import ENVIRONMENTS_DIR, build_app

    types: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for name in cdk.__all__:
        resource_type = getattr(getattr(cdk, name), "TF_RESOURCE_TYPE", None)
        if resource_type:
            types["data_source_schemas" if name.startswith("Data") else "resource_schemas"].add(resource_type)
    with tempfile.TemporaryDirectory() as scratch:
        build_app(load_environments(ENVIRONMENTS_DIR, root=ROOT), Path(scratch)).synth()
        for path in Path(scratch).glob("stacks/*/cdk.tf.json"):
            synthesized = json.loads(path.read_text())
            for block, kind in zip(BLOCKS, KINDS):
                types[kind].update(synthesized.get(block, {}))
    return types


def trim(source: Path, types: dict[str, set[str]]) -> dict[str, dict]:
    trimmed = {}
    for path in sorted(source.glob("*.json.gz")):
        provider = path.name.removesuffix(".json.gz")
        full = json.loads(gzip.decompress(path.read_bytes()))
        entry = {"provider": _strip_descriptions(full.get("provider") or {"block": {}, "version": 0})}
        for kind in KINDS:
            entry[kind] = {
                name: _strip_descriptions(schema)
                for name, schema in sorted((full.get(kind) or {}).items())
                if name in types[kind]
            }
        trimmed[provider] = entry
    return trimmed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"{args.source} is missing: the full schemas are in ../shared/terraform/schemas/", file=sys.stderr)
        return 1
    types = used_types()
    trimmed = trim(args.source, types)
    SCHEMAS.mkdir(exist_ok=True)
    lines = [
        "# Trimmed provider schemas of the stand-in providers",
        "",
        "Written by `tests/terraform/trim_schemas.py` (do not edit by hand) from the real schemas in",
        "`../shared/terraform/schemas/`, which come from the public repositories",
        "`lonegunmanb/terraform-{azurerm,azuread,kubernetes,helm,random}-schema` and `step-security-bot/terraform-time-schema`",
        "(`terraform providers schema -json` output, MIT licence, Copyright (c) Microsoft Corporation) and",
        "`vadirajks/terraform-provider-schema-exporter` (MIT) for the azurerm provider block. Only the provider block and",
        "the types the project uses are kept; descriptions are dropped.",
        "",
        "| provider | source file (SHA-256) | what it is | types kept |",
        "| --- | --- | --- | --- |",
    ]
    for provider, entry in trimmed.items():
        (SCHEMAS / f"{provider}.json").write_text(json.dumps(entry, indent=1, sort_keys=True) + "\n")
        digest = hashlib.sha256((args.source / f"{provider}.json.gz").read_bytes()).hexdigest()
        kept = "; ".join(
            f"{block} {', '.join(entry[kind])}" for block, kind in zip(BLOCKS, KINDS) if entry[kind]
        ) or "(provider block only)"
        lines.append(f"| {provider} | `{provider}.json.gz` ({digest[:16]}…) | {SOURCE_VERSIONS.get(provider, '')} | {kept} |")
    (SCHEMAS / "SOURCE.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(trimmed)} schemas into {SCHEMAS.relative_to(ROOT)}/ ({sum(map(len, types.values()))} types used)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
