/*
 * gen_people.c - people, service and governance files: employees, training,
 * timesheets, tickets, projects, tasks, risks, controls.
 *
 * Dialects: employees.csv and training.csv imitate an HR tool exporting
 * Windows-1252 with CRLF and dd-mm-yy dates (so the site is spelt "Lodz");
 * timesheets.csv carries Excel serial dates; tickets.csv is a service-desk
 * event log (one row per update, "YYYY-MM-DD HH:MM:SS"); the rest plain ISO
 * CSV, with a task name holding a line break and titles holding commas.
 *
 * Incidents: ticket volume 2.2x with slow first responses in the last month;
 * project PRJ-107 "ERP migration – Leeds & Lyon" runs ~32% over on cost.
 * Deliberate bad rows (tickets, last month): priorities "P5" and "P0" (High
 * would be read as P2 by the built-in vocabulary).
 */
#include "generate/gen.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

static int pick_site(const gen_world_t *w, gsl_rng *r)
{
    double u = gsl_rng_uniform(r), acc = 0;
    for (int s = 0; s < GEN_N_SITES - 1; s++) {
        acc += w->sites[s].weight;
        if (u < acc)
            return s;
    }
    return GEN_N_SITES - 1;
}

/* ---- employees ---------------------------------------------------------------- */

ops_status_t gen_employees(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    (void)r;
    static const char *const header[] = { "Employee No", "Full Name", "Location", "Department",
                                          "Start Date", "Termination Date",
                                          "Termination Reason", "FTE", NULL };
    ops_status_t rc = gen_header(out, header, err);
    char buf[32];
    for (int i = 0; i < w->n_employees && rc == OPS_OK; i++) {
        const gen_employee_t *e = &w->employees[i];
        gen_field(out, e->id);
        gen_field(out, e->name);
        gen_field(out, w->sites[e->site].name_ascii);
        gen_field(out, e->department);
        gen_field(out, gen_fmt_dmy_dash2(buf, e->hire));
        gen_field(out, e->leave ? gen_fmt_dmy_dash2(buf, e->leave) : "");
        gen_field(out, e->leave ? (e->voluntary ? "Voluntary" : "Involuntary") : "");
        gen_field(out, gen_fmt_fixed(buf, e->fte, 1));
        rc = gen_row_end(out, err);
    }
    return rc;
}

/* ---- training ----------------------------------------------------------------- */

typedef struct {
    const char *course;
    bool mandatory;
    int due_month, due_day;  /* yearly due date */
    const char *department;  /* NULL = everyone */
    double hours;
    double take_up;          /* optional courses: share of staff per year */
} course_t;

static const course_t courses[] = {
    { "Health & Safety – annual refresher", true, 3, 31, NULL, 2.0, 1.0 },
    { "Fire safety / Sécurité incendie", true, 9, 30, NULL, 1.5, 1.0 },
    { "Data protection (GDPR)", true, 6, 30, "Finance", 1.0, 1.0 },
    { "Data protection (GDPR)", true, 6, 30, "HR", 1.0, 1.0 },
    { "Data protection (GDPR)", true, 6, 30, "Sales", 1.0, 1.0 },
    { "Forklift licence renewal", true, 5, 15, "Logistics", 7.5, 1.0 },
    { "Food-contact hygiene (BRCGS)", true, 11, 30, "Production", 3.0, 1.0 },
    { "Food-contact hygiene (BRCGS)", true, 11, 30, "Quality", 3.0, 1.0 },
    { "Lean basics", false, 12, 15, NULL, 7.5, 0.08 },
    { "Excel for analysts", false, 10, 31, NULL, 4.0, 0.05 },
    { "Leadership essentials", false, 7, 15, NULL, 15.0, 0.03 },
};

