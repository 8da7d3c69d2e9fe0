"""End-to-end on the 13 real, public exports in <repo>/../shared/real-exports
with the hand-finished configs in config/examples/ (one per file, named as the
file's stem).

For each file: `opsreport run` succeeds; in manifest.json every input's rows
reconcile (read = accepted + rejected + filtered + superseded), rows read equal
the records Python's csv module finds with the file's dialect, and at most 10%
are rejected; and at least one KPI of the file's area equals an independent
computation from the raw CSV with pandas. KPIs are found by their id: the id ->
label table of docs/kpis.md, then the label in the workbook's Summary sheet.

What the program cannot do yet is marked xfail(strict=True) with the exact
reason, so the mark fails the suite as soon as it is fixed."""
import csv
import json
import re
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import ROOT, run_opsreport

EXPORTS = ROOT.parent / "shared" / "real-exports"
CONFIGS = ROOT / "config" / "examples"

pytestmark = pytest.mark.skipif(
    not EXPORTS.is_dir(),
    reason=f"real exports not found: expected them in {EXPORTS} (shared/real-exports beside the repository)")

# stem -> (period, encoding, delimiter, has header)
EXPORT = {
    "budget_de_gilching_ansatz_vs_rechnung": ("2016-12", "utf-8", ",", True),
    "budget_de_ilmenau_semicolon_bom_no_final_newline": ("2019-06", "utf-8-sig", ";", True),
    "gl_actuals_uk_oxford_spend_over_500_ddmmyyyy_crlf": ("2017-03", "utf-8", ",", True),
    "tickets_us_nyc311_socrata_multiline_fields": ("2024-04", "utf-8", ",", True),
    "issues_github_frontend_libs_iso8601z_crlf": ("2025-05", "utf-8", ",", True),
    "purchase_orders_us_philadelphia_contracts_yyyymmdd_dollar_amounts": ("2015-07", "utf-8", ",", True),
    "purchase_orders_us_philadelphia_prof_services_mdy_crlf": ("2019-07", "utf-8", ",", True),
    "employees_us_baltimore_salaries_fy2019_hire_dt_ampm": ("2019-08", "utf-8", ",", True),
    "employees_au_qld_dete_exit_survey_bom_mixed_dates": ("2013-09", "utf-8-sig", ",", True),
    "projects_au_melbourne_water_capital_delivery_mixed_dates": ("2024-06", "utf-8-sig", ",", True),
    "tasks_jira_anonymised_cycle_times_negative": ("2018-02", "utf-8", ",", True),
    "production_bd_garment_productivity_mixed_date_formats": ("2015-02", "utf-8", ",", True),
    "quality_secom_labels_space_delimited_crcrlf": ("2008-09", "utf-8", " ", False),
}

# ---- what main cannot do yet (strict: the mark fails once it works) ----
XFAIL_ROWS = {}
XFAIL_RECONCILE = {}
XFAIL_KPI = {}


def params(xfails):
    return [pytest.param(stem, marks=pytest.mark.xfail(strict=True, reason=xfails[stem]))
            if stem in xfails else stem for stem in EXPORT]


def csv_path(stem):
    return EXPORTS / f"{stem}.csv"


def count_records(stem):
    """Records as Python's csv module reads them with the file's dialect, blank
    records (CR CR LF leaves one between every two) left out, header excluded."""
    _, encoding, delimiter, header = EXPORT[stem]
    with open(csv_path(stem), newline="", encoding=encoding) as fh:
        n = sum(1 for row in csv.reader(fh, delimiter=delimiter) if any(f.strip() for f in row))
    return n - 1 if header else n


def read(stem, **kw):
    """The raw export as text columns, nothing treated as missing."""
    _, encoding, delimiter, header = EXPORT[stem]
    return pd.read_csv(csv_path(stem), dtype=str, keep_default_na=False, encoding=encoding,
                       sep=delimiter, header=0 if header else None, **kw)


_runs = {}


