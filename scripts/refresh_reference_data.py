"""Refresh the vendored ESO reference data in tests/reference/eso/ from the full copy in ../shared/eso/.

    python scripts/refresh_reference_data.py [--source ../shared/eso]

The tests check what the project emits for External Secrets Operator against ESO's own CRD schemas and Helm chart
values (tests/eso_checks.py). The full data lives in ../shared/eso/ (beside the clone; CI always has it); a
trimmed copy is committed in tests/reference/eso/ so that a fresh clone runs those checks too. Trimmed: the
SecretStore and ClusterSecretStore schemas keep only the ``azurekv`` provider (the only one this project emits,
out of 43; the full schemas are 400 KB each) and refuse any other, so nothing passes unchecked. Every other file is
copied as it is. The PrometheusRule CRD schema is copied as it is from ../shared/prometheus/ into
tests/reference/prometheus/ (``--prometheus-source``). A test (tests/test_reference_data.py) fails when the committed copy differs from what this script
makes of ../shared/eso/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "eso"
TARGET = ROOT / "tests" / "reference" / "eso"
COPIED = (
    "chart-values.schema.json",
    "chart-values.yaml",
    "externalsecret.v1.schema.json",
    "clusterexternalsecret.v1.schema.json",
)
STORES = ("clustersecretstore.v1.schema.json", "secretstore.v1.schema.json")
KEPT_PROVIDERS = ("azurekv",)
PROMETHEUS_SOURCE = ROOT.parent / "shared" / "prometheus"
PROMETHEUS_TARGET = ROOT / "tests" / "reference" / "prometheus"
PROMETHEUS_COPIED = ("prometheusrule.v1.schema.json",)


def trimmed_store(schema: dict) -> dict:
    """A store schema with only the kept providers; any other provider key is refused."""
    provider = schema["properties"]["spec"]["properties"]["provider"]
    provider["properties"] = {name: provider["properties"][name] for name in KEPT_PROVIDERS}
    provider["additionalProperties"] = False
    return schema


def vendored(source: Path) -> dict[str, bytes]:
    """The files of tests/reference/eso/ as made from ``source`` (a folder with ../shared/eso's layout)."""
    files = {name: (source / name).read_bytes() for name in COPIED}
    for name in STORES:
        schema = trimmed_store(json.loads((source / name).read_text(encoding="utf-8")))
        files[name] = (json.dumps(schema, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    return files


def vendored_prometheus(source: Path) -> dict[str, bytes]:
    """The files of tests/reference/prometheus/ as made from ``source`` (../shared/prometheus's layout)."""
    return {name: (source / name).read_bytes() for name in PROMETHEUS_COPIED}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="folder with ESO's full reference data")
    parser.add_argument(
        "--prometheus-source", type=Path, default=PROMETHEUS_SOURCE, help="folder with the Prometheus Operator's data"
    )
    args = parser.parse_args(argv)
    if not (args.source / "README.md").is_file():
        print(f"error: {args.source} has no ESO reference data (README.md and the schemas)", file=sys.stderr)
        return 2
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(vendored(args.source).items()):
        (TARGET / name).write_bytes(data)
    if (args.prometheus_source / "README.md").is_file():
        PROMETHEUS_TARGET.mkdir(parents=True, exist_ok=True)
        for name, data in sorted(vendored_prometheus(args.prometheus_source).items()):
            (PROMETHEUS_TARGET / name).write_bytes(data)
    print(f"Refreshed {TARGET.relative_to(ROOT)}/ from {args.source}: update its README.md if the release changed.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
