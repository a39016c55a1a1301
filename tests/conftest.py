"""Fixtures. jsii (and its Node.js process) starts once per test session, through cdk.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

import cdk  # first: chooses the Node.js jsii runs on and how provider packages load
import cdktf

from config import Environment


@pytest.fixture
def stack():
    """A fresh, empty stack in a fresh test app, for construct tests."""
    return cdk.TerraformStack(cdktf.Testing.app(), "test")


@dataclass(frozen=True)
class SynthSet:
    """A folder of environment files synthesized once per session, as `make synth` does.

    ``outdir`` is read-only for tests: it has cdktf.out's layout (manifest.json, stacks/<stack>/cdk.tf.json).
    """

    name: str  # "examples" (environments/*.yaml) or "generated" (tests/generated_environments.py)
    environments_dir: Path
    environments: tuple[Environment, ...]
    outdir: Path

    def environment_of(self, stack: str) -> Environment:
        """The environment a stack belongs to: main.py names every stack `<kind>-<env>`."""
        name = stack.rsplit("-", 1)[1]
        return next(env for env in self.environments if env.name == name)


def _synth_set(name: str, environments_dir: Path, tmp_path_factory) -> SynthSet:
    from config import load_environments
    from main import ROOT, synth

    environments = tuple(load_environments(environments_dir, root=ROOT))
    outdir = tmp_path_factory.mktemp(name) / "cdktf.out"
    synth(list(environments), outdir)
    return SynthSet(name, environments_dir, environments, outdir)


@pytest.fixture(scope="session")
def example_set(tmp_path_factory) -> SynthSet:
    """The repository's environment files (environments/*.yaml, or ENVIRONMENTS_DIR)."""
    from main import ENVIRONMENTS_DIR

    return _synth_set("examples", ENVIRONMENTS_DIR, tmp_path_factory)


@pytest.fixture(scope="session")
def generated_environments_dir(tmp_path_factory) -> Path:
    """A folder of environment files unlike the examples, outside the checkout."""
    from generated_environments import write_generated_environments

    return write_generated_environments(tmp_path_factory.mktemp("generated-environments"))


@pytest.fixture(scope="session")
def generated_set(tmp_path_factory, generated_environments_dir) -> SynthSet:
    return _synth_set("generated", generated_environments_dir, tmp_path_factory)


@pytest.fixture(scope="session", params=["examples", "generated"])
def synth_set(request) -> SynthSet:
    """Each set of environments in turn: a test using it is a gate that must hold for any environment files."""
    return request.getfixturevalue({"examples": "example_set", "generated": "generated_set"}[request.param])


@pytest.fixture(scope="session")
def example_outdir(example_set) -> Path:
    """The repository's environments synthesized once per session (see SynthSet)."""
    return example_set.outdir