ops_status_t gen_training(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Record ID", "Employee No", "Course", "Mandatory",
                                          "Due Date", "Completion Date", "Hours", NULL };
    ops_status_t rc = gen_header(out, header, err);
    char buf[32];
    long seq = 0;
    gen_day_t horizon = w->end + 92; /* upcoming deadlines are exported too */
    for (int y = w->first_y; y <= w->last_y + 1 && rc == OPS_OK; y++)
        for (size_t c = 0; c < sizeof courses / sizeof courses[0] && rc == OPS_OK; c++) {
            const course_t *co = &courses[c];
            gen_day_t due = gen_day_from_ymd(y, co->due_month, co->due_day);
            if (due < w->start || due > horizon)
                continue;
            for (int i = 0; i < w->n_employees && rc == OPS_OK; i++) {
                const gen_employee_t *e = &w->employees[i];
                if (!gen_employee_active(e, due - 60) || !gen_employee_active(e, due))
                    continue;
                if (co->department && strcmp(co->department, e->department) != 0)
                    continue;
                if (!co->mandatory && gsl_rng_uniform(r) >= co->take_up)
                    continue;
                double u = gsl_rng_uniform(r);
                gen_day_t done = u < 0.88 ? due - (gen_day_t)gen_uniform_int(r, 0, 60)
                               : u < 0.95 ? due + (gen_day_t)gen_uniform_int(r, 1, 45)
                                          : 0; /* never done: overdue */
                if (done > w->end)
                    done = 0;
                snprintf(buf, sizeof buf, "TR-%06ld", ++seq);
                gen_field(out, buf);
                gen_field(out, e->id);
                gen_field(out, co->course);
                gen_field(out, co->mandatory ? "Y" : "N");
                gen_field(out, gen_fmt_dmy_dash2(buf, due));
                gen_field(out, done ? gen_fmt_dmy_dash2(buf, done) : "");
                gen_field(out, done ? gen_fmt_fixed(buf, co->hours, 1) : "");
                rc = gen_row_end(out, err);
            }
        }
    return rc;
}

/* ---- timesheets --------------------------------------------------------------- */

ops_status_t gen_timesheets(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Resource ID", "Project Code", "Work Date", "Hours",
                                          "Billable", NULL };
    ops_status_t rc = gen_header(out, header, err);
    long split = gen_scaled(1.0, w->scale);
    char buf[32];
    for (gen_day_t d = w->start; d <= w->end && rc == OPS_OK; d++) {
        if (gen_weekday(d) >= 5)
            continue;
        long serial = (long)d + 25569; /* Excel: days since 1899-12-30 */
        for (int i = 0; i < w->n_employees && rc == OPS_OK; i++) {
            const gen_employee_t *e = &w->employees[i];
            if (!e->books_time || !gen_employee_active(e, d) || gsl_rng_uniform(r) < 0.1)
                continue; /* about 10% of days are leave or sickness */
            /* A project of the employee's site (or group-wide) running that day. */
            int candidates[GEN_MAX_PROJECTS], nc = 0;
            for (int p = 0; p < w->n_projects; p++) {
                const gen_project_t *pr = &w->projects[p];
                if (pr->start <= d && d <= pr->end && (pr->site < 0 || pr->site == e->site))
                    candidates[nc++] = p;
            }
            int project = nc > 0 && gsl_rng_uniform(r) < 0.6
                              ? candidates[gsl_rng_uniform_int(r, (unsigned long)nc)]
                              : -1;
            double day_hours = 8.0 * e->fte;
            double project_hours = project >= 0 ? 0.5 * (double)gen_uniform_int(r, 4, 12) : 0.0;
            if (project_hours > day_hours)
                project_hours = day_hours;
            for (int part = 0; part < 2 && rc == OPS_OK; part++) {
                double h = part == 0 ? project_hours : day_hours - project_hours;
                if (h <= 0)
                    continue;
                for (long k = 0; k < split && rc == OPS_OK; k++) {
                    gen_field(out, e->id);
                    gen_field(out, part == 0 ? w->projects[project].id : "");
                    gen_fieldf(out, "%ld", serial);
                    gen_field(out, gen_fmt_fixed(buf, h / (double)split, 2));
                    gen_field(out, part == 0 ? "TRUE" : "FALSE");
                    rc = gen_row_end(out, err);
                }
            }
        }
    }
    return rc;
}

