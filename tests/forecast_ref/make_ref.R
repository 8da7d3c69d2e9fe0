#!/usr/bin/env Rscript
# make_ref.R - regenerates the R reference CSVs that tests/unit/test_forecast_ref.c
# compares with. Needs r-base-core and r-cran-forecast (Debian). Run from the
# repository root:  Rscript tests/forecast_ref/make_ref.R
# Outputs (all in tests/forecast_ref/):
#   series.csv  series,m,t,value                 the classic series shipped with R
#   ets_fit.csv series,model,alpha,beta,gamma,phi,loglik,aicc,sigma2,states
#               one row per (series, ETS model) that R fits; states = R's
#               initstate (l, b, s[0..m-1]) separated by spaces
#   ets_fc.csv  series,model,step,point,lo80,hi80,lo95,hi95   forecast(fit, h)
#   ets_auto.csv series,model,aicc,seconds       R's automatic ets() choice
#   theta.csv   series,step,point,lo80,hi80,lo95,hi95          thetaf(y, h)
#   arima_fit.csv series,spec,coef,loglik,aicc,sigma2  Arima() for a few fixed
#               orders per series; spec = p d q P D Q constant (0/1), coef =
#               ar ma sar sma then the constant (mean, or drift per step),
#               space-separated
#   arima_fc.csv series,spec,step,point,lo80,hi80,lo95,hi95  forecast(fit, h)
#   arima_auto.csv series,model,aicc,seconds   auto.arima(y) (default settings)
suppressPackageStartupMessages(library(forecast))
out <- "tests/forecast_ref"
fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.10g", x))
series <- list(AirPassengers = AirPassengers, UKgas = UKgas, USAccDeaths = USAccDeaths,
               nottem = nottem, co2 = co2, Nile = Nile, WWWusage = WWWusage,
               LakeHuron = LakeHuron)
s_rows <- c("series,m,t,value"); f_rows <- c("series,model,alpha,beta,gamma,phi,loglik,aicc,sigma2,states")
c_rows <- c("series,model,step,point,lo80,hi80,lo95,hi95"); a_rows <- c("series,model,aicc,seconds")
t_rows <- c("series,step,point,lo80,hi80,lo95,hi95")
af_rows <- c("series,spec,coef,loglik,aicc,sigma2"); ac_rows <- c("series,spec,step,point,lo80,hi80,lo95,hi95")
aa_rows <- c("series,model,aicc,seconds")
arima_specs <- function(m) {
  s <- list(c(1, 0, 1, 0, 0, 0, 1), c(0, 1, 1, 0, 0, 0, 1), c(2, 1, 0, 0, 0, 0, 0))
  if (m > 1) s <- c(s, list(c(0, 1, 1, 0, 1, 1, 0), c(1, 0, 0, 1, 1, 0, 1), c(1, 1, 1, 1, 1, 1, 0)))
  s
}
for (name in names(series)) {
  y <- series[[name]]; m <- frequency(y); n <- length(y)
  h <- if (m > 1) 2 * m else 10
  s_rows <- c(s_rows, sprintf("%s,%d,%d,%s", name, m, seq_len(n), fmt(as.numeric(y))))
  errs <- c("A", "M"); trends <- c("N", "A", "Ad"); seasons <- if (m > 1) c("N", "A", "M") else "N"
  for (e in errs) for (tr in trends) for (s in seasons) {
    if (e == "A" && s == "M") next
    code <- paste0(e, substr(tr, 1, 1), s); damped <- tr == "Ad"
    fit <- tryCatch(ets(y, model = code, damped = damped), error = function(err) NULL)
    if (is.null(fit)) next
    p <- fit$par
    g <- function(k) if (k %in% names(p)) p[[k]] else NA
    label <- paste0(e, tr, s)
    f_rows <- c(f_rows, paste(name, label, fmt(g("alpha")), fmt(g("beta")), fmt(g("gamma")),
                              fmt(g("phi")), fmt(fit$loglik), fmt(fit$aicc), fmt(fit$sigma2),
                              paste(fmt(fit$initstate), collapse = " "), sep = ","))
    fc <- forecast(fit, h = h, level = c(80, 95))
    c_rows <- c(c_rows, sprintf("%s,%s,%d,%s,%s,%s,%s,%s", name, label, seq_len(h),
                                fmt(as.numeric(fc$mean)), fmt(fc$lower[, 1]), fmt(fc$upper[, 1]),
                                fmt(fc$lower[, 2]), fmt(fc$upper[, 2])))
  }
  t0 <- proc.time()[["elapsed"]]; auto <- ets(y); secs <- proc.time()[["elapsed"]] - t0
  a_rows <- c(a_rows, paste(name, gsub(" ", "", auto$method), fmt(auto$aicc), fmt(secs), sep = ","))
  for (sp in arima_specs(m)) {
    fit <- tryCatch(Arima(y, order = sp[1:3], seasonal = sp[4:6],
                          include.mean = sp[7] == 1 && sp[2] + sp[5] == 0,
                          include.drift = sp[7] == 1 && sp[2] + sp[5] == 1),
                    error = function(err) NULL)
    if (is.null(fit)) next
    label <- paste(sp, collapse = " ")
    af_rows <- c(af_rows, paste(name, label, paste(fmt(coef(fit)), collapse = " "), fmt(fit$loglik),
                                fmt(fit$aicc), fmt(fit$sigma2), sep = ","))
    fc <- forecast(fit, h = h, level = c(80, 95))
    ac_rows <- c(ac_rows, sprintf("%s,%s,%d,%s,%s,%s,%s,%s", name, label, seq_len(h),
                                  fmt(as.numeric(fc$mean)), fmt(fc$lower[, 1]), fmt(fc$upper[, 1]),
                                  fmt(fc$lower[, 2]), fmt(fc$upper[, 2])))
  }
  t0 <- proc.time()[["elapsed"]]; aa <- auto.arima(y); secs <- proc.time()[["elapsed"]] - t0
  aa_rows <- c(aa_rows, paste(name, as.character(aa), fmt(aa$aicc), fmt(secs), sep = ","))
  th <- thetaf(y, h = h, level = c(80, 95))
  t_rows <- c(t_rows, sprintf("%s,%d,%s,%s,%s,%s,%s", name, seq_len(h), fmt(as.numeric(th$mean)),
                              fmt(th$lower[, 1]), fmt(th$upper[, 1]), fmt(th$lower[, 2]), fmt(th$upper[, 2])))
}
writeLines(s_rows, file.path(out, "series.csv")); writeLines(f_rows, file.path(out, "ets_fit.csv"))
writeLines(c_rows, file.path(out, "ets_fc.csv")); writeLines(a_rows, file.path(out, "ets_auto.csv"))
writeLines(t_rows, file.path(out, "theta.csv"))
writeLines(af_rows, file.path(out, "arima_fit.csv")); writeLines(ac_rows, file.path(out, "arima_fc.csv"))
writeLines(aa_rows, file.path(out, "arima_auto.csv"))
cat(sprintf("forecast %s, R %s\n", packageVersion("forecast"), getRversion()))
