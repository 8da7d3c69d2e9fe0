"""Hostile input (issue #12, part 5): a 100 MB line, a million columns, NUL
bytes, bytes that are invalid in the configured encoding, a file that changes
while it is read, and line breaks in the subject template. Each gets a clear
error (file, line, what was expected) or a reject naming file, line and
column, in bounded memory, and never an extra email header.

The hostile files are generated into tmp dirs here; the big ones are deleted
at the end of their test. Peak memory is the child's maxrss, measured in a
fresh wrapper process so no earlier child of pytest counts. Header injection
through each config key is tested in test_delivery.py
(test_header_injection_in_config_is_refused_naming_the_key)."""
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

import pytest

from conftest import BIN, ROOT, run_opsreport
from test_delivery import ORG, smtp, write_config  # noqa: F401 (smtp is a fixture)

HEADER = b"Prod Date,Plant,Line,Output Units,Scrap Units,FPY Units\n"
ROW = b"2026-10-01,Lodz,Line 1,34291,555,33300\n"
MB = 1024 * 1024
RSS_BOUND_MB = 300

MEASURE = """
import json, resource, subprocess, sys
p = subprocess.run(sys.argv[1:], capture_output=True)
print(json.dumps({"code": p.returncode,
                  "stdout": p.stdout.decode("utf-8", "backslashreplace"),
                  "stderr": p.stderr.decode("utf-8", "backslashreplace"),
                  "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def config(tmp_path, file, encoding=None):
    """One production input, read from tmp_path/FILE."""
    path = tmp_path / "one.ini"
    path.write_text(f"""[report]
