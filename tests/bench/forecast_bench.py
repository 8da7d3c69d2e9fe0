#!/usr/bin/python3
"""forecast_bench.py - speed, memory and accuracy of `opsreport forecast`.

Writes N deterministic monthly series (a seeded generator below: seasonal
sales with trend, additive-seasonal cost lines that go negative, random walks,
intermittent SKU demand with zeros, damped/shifted levels, constants and short
series), holds out the last 12 months, forecasts them with every method and
reports forecasts per second, peak memory (max RSS of the process) and
accuracy (mean MASE and sMAPE, and both relative to seasonal naive). When
Rscript with the forecast package is installed, R's ets() and thetaf() run on
a subset of the same series in the same script, and the table compares their
accuracy and time per series with ours on that subset.

usage: tests/bench/forecast_bench.py [--series N] [--r-series K] [--jobs J]
  env OPSREPORT_BIN (default build/opsreport), BUILD (default build)
"""
import argparse
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

H = 12
M = 12


def gen_series(n_series, seed=20261031):
    rnd = random.Random(seed)
    out = []
    for i in range(n_series):
        kind = rnd.choices(
            ["seasonal", "additive", "walk", "intermittent", "damped", "constant", "short"],
            weights=[40, 15, 15, 10, 10, 5, 5])[0]
        n = rnd.randint(24, 72) + H if kind != "short" else rnd.randint(8, 23) + H
        level = math.exp(rnd.uniform(math.log(20), math.log(20000)))
        phase = rnd.randrange(12)
        amp = rnd.uniform(0.0, 0.4)
        shape = [math.sin(2 * math.pi * (k + phase) / 12) + 0.5 * math.cos(4 * math.pi * k / 12) for k in range(12)]
        y = []
        if kind in ("seasonal", "short"):
            g = rnd.uniform(-0.01, 0.015)
            cv = rnd.uniform(0.03, 0.15)
            for t in range(n):
                y.append(level * (1 + g) ** t * (1 + amp * shape[t % 12]) * (1 + rnd.gauss(0, cv)))
        elif kind == "additive":
            base = rnd.uniform(-0.5, 1.0) * level
            for t in range(n):
                y.append(base + 0.01 * level * t * rnd.uniform(-1, 1) + level * amp * shape[t % 12] + rnd.gauss(0, 0.1 * level))
        elif kind == "walk":
            v, d = level, rnd.gauss(0, 0.01) * level
            for t in range(n):
                v += d + rnd.gauss(0, 0.05 * level)
                y.append(v)
        elif kind == "intermittent":
            lam = rnd.uniform(0.3, 4)
            for t in range(n):
                k, p, u = 0, math.exp(-lam * (1 + 0.5 * amp * shape[t % 12])), rnd.random()
                c = p
                while u > c and k < 100:
                    k += 1
                    p *= lam * (1 + 0.5 * amp * shape[t % 12]) / k
                    c += p
                y.append(float(k))
        elif kind == "damped":
            v, b = level, rnd.uniform(-0.03, 0.05) * level
            shift = rnd.randrange(n)
            for t in range(n):
                b *= 0.9
                v += b
                y.append(v * (1.3 if t >= shift else 1.0) * (1 + amp * shape[t % 12]) * (1 + rnd.gauss(0, 0.05)))
        else:
            y = [round(level)] * n
        y = [float("%.6g" % v) for v in y]
        out.append(("S%05d" % i, kind, y))
    return out


