"""The base of the environment file models, and errors that name the file, the field, the bad value and the rule.

The models are pydantic v2 dataclasses: strict types (``'90'`` is no number, ``'yes'`` no boolean), unknown keys
forbidden, frozen. Dataclasses rather than ``BaseModel``: the objects stacks receive keep what they had (equality,
``dataclasses.replace``, ``FrozenInstanceError``), and are validated when created. Pydantic collects every problem of a file; :func:`config_error` words each one in the project's
format ``<file>: <field path> <bad value>: <what is allowed>``, for example
``environments/dev.yaml: key_vault.name 'my--kv': must not contain '--' (...)``. What is allowed comes from the
:class:`Rule` that each constrained type carries, so a rule is written once: the type enforces it, the schema
(``environments/schema.json``) publishes it, the message words it.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, ClassVar, TypeVar

import yaml
from pydantic import AfterValidator, ConfigDict, Field, Strict, ValidationError, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_core import PydanticCustomError

# Pass as the value of a problem when the field is absent: the message then shows no value.
MISSING: Any = object()
HIDDEN = "<not shown>"
T = TypeVar("T")


class ConfigError(ValueError):
    """An environment file breaks a rule. The message is complete and meant for the user as it is: one line per
    problem."""


@dataclass(frozen=True)
class Rule:
    """What a field allows, in words. ``explain`` words a value of the right type that breaks the constraints
    (default: ``must be <text>``); ``wrong_type`` replaces ``must be a string (<text>)`` and the like."""

    text: str
    explain: Callable[[Any], str] | None = None
    wrong_type: str | None = None


def settings(cls: type[T]) -> type[T]:
    """A section of an environment file: a frozen dataclass, validated on creation, that refuses unknown keys.

    Every value is of its exact type (``Strict`` on each scalar type below): ``'90'`` is no number, ``'yes'`` no
    boolean. Enums take their values (``'premium'``), lists become tuples.
    """
    # Built on first use: validating a file builds one validator for the whole file (see _absent_when_null).
    return pydantic_dataclass(frozen=True, kw_only=True, config=ConfigDict(extra="forbid", defer_build=True))(cls)


@settings
class Settings:
    """Base of every section. A key written with no value (``key:``) means the default."""

    # Keys that are refused with a reason of their own instead of "unknown key": key -> (show the value, reason).
    refused: ClassVar[dict[str, tuple[bool, str]]] = {}

    @model_validator(mode="before")
    @classmethod
    def _absent_when_null(cls, data: Any) -> Any:
        if data is None:
            return {}
        if isinstance(data, dict):  # a file's mapping (code that creates settings passes ArgsKwargs)
            # An absent section is validated as an empty mapping, not made by its class: same result, no second
            # validator to build.
            sections = {name: {} for name, field in cls.__pydantic_fields__.items()
                        if isinstance(field.default_factory, type) and dataclasses.is_dataclass(field.default_factory)}
            return sections | {key: value for key, value in data.items() if value is not None}
        return data


def problem(message: str | Callable[[str], str], *, at: tuple[str | int, ...] = (), value: Any = None,
            shown: bool = True) -> PydanticCustomError:
    """A broken rule found by a validator, ``at`` a path below the value validated, showing ``value`` there (default:
    the value validated; ``MISSING``: none). A callable message is given the field path."""
    return PydanticCustomError("rule", "{message}", {"message": message, "at": at, "value": value, "shown": shown})


def checked(check: Callable[[Any], str | None]) -> AfterValidator:
    """A validator from a check that returns ``None`` when the value is fine, or the broken rule as a message."""

    def validate(value: Any) -> Any:
        message = check(value)
        if message:
            raise problem(message, value=value)
        return value

    return AfterValidator(validate)


def text(rule: str, pattern: str | None = None, *, explain: Callable[[str], str] | None = None,
         check: Callable[[str], str | None] | None = None, wrong_type: str | None = None, **constraints: Any) -> Any:
    """A string type: ``pattern`` (anchored) and length ``constraints`` go into the schema as well."""
    parts: list[Any] = [str, Strict(), Field(pattern=pattern, **constraints), Rule(rule, explain, wrong_type)]
    if check:
        parts.append(checked(check))
    return Annotated[tuple(parts)]


def whole(minimum: int, maximum: int, unit: str = "") -> Any:
    """A whole number in a range (a YAML ``true`` or ``'90'`` is refused)."""
    rule = f"a whole number from {minimum} to {maximum}{(' ' + unit) if unit else ''}"
    return Annotated[int, Strict(), Field(ge=minimum, le=maximum), Rule(rule, wrong_type=f"must be {rule}")]


def choice(enum: type[Enum]) -> Any:
    """One of an enum's values, written as the value (``'premium'``)."""
    allowed = ", ".join(repr(member.value) for member in enum)
    return Annotated[enum, Rule(f"one of {allowed}", wrong_type=f"must be one of {allowed}")]


def _unique(items: tuple) -> tuple:
    twice = sorted({item for item in items if items.count(item) > 1})
    if twice:
        raise problem("is listed twice", value=twice[0])
    return items


