"""Settings of the applications whose secrets live in the environment's vault."""

from __future__ import annotations

from dataclasses import dataclass

from config.eso import DNS_LABEL_RULE, check_dns_label
from config.reader import Section


@dataclass(frozen=True)
class AppSettings:
    name: str
    # The Kubernetes namespace the app's secrets are synced into (defaults to the app's name).
    namespace: str


def parse_app(section: Section, name: str) -> AppSettings:
    settings = AppSettings(
        name=name,
        namespace=section.string("namespace", name, rule=DNS_LABEL_RULE, check=check_dns_label),
    )
    section.done()
    return settings


def parse_apps(section: Section) -> tuple[AppSettings, ...]:
    apps = []
    for name in section.keys():
        problem = check_dns_label(name)
        if problem:
            section.fail(name, name, f"app names must be {DNS_LABEL_RULE}")
        apps.append(parse_app(section.section(name), name))
    section.done()
    return tuple(sorted(apps, key=lambda app: app.name))