def period(t):
    return "%04d-%02d" % (2020 + t // 12, t % 12 + 1)


def write_input(path, series):
    with open(path, "w") as f:
        f.write("series_id,period,value\n")
        for sid, _, y in series:
            for t, v in enumerate(y[:-H]):
                f.write("%s,%s,%.6g\n" % (sid, period(t), v))


def run_forecast(binary, inp, outp, method, jobs):
    """wall seconds, CPU seconds and peak RSS (MB) of one forecast run.
    Peak RSS comes from GNU time when installed: the rusage of a child forked
    from this Python process would include Python's own pages."""
    cmd = [binary, "forecast", "--input", inp, "--output", outp, "--method", method, "--horizon", str(H),
           "--jobs", str(jobs)]
    stats = outp + ".time"
    if os.access("/usr/bin/time", os.X_OK):
        cmd = ["/usr/bin/time", "-f", "%M %U %S", "-o", stats] + cmd
    t0 = time.perf_counter()
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit("forecast --method %s failed: %s" % (method, res.stderr.decode()))
    rss, cpu = float("nan"), float("nan")
    if os.path.exists(stats):
        kb, user, sys_ = open(stats).read().split()[-3:]
        rss, cpu = float(kb) / 1024.0, float(user) + float(sys_)
    return dt, cpu, rss


def read_forecasts(path):
    fc = {}
    with open(path) as f:
        next(f)
        for line in f:
            parts = line.split(",", 4)
            fc.setdefault(parts[0], []).append(float(parts[3]))
    return fc


def accuracy(series, fc):
    """mean MASE (over series with a non-zero scale) and mean sMAPE"""
    mase, smape = [], []
    for sid, _, y in series:
        if sid not in fc:
            continue
        train, test, f = y[:-H], y[-H:], fc[sid]
        m = M if len(train) > M else 1
        scale = sum(abs(train[t] - train[t - m]) for t in range(m, len(train))) / (len(train) - m)
        err = [abs(a - b) for a, b in zip(f, test)]
        if scale > 0:
            mase.append(sum(err) / len(err) / scale)
        smape.append(sum(200 * e / (abs(a) + abs(b)) if abs(a) + abs(b) > 0 else 0 for e, a, b in zip(err, f, test)) / H)
    return (sum(mase) / len(mase) if mase else float("nan"),
            sum(smape) / len(smape) if smape else float("nan"))


R_SCRIPT = r"""
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(TRUE)
d <- read.csv(args[1], colClasses = c("character", "character", "numeric"))
ids <- unique(d$series_id)
rows <- character(0); ets_time <- 0; theta_time <- 0
for (id in ids) {
  y <- ts(d$value[d$series_id == id], frequency = 12)
  t0 <- proc.time()[["elapsed"]]
  fe <- tryCatch(as.numeric(forecast(ets(y), h = 12)$mean), error = function(e) rep(tail(y, 1), 12))
  t1 <- proc.time()[["elapsed"]]
  ft <- tryCatch(as.numeric(thetaf(y, h = 12)$mean), error = function(e) rep(tail(y, 1), 12))
  t2 <- proc.time()[["elapsed"]]
  ets_time <- ets_time + t1 - t0; theta_time <- theta_time + t2 - t1
  rows <- c(rows, sprintf("%s,%d,%.10g,%.10g", id, 1:12, fe, ft))
}
writeLines(c("series_id,step,ets,theta", rows), args[2])
cat(sprintf("%d %.6f %.6f\n", length(ids), ets_time, theta_time))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=3000)
    ap.add_argument("--r-series", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--methods", default="snaive,naive,drift,ets,theta,comb,auto")
    a = ap.parse_args()
    build = os.environ.get("BUILD", "build")
    binary = os.environ.get("OPSREPORT_BIN", os.path.join(build, "opsreport"))
    if not os.access(binary, os.X_OK):
        sys.exit("no %s: run make first" % binary)
    tmp = tempfile.mkdtemp(prefix="fcbench.")
    try:
        series = gen_series(a.series)
        inp = os.path.join(tmp, "in.csv")
        write_input(inp, series)
        n_obs = sum(len(y) - H for _, _, y in series)
        print("forecast bench: %d series (%d observations), horizon %d, %d job(s), binary %s"
              % (len(series), n_obs, H, a.jobs, binary))
        results = {}
        for method in a.methods.split(","):
            outp = os.path.join(tmp, "out_%s.csv" % method)
            dt, cpu, rss = run_forecast(binary, inp, outp, method, a.jobs)
            fc = read_forecasts(outp)
            results[method] = (dt, cpu, rss, accuracy(series, fc), fc)
        base = results.get("snaive", next(iter(results.values())))[3]
        print("%-8s %9s %9s %10s %9s %8s %8s %9s %9s" % ("method", "wall s", "CPU s", "series/s", "peak MB",
                                                         "MASE", "sMAPE", "MASE/SN", "sMAPE/SN"))
        for method, (dt, cpu, rss, (mase, smape), _) in results.items():
            print("%-8s %9.2f %9.2f %10.1f %9.1f %8.4f %8.3f %9.3f %9.3f" % (
                method, dt, cpu, len(series) / dt, rss, mase, smape, mase / base[0], smape / base[1]))
        # byte-for-byte reproducibility of the default method
        again = os.path.join(tmp, "again.csv")
        run_forecast(binary, inp, again, "auto", max(2, a.jobs))
        same = open(again, "rb").read() == open(os.path.join(tmp, "out_auto.csv"), "rb").read() \
            if "auto" in results else None
        print("rerun of auto with %d jobs byte-identical: %s" % (max(2, a.jobs), same))

        if a.r_series > 0 and shutil.which("Rscript"):
            step = max(1, len(series) // a.r_series)
            sub = series[::step][:a.r_series]
            sub_in = os.path.join(tmp, "sub.csv")
            write_input(sub_in, sub)
            rs = os.path.join(tmp, "bench.R")
            open(rs, "w").write(R_SCRIPT)
            r_out = os.path.join(tmp, "r_fc.csv")
            t0 = time.perf_counter()
            res = subprocess.run(["Rscript", rs, sub_in, r_out], capture_output=True, text=True)
            if res.returncode != 0:
                print("R failed: " + res.stderr)
                return
            k, r_ets, r_theta = res.stdout.split()
            r_ets, r_theta = float(r_ets), float(r_theta)
            r_fc = {"ets": {}, "theta": {}}
            with open(r_out) as f:
                next(f)
                for line in f:
                    sid, _, fe, ft = line.strip().split(",")
                    r_fc["ets"].setdefault(sid, []).append(float(fe))
                    r_fc["theta"].setdefault(sid, []).append(float(ft))
            ours = {}
            for method in ("ets", "theta", "comb", "snaive"):
                outp = os.path.join(tmp, "sub_%s.csv" % method)
                dt, cpu, _ = run_forecast(binary, sub_in, outp, method, 1)
                ours[method] = (cpu if cpu == cpu else dt, accuracy(sub, read_forecasts(outp)))
            sn = ours["snaive"][1]
            print("\nside by side with R (forecast package) on %d of the series, one core, CPU time"
                  " (R: elapsed time inside R around ets()/thetaf(); ours: the whole process):" % len(sub))
            print("%-14s %12s %8s %8s %10s %10s" % ("", "ms/series", "MASE", "sMAPE", "MASE/SN", "sMAPE/SN"))
            for label, secs, acc in (("R ets", r_ets, accuracy(sub, r_fc["ets"])),
                                     ("R thetaf", r_theta, accuracy(sub, r_fc["theta"])),
                                     ("ours ets", ours["ets"][0], ours["ets"][1]),
                                     ("ours theta", ours["theta"][0], ours["theta"][1]),
                                     ("ours comb", ours["comb"][0], ours["comb"][1]),
                                     ("ours snaive", ours["snaive"][0], sn)):
                print("%-14s %12.2f %8.4f %8.3f %10.3f %10.3f" % (label, 1000 * secs / len(sub), acc[0], acc[1],
                                                                  acc[0] / sn[0], acc[1] / sn[1]))
            print("R ets time / our ets time: %.1fx; R ets / our comb (ETS + Theta + SNaive): %.1fx"
                  % (r_ets / ours["ets"][0], r_ets / ours["comb"][0]))
        else:
            print("Rscript not found (or --r-series 0): no side-by-side comparison with R")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
