"""Shards on a scheduler: `opsreport run --partial --shard K/N` on 4 shards
started by GNU parallel, then `opsreport merge`, gives the run folder of one
`opsreport run` byte for byte (the manifest differs only in its timings)."""
import json
import os
import subprocess

import pytest

from conftest import BIN, ROOT, have, run_opsreport

CONFIG = "config/opsreport.ini"
PERIOD = "2026-10"


def without_timings(x):
    """The manifest with every timing (a key ending in 'seconds') left out, and
    the forecast archive's folder, which is each run's own output folder."""
    if isinstance(x, dict):
        return {k: without_timings(v) for k, v in x.items()
                if not k.endswith("seconds") and not (k == "dir" and "missing" in x)}
    if isinstance(x, list):
        return [without_timings(v) for v in x]
    return x


def partials(tmp_path, n, config=CONFIG, data="sample-data", env=None, name="partials"):
    """Runs n shards under GNU parallel; returns the partial files, shard 1 first."""
    out = tmp_path / name
    out.mkdir()
    cmd = ["parallel", "--will-cite", "--halt", "now,fail=1", BIN, "run", "-q", "--config", str(config), "--period", PERIOD,
           "--data", str(data), "--partial", str(out / "shard-{}.partial"), "--shard", "{}/" + str(n),
           ":::", *map(str, range(1, n + 1))]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, **(env or {})))
    assert proc.returncode == 0, proc.stderr
    files = [out / f"shard-{k}.partial" for k in range(1, n + 1)]
    for f in files:
        assert f.read_bytes().startswith(b"opsreport-partial\n"), f
    return files


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "out"
    run_opsreport("run", "-q", "--config", CONFIG, "--period", PERIOD, "--data", "sample-data", "--out", out,
                  check=0)
    return out / PERIOD


@pytest.mark.skipif(not have("parallel"), reason="GNU parallel is not installed (Debian package parallel)")
def test_four_shards_under_gnu_parallel_merge_to_the_single_run(tmp_path, single):
    files = partials(tmp_path, 4)
    merged = tmp_path / "merged"
    # any order on the command line: merge puts the shards back in order
    run_opsreport("merge", "-q", "--config", CONFIG, "--period", PERIOD, "--out", merged,
                  *map(str, reversed(files)), check=0)
    merged = merged / PERIOD
    names = sorted(p.name for p in single.iterdir())
    assert sorted(p.name for p in merged.iterdir()) == names
    for name in ("report.xlsx", "summary.pdf", "summary.html", "message.txt", "rejects.csv", "detail.xlsx"):
        assert name in names, name
    for name in names:
        if name == "manifest.json":
            continue
        assert (merged / name).read_bytes() == (single / name).read_bytes(), name
    one = json.loads((single / "manifest.json").read_text())
    both = json.loads((merged / "manifest.json").read_text())
    assert without_timings(both) == without_timings(one)
    # the rejects of every shard are there, in input order
    assert len((single / "rejects.csv").read_text().splitlines()) > 1


@pytest.mark.skipif(not have("parallel"), reason="GNU parallel is not installed (Debian package parallel)")
def test_scoped_reports_from_three_shards_equal_the_single_run(tmp_path):
    """Per-site reports too: training and timesheet rows are scoped by their
    employee's site, so the shard rule keeps those inputs together."""
    config = tmp_path / "scoped.ini"
    config.write_text((ROOT / CONFIG).read_text() + "\n[recipient.leeds]\nemail = leeds@kestrel.example\n"
                      "scope = Leeds\n\n[recipient.lyon]\nemail = lyon@kestrel.example\nscope = Lyon\n")
    run_opsreport("run", "-q", "--config", config, "--period", PERIOD, "--data", "sample-data",
                  "--out", tmp_path / "single", check=0)
    files = partials(tmp_path, 3, config)
    run_opsreport("merge", "-q", "--config", config, "--period", PERIOD, "--out", tmp_path / "merged",
                  *map(str, files), check=0)
    single, merged = tmp_path / "single" / PERIOD, tmp_path / "merged" / PERIOD
    names = sorted(p.name for p in single.iterdir())
    assert "summary-Leeds.pdf" in names and "summary-Lyon.html" in names
    assert sorted(p.name for p in merged.iterdir()) == names
    for name in names:
        if name != "manifest.json":
            assert (merged / name).read_bytes() == (single / name).read_bytes(), name


@pytest.mark.skipif(not have("parallel"), reason="GNU parallel is not installed (Debian package parallel)")
def test_merge_refuses_a_missing_or_repeated_shard(tmp_path):
    files = partials(tmp_path, 4)
    proc = run_opsreport("merge", "--config", CONFIG, "--period", PERIOD, "--out", tmp_path / "m1",
                         *map(str, files[:3]))
    assert proc.returncode != 0
    assert "is in none of the 3 partials" in proc.stderr, proc.stderr
    proc = run_opsreport("merge", "--config", CONFIG, "--period", PERIOD, "--out", tmp_path / "m2",
                         *map(str, files + files[:1]))
    assert proc.returncode != 0
    assert "is in two partials" in proc.stderr, proc.stderr
    assert not (tmp_path / "m1" / PERIOD / "report.xlsx").exists()


def test_merge_refuses_a_partial_of_another_period(tmp_path):
    part = tmp_path / "all.partial"
    run_opsreport("run", "-q", "--config", CONFIG, "--period", PERIOD, "--data", "sample-data",
                  "--partial", part, check=0)
    proc = run_opsreport("merge", "--config", CONFIG, "--period", "2026-09", "--out", tmp_path / "m", part)
    assert proc.returncode != 0
    assert "period 2026-10" in proc.stderr and "period 2026-09" in proc.stderr, proc.stderr


