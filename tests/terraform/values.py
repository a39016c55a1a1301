"""cty values as the plugin protocol carries them (msgpack), walked along a provider schema.

Terraform sends every value msgpack-encoded: objects as maps, lists and sets as arrays, an unknown value as
extension type 0 (or 12 when it carries refinements), a value of a ``dynamic`` attribute as ``[type-json,
value]``. Unknowns are kept as ``msgpack.ExtType`` objects, which encode back to the same bytes: Terraform rejects
a plan whose unknowns changed. https://github.com/hashicorp/terraform/blob/v1.11.4/docs/plugin-protocol/object-wire-format.md
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgpack

UNKNOWN = msgpack.ExtType(0, b"\x00")  # what cty's msgpack encoder writes for a wholly unknown value


def is_unknown(value: Any) -> bool:
    return isinstance(value, msgpack.ExtType)


def decode(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False) if data else None


def encode(value: Any) -> bytes:
    return msgpack.packb(value, use_bin_type=True)


@dataclass
class Attribute:
    name: str
    type: Any  # the cty type in its JSON form ("string", ["list", "string"], ...) or None for a nested type
    required: bool = False
    optional: bool = False
    computed: bool = False
    sensitive: bool = False
    write_only: bool = False
    nested: "Block | None" = None  # a plugin-framework nested attribute: its attributes as a block
    nesting: str = ""  # of the nested attribute: single, list, set, map

    @property
    def computed_only(self) -> bool:
        return self.computed and not self.optional and not self.required


@dataclass
class Block:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: dict[str, tuple[str, "Block"]] = field(default_factory=dict)  # name -> (nesting mode, block)

    @classmethod
    def from_json(cls, schema: dict) -> "Block":
        """The ``block`` of a schema in ``terraform providers schema -json`` form."""
        block = cls()
        for name, attribute in (schema.get("attributes") or {}).items():
            nested = attribute.get("nested_type")
            block.attributes[name] = Attribute(
                name=name,
                type=attribute.get("type"),
                required=attribute.get("required", False),
                optional=attribute.get("optional", False),
                computed=attribute.get("computed", False),
                sensitive=attribute.get("sensitive", False),
                write_only=attribute.get("write_only", False),
                nested=cls.from_json(nested) if nested else None,
                nesting=nested.get("nesting_mode", "") if nested else "",
            )
        for name, nested in (schema.get("block_types") or {}).items():
            block.blocks[name] = (nested["nesting_mode"], cls.from_json(nested["block"]))
        return block


def _elements(nesting: str, value: Any) -> list[tuple[Any, Any]]:
    """(key, element) pairs of a nested block or nested attribute value, for any nesting mode."""
    if value is None or is_unknown(value):
        return []
    if nesting in ("single", "group"):
        return [(None, value)]
    if nesting == "map":
        return list(value.items())
    return list(enumerate(value))


def map_objects(block: Block, value: Any, change: Callable[[Block, dict, tuple], dict], path: tuple = ()) -> Any:
    """``value`` (an object of ``block``) with ``change(block, object, path)`` applied to it and every nested object,
    innermost first. Unknown and null values are left as they are."""
    if value is None or is_unknown(value):
        return value
    result = dict(value)
    nested_blocks = [(name, nesting, inner) for name, (nesting, inner) in block.blocks.items()]
    nested_blocks += [(a.name, a.nesting, a.nested) for a in block.attributes.values() if a.nested]
    for name, nesting, inner in nested_blocks:
        current = result.get(name)
        if current is None or is_unknown(current):
            continue
        if nesting in ("single", "group"):
            result[name] = map_objects(inner, current, change, path + (name,))
        elif nesting == "map":
            result[name] = {k: map_objects(inner, v, change, path + (name, k)) for k, v in current.items()}
        else:
            result[name] = [map_objects(inner, v, change, path + (name, i)) for i, v in enumerate(current)]
    return change(block, result, path)


def find(block: Block, value: Any, test: Callable[[Attribute, Any], bool], path: tuple = ()) -> list[tuple]:
    """Paths of the attributes of ``value`` (and its nested objects) for which ``test(attribute, value)`` holds."""
    found = []
    if value is None or is_unknown(value):
        return found
    for name, attribute in block.attributes.items():
        if test(attribute, value.get(name)):
            found.append(path + (name,))
        if attribute.nested:
            for key, element in _elements(attribute.nesting, value.get(name)):
                found += find(attribute.nested, element, test, path + (name,) + (() if key is None else (key,)))
    for name, (nesting, inner) in block.blocks.items():
        for key, element in _elements(nesting, value.get(name)):
            found += find(inner, element, test, path + (name,) + (() if key is None else (key,)))
    return found


def to_json(value: Any) -> Any:
    """A JSON-able rendering for hashing and messages: unknowns become a marker, bytes text."""
    if is_unknown(value):
        return "(known after apply)"
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(to_json(list(parts)), sort_keys=True).encode()).hexdigest()


def guid(*parts: Any) -> str:
    """A GUID that is the same for the same inputs (a version-4-shaped UUID built from a hash)."""
    return str(uuid.UUID(digest(*parts)[:32], version=4))


def zero_value(cty_type: Any) -> Any:
    """An empty known value of a cty type (for a computed attribute nobody set)."""
    if cty_type == "string":
        return ""
    if cty_type == "number":
        return 0
    if cty_type == "bool":
        return False
    if isinstance(cty_type, list):
        kind = cty_type[0]
        if kind in ("list", "set", "tuple"):
            return []
        if kind == "map":
            return {}
        if kind == "object":
            return {name: None for name in cty_type[1]}
    return None  # dynamic: null is a valid result of an unknown