/* ---- tickets ------------------------------------------------------------------ */

typedef struct {
    char id[32];
    int64_t created, first_response, resolved; /* 0 = not yet */
    const char *priority, *channel, *site, *status;
    int csat;                                   /* 0 = none */
    bool reopened;
} ticket_state_t;

static ops_status_t write_ticket(gen_writer_t *out, const ticket_state_t *t, int64_t updated,
                                 ops_error_t *err)
{
    char buf[32];
    gen_field(out, t->id);
    gen_field(out, gen_fmt_ts_space(buf, updated));
    gen_field(out, gen_fmt_ts_space(buf, t->created));
    gen_field(out, t->first_response ? gen_fmt_ts_space(buf, t->first_response) : "");
    gen_field(out, t->resolved ? gen_fmt_ts_space(buf, t->resolved) : "");
    gen_field(out, t->priority);
    gen_field(out, t->channel);
    gen_field(out, t->status);
    if (t->csat)
        gen_fieldf(out, "%d", t->csat);
    else
        gen_field(out, "");
    gen_field(out, t->reopened ? "true" : "false");
    gen_field(out, t->site);
    return gen_row_end(out, err);
}

ops_status_t gen_tickets(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Ticket", "Updated", "Opened", "First Response",
                                          "Resolved", "Priority", "Channel", "State", "CSAT",
                                          "Reopened", "Site", NULL };
    static const char *const priorities[] = { "P1", "P2", "P3", "P4" };
    static const double priority_cdf[] = { 0.03, 0.18, 0.68, 1.0 };
    static const double response_h[] = { 1, 4, 8, 24 };     /* SLA: first response */
    static const double resolve_h[] = { 8, 24, 72, 120 };   /* SLA: resolution */
    static const char *const channels[] = { "email", "portal", "phone", "chat" };
    static const double channel_cdf[] = { 0.4, 0.7, 0.9, 1.0 };
    ops_status_t rc = gen_header(out, header, err);
    int64_t horizon = ((int64_t)w->end + 1) * 86400 - 1; /* the export runs at month end */
    long seq = 0;
    for (int mi = 0; mi < w->months && rc == OPS_OK; mi++) {
        int y, m;
        gen_month_ym(w, mi, &y, &m);
        bool spike = mi == w->months - 1; /* the incident */
        long n = gen_scaled(150.0 * (spike ? 2.2 : 1.0), w->scale);
        gen_day_t first = gen_day_from_ymd(y, m, 1);
        int dim = gen_days_in_month(y, m);
        for (long k = 0; k < n && rc == OPS_OK; k++) {
            ticket_state_t t;
            memset(&t, 0, sizeof t);
            snprintf(t.id, sizeof t.id, "INC%07ld", ++seq);
            gen_day_t d = first + (gen_day_t)gsl_rng_uniform_int(r, (unsigned long)dim);
            /* Mostly office hours on weekdays. */
            int hour = gsl_rng_uniform(r) < 0.85 ? (int)gen_uniform_int(r, 8, 17) : (int)gen_uniform_int(r, 0, 23);
            t.created = (int64_t)d * 86400 + hour * 3600 + gen_uniform_int(r, 0, 59) * 60;
            double u = gsl_rng_uniform(r);
            int p = 0;
            while (u >= priority_cdf[p])
                p++;
            t.priority = priorities[p];
            u = gsl_rng_uniform(r);
            int c = 0;
            while (u >= channel_cdf[c])
                c++;
            t.channel = channels[c];
            t.site = gsl_rng_uniform(r) < 0.05 ? "N/A" : w->sites[pick_site(w, r)].name;
            t.status = "open";
            if (spike && k < 2) {
                /* Deliberate bad rows: see the list in generate.c. */
                ticket_state_t bad = t;
                bad.priority = k == 0 ? "P5" : "P0";
                rc = write_ticket(out, &bad, t.created, err);
                continue;
            }
            if (t.created > horizon)
                continue;
            rc = write_ticket(out, &t, t.created, err);
            /* Exponential response times: ~6% miss the SLA normally, ~45% in the spike. */
            double resp = gsl_ran_exponential(r, response_h[p] * (spike ? 1.3 : 0.35)) * 3600;
            int64_t fr = t.created + 60 + (int64_t)resp;
            if (rc != OPS_OK || fr > horizon)
                continue;
            t.first_response = fr;
            t.status = "pending";
            rc = write_ticket(out, &t, fr, err);
            int64_t res = fr + 300 + (int64_t)(gsl_ran_exponential(r, resolve_h[p] * 0.4) * 3600);
            if (rc != OPS_OK || res > horizon)
                continue;
            t.resolved = res;
            t.status = "resolved";
            t.csat = gsl_rng_uniform(r) < 0.3 ? (int)(1 + gsl_ran_binomial(r, spike ? 0.55 : 0.8, 4)) : 0;
            rc = write_ticket(out, &t, res, err);
            if (rc == OPS_OK && gsl_rng_uniform(r) < 0.04) {
                int64_t reopen = res + (int64_t)gen_uniform_int(r, 2, 48) * 3600;
                if (reopen > horizon)
                    continue;
                t.reopened = true;
                t.resolved = 0;
                t.status = "open";
                t.csat = 0;
                rc = write_ticket(out, &t, reopen, err);
                int64_t again = reopen + (int64_t)(gsl_ran_exponential(r, 24) * 3600);
                if (rc != OPS_OK || again > horizon)
                    continue;
                t.resolved = again;
                t.status = "resolved";
                rc = write_ticket(out, &t, again, err);
                res = again;
            }
            if (rc == OPS_OK && gsl_rng_uniform(r) < 0.3) {
                int64_t closed = res + 5 * 86400;
                if (closed > horizon)
                    continue;
                t.status = "closed";
                rc = write_ticket(out, &t, closed, err);
            }
        }
    }
    return rc;
}

