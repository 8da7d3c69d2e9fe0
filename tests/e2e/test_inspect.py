"""End-to-end tests of `opsreport inspect` and `opsreport kinds`.

The real exports (shared/real-exports beside the repository, described in
its SOURCES.md) are each inspected with the kind their source suggests; the
printed output, written unchanged into a config, must let `opsreport
validate` read every record (as Python's csv module counts them) and reject
at most 10% of them."""
import csv
import re
from pathlib import Path

import pytest

from conftest import ROOT, run_opsreport

EXPORTS = ROOT.parent / "shared" / "real-exports"

# file, kind, delimiter and header for Python's independent record count
CASES = [
    ("budget_de_gilching_ansatz_vs_rechnung.csv", "gl_budget", ",", True),
    ("budget_de_ilmenau_semicolon_bom_no_final_newline.csv", "gl_budget", ";", True),
    ("gl_actuals_uk_oxford_spend_over_500_ddmmyyyy_crlf.csv", "gl_actuals", ",", True),
    ("tickets_us_nyc311_socrata_multiline_fields.csv", "tickets", ",", True),
    ("issues_github_frontend_libs_iso8601z_crlf.csv", "tickets", ",", True),
    ("purchase_orders_us_philadelphia_contracts_yyyymmdd_dollar_amounts.csv", "purchase_orders", ",", True),
    ("purchase_orders_us_philadelphia_prof_services_mdy_crlf.csv", "purchase_orders", ",", True),
    ("employees_us_baltimore_salaries_fy2019_hire_dt_ampm.csv", "employees", ",", True),
    ("employees_au_qld_dete_exit_survey_bom_mixed_dates.csv", "employees", ",", True),
    ("projects_au_melbourne_water_capital_delivery_mixed_dates.csv", "projects", ",", True),
    ("tasks_jira_anonymised_cycle_times_negative.csv", "tasks", ",", True),
    ("production_bd_garment_productivity_mixed_date_formats.csv", "production", ",", True),
    ("quality_secom_labels_space_delimited_crcrlf.csv", "quality", " ", False),
]

COUNTS = re.compile(r"read\s+(\d+)\s+accepted\s+(\d+)\s+rejected\s+(\d+)(?:\s+filtered\s+(\d+))?")


def python_records(path, delimiter, header):
    """Non-blank CSV records after the header, as Python's csv module reads them."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.reader(fh, delimiter=delimiter) if any(f.strip() for f in r)]
    return len(rows) - (1 if header else 0)


@pytest.mark.parametrize("name,kind,delimiter,header", CASES)
def test_inspect_drafts_a_config_validate_reads(tmp_path, name, kind, delimiter, header):
    if not EXPORTS.is_dir():
        pytest.skip(f"real exports not found at {EXPORTS} (shared/ beside the repository)")
    path = EXPORTS / name
    proc = run_opsreport("inspect", path, "--kind", kind)
    assert proc.returncode == 0, proc.stderr
    assert f"[input.{kind}]" in proc.stdout
    for line in proc.stdout.splitlines():
        assert len(line.encode()) < 200, f"inih reads at most 200 bytes a line: {line!r}"
    config = tmp_path / "inspect.ini"
    config.write_text("[report]\norganisation = Inspect test\nreject_threshold = 0.10\n\n" + proc.stdout,
                      encoding="utf-8")
    run = run_opsreport("validate", "--config", config, "--data", EXPORTS)
    match = COUNTS.search(run.stdout)
    assert match, (run.returncode, run.stdout, run.stderr, proc.stdout)
    read, accepted, rejected = (int(match.group(i)) for i in (1, 2, 3))
    assert read == python_records(path, delimiter, header), run.stdout
    assert rejected <= read * 0.10, run.stdout
    assert run.returncode == 0, (run.stdout, run.stderr)


def test_inspect_sniffs_without_kind(tmp_path):
    data = tmp_path / "export.csv"
    data.write_bytes("Datum;Betrag;Konto\r\n31.01.2026;1.234,56;4000\r\n28.02.2026;-7,50;5000\r\n"
                     .encode("cp1252"))
    proc = run_opsreport("inspect", data)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "encoding UTF-8, delimiter semicolon" in out
    assert "decimal ,, thousands ." in out
    assert re.search(r"Datum\s+date %d\.%m\.%Y", out)
    assert re.search(r"Betrag\s+number\s+1\.234,56 \| -7,50", out)


def test_inspect_usage_errors(tmp_path):
    assert run_opsreport("inspect").returncode == 2
    assert run_opsreport("inspect", tmp_path / "missing.csv").returncode == 4
    proc = run_opsreport("inspect", tmp_path / "missing.csv", "--kind", "ticket")
    assert proc.returncode == 2
    assert "did you mean 'tickets'" in proc.stderr


def test_kinds_lists_fields_and_vocabulary():
    proc = run_opsreport("kinds", "tickets", check=0)
    assert "priority             required           enum: P1..P4" in proc.stdout
    assert "P1: 1, p1, critical, blocker" in proc.stdout
    assert "used by: tickets_created" in proc.stdout
    assert run_opsreport("kinds", "nonsense").returncode == 2


def test_readme_kinds_table_matches_the_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    begin, end = "<!-- kinds:begin -->", "<!-- kinds:end -->"
    if begin not in readme or end not in readme:
        pytest.skip("README.md has no <!-- kinds:begin --> ... <!-- kinds:end --> markers yet")
    table = readme.split(begin, 1)[1].split(end, 1)[0].strip()
    proc = run_opsreport("kinds", "--markdown", check=0)
    if table.splitlines()[0] != proc.stdout.splitlines()[0]:
        # the hand-written table came before `kinds --markdown`; from the first
        # regeneration on, every difference fails
        pytest.skip("README's kinds table has another layout: regenerate it with opsreport kinds --markdown")
    assert table == proc.stdout.strip(), "regenerate the table with: opsreport kinds --markdown"
