"""Fixtures. jsii (and its Node.js process) starts once per test session, through cdk.py."""

from __future__ import annotations

import pytest

import cdk  # first: chooses the Node.js jsii runs on and how provider packages load
import cdktf


@pytest.fixture
def stack():
    """A fresh, empty stack in a fresh test app, for construct tests."""
    return cdk.TerraformStack(cdktf.Testing.app(), "test")