@pytest.fixture(scope="session")
def example(tmp_path_factory):
    """Runs one example config once per session: (CompletedProcess, run folder)."""
    def run(stem):
        if stem not in _runs:
            period = EXPORT[stem][0]
            out = tmp_path_factory.mktemp(stem[:40]) / "out"
            proc = run_opsreport("run", "--config", CONFIGS / f"{stem}.ini", "--data", EXPORTS,
                                 "--out", out, "--period", period, "-q")
            _runs[stem] = (proc, out / period)
        return _runs[stem]
    return run


def ok_run(example, stem):
    proc, folder = example(stem)
    assert proc.returncode == 0, proc.stderr
    return folder


def kpi_labels():
    """KPI id -> label, from the KPI tables of docs/kpis.md."""
    text = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([a-z0-9_]+)` \| ([^|`]+?) \|", text, re.M))


def kpi(folder, kpi_id):
    """The Summary row of a KPI as {value, prior, ytd}."""
    label = kpi_labels()[kpi_id]
    ws = openpyxl.load_workbook(folder / "report.xlsx")["Summary"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}
    assert label in rows, f"KPI {kpi_id} ({label}) not in the Summary sheet: {sorted(rows)}"
    r = rows[label]
    na = lambda v: None if v == "n/a" else v                # the workbook writes n/a, never 0
    return {"value": na(r[3]), "prior": na(r[4]), "ytd": na(r[7])}


def cents(text):
    """'$5,227,100.00', '500000', '2115246.44', '-143.00' -> integer cents."""
    t = text.strip().replace("$", "").replace(",", "")
    return int((Decimal(t) * 100).to_integral_value())


def month_of(series, period):
    return series.dt.to_period("M") == pd.Period(period, "M")


# ---------------------------------------------------------------------------
def test_every_file_has_a_config():
    stems = {p.stem for p in EXPORTS.glob("*.csv")}
    assert stems == set(EXPORT)
    assert {p.stem for p in CONFIGS.glob("*.ini")} >= stems


@pytest.mark.parametrize("stem", params(XFAIL_ROWS))
def test_every_record_read_few_rejected(example, stem):
    folder = ok_run(example, stem)
    man = json.loads((folder / "manifest.json").read_text())
    expected = count_records(stem)
    assert man["inputs"], "no inputs in the manifest"
    for inp in man["inputs"]:
        assert Path(inp["path"]).name == f"{stem}.csv"
        assert inp["rows_read"] == expected, (inp["name"], inp["rows_read"], expected)
        assert inp["rows_rejected"] <= 0.10 * inp["rows_read"], \
            f"{inp['name']}: {inp['rows_rejected']} of {inp['rows_read']} rows rejected"


@pytest.mark.parametrize("stem", params(XFAIL_RECONCILE))
def test_manifest_counts_reconcile(example, stem):
    folder = ok_run(example, stem)
    man = json.loads((folder / "manifest.json").read_text())
    for inp in man["inputs"]:
        assert "rows_filtered" in inp, f"manifest.json has no rows_filtered for {inp['name']}: {sorted(inp)}"
        assert inp["rows_read"] == (inp["rows_accepted"] + inp["rows_rejected"] + inp["rows_filtered"]
                                    + inp["rows_superseded"]), inp
        assert inp["reconciles"] is True, inp


def test_reader_counts_of_the_multiline_export(example):
    """SOURCES.md: a line-based reader sees 2955 lines for the 1000 NYC 311
    records, 977 of which hold a quoted field spanning lines."""
    folder = ok_run(example, "tickets_us_nyc311_socrata_multiline_fields")
    inp = json.loads((folder / "manifest.json").read_text())["inputs"][0]
    with open(csv_path("tickets_us_nyc311_socrata_multiline_fields"), newline="", encoding="utf-8") as fh:
        records = list(csv.reader(fh))[1:]
        fh.seek(0)
        lines = sum(1 for _ in fh)
    assert inp["physical_lines"] == lines == 2955
    assert inp["multiline_records"] == sum(any("\n" in f for f in r) for r in records) == 977


