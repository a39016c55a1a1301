"""ESO's PrometheusRule: valid for the Prometheus Operator, PromQL well-formed, metric names of ESO 2.9.0."""

from __future__ import annotations

import copy

import pytest

from eso_alerts import ALERTS, prometheus_rule
from prometheus_checks import prometheus_rule_problems
from promql_checks import promql_problems

RULE = prometheus_rule(namespace="external-secrets", labels={"release": "kube-prometheus-stack"})


def test_rule_passes_the_prometheus_rule_crd_schema_and_the_promql_check():
    assert prometheus_rule_problems(RULE) == []


def test_rule_carries_the_configured_labels_for_the_rule_selector():
    rule = prometheus_rule(namespace="monitoring-eso", labels={"prometheus": "platform"})
    assert rule["metadata"] == {
        "name": "external-secrets-alerts",
        "namespace": "monitoring-eso",
        "labels": {
            "app.kubernetes.io/name": "external-secrets",
            "app.kubernetes.io/managed-by": "cdktf",
            "prometheus": "platform",
        },
    }


def test_alerts_cover_not_ready_external_secrets_sync_errors_and_both_kinds_of_store():
    rules = {rule["alert"]: rule for rule in RULE["spec"]["groups"][0]["rules"]}
    assert {name: (rule["for"], rule["labels"]["severity"]) for name, rule in rules.items()} == {
        "ExternalSecretNotReady": ("10m", "warning"),
        "ExternalSecretSyncErrors": ("15m", "warning"),
        "SecretStoreNotReady": ("5m", "critical"),
        "ClusterSecretStoreNotReady": ("5m", "critical"),
    }


@pytest.mark.parametrize("alert", ALERTS, ids=lambda alert: alert.name)
def test_each_alert_reads_a_metric_of_eso_2_9_with_its_documented_labels(alert):
    documented = {
        "externalsecret_status_condition", "externalsecret_sync_calls_error",
        "secretstore_status_condition", "clustersecretstore_status_condition",
    }
    assert any(metric + "{" in alert.expr or metric + "[" in alert.expr for metric in documented)
    if "status_condition" in alert.expr:
        assert 'condition="Ready", status="False"' in alert.expr


def test_a_rule_with_a_malformed_expression_is_refused():
    rule = copy.deepcopy(RULE)
    rule["spec"]["groups"][0]["rules"][1]["expr"] = "sum by (namespace, name) (increase(externalsecret_sync_calls_error[10m]) > 0"
    assert prometheus_rule_problems(rule) == [
        "spec.groups.0.rules.1.expr: unclosed left parenthesis"
    ]


def test_a_rule_with_a_duration_prometheus_does_not_read_is_refused_by_the_crd_schema():
    rule = copy.deepcopy(RULE)
    rule["spec"]["groups"][0]["rules"][0]["for"] = "10 minutes"
    problems = prometheus_rule_problems(rule)
    assert len(problems) == 1 and problems[0].startswith("spec.groups.0.rules.0.for: '10 minutes' does not match")


@pytest.mark.parametrize(
    ("expr", "problem"),
    [
        ("rate(x[5m]", "unclosed left parenthesis"),
        ("increase(externalsecret_sync_calls_error)", "expected type matrix in call to function 'increase', got vector"),
        ('x{status=="False"}', "unexpected '=' in label matching, expected string"),
        ("x{status=False}", "unexpected identifier 'False' in label matching, expected string"),
        ('x{name=~"("}', "illegal regex for ("),
        ("externalsecret_status_condition[5m]", "an alert's expression must yield an instant vector, not a matrix"),
        ("sum(x[5m])", "expected type vector in aggregation expression, got matrix"),
        ("x + bool 1", "bool modifier can only be used on comparison operators"),
        ("x and 1", "set operator 'and' not allowed in binary scalar expression"),
        ("rates(x[5m])", "unknown function with name 'rates'"),
        ("(x > 0", "unclosed left parenthesis"),
        ("x > 0)", "unexpected right parenthesis ')'"),
        ("x[5q]", "bad number or duration syntax: 5q"),
        ("1 > 0", "comparisons between scalars must use BOOL modifier"),
        ("scalar(x) > bool 1", "an alert's expression must yield an instant vector, not a scalar"),
        ('"ready"', "an alert's expression must yield an instant vector, not a string"),
    ],
)
def test_promql_check_refuses_a_malformed_expression(expr, problem):
    assert promql_problems(expr) == [problem]


@pytest.mark.parametrize(
    "expr",
    [
        'sum(increase(controller_runtime_webhook_requests_total{service=~"external-secrets.*",code="500"}[1m]))'
        ' / sum(increase(controller_runtime_webhook_requests_total{service=~"external-secrets.*"}[1m])) > 0.05',
        'histogram_quantile(0.99, sum(rate(controller_runtime_reconcile_time_seconds_bucket[5m])) by (le)) > 1',
        "sum by (name) (workqueue_depth offset 5m) > bool 0",
        "max_over_time(sum(rate(x[1m]))[10m:1m]) > 0",
        "a > on (namespace) group_left (name) b",
    ],
)
def test_promql_check_accepts_the_slis_of_eso_s_metrics_documentation(expr):
    assert promql_problems(expr) == []
