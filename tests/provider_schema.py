"""Provider schemas for checks of synthesized JSON: the real ones in ../shared/terraform/schemas, and one rebuilt
from a prebuilt binding's jsii assembly where ../shared has none (tfe).

Both come in the layout of one provider in ``terraform providers schema -json``: ``provider``,
``resource_schemas``, ``data_source_schemas``, each ``{"block": {"attributes": ..., "block_types": ...}}``.

How faithful the rebuilt schema is: the generator of the bindings (cdktf get) wrote one config property per
argument a user may set, from the provider's own schema, with the Terraform name in its registry link, whether it is
optional, its type (string, number, bool, list/set/map of them) and nested blocks as structs. Kept: every
argument's name, required or optional, primitive type, nesting. Lost: computed-only attributes (not settable),
validators (allowed values, conflicts), sensitivity, deprecation, and the list/set distinction of blocks.
"""

from __future__ import annotations

import gzip
import json
import re
import tarfile
from functools import cache
from pathlib import Path

from support import shared_file

_REPRESENTS = re.compile(r"docs/(resources|data-sources)/\w+ (\w+)\}")
_ANCHOR = re.compile(r"#(\w+) ")


def real_schema(provider: str) -> dict:
    """The real schema of ``provider`` (azurerm, azuread, ...) from ../shared/terraform/schemas."""
    return json.load(gzip.open(shared_file(f"terraform/schemas/{provider}.json.gz")))


@cache
def schema_from_jsii(package: str) -> dict:
    """The schema of the provider a prebuilt binding package (``cdktf_cdktf_provider_tfe``) was generated from."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    assert spec and spec.submodule_search_locations
    (tgz,) = Path(next(iter(spec.submodule_search_locations)), "_jsii").glob("*.jsii.tgz")
    with tarfile.open(tgz) as archive:
        member = archive.extractfile("package/.jsii")
        assert member
        types = json.load(member)["types"]
    schema: dict = {"resource_schemas": {}, "data_source_schemas": {}}
    for jsii_type in types.values():
        represents = _REPRESENTS.search(jsii_type.get("docs", {}).get("summary", ""))
        if jsii_type.get("kind") != "class" or not represents:
            continue
        kind, name = represents.groups()
        config = jsii_type["initializer"]["parameters"][2]["type"]["fqn"]
        section = "resource_schemas" if kind == "resources" else "data_source_schemas"
        schema[section][name] = {"block": _block(types, config)}
    return schema


def _block(types: dict, fqn: str) -> dict:
    block: dict = {"attributes": {}, "block_types": {}}
    for prop in types[fqn].get("properties", []):
        anchor = _ANCHOR.search(prop.get("docs", {}).get("remarks", "") + " " + prop.get("docs", {}).get("summary", "") + " ")
        name = anchor.group(1) if anchor else re.sub(r"(?<!^)(?=[A-Z])", "_", prop["name"]).lower()
        nested = _struct(prop["type"])
        if nested and nested in types and types[nested].get("datatype"):
            block["block_types"][name] = {"block": _block(types, nested), "nesting_mode": "list"}
        else:
            required = not prop.get("optional", False)
            block["attributes"][name] = {"type": _type(prop["type"]), "required" if required else "optional": True}
    return block


def _struct(jsii: dict) -> str | None:
    if "fqn" in jsii:
        return jsii["fqn"]
    for inner in jsii.get("union", {}).get("types", []) + [jsii.get("collection", {}).get("elementtype", {})]:
        if inner and "fqn" in inner and not inner["fqn"].startswith("cdktf."):
            return inner["fqn"]
    return None


def _type(jsii: dict):
    if "primitive" in jsii:
        return {"string": "string", "number": "number", "boolean": "bool", "any": "dynamic"}[jsii["primitive"]]
    if "union" in jsii:  # boolean | IResolvable, and the like
        primitives = [t for t in jsii["union"]["types"] if "primitive" in t]
        return _type(primitives[0]) if primitives else "dynamic"
    if "collection" in jsii:
        kind = {"array": "list", "map": "map"}[jsii["collection"]["kind"]]
        return [kind, _type(jsii["collection"]["elementtype"])]
    return "dynamic"


# -- checking synthesized JSON against a schema -----------------------------------------------------------------

META_ARGUMENTS = {"//", "count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}
_PRIMITIVE = {"string": str, "bool": bool, "number": (int, float)}


def problems(block_schema: dict, config: dict, where: str, *, top: bool = True) -> list[str]:
    """Unknown arguments, missing required ones, computed-only ones set, and literal values of the wrong type."""
    found = []
    attributes, blocks = block_schema.get("attributes", {}), block_schema.get("block_types", {})
    for key, value in config.items():
        if top and key in META_ARGUMENTS:
            continue
        if key in blocks:
            for item in value if isinstance(value, list) else [value]:
                found += problems(blocks[key]["block"], item, f"{where}.{key}", top=False)
        elif key not in attributes:
            found.append(f"{where}: unknown argument {key!r}")
        elif not (attributes[key].get("required") or attributes[key].get("optional")):
            found.append(f"{where}: {key!r} is computed, it cannot be set")
        else:
            expected = _PRIMITIVE.get(attributes[key]["type"]) if isinstance(attributes[key]["type"], str) else None
            interpolated = isinstance(value, str) and "${" in value
            if expected and not interpolated and not isinstance(value, expected):
                found.append(f"{where}.{key}: {value!r} is not a {attributes[key]['type']}")
    for key, attribute in attributes.items():
        if attribute.get("required") and key not in config:
            found.append(f"{where}: required argument {key!r} is missing")
    return found