def test_melbourne_budget_ties_out_to_the_cent(example):
    """FFC float artefacts (2066075.5899999999) are rounded half to even to the cent."""
    stem = "projects_au_melbourne_water_capital_delivery_mixed_dates"
    inp = json.loads((ok_run(example, stem) / "manifest.json").read_text())["inputs"][0]
    total = sum(int((Decimal(v) * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)) for v in read(stem)["FFC"])
    budget = next(t for t in inp["control_totals"] if t["field"] == "budget")
    assert budget["accepted_minor"] == total and budget["rejected_minor"] == 0


def test_record_counts_hand_checked():
    """A few counts checked by hand against SOURCES.md (and wc/grep)."""
    assert count_records("tickets_us_nyc311_socrata_multiline_fields") == 1000   # 2955 physical lines
    assert count_records("quality_secom_labels_space_delimited_crcrlf") == 1567  # no header
    assert count_records("budget_de_gilching_ansatz_vs_rechnung") == 9154
    assert count_records("budget_de_ilmenau_semicolon_bom_no_final_newline") == 3090
    assert count_records("employees_us_baltimore_salaries_fy2019_hire_dt_ampm") == 13811


# ---- one area KPI per file against pandas -----------------------------------
def kpi_gilching(folder):
    g = read("budget_de_gilching_ansatz_vs_rechnung")
    g = g[(g["Jahr"] == "2016") & (g["Haushalt Art"] != "Vermögenshaushalt")]
    g = g.assign(c=g["Betrag"].map(int) * 100)
    for kpi_id, richtung in (("opex_vs_budget_pct", "Ausgaben"), ("revenue_vs_budget_pct", "Einnahmen")):
        side = g[g["Budget Richtung"] == richtung]
        actual = side[side["Ansatz/Rechnung"] == "Rechnung"]
        budget = side[side["Ansatz/Rechnung"] == "Ansatz"]
        k = kpi(folder, kpi_id)
        # the whole year 2016 is the fiscal year to date in December
        assert k["ytd"] == pytest.approx(actual.c.sum() / budget.c.sum() * 100, rel=1e-12), kpi_id
        # year-only lines are phased evenly: December holds a twelfth of each line,
        # to within a cent per line
        dec_a, dec_b = actual.c.sum() / 12, budget.c.sum() / 12
        lo = (dec_a - len(actual)) / (dec_b + len(budget)) * 100
        hi = (dec_a + len(actual)) / (dec_b - len(budget)) * 100
        assert k["value"] is not None and lo <= k["value"] <= hi, (kpi_id, k, lo, hi)
    # hand check: operating expense actual 2016 = 44,902,517 EUR
    assert g[(g["Budget Richtung"] == "Ausgaben") & (g["Ansatz/Rechnung"] == "Rechnung")].c.sum() == 4490251700
    assert kpi(folder, "opex")["ytd"] == pytest.approx(44902517, abs=0.005)


def kpi_ilmenau(folder):
    """A budget without actuals: the month's budgeted revenue and opex, phased evenly."""
    g = read("budget_de_ilmenau_semicolon_bom_no_final_newline")
    g = g[g["HH_Art_Text"] != "Vermögenshaushalt"]
    for kpi_id, ea in (("budget_revenue", "Einnahmen"), ("budget_opex", "Ausgaben")):
        side = g[g["HH_EA"] == ea]["Betrag"].map(int) * 100
        k = kpi(folder, kpi_id)
        # each year-only line puts a twelfth of itself (to within a cent) into June
        assert abs(k["value"] * 100 - side.sum() / 12) <= len(side), (kpi_id, k["value"], side.sum() / 12)
        # Jan-Jun is half the year; a line's leftover cents go to its earliest months,
        # so the half year holds at most 3 cents a line more than half
        assert k["ytd"] == pytest.approx(side.sum() / 200, abs=3 * len(side) / 100)


def test_ilmenau_budget_control_total(example):
    """No KPI and no Budget vs Actual sheet without actuals, but the budget read ties out."""
    stem = "budget_de_ilmenau_semicolon_bom_no_final_newline"
    inp = json.loads((ok_run(example, stem) / "manifest.json").read_text())["inputs"][0]
    g = read(stem)
    operating = g["HH_Art_Text"] != "Vermögenshaushalt"           # the capital budget is filtered
    amount = next(t for t in inp["control_totals"] if t["field"] == "amount")
    assert amount["accepted_minor"] == g["Betrag"][operating].map(int).sum() * 100
    assert amount["accepted_minor"] == 12674824800                  # hand-checked: EUR 126,748,248
    assert inp["rows_filtered"] == (~operating).sum() == 644