/* ---- projects and tasks -------------------------------------------------------- */

/* The day a project's progress is measured at: the export date, or the day it was put on hold. */
static gen_day_t project_eval_day(const gen_world_t *w, const gen_project_t *pr, bool on_hold)
{
    if (on_hold)
        return pr->start + (gen_day_t)((pr->end - pr->start) * 55 / 100);
    return w->end;
}

static bool project_on_hold(const gen_project_t *pr)
{
    return !strcmp(pr->name, "Cyber-security hardening");
}

ops_status_t gen_projects(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    (void)r;
    static const char *const header[] = { "Project ID", "Project Name", "Project Manager",
                                          "Site", "Budget (EUR)", "Start", "Finish", "Status",
                                          NULL };
    ops_status_t rc = gen_header(out, header, err);
    char buf[32];
    for (int p = 0; p < w->n_projects && rc == OPS_OK; p++) {
        const gen_project_t *pr = &w->projects[p];
        const char *status = pr->start > w->end      ? "planned"
                           : project_on_hold(pr)     ? "on_hold"
                           : pr->end + 30 < w->end   ? "closed"
                                                     : "active";
        gen_field(out, pr->id);
        gen_field(out, pr->name);
        gen_field(out, w->employees[pr->manager].name);
        gen_field(out, pr->site < 0 ? "-" : w->sites[pr->site].name);
        gen_field(out, gen_fmt_cents(buf, pr->budget, false));
        gen_field(out, gen_fmt_iso(buf, pr->start));
        gen_field(out, gen_fmt_iso(buf, pr->end));
        gen_field(out, status);
        rc = gen_row_end(out, err);
    }
    return rc;
}

