"""A well-formedness check of PromQL expressions, for the alerting rules the project emits.

No maintained PromQL parser is installed in this project's environment (the PyPI package ``promql-parser``, a
binding of the Rust parser GreptimeDB uses, would be the library to adopt; adding it needs a re-lock), and
``promtool`` is not on PATH. So this is a small recursive-descent parser of the PromQL grammar
(https://prometheus.io/docs/prometheus/latest/querying/basics/): tokens, brackets, label matchers (a label name, one
of = != =~ !~, a quoted string; a regex must compile), range selectors with a duration, aggregations with by/without,
binary operators with bool/on/ignoring/group_left/group_right, known function names, and the value types that go
in and out (a range vector only where a function takes one, a scalar or instant vector as an operand). It refuses
what Prometheus refuses in those respects; it does not evaluate anything, nor model operator precedence (every
binary operator is taken left to right, which changes no type here), and takes metric names starting with a letter
or '_' (Prometheus also allows ':', which only recording rules use).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<duration>(?:[0-9]+(?:ms|s|m|h|d|w|y))+)(?![A-Za-z0-9_])
  | (?P<number>0x[0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|Inf|NaN)(?![A-Za-z0-9_:])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_:]*)
  | (?P<op>==|!=|<=|>=|=~|!~|[-+*/%^<>=(){}\[\],:@])
    )""",
    re.VERBOSE,
)
DURATION = re.compile(r"^(?:[0-9]+(?:ms|s|m|h|d|w|y))+$")
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
                "quantile", "limitk", "limit_ratio"}
AGGREGATIONS_WITH_PARAMETER = {"count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"}
# Functions and the types of their arguments: v instant vector, m range vector, s scalar, t string; '?' optional.
FUNCTIONS = {
    "abs": "v", "absent": "v", "absent_over_time": "m", "ceil": "v", "changes": "m", "clamp": "vss",
    "clamp_max": "vs", "clamp_min": "vs", "day_of_month": "v?", "day_of_week": "v?", "days_in_month": "v?",
    "delta": "m", "deriv": "m", "exp": "v", "floor": "v", "histogram_quantile": "sv", "holt_winters": "mss",
    "hour": "v?", "idelta": "m", "increase": "m", "irate": "m", "label_replace": "vtttt", "ln": "v", "log2": "v",
    "log10": "v", "minute": "v?", "month": "v?", "predict_linear": "ms", "rate": "m", "resets": "m", "round": "vs?",
    "scalar": "v", "sort": "v", "sort_desc": "v", "sqrt": "v", "time": "", "timestamp": "v", "vector": "s",
    "year": "v?", "avg_over_time": "m", "min_over_time": "m", "max_over_time": "m", "sum_over_time": "m",
    "count_over_time": "m", "last_over_time": "m", "present_over_time": "m", "stddev_over_time": "m",
    "stdvar_over_time": "m", "quantile_over_time": "sm",
}
BINARY = {"+", "-", "*", "/", "%", "^", "==", "!=", "<=", ">=", "<", ">", "and", "or", "unless", "atan2"}
COMPARISONS = {"==", "!=", "<=", ">=", "<", ">"}
SET_OPERATORS = {"and", "or", "unless"}
MATCH_OPERATORS = {"=", "!=", "=~", "!~"}
LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
KEYWORDS = BINARY | {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}


class PromQLError(ValueError):
    pass


@dataclass
class _Token:
    kind: str
    text: str
    at: int


def tokens(expr: str) -> list[_Token]:
    found, position = [], 0
    while position < len(expr):
        if not expr[position:].strip():
            break
        match = _TOKEN.match(expr, position)
        if not match or match.end() == position:
            raise PromQLError(f"unexpected character {expr[position:].lstrip()[:1]!r} at {position}")
        kind = match.lastgroup
        found.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return found


