"""scripts/benchmark.py reaches the Terraform harness although scripts/terraform.py shares its package's name."""

from __future__ import annotations

import subprocess
import sys

from support import ROOT


def test_benchmark_imports_the_terraform_harness_from_beside_scripts_terraform_py():
    code = (
        "import sys; sys.path.insert(0, 'scripts'); import benchmark; "
        "harness = benchmark.terraform_harness(); print(harness.__file__)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("tests/terraform/harness.py")