ops_status_t gen_tasks(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Task ID", "Project", "Task Name", "Baseline Start",
                                          "Baseline Finish", "Finish", "Baseline Cost",
                                          "Actual Cost", "% Complete", "Milestone", NULL };
    ops_status_t rc = gen_header(out, header, err);
    char buf[32];
    for (int i = 0; i < w->n_tasks && rc == OPS_OK; i++) {
        const gen_task_t *tk = &w->tasks[i];
        const gen_project_t *pr = &w->projects[tk->project];
        bool overrun = tk->project == w->overrun_project;
        gen_day_t eval = project_eval_day(w, pr, project_on_hold(pr));
        double pct;
        gen_day_t finish = 0; /* actual, or forecast while running */
        gen_day_t slip = overrun ? (gen_day_t)gen_uniform_int(r, 10, 40)
                                 : (gen_day_t)gen_uniform_int(r, -5, 15);
        double cost_factor = pr->overrun * gen_lognoise(r, 0.08);
        if (tk->start > eval) {
            pct = 0;
        } else if (tk->finish + slip <= eval) {
            pct = 100;
            finish = tk->finish + slip;
        } else {
            double span = (double)(tk->finish + slip - tk->start) + 1.0;
            pct = floor(100.0 * (double)(eval - tk->start) / span);
            finish = tk->finish + slip; /* forecast */
        }
        gen_field(out, tk->id);
        gen_field(out, pr->id);
        gen_field(out, tk->name);
        gen_field(out, gen_fmt_iso(buf, tk->start));
        gen_field(out, gen_fmt_iso(buf, tk->finish));
        gen_field(out, finish ? gen_fmt_iso(buf, finish) : "");
        gen_field(out, gen_fmt_cents(buf, tk->planned_cost, false));
        if (pct > 0)
            gen_field(out, gen_fmt_cents(buf, llround((double)tk->planned_cost * cost_factor * pct / 100.0), false));
        else
            gen_field(out, "NA");
        gen_field(out, gen_fmt_fixed(buf, pct, 0));
        gen_field(out, tk->milestone ? "Yes" : "No");
        rc = gen_row_end(out, err);
    }
    return rc;
}

/* ---- risks -------------------------------------------------------------------- */

static const struct { const char *title; const char *category; } risk_templates[] = {
    { "Board price increase above 10%, squeezing margin", "Financial" },
    { "Single-source supply of white-top liner", "Supply chain" },
    { "Corrugator breakdown during Q4 peak", "Operational" },
    { "Loss of key customer contract", "Financial" },
    { "Ransomware attack on production systems", "IT/Cyber" },
    { "Forklift collision in warehouse", "HSE" },
    { "Food-contact certification lapse", "Compliance" },
    { "Energy price spike, gas and electricity", "Financial" },
    { "Skilled operator shortage, night shift", "People" },
    { "ERP migration delays month-end close", "IT/Cyber" },
    { "Customer claims for print defects", "Operational" },
    { "Haulier capacity shortage in December", "Supply chain" },
    { "GDPR breach through lost laptop", "Compliance" },
    { "Fire in board reel store", "HSE" },
    { "FX exposure on GBP and PLN sales", "Financial" },
    { "Obsolete stock of discontinued SKUs", "Operational" },
    { "Dust explosion risk, die-cutting cell", "HSE" },
    { "Ageing boiler, unplanned outage", "Operational" },
    { "Late deliveries from board mills", "Supply chain" },
    { "Knowledge loss, retiring maintenance lead", "People" },
};

