#!/usr/bin/python3
"""forecast_bench.py - speed, memory and accuracy of `opsreport forecast`.

Writes N deterministic monthly series (a seeded generator below: seasonal
sales with trend, additive-seasonal cost lines that go negative, random walks,
intermittent SKU demand with zeros, damped/shifted levels, constants and short
series), holds out the last 12 months, forecasts them with every method and
reports forecasts per second, peak memory (max RSS of the process) and
accuracy (mean MASE and sMAPE, both relative to seasonal naive, 80%/95%
coverage and MSIS). When Rscript with the forecast package is installed,
R's ets(), auto.arima(), thetaf() and the mean of the three run on a subset
of the same series and on the public series R ships (several origins each),
and the tables compare them with ours on the same cases: forecasts per
second (and how many times faster than R's ets), sMAPE, MASE, coverage and
MSIS.

usage: tests/bench/forecast_bench.py [--series N] [--r-series K] [--jobs J]
                                    [--methods LIST] [--compare LIST] [--no-public]
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


def write_input(path, series, h=H, monthly=True):
    """long-form CSV of the training part (all but the last h values)"""
    with open(path, "w") as f:
        f.write("series_id,period,value\n")
        for sid, _, y in series:
            for t, v in enumerate(y[:-h]):
                f.write("%s,%s,%.10g\n" % (sid, period(t) if monthly else str(t + 1), v))


def run_forecast(binary, inp, outp, method, jobs, extra=()):
    """wall seconds, CPU seconds and peak RSS (MB) of one forecast run.
    Peak RSS comes from GNU time when installed: the rusage of a child forked
    from this Python process would include Python's own pages."""
    cmd = [binary, "forecast", "--input", inp, "--output", outp, "--method", method, "--horizon", str(H),
           "--jobs", str(jobs)] + list(extra)
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
    """series -> list of (point, lo80, hi80, lo95, hi95) per step"""
    fc = {}
    with open(path) as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").rsplit(",", 1)[0].split(",")
            sid = parts[0]
            vals = [float(v) if v else float("nan") for v in parts[3:8]]
            fc.setdefault(sid, []).append(tuple(vals + [float("nan")] * (5 - len(vals))))
    return fc


def accuracy(series, fc, h=H, m=M):
    """mean MASE, sMAPE, 80%/95% coverage and MSIS (95%, M4's definition)
    over the series; MASE and MSIS over series with a non-zero scale."""
    mase, smape, msis, in80, in95, cnt = [], [], [], 0, 0, 0
    for sid, _, y in series:
        if sid not in fc:
            continue
        train, test, f = y[:-h], y[-h:], fc[sid]
        mm = m if len(train) > m else 1
        scale = sum(abs(train[t] - train[t - mm]) for t in range(mm, len(train))) / (len(train) - mm)
        err = [abs(a[0] - b) for a, b in zip(f, test)]
        if scale > 0:
            mase.append(sum(err) / len(err) / scale)
        smape.append(sum(200 * e / (abs(a[0]) + abs(b)) if abs(a[0]) + abs(b) > 0 else 0
                         for e, a, b in zip(err, f, test)) / h)
        if all(a[3] == a[3] for a in f):
            pen = 0.0
            for a, b in zip(f, test):
                lo, hi = a[3], a[4]
                pen += (hi - lo) + (2 / 0.05) * (lo - b) * (b < lo) + (2 / 0.05) * (b - hi) * (b > hi)
                in80 += a[1] <= b <= a[2]
                in95 += lo <= b <= hi
                cnt += 1
            if scale > 0:
                msis.append(pen / h / scale)
    mean = lambda v: sum(v) / len(v) if v else float("nan")
    return {"mase": mean(mase), "smape": mean(smape), "cov80": 100.0 * in80 / cnt if cnt else float("nan"),
            "cov95": 100.0 * in95 / cnt if cnt else float("nan"), "msis": mean(msis)}


# R's methods on every series of a long-form file, one frequency and horizon
# per call; writes point and 80/95% bounds per method and the seconds spent
# inside each method.
R_SCRIPT = r"""
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(TRUE)
freq <- as.numeric(args[3]); h <- as.numeric(args[4])
d <- read.csv(args[1], colClasses = c("character", "character", "numeric"))
ids <- unique(d$series_id)
rows <- character(0); secs <- c(ets = 0, arima = 0, theta = 0)
bounds <- function(fc, y) {
  if (is.null(fc)) { v <- rep(tail(y, 1), h); return(cbind(v, v, v, v, v)) }
  cbind(as.numeric(fc$mean), fc$lower[, 1], fc$upper[, 1], fc$lower[, 2], fc$upper[, 2])
}
for (id in ids) {
  y <- ts(d$value[d$series_id == id], frequency = freq)
  out <- list()
  for (meth in names(secs)) {
    t0 <- proc.time()[["elapsed"]]
    fc <- tryCatch(switch(meth,
      ets = forecast(ets(y), h = h, level = c(80, 95)),
      arima = forecast(auto.arima(y), h = h, level = c(80, 95)),
      theta = thetaf(y, h = h, level = c(80, 95))), error = function(e) NULL)
    secs[[meth]] <- secs[[meth]] + proc.time()[["elapsed"]] - t0
    out[[meth]] <- bounds(fc, y)
  }
  out$mean <- (out$ets + out$arima + out$theta) / 3
  for (meth in names(out)) {
    b <- out[[meth]]
    rows <- c(rows, sprintf("%s,%s,%d,%.10g,%.10g,%.10g,%.10g,%.10g", meth, id, seq_len(h),
                            b[, 1], b[, 2], b[, 3], b[, 4], b[, 5]))
  }
}
writeLines(c("method,series_id,step,point,lo80,hi80,lo95,hi95", rows), args[2])
cat(sprintf("%d %.6f %.6f %.6f\n", length(ids), secs[["ets"]], secs[["arima"]], secs[["theta"]]))
"""

