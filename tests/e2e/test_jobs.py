"""`opsreport run --jobs N` / `validate --jobs N`: inputs are read, and each
scope's outputs rendered, in N threads, and the run folder is the same bytes
for any N (the manifest differs only in its timings); errors and rejects are
the same too."""
import csv
import json
import shutil

import pytest

from conftest import ROOT, run_opsreport

CONFIG = "config/opsreport.ini"
PERIOD = "2026-10"
JOBS = (1, 2, 4)


def without_timings(x):
    """The manifest with every timing (a key ending in 'seconds') left out."""
    if isinstance(x, dict):
        return {k: without_timings(v) for k, v in x.items() if not k.endswith("seconds")}
    if isinstance(x, list):
        return [without_timings(v) for v in x]
    return x


def run_at(tmp_path, n, config=CONFIG, data="sample-data", check=0):
    out = tmp_path / f"jobs{n}"
    proc = run_opsreport("run", "-q", "--jobs", n, "--config", config, "--period", PERIOD, "--data", data,
                         "--out", out, check=check)
    return proc, out / PERIOD


def assert_same_folders(folders):
    """Every file of every folder equals the first folder's; manifests without timings."""
    first = folders[0]
    names = sorted(p.name for p in first.iterdir())
    assert "rejects.csv" in names and "report.xlsx" in names, names
    assert not [n for n in names if n.startswith(".") and n != ".lock"], names  # no per-input temp left
    for other in folders[1:]:
        assert sorted(p.name for p in other.iterdir()) == names, other
        for name in names:
            if name in ("manifest.json", ".lock"):
                continue
            assert (other / name).read_bytes() == (first / name).read_bytes(), (other, name)
        # each run has its own --out: the manifest names it
        one = json.loads((first / "manifest.json").read_text().replace(str(first.parent), "OUT"))
        two = json.loads((other / "manifest.json").read_text().replace(str(other.parent), "OUT"))
        assert without_timings(two) == without_timings(one), other


def rejects_inputs(folder):
    with open(folder / "rejects.csv", newline="", encoding="utf-8") as fh:
        return [row["input"] for row in csv.DictReader(fh)]


def test_sample_run_is_the_same_bytes_at_any_jobs(tmp_path):
    folders = [run_at(tmp_path, n)[1] for n in JOBS]
    assert_same_folders(folders)
    # rows rejected by several inputs, in config order
    inputs = rejects_inputs(folders[0])
    assert len(inputs) > 1
    order = [line.split(".", 1)[1].rstrip("]") for line in (ROOT / CONFIG).read_text().splitlines()
             if line.startswith("[input.")]
    assert [order.index(i) for i in inputs] == sorted(order.index(i) for i in inputs)


def test_scoped_reports_are_the_same_bytes_at_any_jobs(tmp_path):
    """Per-site reports: training and timesheet rows are scoped by their
    employee's site, so the people inputs are read together in one thread."""
    config = tmp_path / "scoped.ini"
    config.write_text((ROOT / CONFIG).read_text() + "\n[recipient.leeds]\nemail = leeds@kestrel.example\n"
                      "scope = Leeds\n\n[recipient.lyon]\nemail = lyon@kestrel.example\nscope = Lyon\n")
    folders = [run_at(tmp_path, n, config=config)[1] for n in JOBS]
    names = [p.name for p in folders[0].iterdir()]
    assert "summary-Leeds.pdf" in names and "summary-Lyon.html" in names, names
    assert_same_folders(folders)


def test_validate_prints_the_same_at_any_jobs():
    outs = []
    for n in JOBS:
        proc = run_opsreport("validate", "--jobs", n, "--config", CONFIG, "--period", PERIOD, "--data",
                             "sample-data", check=0)
        outs.append(proc.stdout)
    assert "First rejects:" in outs[0]
    assert outs[1] == outs[0] and outs[2] == outs[0]


