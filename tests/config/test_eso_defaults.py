"""What the ESO chart settings are when an environment file says nothing, and the forms they accept."""

from __future__ import annotations

from config.eso import PodDisruptionBudgetSettings, ResourceQuantities, ResourceSettings
from support import make_env


def test_chart_is_pinned_to_the_release_the_values_are_checked_against():
    assert make_env().eso.chart_version == "2.9.0"


def test_single_replica_without_leader_election_by_default():
    eso = make_env().eso
    assert eso.replicas == 1
    assert eso.leader_election_enabled is False


def test_optional_parts_are_absent_by_default():
    eso = make_env().eso
    assert eso.pod_disruption_budget is None
    assert eso.service_monitor_enabled is False
    assert eso.resources == ResourceSettings()


def test_store_is_restricted_to_app_namespaces_by_default():
    assert make_env().eso.restrict_to_app_namespaces is True


def test_several_replicas_elect_a_leader():
    assert make_env({"eso.replicas": 2}).eso.leader_election_enabled is True


def test_empty_disruption_budget_keeps_one_pod():
    eso = make_env({"eso.replicas": 2, "eso.pod_disruption_budget": {}}).eso
    assert eso.pod_disruption_budget == PodDisruptionBudgetSettings(min_available=1)


def test_quantities_written_as_yaml_numbers_are_taken_as_their_text():
    env = make_env({"eso.resources": {"requests": {"cpu": 0.5, "memory": 268435456}, "limits": {"cpu": 2}}})
    resources = env.eso.resources
    assert resources.requests == ResourceQuantities(cpu="0.5", memory="268435456")
    assert resources.limits == ResourceQuantities(cpu="2")


def test_request_equal_to_its_limit_is_accepted():
    env = make_env({"eso.resources": {"requests": {"memory": "1Gi"}, "limits": {"memory": "1024Mi"}}})
    resources = env.eso.resources
    assert resources.requests.memory == "1Gi"


def test_prerelease_chart_version_is_accepted():
    assert make_env({"eso.chart_version": "2.10.0-rc.1"}).eso.chart_version == "2.10.0-rc.1"


def test_alerts_come_with_the_service_monitor_labelled_for_kube_prometheus_stack():
    eso = make_env({"eso.service_monitor_enabled": True}).eso
    assert eso.alerts_enabled is True
    assert eso.alerts.rule_labels == {"release": "kube-prometheus-stack"}


def test_no_alerts_without_the_service_monitor():
    assert make_env().eso.alerts_enabled is False