# The public series R ships (base R's datasets and the forecast package),
# each cut at up to four origins h apart so that every case keeps at least
# three seasons (or 20 values) of training data. Written as
# name@origin,freq,h,value... lines.
R_PUBLIC = r"""
suppressPackageStartupMessages(library(forecast))
sets <- list(AirPassengers = AirPassengers, co2 = co2, nottem = nottem, USAccDeaths = USAccDeaths,
             ldeaths = ldeaths, mdeaths = mdeaths, fdeaths = fdeaths, UKDriverDeaths = UKDriverDeaths,
             DriversKilled = Seatbelts[, "DriversKilled"], front = Seatbelts[, "front"],
             rear = Seatbelts[, "rear"], PetrolPrice = Seatbelts[, "PetrolPrice"],
             kms = Seatbelts[, "kms"], wineind = wineind, gas = gas,
             sunspot = window(sunspot.month, start = 1950), UKgas = UKgas, JohnsonJohnson = JohnsonJohnson,
             austres = austres, woolyrnq = woolyrnq, qgdp = window(log(EuStockMarkets[, 1]), deltat = 1/4),
             Nile = Nile, LakeHuron = LakeHuron, WWWusage = WWWusage, lynx = lynx, BJsales = BJsales,
             airmiles = airmiles, uspop = uspop, nhtemp = nhtemp, treering = window(treering, start = 1800))
out <- character(0)
for (nm in names(sets)) {
  y <- as.numeric(sets[[nm]]); m <- frequency(sets[[nm]])
  if (m != 12 && m != 4) m <- 1
  h <- if (m == 12) 18 else if (m == 4) 8 else 6
  minn <- max(3 * m, 20)
  for (k in 0:3) {
    end <- length(y) - k * h
    if (end - h < minn) break
    out <- c(out, paste(c(sprintf("%s@%d", nm, end), m, h, sprintf("%.10g", y[1:end])), collapse = ","))
  }
}
writeLines(out, commandArgs(TRUE)[1])
"""


def run_r(tmp, series, freq, h, label):
    """R's ets, auto.arima, thetaf and their mean on series; returns
    ({method: forecasts}, {method: seconds}) or None if R failed"""
    sub_in = os.path.join(tmp, "r_in_%s.csv" % label)
    write_input(sub_in, series, h, monthly=False)
    rs = os.path.join(tmp, "bench.R")
    open(rs, "w").write(R_SCRIPT)
    r_out = os.path.join(tmp, "r_fc_%s.csv" % label)
    res = subprocess.run(["Rscript", rs, sub_in, r_out, str(freq), str(h)], capture_output=True, text=True)
    if res.returncode != 0:
        print("R failed: " + res.stderr)
        return None
    _, t_ets, t_arima, t_theta = res.stdout.split()
    fc = {}
    with open(r_out) as f:
        next(f)
        for line in f:
            meth, sid, _, *vals = line.strip().split(",")
            fc.setdefault(meth, {}).setdefault(sid, []).append(tuple(float(v) for v in vals))
    secs = {"ets": float(t_ets), "arima": float(t_arima), "theta": float(t_theta)}
    secs["mean"] = sum(secs.values())
    return fc, secs


def print_table(title, rows):
    """rows of (label, ms per series, accuracy); the speed column is
    relative to R's ets when it is among the rows"""
    ref = next((ms for label, ms, _ in rows if label == "R ets"), None)
    print("\n" + title)
    print("%-22s %10s %9s %9s %8s %8s %7s %7s %8s" % ("", "ms/series", "fc/s", "x R ets", "MASE", "sMAPE",
                                                    "cov80", "cov95", "MSIS"))
    for label, ms, acc in rows:
        print("%-22s %10.2f %9.1f %9s %8.4f %8.3f %7.1f %7.1f %8.3f" % (
            label, ms, 1000.0 / ms if ms > 0 else float("inf"),
            "%.1f" % (ref / ms) if ref and ms > 0 else "", acc["mase"], acc["smape"], acc["cov80"],
            acc["cov95"], acc["msis"]))