def kpi_oxford(folder):
    o = read("gl_actuals_uk_oxford_spend_over_500_ddmmyyyy_crlf")
    o = o[o["Type of Expenditure"] == "Revenue"]          # revenue expenditure; capital is filtered
    paid = pd.to_datetime(o["Paid Date"], format="%d/%m/%Y")
    c = o["Amount"].map(cents)
    k = kpi(folder, "opex")
    assert k["value"] == pytest.approx(c[month_of(paid, "2017-03")].sum() / 100, abs=0.005)
    assert k["prior"] == pytest.approx(c[month_of(paid, "2017-02")].sum() / 100, abs=0.005)
    assert k["ytd"] == pytest.approx(c.sum() / 100, abs=0.005)     # FY from April 2016: all of Jan-Mar
    assert kpi(folder, "revenue")["value"] == 0                      # a spend file has no income
    assert k["value"] == pytest.approx(3690633.22, abs=0.005)        # hand-checked


def kpi_nyc311(folder):
    t = read("tickets_us_nyc311_socrata_multiline_fields")
    created = pd.to_datetime(t["created_date"])
    closed = pd.to_datetime(t["closed_date"].replace("", None))
    assert kpi(folder, "tickets_created")["value"] == month_of(created, "2024-04").sum() == 1000
    assert kpi(folder, "tickets_resolved")["value"] == month_of(closed, "2024-04").sum() == 292
    assert kpi(folder, "ticket_backlog")["value"] == closed.isna().sum() == 708
    hours = (closed - created).dt.total_seconds() / 3600
    assert kpi(folder, "resolution_median_hours")["value"] == pytest.approx(hours.dropna().median(), rel=1e-9)


def kpi_github(folder):
    t = read("issues_github_frontend_libs_iso8601z_crlf")
    created = pd.to_datetime(t["created_at"], utc=True)
    closed = pd.to_datetime(t["closed_at"].replace("", None), utc=True)
    period_end = pd.Timestamp("2025-06-01", tz="UTC")
    in_may = lambda s: (s >= pd.Timestamp("2025-05-01", tz="UTC")) & (s < period_end)
    assert kpi(folder, "tickets_created")["value"] == in_may(created).sum() == 52
    assert kpi(folder, "tickets_resolved")["value"] == in_may(closed).sum() == 74
    backlog = ((created < period_end) & ~(closed < period_end)).sum()
    assert kpi(folder, "ticket_backlog")["value"] == backlog
    hours = ((closed - created).dt.total_seconds() / 3600)[in_may(closed)]
    assert kpi(folder, "resolution_median_hours")["value"] == pytest.approx(hours.median(), rel=1e-9)


def kpi_phl_contracts(folder):
    t = read("purchase_orders_us_philadelphia_contracts_yyyymmdd_dollar_amounts")
    # PW rows have no End_Date (no promised date): they still count as spend
    start = pd.to_datetime(t["Start_Date"], format="%Y%m%d")
    c = t["Contract_Amount"].map(cents)
    k = kpi(folder, "spend")
    assert k["value"] == pytest.approx(c[month_of(start, "2015-07")].sum() / 100, abs=0.005)
    assert k["ytd"] == k["value"]                                     # July opens fiscal year 2016


def kpi_phl_prof(folder):
    t = read("purchase_orders_us_philadelphia_prof_services_mdy_crlf")
    t = t[~t[["current_item_id", "start_dt"]].duplicated()]            # one line per item and term
    start = pd.to_datetime(t["start_dt"], format="%m/%d/%Y")
    c = t["amt"].map(cents)
    k = kpi(folder, "spend")
    assert k["value"] == pytest.approx(c[month_of(start, "2019-07")].sum() / 100, abs=0.005)
    assert k["prior"] == pytest.approx(c[month_of(start, "2019-06")].sum() / 100, abs=0.005)