@pytest.fixture
def broken_data(tmp_path):
    """sample-data with bad values in three inputs, far apart in the config."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "sample-data", data)
    for name, column in (("gl_actuals.csv", 0), ("timesheets.csv", 3), ("production.csv", 3)):
        path = data / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for k in (3, 10, 20):
            sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
            cells = lines[k].split(sep)
            cells[column] = "not-a-value"
            lines[k] = sep.join(cells)
        path.write_text("".join(lines), encoding="utf-8")
    return data


def test_broken_inputs_give_the_same_rejects_at_any_jobs(tmp_path, broken_data):
    results = [run_at(tmp_path, n, data=broken_data, check=None) for n in JOBS]
    codes = {proc.returncode for proc, _ in results}
    assert len(codes) == 1, codes
    folders = [folder for _, folder in results]
    texts = [(f / "rejects.csv").read_bytes() for f in folders]
    assert texts[1] == texts[0] and texts[2] == texts[0]
    inputs = rejects_inputs(folders[0])
    for name in ("gl_actuals", "timesheets", "production"):
        assert inputs.count(name) >= 3, (name, inputs)
    if codes == {0}:
        assert_same_folders(folders)


def test_broken_demo_inputs_over_threshold_at_any_jobs(tmp_path):
    ini, data = ROOT / "tests" / "data" / "broken.ini", ROOT / "tests" / "data" / "broken"
    results = [run_at(tmp_path, n, config=ini, data=data, check=None) for n in JOBS]
    assert len({proc.returncode for proc, _ in results}) == 1, [p.returncode for p, _ in results]
    texts = [(f / "rejects.csv").read_bytes() for _, f in results]
    assert len(texts[0].splitlines()) > 1
    assert texts[1] == texts[0] and texts[2] == texts[0]


def test_missing_inputs_fail_with_the_first_one_at_any_jobs(tmp_path):
    """Two required inputs missing: every N reports the first in config order,
    as reading them one after another does, and publishes nothing."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "sample-data", data)
    (data / "items.csv").unlink()
    (data / "risks.csv").unlink()
    results = [run_at(tmp_path, n, data=data, check=None) for n in JOBS]
    first = results[0][0]
    assert first.returncode != 0
    assert "items.csv" in first.stderr and "risks.csv" not in first.stderr, first.stderr
    for proc, folder in results[1:]:
        assert proc.returncode == first.returncode
        assert proc.stderr.split("opsreport: ", 1)[1] == first.stderr.split("opsreport: ", 1)[1]
        assert not (folder / "report.xlsx").exists()
        assert not [p for p in folder.iterdir() if p.name.startswith(".rejects")], list(folder.iterdir())


def error_line(proc, out):
    """The run's own error line, without its timestamp and with the --out dir
    as OUT (libxlsxwriter adds a line of its own per workbook it fails on)."""
    lines = [line for line in proc.stderr.splitlines() if "opsreport: error:" in line]
    assert len(lines) == 1, proc.stderr
    return lines[0].split("opsreport: ", 1)[1].replace(str(out), "OUT")


# outputs whose temp path is taken by a directory, and the one the error names:
# the first of them in render order (report.xlsx, detail.xlsx, summary.pdf,
# message.txt, summary.html, forecasts.csv), as one render after another stops at it
BLOCKED = [
    (("report.xlsx", "summary.pdf"), "report.xlsx"),
    (("summary.html", "detail.xlsx"), "detail.xlsx"),
    (("forecasts.csv", "message.txt"), "message.txt"),
]


@pytest.mark.parametrize("blocked,named", BLOCKED)
def test_render_failure_names_the_first_output_at_any_jobs(tmp_path, blocked, named):
    """Two outputs cannot be written: rendered in threads both fail, and
    every N exits 6 naming the first in render order, publishes nothing and
    leaves no temp file."""
    lines = []
    for n in JOBS:
        folder = tmp_path / f"jobs{n}" / PERIOD
        folder.mkdir(parents=True)
        for name in blocked:
            (folder / f".{name}.tmp").mkdir()
        proc, _ = run_at(tmp_path, n, check=None)
        assert proc.returncode == 6, (n, proc.returncode, proc.stderr)
        lines.append(error_line(proc, folder.parent))
        left = sorted(p.name for p in folder.iterdir())
        assert left == sorted([".lock"] + [f".{name}.tmp" for name in blocked]), (n, left)
    assert lines[0].startswith(f"error: OUT/{PERIOD}/.{named}.tmp: cannot "), lines[0]
    assert lines[1] == lines[0] and lines[2] == lines[0], lines


@pytest.mark.parametrize("value", ["0", "-1", "x", "2x", "257"])
def test_jobs_usage_errors(value):
    proc = run_opsreport("run", "--jobs", value)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "--jobs expects" in proc.stderr


def test_jobs_is_not_an_option_of_merge():
    proc = run_opsreport("merge", "--jobs", "2", "x.partial")
    assert proc.returncode == 2
    assert "--jobs is an option of run and validate" in proc.stderr


def test_forecast_failure_while_detail_renders_at_any_jobs(tmp_path):
    """At --jobs N detail.xlsx starts rendering before the forecast runs; a
    forecast that fails (an overrides file without its columns) stops every
    N with the same error, after the early render ended: nothing published,
    no temp file left."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "sample-data", data)
    (data / "overrides.csv").write_text("series,period\nrevenue,2026-11\n")
    config = tmp_path / "ovr.ini"
    config.write_text((ROOT / CONFIG).read_text() + "\n[forecast]\noverrides = overrides.csv\n")
    lines = []
    for n in JOBS:
        proc, folder = run_at(tmp_path, n, config=config, data=data, check=None)
        assert proc.returncode not in (0, None) and proc.returncode < 128, (n, proc.returncode, proc.stderr)
        lines.append(error_line(proc, folder.parent))
        assert sorted(p.name for p in folder.iterdir()) == [".lock"], (n, list(folder.iterdir()))
    assert "overrides.csv" in lines[0] and "no column 'value'" in lines[0], lines[0]
    assert lines[1] == lines[0] and lines[2] == lines[0], lines