def pooled(parts):
    """series-weighted mean of accuracy dicts [(count, acc)]"""
    tot = sum(c for c, _ in parts)
    return {k: sum(c * a[k] for c, a in parts) / tot for k in parts[0][1]}


def ours_on(binary, tmp, series, m, h, methods, label, jobs=1):
    """our methods on series; {method: (cpu seconds, forecasts)}"""
    global H
    inp = os.path.join(tmp, "o_in_%s.csv" % label)
    write_input(inp, series, h, monthly=False)
    out = {}
    keep = H
    H = h
    try:
        for method in methods:
            outp = os.path.join(tmp, "o_%s_%s.csv" % (label, method))
            dt, cpu, _ = run_forecast(binary, inp, outp, method, jobs, ["--season", str(m)])
            out[method] = (cpu if cpu == cpu else dt, read_forecasts(outp))
    finally:
        H = keep
    return out


def public_sets(tmp):
    """the public R series as {(m, h): [(id, kind, values)]}, or None"""
    path = os.path.join(tmp, "public.txt")
    rs = os.path.join(tmp, "public.R")
    open(rs, "w").write(R_PUBLIC)
    res = subprocess.run(["Rscript", rs, path], capture_output=True, text=True)
    if res.returncode != 0:
        print("R failed: " + res.stderr)
        return None
    groups = {}
    for line in open(path):
        sid, m, h, *vals = line.strip().split(",")
        groups.setdefault((int(m), int(h)), []).append((sid, "public", [float(v) for v in vals]))
    return groups


def compare(binary, tmp, groups, methods, title):
    """ours and R's on each (m, h) group; prints one pooled table"""
    rows = {}
    for (m, h), series in sorted(groups.items()):
        label = "%s_%d_%d" % (title.split()[0], m, h)
        ours = ours_on(binary, tmp, series, m, h, methods, label)
        r = run_r(tmp, series, m, h, label) if shutil.which("Rscript") else None
        for method, (secs, fc) in ours.items():
            rows.setdefault("ours " + method, []).append((len(series), secs, accuracy(series, fc, h, m)))
        if r:
            fc, secs = r
            for method in ("ets", "arima", "theta", "mean"):
                rows.setdefault("R " + {"arima": "auto.arima", "theta": "thetaf", "mean": "mean(ets,arima,theta)"}
                                .get(method, method), []).append((len(series), secs[method],
                                                                   accuracy(series, fc[method], h, m)))
    n = sum(len(s) for s in groups.values())
    table = [(label, 1000 * sum(p[1] for p in parts) / n, pooled([(p[0], p[2]) for p in parts]))
             for label, parts in rows.items()]
    print_table("%s: %d cases, one core, CPU ms per series (R: elapsed inside the method; ours: the whole "
                "process), accuracy pooled over cases" % (title, n), table)
    return table


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=3000)
    ap.add_argument("--r-series", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--methods", default="snaive,naive,drift,ets,theta,arima,comb,mean,auto")
    ap.add_argument("--compare", default="ets,theta,arima,comb,mean,auto",
                    help="our methods in the side-by-side tables")
    ap.add_argument("--no-public", action="store_true", help="skip the public R series")
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
        print("%-8s %8s %8s %9s %8s %8s %8s %7s %7s %8s %8s %9s" % (
            "method", "wall s", "CPU s", "series/s", "peak MB", "MASE", "sMAPE", "cov80", "cov95", "MSIS",
            "MASE/SN", "sMAPE/SN"))
        for method, (dt, cpu, rss, acc, _) in results.items():
            print("%-8s %8.2f %8.2f %9.1f %8.1f %8.4f %8.3f %7.1f %7.1f %8.3f %8.3f %9.3f" % (
                method, dt, cpu, len(series) / (cpu if cpu == cpu and cpu > 0 else dt), rss, acc["mase"],
                acc["smape"], acc["cov80"], acc["cov95"], acc["msis"], acc["mase"] / base["mase"],
                acc["smape"] / base["smape"]))
        # byte-for-byte reproducibility of the default method
        again = os.path.join(tmp, "again.csv")
        run_forecast(binary, inp, again, "auto", max(2, a.jobs))
        same = open(again, "rb").read() == open(os.path.join(tmp, "out_auto.csv"), "rb").read() \
            if "auto" in results else None
        print("rerun of auto with %d jobs byte-identical: %s" % (max(2, a.jobs), same))

        methods = a.compare.split(",") + ["snaive"]
        if a.r_series > 0:
            step = max(1, len(series) // a.r_series)
            sub = series[::step][:a.r_series]
            compare(binary, tmp, {(M, H): sub}, methods, "generated (every %d-th series)" % step)
        if not a.no_public and shutil.which("Rscript"):
            groups = public_sets(tmp)
            if groups:
                compare(binary, tmp, groups, methods, "public R series (monthly h=18, quarterly h=8, annual h=6)")
        if not shutil.which("Rscript"):
            print("Rscript not found: no side-by-side comparison with R (.ci/deps.sh forecast-ref installs it)")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