def listing(item: Any, rule: str) -> Any:
    """A YAML list of distinct items, kept as a tuple."""
    return Annotated[tuple[item, ...], Field(json_schema_extra={"uniqueItems": True}),
                     AfterValidator(_unique), Rule(rule, wrong_type=f"must be a list ({rule})")]


def sorted_map(key: Any, value: Any) -> Any:
    """A mapping, kept with sorted keys for stable output."""
    return Annotated[dict[key, value], AfterValidator(lambda mapping: dict(sorted(mapping.items())))]


Flag = Annotated[bool, Strict(), Rule("true or false", wrong_type="must be true or false")]


def pattern_check(pattern: str, rule: str) -> Callable[[str], str | None]:
    """A check function (``str -> message or None``) of an anchored pattern, for code outside the models."""
    compiled = re.compile(pattern)
    return lambda value: None if compiled.fullmatch(value) else f"must be {rule}"


GUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def guid(rule: str = "a GUID") -> Any:
    return text(rule, GUID_PATTERN, explain=lambda _: "must be a GUID such as 00000000-0000-0000-0000-000000000000")


# -- YAML -----------------------------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML loader that rejects a key given twice in one mapping (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {_show(key)} is given twice (first on line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(file: str, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        raise ConfigError(yaml_error_message(file, error)) from None


def yaml_error_message(file: str, error: yaml.YAMLError) -> str:
    """``<file>: line 3, column 5: not valid YAML: <problem> (<context> on line 1, column 1)``: PyYAML's own text
    names the input ``"<unicode string>"`` and spreads over several lines."""
    if not isinstance(error, yaml.MarkedYAMLError) or error.problem_mark is None:
        return f"{file}: not valid YAML: {' '.join(str(error).split())}"
    mark = error.problem_mark
    text = f"{file}: line {mark.line + 1}, column {mark.column + 1}: not valid YAML: {error.problem}"
    if error.context:
        where = error.context_mark
        text += f" ({error.context}" + (f" on line {where.line + 1}, column {where.column + 1}" if where else "") + ")"
    return text


# -- messages -------------------------------------------------------------------------------------------------


def line(file: str, field: str, value: Any, rule: str) -> str:
    """The one error format of this project."""
    shown = "" if value is MISSING else f" {_show(value)}"
    return f"{file}: {field or '(top level)'}{shown}: {rule}"


def _show(value: Any) -> str:
    """The value as the user wrote it in YAML (``true``, ``null``, ``2027-12-31``), strings in quotes (``'my--kv'``);
    mappings and lists in YAML's flow form, cut at 80 characters."""
    text = _yaml_form(value)
    if isinstance(value, (dict, list)) and len(text) > 80:
        return text[:77] + "..."
    return text


def _yaml_form(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml_form(key)}: {_yaml_form(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_form(item) for item in value) + "]"
    try:
        return yaml.safe_dump(value).removesuffix("\n...\n").strip()
    except yaml.YAMLError:
        return repr(value)


def unknown_key_rule(key: str, allowed: Iterable[str]) -> str:
    """``unknown key (did you mean key_vault?)`` when a valid key is close (difflib), else every key allowed."""
    # 0.7 (difflib's default is 0.6) takes transposed letters, a missing '_' or 's', but not 'gpu' for 'cpu'.
    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.7)
    if close:
        return f"unknown key (did you mean {close[0]}?)"
    return f"unknown key (allowed here: {', '.join(sorted(allowed)) or 'none'})"


@dataclass
class _Place:
    path: str
    metadata: list[Any]
    model: type | None  # the model whose key the last part of the path is
    list_rule: Rule | None = None  # the list's, when the place is an item of one

    @property
    def rule(self) -> Rule | None:
        return next((m for m in reversed(self.metadata) if isinstance(m, Rule)), None)


def _strip(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """The type under ``Annotated`` and ``X | None``, with the metadata found on the way."""
    metadata = list(metadata)
    while True:
        if typing.get_origin(annotation) is Annotated:
            metadata.extend(annotation.__metadata__)
            annotation = annotation.__origin__
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation):
            annotation = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
        else:
            return annotation, metadata


def _locate(root: type, loc: tuple[str | int, ...]) -> _Place:
    """Walk the models along a pydantic error location: the path as the user writes it, and the rule there."""
    annotation, metadata, path, model, list_rule = root, [], "", None, None
    parts = list(loc)
    while parts:
        annotation, metadata = _strip(annotation, metadata)
        part = parts.pop(0)
        list_rule = None
        marker = next((m for m in metadata if isinstance(m, Variants)), None)
        if marker is not None:  # pydantic puts the chosen variant's tag into the location
            annotation, metadata = marker.models[part], []
        elif dataclasses.is_dataclass(annotation):
            model, path = annotation, f"{path}.{part}" if path else str(part)
            field = annotation.__pydantic_fields__.get(str(part))
            if field is None:
                return _Place(path, [], model)
            annotation, metadata = field.annotation, list(field.metadata)
        elif typing.get_origin(annotation) is dict:
            key_type, value_type = typing.get_args(annotation)
            model, path = None, f"{path}.{part}"
            if parts and parts[0] == "[key]":
                parts.pop(0)
                annotation, metadata = key_type, []
            else:
                annotation, metadata = value_type, []
        else:  # a tuple's item
            path = f"{path}[{part}]"
            list_rule = _Place(path, metadata, None).rule
            annotation, metadata = typing.get_args(annotation)[0], []
    annotation, metadata = _strip(annotation, metadata)
    return _Place(path, metadata, model, list_rule)


