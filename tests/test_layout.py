"""The layout is part of the design: constructs/ is not a package, and the CDK is imported in one place."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import constructs

from support import ROOT

PROJECT_SOURCES = [
    path
    for folder in ("stacks", "constructs", "modules", "config", "scripts")
    for path in sorted((ROOT / folder).rglob("*.py"))
] + [ROOT / "main.py"]


def test_constructs_folder_is_not_a_package():
    assert not (ROOT / "constructs" / "__init__.py").exists()


def test_construct_base_class_comes_from_the_jsii_library():
    import cdk

    assert cdk.Construct is constructs.Construct
    assert "site-packages" in Path(constructs.__file__).parts
    assert Path(constructs.__file__).parent != ROOT / "constructs"


def test_every_module_in_constructs_imports_from_the_constructs_folder():
    for path in sorted((ROOT / "constructs").glob("*.py")):
        module = importlib.import_module(path.stem)
        assert Path(module.__file__).resolve() == path.resolve(), f"{path.stem} is shadowed by {module.__file__}"


def test_cdk_and_providers_are_imported_only_through_cdk_py():
    direct = re.compile(r"^\s*(from|import)\s+(cdktf|constructs|cdktf_cdktf_provider_\w+)\b", re.MULTILINE)
    offenders = [str(path.relative_to(ROOT)) for path in PROJECT_SOURCES if direct.search(path.read_text())]
    assert offenders == []
