"""Typed reading of an environment file, with errors that name the file, the field, the bad value and the rule.

Every error reads ``<file>: <field path> <bad value>: <what is allowed>``, for example
``environments/dev.yaml: key_vault.name 'my--kv': must not contain '--' (...)``. A section remembers which keys
were read; :meth:`Section.done` then rejects any other key, so a misspelt setting never passes silently. A parse
function first declares the keys its section may hold (:meth:`Section.expect`): a misspelt key is then reported as
unknown, with the closest valid key, before a required key it stands for is reported missing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any, NoReturn, TypeVar

import yaml

E = TypeVar("E", bound=Enum)
T = TypeVar("T")

_MISSING: Any = object()
# Pass as the value to fail() when the field is absent: the message then shows no value.
MISSING: Any = _MISSING


class ConfigError(ValueError):
    """An environment file breaks a rule. The message is complete and meant for the user as it is."""


def fail(file: str, field: str, value: Any, rule: str) -> NoReturn:
    """Raise the one error format of this project."""
    shown = "" if value is _MISSING else f" {_show(value)}"
    raise ConfigError(f"{file}: {field}{shown}: {rule}")


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


def unknown_key_rule(key: str, allowed: set[str] | frozenset[str]) -> str:
    """``unknown key (did you mean key_vault?)`` when a valid key is close (difflib), else every key allowed."""
    # 0.7 (difflib's default is 0.6) takes transposed letters, a missing '_' or 's', but not 'gpu' for 'cpu'.
    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.7)
    if close:
        return f"unknown key (did you mean {close[0]}?)"
    return f"unknown key (allowed here: {', '.join(sorted(allowed)) or 'none'})"


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


class Section:
    """A mapping at ``path`` in ``file``, read key by key with typed accessors."""

    def __init__(self, file: str, path: str, data: Any):
        if data is None:
            data = {}
        if not isinstance(data, dict):
            fail(file, path or "(top level)", data, "must be a mapping of keys to values")
        for key in data:
            if not isinstance(key, str):
                fail(file, self._join(path, _show(key)), key, "keys must be strings")
        self.file = file
        self.path = path
        self._data = data
        self._read: list[str] = []
        self._expected: frozenset[str] | None = None

    # -- plumbing -------------------------------------------------------------------------------------------

    @staticmethod
    def _join(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def field(self, key: str) -> str:
        """The dotted path of ``key`` in this section, as errors show it."""
        return self._join(self.path, key)

    def fail(self, key: str, value: Any, rule: str) -> NoReturn:
        fail(self.file, self.field(key), value, rule)

    def has(self, key: str) -> bool:
        return key in self._data

    def _raw(self, key: str, default: Any, rule: str) -> Any:
        self._read.append(key)
        if key in self._data and self._data[key] is not None:
            return self._data[key]
        if default is _MISSING:
            fail(self.file, self.field(key), _MISSING, f"is required ({rule})")
        return default

    def expect(self, *keys: str) -> None:
        """Declare every key this section may hold, before reading any, and reject any other key now.

        So an unknown key is reported before a missing required one: ``key_vualt:`` reads
        ``key_vualt: unknown key (did you mean key_vault?)``, not ``key_vault.name: is required``. Keys valid only
        with some settings (``backend.organization`` with type 'cloud') may be declared; :meth:`done` still rejects
        what was not read.
        """
        self._expected = frozenset(keys)
        self._refuse_unknown(self._expected)

    def done(self) -> None:
        """Reject every key that no accessor asked for."""
        if self._expected is not None:
            undeclared = sorted(set(self._read) - self._expected)
            assert not undeclared, f"{self.path or '(top level)'}: read but missing from expect(): {undeclared}"
        self._refuse_unknown(set(self._read))

    def _refuse_unknown(self, allowed: set[str] | frozenset[str]) -> None:
        """The first key in file order that is not allowed fails, with the closest allowed key when one is close."""
        for key in self._data:
            if key not in allowed:
                self.fail(key, _MISSING, unknown_key_rule(key, allowed))

    @property
    def raw(self) -> dict:
        """The mapping as written, for error messages."""
        return self._data

    def keys(self) -> Iterator[str]:
        return iter(self._data)

    # -- typed accessors -------------------------------------------------------------------------------------

    def string(
        self,
        key: str,
        default: Any = _MISSING,
        *,
        rule: str = "a string",
        check: Callable[[str], str | None] | None = None,
    ) -> Any:
        """A string. ``check`` returns ``None`` when the value is fine, or the broken rule as a message."""
        value = self._raw(key, default, rule)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str):
            self.fail(key, value, f"must be a string ({rule})")
        if check:
            problem = check(value)
            if problem:
                self.fail(key, value, problem)
        return value

    def quantity(
        self, key: str, default: Any = _MISSING, *, rule: str, check: Callable[[str], str | None]
    ) -> Any:
        """A Kubernetes-style quantity written as text (``'250m'``) or as a plain YAML number (``0.5``, ``2``).

        Numbers are taken as their text, so ``cpu: 2`` and ``cpu: '2'`` mean the same, as they do in a pod spec.
        """
        value = self._raw(key, default, rule)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(key, value, f"must be {rule}")
        problem = check(value)
        if problem:
            self.fail(key, value, problem)
        return value

    def integer(self, key: str, default: Any = _MISSING, *, minimum: int, maximum: int, unit: str = "") -> Any:
        rule = f"a whole number from {minimum} to {maximum}{(' ' + unit) if unit else ''}"
        value = self._raw(key, default, rule)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, value, f"must be {rule}")
        if not minimum <= value <= maximum:
            self.fail(key, value, f"must be {rule}")
        return value

    def boolean(self, key: str, default: Any = _MISSING) -> Any:
        value = self._raw(key, default, "true or false")
        if not isinstance(value, bool):
            self.fail(key, value, "must be true or false")
        return value

    def choice(self, key: str, enum: type[E], default: Any = _MISSING) -> E:
        allowed = ", ".join(repr(member.value) for member in enum)
        value = self._raw(key, default, f"one of {allowed}")
        if isinstance(value, enum):
            return value
        for member in enum:
            if member.value == value:
                return member
        self.fail(key, value, f"must be one of {allowed}")

    def string_list(
        self, key: str, *, rule: str, check: Callable[[str], str | None] | None = None
    ) -> tuple[str, ...]:
        """A list of strings (default empty); each item is checked and named by its index on error."""
        value = self._raw(key, [], rule)
        if not isinstance(value, list):
            self.fail(key, value, f"must be a list ({rule})")
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            if not isinstance(item, str):
                self.fail(where, item, f"must be a string ({rule})")
            if check:
                problem = check(item)
                if problem:
                    self.fail(where, item, problem)
        duplicates = sorted({item for item in value if value.count(item) > 1})
        if duplicates:
            self.fail(key, duplicates[0], "is listed twice")
        return tuple(value)

    def string_map(
        self,
        key: str,
        *,
        rule: str,
        check_key: Callable[[str], str | None] | None = None,
        check_value: Callable[[str], str | None] | None = None,
    ) -> dict[str, str]:
        """A mapping of strings to strings (default empty), returned with sorted keys for stable output."""
        section = self.section(key)
        result: dict[str, str] = {}
        for name in section.keys():
            if check_key:
                problem = check_key(name)
                if problem:
                    section.fail(name, name, problem)
            result[name] = section.string(name, rule=rule, check=check_value)
        section.done()
        return dict(sorted(result.items()))

    def section(self, key: str) -> "Section":
        """A nested mapping (absent means empty)."""
        return Section(self.file, self.field(key), self._raw(key, {}, "a mapping"))


# -- shared checks --------------------------------------------------------------------------------------------

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def check_guid(value: str) -> str | None:
    if not _GUID.match(value):
        return "must be a GUID such as 00000000-0000-0000-0000-000000000000"
    return None


def check_pattern(pattern: str, rule: str) -> Callable[[str], str | None]:
    compiled = re.compile(pattern)

    def check(value: str) -> str | None:
        return None if compiled.fullmatch(value) else f"must be {rule}"

    return check