@dataclass(frozen=True)
class Variants:
    """Marks a union chosen by a key (``backend.type``): tag -> model, and the key's rule."""

    key: str
    models: dict[str, type]
    rule: Rule


def variants(key: str, enum: type[Enum], models: dict[Enum, type]) -> Any:
    """A union of models told apart by ``key`` (absent: the first), as the file writes it: ``{type: cloud, ...}``."""
    from pydantic import Discriminator, Tag

    default = next(iter(models)).value

    def tag(value: Any) -> Any:
        if isinstance(value, dict):
            return value.get(key, default)
        return getattr(value, key).value if dataclasses.is_dataclass(value) else default

    union = typing.Union[tuple(Annotated[model, Tag(member.value)] for member, model in models.items())]
    allowed = ", ".join(repr(member.value) for member in enum)
    marker = Variants(key, {member.value: model for member, model in models.items()}, Rule(f"one of {allowed}"))
    return Annotated[union, Discriminator(tag), marker]


_WRONG_TYPE = {
    "string_type": "must be a string ({text})",
    "int_type": "must be {text}",
    "bool_type": "must be true or false",
    "tuple_type": "must be a list ({text})",
    "enum": "must be {text}",
}
_MAPPING_TYPE = ("dict_type", "dataclass_type", "dataclass_args_type", "model_type", "model_attributes_type")
_UNKNOWN = ("extra_forbidden", "unexpected_keyword_argument")


def _message(root: type, error: dict[str, Any]) -> tuple[str, Any, str]:
    """(field path, value shown or MISSING, rule) of one pydantic error."""
    kind, loc, value, ctx = error["type"], error["loc"], error.get("input"), error.get("ctx") or {}
    if kind == "rule":
        place = _locate(root, tuple(loc) + tuple(ctx["at"]))
        shown = value if ctx["value"] is None else ctx["value"]
        message = ctx["message"](place.path) if callable(ctx["message"]) else ctx["message"]
        return place.path, shown if ctx["shown"] else HIDDEN, message
    place = _locate(root, tuple(loc))
    rule = place.rule
    if kind == "missing":
        return place.path, MISSING, f"is required ({rule.text})" if rule else "is required"
    if kind in _UNKNOWN:
        model = place.model
        key = str(loc[-1])
        if model and key in model.refused:
            show, reason = model.refused[key]
            return place.path, value if show else HIDDEN, reason
        return place.path, MISSING, unknown_key_rule(key, model.__pydantic_fields__ if model else ())
    if kind == "union_tag_invalid":
        marker = next(m for m in place.metadata if isinstance(m, Variants))
        return f"{place.path}.{marker.key}", ctx.get("tag"), f"must be {marker.rule.text}"
    if kind in _MAPPING_TYPE:
        return place.path, value, "must be a mapping of keys to values"
    if kind == "string_type" and loc and loc[-1] == "[key]":
        return place.path, value, "keys must be strings"
    if rule and rule.wrong_type and (kind in _WRONG_TYPE or kind.endswith("_type")):
        return place.path, value, rule.wrong_type
    if kind in _WRONG_TYPE:
        rule = place.list_rule or rule  # an item of the wrong type is told what the list holds
        return place.path, value, _WRONG_TYPE[kind].format(text=rule.text if rule else "see docs/environments.md")
    if rule and rule.explain:
        return place.path, value, rule.explain(value)
    if rule:
        return place.path, value, f"must be {rule.text}"
    return place.path, value, error["msg"]


def config_error(file: str, root: type, error: ValidationError, secret: Callable[[tuple], bool]) -> ConfigError:
    """Every problem pydantic found, one line each: unknown keys first, in file order, and no "is required" below
    a mapping that has an unknown key (the unknown key is most likely the missing one, misspelt: ``key_vualt:``
    hides ``key_vault.name: is required``). No value is shown where ``secret`` says the location may hold one."""
    errors = error.errors(include_url=False)
    unknown_in = {tuple(e["loc"][:-1]) for e in errors if e["type"] in _UNKNOWN}
    errors = [e for e in errors if not (e["type"] == "missing" and any(
        tuple(e["loc"][:len(parent)]) == parent for parent in unknown_in))]
    errors.sort(key=lambda e: e["type"] not in _UNKNOWN)
    lines = []
    for e in errors:
        path, value, rule = _message(root, e)
        lines.append(line(file, path, HIDDEN if value is not MISSING and secret(tuple(e["loc"])) else value, rule))
    return ConfigError("\n".join(lines))
