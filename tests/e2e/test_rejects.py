"""End-to-end: the deliberately broken files under tests/data/broken.

Checks the rejects file (line numbers right after quoted newlines, reasons),
that counts and money reconcile, that the good rows still reach the workbook,
and the failure modes: missing file, unmapped column, rejects over threshold."""
import csv
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl

from conftest import ROOT, run_opsreport

BROKEN = ROOT / "tests" / "data" / "broken"
INI = ROOT / "tests" / "data" / "broken.ini"


def run_broken(out, ini=INI, data=BROKEN, check=0):
    return run_opsreport("run", "--config", ini, "--period", "2026-10", "--data", data,
                         "--out", out, check=check)


def read_rejects(folder):
    with open(folder / "rejects.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def eu_amount(text):
    """1.234,56 / 400,00- / (300,00) -> Decimal, written independently of the C parser."""
    t = text.strip()
    neg = t.endswith("-") or (t.startswith("(") and t.endswith(")"))
    t = t.strip("()-").replace(".", "").replace(",", ".")
    d = Decimal(t)
    return -d if neg else d


def test_rejects_have_physical_lines_and_reasons(tmp_out):
    run_broken(tmp_out)
    rows = read_rejects(tmp_out / "2026-10")
    got = {(r["input"], int(r["line"]), r["column"]) for r in rows}
    # gl_actuals.csv: line 4-5 is one row with a quoted newline, so the
    # impossible date 31.09.2026 sits on physical line 6.
    assert got == {
        ("gl_actuals", 6, "Posting Date"),
        ("gl_actuals", 7, "Account Type"),
        ("gl_actuals", 9, "Amount (EUR)"),
        ("gl_actuals", 11, "Cost Center"),
        ("gl_actuals", 12, ""),
        ("gl_budget", 6, "Budget"),
    }
    reasons = {int(r["line"]): r["reason"] for r in rows if r["input"] == "gl_actuals"}
    assert "date" in reasons[6]
    assert "revenue, cogs, opex" in reasons[7]
    assert "required cost_centre is missing" in reasons[11]
    assert reasons[12] == "expected 6 fields as in the header, found 4"
    # a value a spreadsheet would run as a formula is neutralised
    budget_bad = [r for r in rows if r["input"] == "gl_budget"][0]
    assert budget_bad["value"] == "'=1+1"


def test_counts_and_money_reconcile(tmp_out):
    run_broken(tmp_out)
    folder = tmp_out / "2026-10"
    manifest = json.loads((folder / "manifest.json").read_text())
    rejects = read_rejects(folder)
    rejected_lines = {int(r["line"]) for r in rejects if r["input"] == "gl_actuals"}
    # independent parse: physical line numbers by counting newlines in the file
    text = (BROKEN / "gl_actuals.csv").read_text(encoding="utf-8")
    reader = csv.reader(text.splitlines(keepends=True)[1:], delimiter=";")
    good_total = Decimal(0)
    line = 2
    n_rows = 0
    for rec in reader:
        n_rows += 1
        if line not in rejected_lines:
            good_total += eu_amount(rec[5])
        line += 1 + sum(field.count("\n") for field in rec)
    gl = next(i for i in manifest["inputs"] if i["name"] == "gl_actuals")
    assert gl["rows_read"] == n_rows == 11
    assert gl["rows_rejected"] == len(rejected_lines) == 5
    assert gl["rows_read"] == gl["rows_accepted"] + gl["rows_rejected"]
    assert gl["reconciles"] is True
    totals = gl["control_totals"][0]
    assert Decimal(totals["accepted"]) == good_total
    # rejected rows whose amount could be read: 10,00 (bad date) + 20,00 (bad type) + 1,00 (no cost centre)
    assert Decimal(totals["rejected"]) == Decimal("31.00")
    assert totals["rejected_unparsed_rows"] == 2
    assert len(gl["sha256"]) == 64


def test_good_rows_reach_the_workbook(tmp_out):
    run_broken(tmp_out)
    wb = openpyxl.load_workbook(tmp_out / "2026-10" / "report.xlsx")
    ws = wb["Budget vs Actual"]
    by_type = {}
    for row in ws.iter_rows(values_only=True):
        if row[0] in ("Revenue", "COGS", "Opex") and row[3] is not None:
            by_type[row[0]] = row
    # October actuals that passed: opex 1000.00 + 250.50 + 99.99; revenue 5000 - 300
    assert abs(by_type["Opex"][3] - 1350.49) < 0.005
    assert abs(by_type["Revenue"][3] - 4700.00) < 0.005
    # YTD opex adds September's credit of -400.00
    assert abs(by_type["Opex"][7] - 950.49) < 0.005
    # budget: October opex 1200 + 100, YTD adds September 900
    assert abs(by_type["Opex"][4] - 1300.00) < 0.005
    assert abs(by_type["Opex"][8] - 2200.00) < 0.005
    dq = wb["Data quality"]
    values = [r for r in dq.iter_rows(values_only=True) if r[0] == "gl_actuals"]
    assert values[0][3:6] == (11, 6, 5)


def test_missing_file_stops_and_keeps_previous_outputs(tmp_out, tmp_path):
    run_broken(tmp_out)
    before = (tmp_out / "2026-10" / "report.xlsx").read_bytes()
    data = tmp_path / "data"
    shutil.copytree(BROKEN, data)
    (data / "gl_budget.csv").unlink()
    proc = run_broken(tmp_out, data=data, check=4)
    assert "gl_budget.csv" in proc.stderr
    assert (tmp_out / "2026-10" / "report.xlsx").read_bytes() == before
    assert not list((tmp_out / "2026-10").glob(".*.tmp"))


def test_unmapped_column_lists_headers(tmp_out, tmp_path):
    ini = tmp_path / "bad.ini"
    ini.write_text(INI.read_text().replace("col.amount = Budget", "col.amount = Budget EUR"))
    proc = run_broken(tmp_out, ini=ini, check=4)
    assert "headers found (6): 'Period', 'Entity', 'Cost Center', 'Account', 'Account Type', 'Budget'" in proc.stderr
    assert "col.amount = 'Budget EUR': not among the headers (candidates: 'Budget')" in proc.stderr
    assert not (tmp_out / "2026-10" / "report.xlsx").exists()


def test_rejects_over_threshold_exit_5_without_report(tmp_out, tmp_path):
    ini = tmp_path / "strict.ini"
    ini.write_text(INI.read_text().replace("reject_threshold = 0.5", "reject_threshold = 0.1"))
    proc = run_broken(tmp_out, ini=ini, check=5)
    assert "over reject_threshold" in proc.stderr
    folder = tmp_out / "2026-10"
    assert (folder / "rejects.csv").exists()
    assert json.loads((folder / "manifest.json").read_text())["status"] == "rejects_over_threshold"
    assert not (folder / "report.xlsx").exists()
    assert not (folder / "summary.pdf").exists()


def test_validate_command_prints_counts(tmp_path):
    proc = run_opsreport("validate", "--config", INI, "--period", "2026-10", "--data", BROKEN,
                         check=0)
    # one line per input, fixed words, so scripts can read it
    line = re.search(r"^gl_actuals +read +(\d+) +accepted +(\d+) +rejected +(\d+) +filtered +(\d+) "
                     r"+superseded +(\d+)$", proc.stdout, re.M)
    assert line, proc.stdout
    read, accepted, rejected, filtered, superseded = map(int, line.groups())
    assert read == accepted + rejected + filtered + superseded and rejected > 0
    assert "gl_actuals.csv:6: column 'Posting Date', value '31.09.2026'" in proc.stdout


def test_config_error_names_file_and_line(tmp_path, tmp_out):
    ini = tmp_path / "typo.ini"
    ini.write_text(INI.read_text().replace("reject_threshold", "reject_treshold"))
    proc = run_broken(tmp_out, ini=ini, check=3)
    assert f"{ini}:6:" in proc.stderr
    assert "did you mean 'reject_threshold'" in proc.stderr


def test_reruns_are_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    run_broken(a)
    run_broken(b)
    for name in ("report.xlsx", "detail.xlsx", "summary.pdf", "rejects.csv", "message.txt"):
        assert (a / "2026-10" / name).read_bytes() == (b / "2026-10" / name).read_bytes(), name


def test_locked_run_folder_exit_8(tmp_out):
    import fcntl
    folder = tmp_out / "2026-10"
    folder.mkdir(parents=True)
    with open(folder / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run_broken(tmp_out, check=8)
    assert "another opsreport run holds the lock" in proc.stderr
    assert not (folder / "report.xlsx").exists()


def test_help_and_version():
    for cmd in ("run", "validate", "send", "generate", "forecast"):
        proc = run_opsreport(cmd, "--help", check=0)
        assert "usage: opsreport " + cmd in proc.stdout
    assert run_opsreport("--version", check=0).stdout.startswith("opsreport ")
    assert run_opsreport("frobnicate").returncode == 2