def test_one_partial_without_shards_merges_to_the_single_run(tmp_path, single):
    part = tmp_path / "all.partial"
    run_opsreport("run", "-q", "--config", CONFIG, "--period", PERIOD, "--data", "sample-data",
                  "--partial", part, check=0)
    run_opsreport("merge", "-q", "--config", CONFIG, "--period", PERIOD, "--out", tmp_path / "m", part, check=0)
    for name in ("report.xlsx", "summary.html", "rejects.csv"):
        assert (tmp_path / "m" / PERIOD / name).read_bytes() == (single / name).read_bytes(), name


@pytest.mark.parametrize("args, message", [
    (["run", "--shard", "2/4"], "--shard needs --partial"),
    (["run", "--partial", "x.partial", "--shard", "5/4"], "--shard expects K/N"),
    (["merge"], "at least one partial"),
])
def test_usage_errors(args, message):
    proc = run_opsreport(*args)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert message in proc.stderr, proc.stderr


# ---- slices: a large input of a kind whose rows stand alone is read in N
# slices, slice K by shard K (OPSREPORT_PART_BYTES lowers the 4 MB least
# slice so that sample-data's GL, inventory, production and quality split)

def assert_same_run(single, merged):
    names = sorted(p.name for p in single.iterdir())
    assert sorted(p.name for p in merged.iterdir()) == names
    for name in names:
        if name != "manifest.json":
            assert (merged / name).read_bytes() == (single / name).read_bytes(), name
    one = json.loads((single / "manifest.json").read_text())
    both = json.loads((merged / "manifest.json").read_text())
    assert without_timings(both) == without_timings(one)


@pytest.mark.skipif(not have("parallel"), reason="GNU parallel is not installed (Debian package parallel)")
def test_four_shards_each_reading_a_slice_merge_to_the_single_run(tmp_path, single, monkeypatch):
    files = partials(tmp_path, 4, env={"OPSREPORT_PART_BYTES": "20000"})
    # shard 3 of them read the third slice of the GL
    monkeypatch.setenv("OPSREPORT_PART_BYTES", "20000")
    proc = run_opsreport("run", "-v", "--config", CONFIG, "--period", PERIOD, "--data", "sample-data",
                         "--partial", tmp_path / "probe.partial", "--shard", "3/4")
    assert "gl_actuals: read slice 3 of 4" in proc.stderr, proc.stderr
    merged = tmp_path / "merged"
    run_opsreport("merge", "-q", "--config", CONFIG, "--period", PERIOD, "--out", merged,
                  *map(str, reversed(files)), check=0)
    assert_same_run(single, merged / PERIOD)


@pytest.mark.skipif(not have("parallel"), reason="GNU parallel is not installed (Debian package parallel)")
def test_slices_of_a_file_with_quoted_line_breaks_merge_to_the_single_run(tmp_path, monkeypatch):
    """Slice starts that fall inside quoted fields: each shard finds its true
    start from the records before it (ingest_plan_settle)."""
    from test_parts import gl_text, write_case
    ini, data = write_case(tmp_path, "quoted", gl_text(seed=21, rows=3000, eol="\r\n"))
    run_opsreport("run", "-q", "--config", ini, "--period", PERIOD, "--data", data, "--out", tmp_path / "single",
                  check=None)
    env = {"OPSREPORT_PART_BYTES": "900"}
    files = partials(tmp_path, 7, config=ini, data=data, env=env)
    run_opsreport("merge", "-q", "--config", ini, "--period", PERIOD, "--out", tmp_path / "merged",
                  *map(str, files), check=None)
    assert_same_run(tmp_path / "single" / PERIOD, tmp_path / "merged" / PERIOD)
    rejects = (tmp_path / "merged" / PERIOD / "rejects.csv").read_text(encoding="utf-8")
    assert "31.02.x" in rejects and "overlong 4" in rejects


@pytest.mark.skipif(not have("parallel"), reason="GNU parallel is not installed (Debian package parallel)")
def test_merge_refuses_a_missing_repeated_or_foreign_slice(tmp_path):
    env = {"OPSREPORT_PART_BYTES": "20000"}
    files = partials(tmp_path, 4, env=env)
    proc = run_opsreport("merge", "--config", CONFIG, "--period", PERIOD, "--out", tmp_path / "m1",
                         *map(str, files[:2] + files[3:]))
    assert proc.returncode != 0
    assert "slice 4 of 4 where slice 3 was due: a shard is missing" in proc.stderr, proc.stderr
    proc = run_opsreport("merge", "--config", CONFIG, "--period", PERIOD, "--out", tmp_path / "m2",
                         *map(str, files + files[1:2]))
    assert proc.returncode != 0
    assert "a shard given twice?" in proc.stderr, proc.stderr
    # shard 2 of a run over a GL file one line longer: its slice does not join
    data = tmp_path / "other"
    data.mkdir()
    for f in (ROOT / "sample-data").iterdir():
        (data / f.name).write_bytes(f.read_bytes())
    gl = data / "gl_actuals.csv"
    lines = gl.read_bytes().split(b"\n")
    gl.write_bytes(b"\n".join(lines[:2] + lines[1:]))
    other = partials(tmp_path, 4, data=data, env=env, name="other-partials")
    proc = run_opsreport("merge", "--config", CONFIG, "--period", PERIOD, "--out", tmp_path / "m3",
                         *map(str, [files[0], other[1], files[2], files[3]]))
    assert proc.returncode != 0
    assert "were the shards given the same file?" in proc.stderr, proc.stderr
    for m in ("m1", "m2", "m3"):
        assert not (tmp_path / m / PERIOD / "report.xlsx").exists()
