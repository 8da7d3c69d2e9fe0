"""Shared helpers for the end-to-end tests: they run the real binary and read
its outputs back with independent tools (csv, openpyxl, qpdf, pdftotext)."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("OPSREPORT_BIN", str(ROOT / "build" / "opsreport"))


def run_opsreport(*args, cwd=ROOT, check=None):
    """Runs opsreport with args; returns CompletedProcess (text)."""
    proc = subprocess.run([BIN, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=600)
    if check is not None:
        assert proc.returncode == check, (proc.returncode, proc.stdout, proc.stderr)
    return proc


@pytest.fixture
def tmp_out(tmp_path):
    return tmp_path / "out"


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """One pipeline run over sample-data/ with the default config, shared by the sample tests."""
    out = tmp_path_factory.mktemp("sample") / "out"
    proc = run_opsreport("run", "--config", "config/opsreport.ini", "--period", "2026-10",
                         "--data", "sample-data", "--out", out)
    assert proc.returncode == 0, proc.stderr
    return out / "2026-10"


def have(tool):
    return shutil.which(tool) is not None
