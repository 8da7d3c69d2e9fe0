"""End-to-end: honest outputs when exports lack columns or inputs fail entirely.

Runs the real binary on configs built from copies of sample-data/ with
columns dropped (tickets without First Response, purchase orders without Qty
Received and Std Cost), without GL but with shipments, with an input whose
every row is rejected (reject_threshold = 1) and without any [kpi.*] target,
then reads the outputs back with openpyxl and pdftotext: a KPI that cannot be
computed says n/a (never 0, never red), the attention list and the email say
what could not be judged, sheets of absent areas are absent, and sales from
shipments stand in for revenue. Also: templates found from any working
directory, a missing template naming every place looked in (exit 4), and a
long recipient scope published whole."""
import csv
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import BIN, ROOT, have, run_opsreport

DATA = ROOT / "sample-data"
PERIOD = "2026-10"


def copy_csv(src, dst, drop=(), latest_by=None, key=None):
    """Copies a sample export without the columns in drop; latest_by keeps
    each key's latest row (an event log reduced to one row per ticket)."""
    with open(DATA / src, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    head, body = rows[0], rows[1:]
    if latest_by:
        k, u = head.index(key), head.index(latest_by)
        last = {}
        for r in body:
            if r[k] not in last or r[u] >= last[r[k]][u]:
                last[r[k]] = r
        body = list(last.values())
    keep = [i for i, h in enumerate(head) if h not in drop]
    with open(dst, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([head[i] for i in keep])
        for r in body:
            w.writerow([r[i] for i in keep])


PO_SECTION = """
[input.purchase_orders]
file = purchase_orders.csv
date_formats = %m/%d/%Y
col.po_line = PO Line
col.supplier = Vendor Name
col.category = Spend Category
col.sku = Item Number
col.site = Ship-To Site
col.order_date = Order Date
col.promised_date = Promised Date
col.delivered_date = Receipt Date
col.qty_ordered = Qty Ordered
col.unit_price = Unit Price
col.amount = Line Amount
"""

SHIPMENTS_SECTION = """
[input.shipments]
file = shipments.csv
col.shipment_id = Shipment No
col.customer = Customer
col.site = Ship From
col.sku = SKU
col.ship_date = Ship Date
col.promised_date = Promise Date
col.delivered_date = Delivery Date
col.qty_ordered = Qty Ordered
col.qty_shipped = Qty Shipped
col.value = Invoice Value
col.cogs = COGS
"""

TICKETS_SECTION = """
[input.tickets]
file = tickets.csv
col.ticket_id = Ticket
col.created_at = Opened
col.resolved_at = Resolved
col.priority = Priority
col.channel = Channel
col.status = State
col.csat = CSAT
col.reopened = Reopened
col.site = Site
"""

TARGETS = """
[kpi.first_response_sla_pct]
target = 90
amber = 85
tile = true

[kpi.supplier_otif_pct]
target = 95
amber = 90
tile = true

[kpi.price_variance]
target = 0
direction = lower

[kpi.customer_otif_pct]
target = 95
amber = 92
tile = true

[kpi.shipment_revenue]
tile = true
"""

# risks.csv has ISO dates: reading them as dd.mm.yyyy rejects every row
RISKS_REJECTED = """
[input.risks]
file = risks.csv
date_formats = %d.%m.%Y
col.risk_id = Risk ID
col.title = Title
col.owner = Owner
col.category = Category
col.site = Site
col.raised_date = Date Raised
col.likelihood = Likelihood
col.impact = Impact
col.exposure = Exposure (EUR)
col.mitigation_due = Mitigation Due
col.status = Status

[input.controls]
file = controls.csv
col.control_id = Control ID
col.area = Area
col.owner = Control Owner
col.status = Status
col.last_tested = Last Tested
col.next_audit_due = Next Audit
col.open_findings = Open Findings
col.oldest_finding_date = Oldest Finding
"""


def report_head(threshold="0.02", extra=""):
    return f"""[report]
organisation = Honest Test
currency = EUR
fiscal_year_start = 1
reject_threshold = {threshold}
{extra}
"""


def pdf_text(path):
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def summary_rows(folder):
    """KPI label -> (value, status, definition) from the workbook's Summary sheet."""
    ws = openpyxl.load_workbook(folder / "report.xlsx")["Summary"]
    rows = {}
    for r in ws.iter_rows(min_row=5, values_only=True):
        if r[1]:
            rows[r[1]] = {"value": r[3], "prior": r[4], "ytd": r[7], "target": r[8], "status": r[9],
                          "definition": r[11]}
    return rows


@pytest.fixture(scope="module")
def dropped(tmp_path_factory):
    """No GL; shipments; POs without Qty Received and Std Cost; one row per
    ticket without First Response (and without Updated, so nothing derives it)."""
    base = tmp_path_factory.mktemp("dropped")
    data = base / "data"
    data.mkdir()
    copy_csv("tickets.csv", data / "tickets.csv", drop=("First Response", "Updated"), latest_by="Updated",
             key="Ticket")
    copy_csv("purchase_orders.csv", data / "purchase_orders.csv", drop=("Qty Received", "Std Cost"))
    copy_csv("shipments.csv", data / "shipments.csv")
    ini = base / "dropped.ini"
    ini.write_text(report_head() + PO_SECTION + SHIPMENTS_SECTION + TICKETS_SECTION + TARGETS)
    run_opsreport("run", "--config", ini, "--period", PERIOD, "--data", data, "--out", base / "out", "-q",
                  check=0)
    return {"folder": base / "out" / PERIOD, "data": data}


@pytest.fixture(scope="module")
def rejected(tmp_path_factory):
    """Every risk row rejected (reject_threshold = 1 lets the run go on), no targets."""
    base = tmp_path_factory.mktemp("rejected")
    data = base / "data"
    data.mkdir()
    for name in ("risks.csv", "controls.csv"):
        shutil.copy(DATA / name, data / name)
    ini = base / "rejected.ini"
    ini.write_text(report_head(threshold="1") + RISKS_REJECTED)
    run_opsreport("run", "--config", ini, "--period", PERIOD, "--data", data, "--out", base / "out", "-q",
                  check=0)
    return {"folder": base / "out" / PERIOD, "data": data, "ini": ini, "base": base}


# ---- n/a, never 0 ----------------------------------------------------------------


NA_KPIS = {
    "First response within SLA": "no first_response_at in the tickets export",
    "First response, median": "no first_response_at in the tickets export",
    "First response, p90": "no first_response_at in the tickets export",
    "Supplier OTIF": "no qty_delivered in the purchase_orders export",
    "Purchase price variance": "no standard_cost in the purchase_orders export",
}


def test_unmapped_fields_are_na_in_the_workbook(dropped):
    rows = summary_rows(dropped["folder"])
    for label, reason in NA_KPIS.items():
        row = rows[label]
        assert row["value"] == "n/a" and row["prior"] == "n/a" and row["ytd"] == "n/a", (label, row)
        assert row["status"] == "n/a", (label, row)
        assert row["definition"].startswith(f"n/a: {reason}."), row["definition"]
    assert rows["First response within SLA"]["target"] == 90
    # what needs none of the missing fields is computed as before
    assert isinstance(rows["Supplier lead time (mean)"]["value"], float)
    assert isinstance(rows["Purchase spend"]["value"], float)
    assert rows["Customer OTIF"]["status"] == "red"


def test_unmapped_fields_are_na_in_the_pdf(dropped):
    if not have("pdftotext"):
        pytest.skip("pdftotext not installed")
    text = pdf_text(dropped["folder"] / "summary.pdf")
    # KPI table rows: the value and the status say n/a, never 0.0% and never red
    table = text.split("All KPIs")[1]
    for label in ("First response within SLA", "Supplier OTIF", "Purchase price variance"):
        line = next(l for l in table.splitlines() if re.search(rf"\s{re.escape(label)}\s{{2,}}", l))
        assert re.search(r"\sn/a\s", line) and line.rstrip().endswith("n/a"), line
        assert "✕" not in line and "0.0%" not in line.split(label)[1].split()[0], line
    # tiles: the value is n/a with a brief reason under it
    assert "no first_response_at in export" in text
    assert "target 90.0% · n/a" in text
    attention = text.split("What needs attention")[1].split("page 2")[0]
    assert "First response within SLA is" not in attention
    assert "Supplier OTIF is" not in attention
    assert "Shown as n/a, no first_response_at in the tickets export:" in attention
    assert "Shown as n/a, no qty_delivered in the purchase_orders export: Supplier OTIF" in attention
    assert "Customer OTIF is 72.3%" in attention
    assert "within target" not in attention
    # the provenance names the fields the exports lack
    assert "tickets.first_response_at" in text.replace("\n", " ")


def test_unmapped_fields_are_na_in_the_email(dropped):
    msg = (dropped["folder"] / "message.txt").read_text()
    assert "- First response within SLA: n/a (no first_response_at in the tickets export)" in msg
    assert "- Supplier OTIF: n/a (no qty_delivered in the purchase_orders export)" in msg
    assert "First response within SLA n/a" not in msg and "Red: First response" not in msg
    assert "Red: Supplier OTIF" not in msg
    assert "- Red: Customer OTIF 72.3% (target 95.0%)" in msg
    assert "- Shown as n/a, no standard_cost in the purchase_orders export: Purchase price variance" in msg
    assert "Nothing is red or amber" not in msg


def test_data_quality_lists_the_missing_fields(dropped):
    # data_only: the cached results the program computed, not the formulas
    ws = openpyxl.load_workbook(dropped["folder"] / "report.xlsx", data_only=True)["Data quality"]
    head = [c.value for c in ws[3]]
    col = head.index("Fields not in the export")
    rows = {}
    for r in ws.iter_rows(min_row=4, values_only=True):
        if r[0] and r[0] not in rows:  # the first rejects listed below repeat input names
            rows[r[0]] = r
    assert "first_response_at" in rows["tickets"][col]
    assert "qty_delivered" in rows["purchase_orders"][col] and "standard_cost" in rows["purchase_orders"][col]
    assert rows["tickets"][head.index("Reconciles")] == "yes"
    formulas = openpyxl.load_workbook(dropped["folder"] / "report.xlsx")["Data quality"]
    row = next(r for r in formulas.iter_rows(min_row=4) if r[0].value == "tickets")
    assert row[head.index("Reconciles")].value == f"=IF(D{row[0].row}=E{row[0].row}+F{row[0].row}+G{row[0].row}+H{row[0].row},\"yes\",\"NO\")"


# ---- absent areas, sales from shipments ---------------------------------------------


def test_no_gl_means_no_budget_sheet_and_no_detail(dropped):
    wb = openpyxl.load_workbook(dropped["folder"] / "report.xlsx")
    assert wb.sheetnames == ["Summary", "Finance", "Procurement", "Customer service", "Data quality", "About"]
    assert not (dropped["folder"] / "detail.xlsx").exists()
    if have("pdftotext"):
        text = pdf_text(dropped["folder"] / "summary.pdf")
        assert "Budget vs actual by cost centre" not in text
        assert "Revenue by month" not in text


def test_revenue_from_shipments_without_gl(dropped):
    """Independent sum of the October invoice value, against the workbook and the PDF."""
    total = Decimal(0)
    with open(dropped["data"] / "shipments.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["Ship Date"].startswith(PERIOD):
                total += Decimal(r["Invoice Value"])
    wb = openpyxl.load_workbook(dropped["folder"] / "report.xlsx")
    rows = {r[1]: r for r in wb["Finance"].iter_rows(values_only=True) if r[1]}
    row = rows["Revenue from shipments"]
    assert abs(Decimal(str(row[3])) - total) < Decimal("0.005"), (row[3], total)
    assert "not booked revenue" in row[11]
    assert "Revenue" not in rows  # no GL revenue pretending to be there
    if have("pdftotext"):
        text = pdf_text(dropped["folder"] / "summary.pdf")
        millions = f"EUR {total / 1000000:.1f}M"
        assert re.search(rf"Revenue from shipments\s+{re.escape(millions)}", text), millions


def test_rejected_input_and_no_targets_pdf(rejected):
    if not have("pdftotext"):
        pytest.skip("pdftotext not installed")
    text = pdf_text(rejected["folder"] / "summary.pdf")
    attention = text.split("What needs attention")[1].split("page 2")[0]
    assert "1 of 2 inputs rejected entirely: risks; the KPIs built on them show n/a." in attention
    assert "No targets are configured" in attention
    assert "within target" not in attention and "Nothing is red" not in attention
    # no heat map of zeros for a register whose every row was rejected
    assert "Open risks: likelihood" not in text
    line = next(l for l in text.split("All KPIs")[1].splitlines() if re.search(r"\sOpen risks\s{2,}", l))
    assert "n/a" in line and not re.search(r"\s0\s", line), line


def test_rejected_input_and_no_targets_email(rejected):
    msg = (rejected["folder"] / "message.txt").read_text()
    assert "- 1 of 2 inputs rejected entirely: risks; the KPIs built on them show n/a." in msg
    assert "- No targets are configured, so no KPI is rated red or amber." in msg
    assert "Nothing is red or amber" not in msg


def test_rejected_input_workbook(rejected):
    wb = openpyxl.load_workbook(rejected["folder"] / "report.xlsx")
    assert wb.sheetnames == ["Summary", "Risk and compliance", "Data quality", "About"]
    rows = summary_rows(rejected["folder"])
    for label in ("Open risks", "High risks (score 15+)", "Overdue mitigations", "Open risk exposure"):
        assert rows[label]["value"] == "n/a", (label, rows[label])
        assert rows[label]["definition"].startswith("n/a: every row of risks was rejected."), rows[label]
    assert rows["Overdue audits"]["value"] == 11
    sheet = [r for r in wb["Risk and compliance"].iter_rows(values_only=True)]
    flat = [c for r in sheet for c in r if isinstance(c, str)]
    assert "n/a: every row of risks was rejected" in flat  # the Top risks table says why it is empty


@pytest.mark.parametrize("target, pdf_says, email_says", [
    # the only target is on a KPI that is n/a: nothing could be rated
    ("[kpi.open_risks]\ntarget = 3\n",
     "No KPI with a target has a value this month (targets: 1), so none is rated.",
     "- No KPI with a target has a value this month (targets: 1)."),
    # controls compliant 89.2% against 80: green, but four risk KPIs are n/a
    ("[kpi.controls_compliant_pct]\ntarget = 80\n",
     "Every KPI with a target and a value is within target; KPIs shown as n/a: 4.",
     "- Nothing with a value is red or amber this month; KPIs shown as n/a: 4."),
])
def test_nothing_red_says_how_far_targets_could_judge(rejected, tmp_path, target, pdf_says, email_says):
    ini = tmp_path / "t.ini"
    ini.write_text(rejected["ini"].read_text() + "\n" + target)
    run_opsreport("run", "--config", ini, "--period", PERIOD, "--data", rejected["data"], "--out", tmp_path,
                  "-q", check=0)
    msg = (tmp_path / PERIOD / "message.txt").read_text()
    assert email_says in msg and "Nothing is red or amber this month." not in msg
    if have("pdftotext"):
        text = " ".join(pdf_text(tmp_path / PERIOD / "summary.pdf").split())
        assert pdf_says in text and "All KPIs are within target" not in text


# ---- templates from anywhere ----------------------------------------------------------


def test_runs_from_another_working_directory(rejected, tmp_path):
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    out = tmp_path / "out"
    run_opsreport("run", "--config", rejected["ini"], "--period", PERIOD, "--data", rejected["data"],
                  "--out", out, "-q", cwd=cwd, check=0)
    assert (out / PERIOD / "summary.pdf").stat().st_size > 0
    assert "No targets are configured" in (out / PERIOD / "message.txt").read_text()


def test_missing_templates_exit_4_naming_every_place(rejected, tmp_path):
    installed = Path("/usr/local/share/opsreport/templates")
    if installed.exists():
        pytest.skip(f"{installed} exists on this machine")
    # a copy of the program with no templates/ beside it, run where there are none either
    (tmp_path / "bin").mkdir()
    exe = tmp_path / "bin" / "opsreport"
    shutil.copy(BIN, exe)
    nowhere = tmp_path / "nowhere"
    proc = subprocess.run([str(exe), "run", "--config", str(rejected["ini"]), "--period", PERIOD,
                           "--data", str(rejected["data"]), "--out", str(tmp_path / "out"),
                           "--templates", str(nowhere)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 4, proc.stderr
    err = proc.stderr
    assert f"{nowhere} (--templates): no such folder" in err
    assert f"{installed} (installed): no such folder" in err
    assert f"{tmp_path / 'templates'} (beside the program): no such folder" in err
    assert "templates (working directory): no such folder" in err
    assert not (tmp_path / "out" / PERIOD / "summary.pdf").exists()


def marked_templates(folder, marker):
    shutil.copytree(ROOT / "templates", folder)
    narrative = folder / "narrative.txt"
    narrative.write_text(narrative.read_text().replace("no_targets = No targets", f"no_targets = {marker} No targets"))


def test_templates_dir_from_the_config_and_the_flag_first(rejected, tmp_path):
    if not have("pdftotext"):
        pytest.skip("pdftotext not installed")
    cfg_dir = tmp_path / "cfg"
    cfg_dir.mkdir()
    marked_templates(cfg_dir / "wording", "CONFIG-WORDING")
    ini = cfg_dir / "site.ini"
    # relative to the config file's folder, not to the working directory
    ini.write_text(rejected["ini"].read_text().replace("[report]\n", "[report]\ntemplates_dir = wording\n"))
    run_opsreport("run", "--config", ini, "--period", PERIOD, "--data", rejected["data"], "--out",
                  tmp_path / "a", "-q", cwd=tmp_path, check=0)
    assert "CONFIG-WORDING No targets" in pdf_text(tmp_path / "a" / PERIOD / "summary.pdf")
    marked_templates(tmp_path / "flag", "FLAG-WORDING")
    run_opsreport("run", "--config", ini, "--period", PERIOD, "--data", rejected["data"], "--out",
                  tmp_path / "b", "--templates", tmp_path / "flag", "-q", cwd=tmp_path, check=0)
    text = pdf_text(tmp_path / "b" / PERIOD / "summary.pdf")
    assert "FLAG-WORDING No targets" in text and "CONFIG-WORDING" not in text


# ---- run folder ---------------------------------------------------------------------


def test_long_recipient_scope_is_published_whole(rejected, tmp_path):
    scope = "Site " + "x" * 95  # 100 characters; the file name keeps the 99 of its slug
    ini = tmp_path / "scoped.ini"
    ini.write_text(rejected["ini"].read_text() + f"\n[recipient.far]\nemail = far@example.com\nscope = {scope}\n")
    out = tmp_path / "out"
    run_opsreport("run", "--config", ini, "--period", PERIOD, "--data", rejected["data"], "--out", out, "-q",
                  check=0)
    slug = "Site_" + "x" * 94
    folder = out / PERIOD
    assert (folder / f"summary-{slug}.pdf").stat().st_size > 0
    assert (folder / f"message-{slug}.txt").exists()
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