def kpi_baltimore(folder):
    t = read("employees_us_baltimore_salaries_fy2019_hire_dt_ampm")
    t = t[~t[["NAME", "DEPTID", "HIRE_DT"]].duplicated()]              # the composite key
    hire = pd.to_datetime(t["HIRE_DT"].replace("", None), format="%m/%d/%Y %I:%M:%S %p")
    # on the roster without a hire date (4 rows): on the books, never a hire
    assert kpi(folder, "headcount")["value"] == ((hire <= pd.Timestamp("2019-08-31")) | hire.isna()).sum()
    assert kpi(folder, "hires")["value"] == month_of(hire, "2019-08").sum()
    assert kpi(folder, "leavers")["value"] is None                    # no leave dates: n/a, not 0


def dete_date(text):
    """'2012' -> 1 Jan 2012, '13-Dec' -> 1 Dec 2013, 'Not Stated' -> NaT."""
    if re.fullmatch(r"\d{4}", text):
        return pd.Timestamp(int(text), 1, 1)
    m = re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})", text)
    if m:
        return pd.to_datetime(f"{2000 + int(m[1])}-{m[2]}-01", format="%Y-%b-%d")
    return pd.NaT


def kpi_dete(folder):
    t = read("employees_au_qld_dete_exit_survey_bom_mixed_dates")
    cease = t["Cease Date"].map(dete_date)     # a leaver with no start year still left
    k = kpi(folder, "leavers")
    assert k["value"] == month_of(cease, "2013-09").sum()
    assert k["prior"] == month_of(cease, "2013-08").sum()
    assert k["value"] == 34   # hand-checked: 34 "13-Sep" rows (ids 573, 661, 663 state no start year)


def kpi_melbourne(folder):
    """A project register without a task plan: projects in delivery at the month end."""
    t = read("projects_au_melbourne_water_capital_delivery_mixed_dates")

    def when(col):
        v = t[col].str.strip()
        out = pd.to_datetime(v, format="%d/%m/%Y %I:%M:%S %p", errors="coerce")
        out = out.fillna(pd.to_datetime(v, format="%d/%m/%Y", errors="coerce"))
        return out.fillna(pd.to_datetime(v, format="%Y-%m-%d %H:%M:%S", errors="coerce")).dt.normalize()

    start = when("BNI").fillna(when("BCA"))
    end = when("Stage3").fillna(when("Stage2")).fillna(when("Stage1"))
    month_end = pd.Timestamp("2024-06-30")
    running = (start <= month_end) & (end >= month_end)
    assert kpi(folder, "projects_in_delivery")["value"] == running.sum()
    budget = t["FFC"].map(lambda v: int((Decimal(v) * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)))
    assert kpi(folder, "budget_in_delivery")["value"] == pytest.approx(budget[running].sum() / 100, abs=0.01)
    assert kpi(folder, "projects_due_to_end")["value"] == month_of(end, "2024-06").sum()


def kpi_jira(folder):
    t = read("tasks_jira_anonymised_cycle_times_negative")
    start = pd.to_datetime(t["created_date"])
    finish = pd.to_datetime(t["finished_date"])
    end = pd.Timestamp("2018-02-28")
    days = lambda d: d.dt.normalize().values.astype("datetime64[D]").astype(np.int64)
    s, f, e = days(start), days(finish), end.to_datetime64().astype("datetime64[D]").astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):   # finish = start - 1 never reaches the division
        share = np.where(e >= f, 1.0, np.where(e < s, 0.0, (e - s + 1) / (f - s + 1)))
    # every task weighs 1 and is 100% complete: EV = number of tasks, PV = sum of shares
    assert kpi(folder, "portfolio_spi")["value"] == pytest.approx(len(t) / share.sum(), rel=1e-9)
    assert kpi(folder, "portfolio_cpi")["value"] is None               # no actual cost: n/a


