"""A well-formedness check of PromQL expressions, for the alerting rules the project emits.

The parser is promql-parser (PyPI), the Python binding of the Rust PromQL parser GreptimeDB maintains as a port of
Prometheus's own (``promql/parser``): syntax, label matchers and their regexes, durations, function names and
argument types, and the type rules of binary operators (``bool`` between scalars, set operators on vectors) are
Prometheus's rules. ``promtool check rules``, Prometheus's own tool, is a Go binary these machines do not have.
What the parser leaves to the caller is the type the whole expression yields: an alert needs an instant vector.
"""

from __future__ import annotations

import promql_parser as promql

# The binding's ValueType is not hashable: compared, not looked up.
_TYPE_NAMES = (
    (promql.ValueType.Vector, "vector"),
    (promql.ValueType.Matrix, "matrix"),
    (promql.ValueType.Scalar, "scalar"),
    (promql.ValueType.String, "string"),
)


def value_type(expr: promql.Expr) -> str:
    """What a parsed expression yields: vector (instant vector), matrix (range vector), scalar or string."""
    if isinstance(expr, (promql.VectorSelector, promql.AggregateExpr)):
        return "vector"
    if isinstance(expr, (promql.MatrixSelector, promql.SubqueryExpr)):
        return "matrix"
    if isinstance(expr, promql.NumberLiteral):
        return "scalar"
    if isinstance(expr, promql.StringLiteral):
        return "string"
    if isinstance(expr, promql.Call):
        return next(name for kind, name in _TYPE_NAMES if expr.func.return_type == kind)
    if isinstance(expr, (promql.ParenExpr, promql.UnaryExpr)):
        return value_type(expr.expr)
    if isinstance(expr, promql.BinaryExpr):
        return "vector" if "vector" in (value_type(expr.lhs), value_type(expr.rhs)) else "scalar"
    raise TypeError(f"unknown PromQL expression {type(expr).__name__}")


def promql_problems(expr: str) -> list[str]:
    """Why ``expr`` is not a well-formed PromQL expression that yields an instant vector (what an alert needs);
    empty when it is."""
    try:
        kind = value_type(promql.parse(expr))
    except ValueError as error:
        return [str(error)]
    if kind != "vector":
        return [f"an alert's expression must yield an instant vector, not a {kind}"]
    return []