ops_status_t gen_risks(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Risk ID", "Title", "Owner", "Category", "Site",
                                          "Date Raised", "Likelihood", "Impact",
                                          "Exposure (EUR)", "Mitigation Due", "Status", NULL };
    ops_status_t rc = gen_header(out, header, err);
    int nt = (int)(sizeof risk_templates / sizeof risk_templates[0]);
    char buf[32], title[160];
    for (int i = 0; i < 60 && rc == OPS_OK; i++) {
        int site = i % 4 == 3 ? -1 : i % 3; /* a quarter group-wide */
        snprintf(title, sizeof title, "%s", risk_templates[i % nt].title);
        gen_day_t raised = w->start + (gen_day_t)gsl_rng_uniform_int(r, (unsigned long)(w->end - w->start + 1));
        if (i == 18) {
            /* The late-supplier risk is raised when the deliveries turn late. */
            snprintf(title, sizeof title, "Late deliveries from %s, board shortage",
                     w->suppliers[w->late_supplier].name);
            site = 0;
            raised = w->end - 40;
        }
        int owner;
        do
            owner = (int)gsl_rng_uniform_int(r, (unsigned long)w->n_employees);
        while (!gen_employee_active(&w->employees[owner], w->end));
        double age = (double)(w->end - raised) / 365.0;
        double u = gsl_rng_uniform(r);
        const char *status = u < 0.5 * age ? "closed" : u < 0.5 * age + 0.4 ? "mitigating" : "open";
        if (i == 18)
            status = "open";
        int likelihood = (int)gen_uniform_int(r, 1, 5), impact = (int)gen_uniform_int(r, 1, 5);
        if (i == 18) {
            likelihood = 4;
            impact = 4;
        }
        gen_day_t due = raised + (gen_day_t)gen_uniform_int(r, 30, 240);
        snprintf(buf, sizeof buf, "R-%03d", i + 1);
        gen_field(out, buf);
        gen_field(out, title);
        gen_field(out, w->employees[owner].name);
        gen_field(out, risk_templates[i % nt].category);
        gen_field(out, site < 0 ? "N/A" : w->sites[site].name);
        gen_field(out, gen_fmt_iso(buf, raised));
        gen_fieldf(out, "%d", likelihood);
        gen_fieldf(out, "%d", impact);
        if (gsl_rng_uniform(r) < 0.15)
            gen_field(out, "-"); /* not quantified */
        else
            gen_field(out, gen_fmt_cents(buf, (int64_t)gen_uniform_int(r, 5, 800) * 100000, false));
        gen_field(out, i % 7 == 5 ? "" : gen_fmt_iso(buf, due));
        gen_field(out, status);
        rc = gen_row_end(out, err);
    }
    return rc;
}

/* ---- controls ----------------------------------------------------------------- */

static const char *const control_areas[] = {
    "Financial reporting", "ISO 9001 quality", "ISO 14001 environment",
    "Food contact (BRCGS)", "Data protection (GDPR)", "Health & Safety",
    "IT general controls", "Procurement, segregation of duties", "Treasury",
};

ops_status_t gen_controls(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Control ID", "Area", "Control Owner", "Status",
                                          "Last Tested", "Next Audit", "Open Findings",
                                          "Oldest Finding", NULL };
    ops_status_t rc = gen_header(out, header, err);
    int na = (int)(sizeof control_areas / sizeof control_areas[0]);
    char buf[32];
    for (int i = 0; i < 80 && rc == OPS_OK; i++) {
        int owner;
        do
            owner = (int)gsl_rng_uniform_int(r, (unsigned long)w->n_employees);
        while (!gen_employee_active(&w->employees[owner], w->end));
        double u = gsl_rng_uniform(r);
        const char *status = u < 0.75 ? "compliant" : u < 0.9 ? "non_compliant" : "not_tested";
        bool tested = strcmp(status, "not_tested") != 0;
        gen_day_t last = w->end - (gen_day_t)gen_uniform_int(r, 10, 400);
        /* Yearly audits; a not-tested control is due within the quarter or overdue. */
        gen_day_t next = tested ? last + 365 : w->end + (gen_day_t)gen_uniform_int(r, -60, 90);
        int findings = !strcmp(status, "non_compliant") ? (int)gen_uniform_int(r, 1, 5)
                     : tested && gsl_rng_uniform(r) < 0.1 ? 1 : 0;
        gen_day_t oldest = findings ? last - (gen_day_t)gen_uniform_int(r, 0, 200) : 0;
        snprintf(buf, sizeof buf, "C-%03d", i + 1);
        gen_field(out, buf);
        gen_field(out, control_areas[i % na]);
        gen_field(out, w->employees[owner].name);
        gen_field(out, status);
        gen_field(out, tested ? gen_fmt_iso(buf, last) : "N/A");
        gen_field(out, gen_fmt_iso(buf, next));
        gen_fieldf(out, "%d", findings);
        gen_field(out, findings ? gen_fmt_iso(buf, oldest) : "");
        rc = gen_row_end(out, err);
    }
    return rc;
}