def kpi_garments(folder):
    """Productivity against target per team-day; no unit counts, so those KPIs are n/a."""
    t = read("production_bd_garment_productivity_mixed_date_formats")
    feb = t[month_of(pd.to_datetime(t["date"], format="%m/%d/%Y"), "2015-02")]
    target, actual = feb["targeted_productivity"].astype(float), feb["actual_productivity"].astype(float)
    assert kpi(folder, "efficiency_vs_target_pct")["value"] == pytest.approx(actual.sum() / target.sum() * 100, rel=1e-9)
    assert kpi(folder, "line_days_on_target_pct")["value"] == pytest.approx((actual >= target).mean() * 100, rel=1e-9)
    assert kpi(folder, "units_produced")["value"] is None            # the export has no counts: n/a, not 0


def kpi_secom(folder):
    t = read("quality_secom_labels_space_delimited_crcrlf")
    day = pd.to_datetime(t[1], format="%d/%m/%Y %H:%M:%S")
    sel = month_of(day, "2008-09")
    fails = (t[0][sel] == "1").sum()
    assert kpi(folder, "units_produced")["value"] == sel.sum()
    assert kpi(folder, "defect_ppm")["value"] == pytest.approx(fails / sel.sum() * 1e6, rel=1e-9)
    assert kpi(folder, "first_pass_yield_pct")["value"] == pytest.approx((1 - fails / sel.sum()) * 100, rel=1e-9)


KPI_CHECK = {
    "budget_de_gilching_ansatz_vs_rechnung": kpi_gilching,
    "budget_de_ilmenau_semicolon_bom_no_final_newline": kpi_ilmenau,
    "gl_actuals_uk_oxford_spend_over_500_ddmmyyyy_crlf": kpi_oxford,
    "tickets_us_nyc311_socrata_multiline_fields": kpi_nyc311,
    "issues_github_frontend_libs_iso8601z_crlf": kpi_github,
    "purchase_orders_us_philadelphia_contracts_yyyymmdd_dollar_amounts": kpi_phl_contracts,
    "purchase_orders_us_philadelphia_prof_services_mdy_crlf": kpi_phl_prof,
    "employees_us_baltimore_salaries_fy2019_hire_dt_ampm": kpi_baltimore,
    "employees_au_qld_dete_exit_survey_bom_mixed_dates": kpi_dete,
    "projects_au_melbourne_water_capital_delivery_mixed_dates": kpi_melbourne,
    "tasks_jira_anonymised_cycle_times_negative": kpi_jira,
    "production_bd_garment_productivity_mixed_date_formats": kpi_garments,
    "quality_secom_labels_space_delimited_crcrlf": kpi_secom,
}


@pytest.mark.parametrize("stem", params(XFAIL_KPI))
def test_area_kpi_matches_pandas(example, stem):
    KPI_CHECK[stem](ok_run(example, stem))


def test_unmapped_first_response_gives_na(example):
    folder = ok_run(example, "issues_github_frontend_libs_iso8601z_crlf")   # GitHub has no first response
    assert kpi(folder, "first_response_median_hours")["value"] is None
    assert kpi(folder, "first_response_sla_pct")["value"] is None


def test_value_map_tells_minus_one_from_one(tmp_path):
    """The natural SECOM mapping (the example config reads -1 as a missing token instead)."""
    stem = "quality_secom_labels_space_delimited_crcrlf"
    text = (CONFIGS / f"{stem}.ini").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^missing = .*$", "map.units_defective = -1 => 0, 1 => 1", text)
    text = re.sub(r"(?m)^default\.units_defective = .*$", "", text)
    ini = tmp_path / "secom_map.ini"
    ini.write_text(text, encoding="utf-8")
    run_opsreport("run", "--config", ini, "--data", EXPORTS, "--out", tmp_path / "out", "--period", "2008-09",
                  "-q", check=0)
    t = read(stem)
    sel = month_of(pd.to_datetime(t[1], format="%d/%m/%Y %H:%M:%S"), "2008-09")
    fails = (t[0][sel] == "1").sum()
    assert kpi(tmp_path / "out" / "2008-09", "defect_ppm")["value"] == pytest.approx(fails / sel.sum() * 1e6, rel=1e-9)