organisation = Kestrel
currency = EUR
minor_units = 2
reject_threshold = 0.9
[input.production]
file = {file}
col.date = Prod Date
col.site = Plant
col.line = Line
col.units_produced = Output Units
col.units_defective = Scrap Units
col.units_first_pass = FPY Units
""" + (f"encoding = {encoding}\n" if encoding else ""))
    return path


def validate(tmp_path, file, encoding=None):
    """`opsreport validate` of one input; returns code, stdout, stderr, peak RSS (MB)."""
    cfg = config(tmp_path, file, encoding)
    # under `make asan` freed memory sits in ASan's quarantine (256 MB by default) and would
    # count as peak memory; a small one measures the program, not the sanitizer
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "quarantine_size_mb=16"]))
    proc = subprocess.run([sys.executable, "-c", MEASURE, BIN, "validate", "--config", str(cfg),
                           "--period", "2026-10", "--data", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def counts(stdout):
    m = re.search(r"production\s+read\s+(\d+)\s+accepted\s+(\d+)\s+rejected\s+(\d+)", stdout)
    assert m, stdout
    return tuple(int(x) for x in m.groups())


@pytest.mark.parametrize("where", ["header", "data_row"])
def test_100_mb_line_without_line_end_is_an_error_in_bounded_memory(tmp_path, where):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        if where == "data_row":
            f.write(HEADER + ROW + b"2026-10-02,")
        for _ in range(100):
            f.write(b"x" * 1_000_000)
    try:
        r = validate(tmp_path, "huge.csv")
    finally:
        path.unlink()
    line = 1 if where == "header" else 3
    assert r["code"] == 4, r
    assert (f"{tmp_path}/huge.csv:{line}: a field longer than 16 MB: expected a CSV text file"
            in r["stderr"]), r["stderr"]
    assert r["rss_mb"] < RSS_BOUND_MB, r["rss_mb"]  # a bound, not a timing


def test_header_of_10_mb_is_named_short_and_cheaply(tmp_path):
    # under the field limit: read, found to map nothing, and listed cut short
    (tmp_path / "wide.csv").write_bytes(b"z" * (10 * MB) + b"\n" + ROW)
    r = validate(tmp_path, "wide.csv")
    assert r["code"] == 4
    assert f"{tmp_path}/wide.csv:1: [input.production] (production) cannot be read as mapped" in r["stderr"]
    assert "headers found (1): '" + "z" * 256 + "'" in r["stderr"], r["stderr"][-600:]
    assert r["rss_mb"] < RSS_BOUND_MB


def test_a_wide_export_of_600_columns_is_read(tmp_path):
    # sensor logs and surveys run to hundreds of columns: the mapped six are
    # found among them and every row is read
    extra = [b"sensor %d" % i for i in range(594)]
    header = HEADER.rstrip(b"\n") + b"," + b",".join(extra) + b"\n"
    row = ROW.rstrip(b"\n") + b"," + b",".join(b"%d" % i for i in range(594)) + b"\n"
    (tmp_path / "wide.csv").write_bytes(header + row * 3)
    r = validate(tmp_path, "wide.csv")
    assert r["code"] == 0, r["stderr"][-600:]
    assert counts(r["stdout"]) == (3, 3, 0)


def test_a_million_columns(tmp_path):
    million = b",".join(b"c%d" % i for i in range(1_000_000)) + b"\n"
    (tmp_path / "wide.csv").write_bytes(million + ROW)
    r = validate(tmp_path, "wide.csv")
    assert r["code"] == 4
    assert (f"{tmp_path}/wide.csv:1: the header row has 1000000 columns; at most 4096 are read"
            in r["stderr"]), r["stderr"][-600:]
    assert r["rss_mb"] < RSS_BOUND_MB
    # the same million commas in one data row: that row is rejected, the rest read
    (tmp_path / "row.csv").write_bytes(HEADER + ROW + b"," * 999_999 + b"\n" + ROW)
    r = validate(tmp_path, "row.csv")
    assert r["code"] == 0, r["stderr"]
    assert counts(r["stdout"]) == (3, 2, 1)
    assert (f"{tmp_path}/row.csv:3: column '', value '': expected 6 fields as in the header, "
            "found 1000000") in r["stdout"]
    assert r["rss_mb"] < RSS_BOUND_MB


def test_nul_bytes_inside_fields_reject_their_rows(tmp_path):
    (tmp_path / "nul.csv").write_bytes(HEADER + ROW + b"2026-10-02,Lo\x00dz,Line 1,34291,555,33300\n"
                                       + b"2026-10-03,Lodz,Line 1,34\x0091,555,33300\n" + ROW)
    r = validate(tmp_path, "nul.csv")
    assert r["code"] == 0, r["stderr"]
    assert counts(r["stdout"]) == (4, 2, 2)
    assert f"{tmp_path}/nul.csv:3: column 'Plant'" in r["stdout"]
    assert f"{tmp_path}/nul.csv:4: column 'Output Units'" in r["stdout"]
    assert "\x00" not in r["stdout"] + r["stderr"]


# Bytes that are not valid in the configured encoding. UTF-8 keeps them and
# rejects their rows; the others read each invalid unit as U+FFFD. Either
# way the run says how many there were and which input's encoding to check.
# latin-1 has no invalid byte: UTF-8 read as latin-1 is mojibake, never an error.
ENCODINGS = {
    "utf-8": (HEADER + ROW + b"2026-10-02,Lo\xff\xfedz,Line 1,1,1,1\n2026-10-03,\xc3(,Line 1,1,1,1\n",
              3, (3, 1, 2)),
    "windows-1252": (HEADER + ROW + b"2026-10-02,Lo\x81dz,Line 1,1,1,1\n", 1, (2, 2, 0)),
    "latin-1": (HEADER + ROW + "2026-10-02,Łódź,Line 1,1,1,1\n".encode(), 0, (2, 2, 0)),
    "utf-16le": (HEADER.decode().encode("utf-16le") + ROW.decode().encode("utf-16le")
                 + "2026-10-02,Lo".encode("utf-16le") + b"\x00\xd8"  # a lone surrogate
                 + "dz,Line 1,1,1,1\n".encode("utf-16le"), 2, (2, 2, 0)),
    "utf-16": (b"\xff\xfe" + HEADER.decode().encode("utf-16le") + ROW.decode().encode("utf-16le")
               + b"\x00\xdc" + ",Lodz,Line 1,1,1,1\n".encode("utf-16le"), 2, (2, 1, 1)),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_invalid_bytes_under_each_encoding(tmp_path, encoding):
    data, invalid, expect = ENCODINGS[encoding]
    (tmp_path / "enc.csv").write_bytes(data)
    r = validate(tmp_path, "enc.csv", encoding)
    assert r["code"] == 0, r["stderr"]
    assert counts(r["stdout"]) == expect
    warning = f"warning: {tmp_path}/enc.csv: {invalid} byte"
    if invalid:
        assert warning in r["stderr"] and "check [input.production] encoding" in r["stderr"], r["stderr"]
    else:
        assert "not valid" not in r["stderr"]
    if encoding == "utf-8":
        assert f"{tmp_path}/enc.csv:3: column 'Plant'" in r["stdout"]
        assert "invalid UTF-8 text (check the input's encoding setting)" in r["stdout"]
    if encoding == "utf-16":  # the date that lost its first character is rejected, by line
        assert f"{tmp_path}/enc.csv:3: column 'Prod Date'" in r["stdout"], r["stdout"]


def test_file_that_changes_while_read_is_an_input_error(tmp_path):
    path = tmp_path / "growing.csv"
    with open(path, "wb") as f:
        f.write(HEADER)
        for _ in range(40):
            f.write(ROW * 25_000)  # 39 MB: reading it takes far longer than one append
    cfg = config(tmp_path, "growing.csv")
    proc = subprocess.Popen([BIN, "run", "--config", str(cfg), "--period", "2026-10", "--data",
                             str(tmp_path), "--out", str(tmp_path / "out")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def append():  # an export still being written: a row every 2 ms while the run lasts
        while not done.is_set():
            with open(path, "ab") as f:
                f.write(ROW)
            time.sleep(0.002)
    writer = threading.Thread(target=append)
    writer.start()
    try:
        out, err = proc.communicate(timeout=300)
    finally:
        done.set()
        writer.join()
        path.unlink()
    assert proc.returncode == 4, err
    assert f"{tmp_path}/growing.csv: changed while being read" in err, err
    assert "run again once it is complete" in err
    folder = tmp_path / "out" / "2026-10"
    assert sorted(p.name for p in folder.iterdir()) == [".lock"]  # nothing published, no temp left


def test_line_breaks_in_the_subject_template_make_no_header(tmp_path, smtp):  # noqa: F811
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    subject = templates / "email_subject.txt"
    text = subject.read_bytes()
    subject.write_bytes(text.replace(b"subject = {organisation} operations summary {period}",
                                     b"subject = {organisation}\rBcc: evil@example.com\rX-Evil: 1 {period}"))
    assert b"\rBcc" in subject.read_bytes()
    server = smtp()
    cfg = write_config(tmp_path, server.port)
    run_opsreport("run", "--config", cfg, "--period", "2026-10", "--data", ROOT / "sample-data",
                  "--out", tmp_path / "out", "--templates", templates, check=0)
    msgs = server.messages()
    assert sorted(m["X-RcptTo"] for m in msgs) == sorted(ORG)  # nobody else
    for m in msgs:
        assert m["Bcc"] is None and m["X-Evil"] is None
        assert m["Subject"] == "Kestrel Packaging Group Bcc: evil@example.com X-Evil: 1 October 2026"
    for f in (server.dir / "new").iterdir():
        head = f.read_bytes().split(b"\r\n\r\n", 1)[0]
        assert not re.search(rb"^(Bcc|X-Evil):", head, re.M | re.I)