class _Parser:
    def __init__(self, expr: str) -> None:
        self.tokens = tokens(expr)
        self.i = 0

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.i + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, text: str | None = None, kind: str | None = None) -> _Token:
        token = self.peek()
        if token is None:
            raise PromQLError(f"unexpected end of expression, expected {text or kind}")
        if (text is not None and token.text != text) or (kind is not None and token.kind != kind):
            raise PromQLError(f"expected {text or kind} at {token.at}, found {token.text!r}")
        self.i += 1
        return token

    def at(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.text == text

    # expr := unary (binop modifiers unary)*, operands typed
    def expression(self) -> str:
        left = self.unary()
        while self.peek() is not None and self.peek().text in BINARY:
            operator = self.take().text
            if self.at("bool"):
                if operator not in COMPARISONS:
                    raise PromQLError(f"bool only follows a comparison, not {operator!r}")
                self.take()
            if self.peek() is not None and self.peek().text in ("on", "ignoring"):
                self.take()
                self.label_list()
                if self.peek() is not None and self.peek().text in ("group_left", "group_right"):
                    self.take()
                    if self.at("("):
                        self.label_list()
            right = self.unary()
            for side in (left, right):
                if side not in ("scalar", "vector"):
                    raise PromQLError(f"binary operator {operator!r} needs scalars or instant vectors, not a {side}")
            if operator in SET_OPERATORS and "scalar" in (left, right):
                raise PromQLError(f"set operator {operator!r} works on instant vectors only")
            left = "vector" if "vector" in (left, right) else "scalar"
        return left

    def unary(self) -> str:
        if self.peek() is not None and self.peek().text in ("-", "+"):
            self.take()
            kind = self.unary()
            if kind not in ("scalar", "vector"):
                raise PromQLError(f"unary minus or plus needs a scalar or an instant vector, not a {kind}")
            return kind
        return self.postfix(self.primary())

    def postfix(self, kind: str) -> str:
        while True:
            if self.at("["):
                self.take("[")
                self.duration()
                if self.at(":"):  # a subquery: [range:step] over any instant vector expression
                    self.take(":")
                    if not self.at("]"):
                        self.duration()
                    if kind not in ("vector", "selector"):
                        raise PromQLError(f"a subquery needs an instant vector, not a {kind}")
                elif kind != "selector":
                    raise PromQLError("a range [..] applies to a vector selector only (or write a subquery [range:step])")
                self.take("]")
                kind = "matrix"
            elif self.at("offset"):
                self.take("offset")
                if self.at("-"):
                    self.take("-")
                self.duration()
            elif self.at("@"):
                self.take("@")
                if self.peek() is not None and self.peek().text in ("start", "end"):
                    self.take()
                    self.take("(")
                    self.take(")")
                else:
                    self.take(kind="number")
            else:
                return "vector" if kind == "selector" else kind

    def duration(self) -> None:
        token = self.take(kind="duration")
        if not DURATION.match(token.text):
            raise PromQLError(f"{token.text!r} is not a duration")

    def primary(self) -> str:
        token = self.peek()
        if token is None:
            raise PromQLError("unexpected end of expression, expected an operand")
        if token.kind == "number":
            self.take()
            return "scalar"
        if token.kind == "string":
            self.take()
            return "string"
        if token.text == "(":
            self.take("(")
            kind = self.expression()
            self.take(")")
            return kind
        if token.text == "{":
            if not self.matchers():
                raise PromQLError("a selector without a metric name needs at least one label matcher")
            return "selector"
        if token.kind != "ident" or token.text in KEYWORDS:
            raise PromQLError(f"expected an operand at {token.at}, found {token.text!r}")
        name = self.take().text
        if name in AGGREGATIONS:
            return self.aggregation(name)
        following = self.peek()
        if following is not None and following.text == "(":
            if name not in FUNCTIONS:
                raise PromQLError(f"unknown function {name!r}")
            return self.function(name)
        if self.at("{"):
            self.matchers()
        return "selector"

    def aggregation(self, name: str) -> str:
        grouped = False
        if self.peek() is not None and self.peek().text in ("by", "without"):
            self.take()
            self.label_list()
            grouped = True
        self.take("(")
        if name in AGGREGATIONS_WITH_PARAMETER:
            self.expression()
            self.take(",")
        kind = self.expression()
        if kind != "vector":
            raise PromQLError(f"{name}() aggregates an instant vector, not a {kind}")
        self.take(")")
        if not grouped and self.peek() is not None and self.peek().text in ("by", "without"):
            self.take()
            self.label_list()
        return "vector"

    def function(self, name: str) -> str:
        self.take("(")
        arguments = []
        while not self.at(")"):
            arguments.append(self.expression())
            if not self.at(")"):
                self.take(",")
        self.take(")")
        signature = FUNCTIONS[name]
        required = [kind for index, kind in enumerate(signature) if signature[index + 1: index + 2] != "?" and kind != "?"]
        allowed = [kind for kind in signature if kind != "?"]
        if not len(required) <= len(arguments) <= len(allowed):
            raise PromQLError(f"{name}() takes {len(allowed)} argument(s), got {len(arguments)}")
        names = {"v": "vector", "m": "matrix", "s": "scalar", "t": "string"}
        for index, (argument, expected) in enumerate(zip(arguments, allowed), start=1):
            if argument != names[expected]:
                raise PromQLError(f"{name}() argument {index} must be a {names[expected]}, not a {argument}")
        return "scalar" if name in ("scalar", "time") else "vector"

    def label_list(self) -> None:
        self.take("(")
        while not self.at(")"):
            label = self.take(kind="ident").text
            if not LABEL_NAME.match(label):
                raise PromQLError(f"{label!r} is not a label name")
            if not self.at(")"):
                self.take(",")
        self.take(")")

    def matchers(self) -> int:
        self.take("{")
        count = 0
        while not self.at("}"):
            label = self.take(kind="ident").text
            if not LABEL_NAME.match(label):
                raise PromQLError(f"{label!r} is not a label name")
            operator = self.take().text
            if operator not in MATCH_OPERATORS:
                raise PromQLError(f"{operator!r} is not a label matcher ({', '.join(sorted(MATCH_OPERATORS))})")
            value = self.take(kind="string").text
            if operator in ("=~", "!~"):
                try:
                    re.compile(value[1:-1])
                except re.error as error:
                    raise PromQLError(f"regex {value} of label {label!r} does not compile: {error}") from None
            count += 1
            if not self.at("}"):
                self.take(",")
        self.take("}")
        return count


def promql_problems(expr: str) -> list[str]:
    """Why ``expr`` is not a well-formed PromQL expression that yields an instant vector (what an alert needs);
    empty when it is."""
    try:
        parser = _Parser(expr)
        kind = parser.expression()
        if parser.peek() is not None:
            raise PromQLError(f"unexpected {parser.peek().text!r} at {parser.peek().at}")
        if kind != "vector":
            raise PromQLError(f"an alert's expression must yield an instant vector, not a {kind}")
    except PromQLError as error:
        return [str(error)]
    return []
