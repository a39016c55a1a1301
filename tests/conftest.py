"""Fixtures. jsii (and its Node.js process) starts once per test session, through cdk.py."""

from __future__ import annotations

import pytest

import cdk  # first: chooses the Node.js jsii runs on and how provider packages load
import cdktf


@pytest.fixture
def stack():
    """A fresh, empty stack in a fresh test app, for construct tests."""
    return cdk.TerraformStack(cdktf.Testing.app(), "test")


@pytest.fixture(scope="session")
def example_outdir(tmp_path_factory):
    """The example environments (environments/*.yaml) synthesized once per session, as `make synth` does.

    Read-only for tests: the returned folder has cdktf.out's layout (manifest.json, stacks/<stack>/cdk.tf.json).
    """
    from main import ENVIRONMENTS_DIR, ROOT, synth
    from config import load_environments

    outdir = tmp_path_factory.mktemp("example") / "cdktf.out"
    synth(load_environments(ENVIRONMENTS_DIR, root=ROOT), outdir)
    return outdir
