/*
 * gen_world.c - the master data all sample files share.
 *
 * Kestrel Packaging Group: three sites, ~150 items, ~40 suppliers, ~60
 * customers, ~400 staff with hires and leavers, 15 projects with tasks. The
 * world is drawn from its own random stream (stream 0) and is small and fixed
 * in size, so every kind can refer to it and `--only KIND` writes the same
 * bytes as a full run. Names are chosen so Windows-1252 can encode them (the
 * HR export uses that code page); "Łódź" appears only in the UTF-8 files.
 */
#include "generate/gen.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

static const gen_site_t site_table[GEN_N_SITES] = {
    { "Łódź", "Lodz", "LDZ", 0.40 },
    { "Leeds", "Leeds", "LDS", 0.33 },
    { "Lyon", "Lyon", "LYN", 0.27 },
};

/* ---- names: every one encodable in Windows-1252 ---------------------------- */

static const char *const first_names[GEN_N_SITES][16] = {
    { "Marek", "Anna", "Tomasz", "Katarzyna", "Piotr", "Agnieszka", "Krzysztof", "Magdalena",
      "Andrzej", "Joanna", "Jan", "Ewa", "Adam", "Zofia", "Jakub", "Natalia" },
    { "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Emily", "Charlie",
      "Sophie", "Thomas", "Grace", "Chloë", "Siobhán", "Seán", "Priya" },
    { "Zoë", "José", "François", "Agnès", "Hélène", "Jérôme", "Mathilde", "Léa", "Chloé",
      "Théo", "Noël", "Anaïs", "Benoît", "Céline", "Lucas", "Camille" },
};

static const char *const last_names[GEN_N_SITES][16] = {
    { "Nowak", "Wójcik", "Mazur", "Krawczyk", "Pawlak", "Król", "Wieczorek", "Sikora",
      "Kaczmarek", "Górski", "Nowicki", "Majewski", "Olszewski", "Malinowski", "Rutkowski",
      "Jankowski" },
    { "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Roberts",
      "Walker", "Wright", "Patel", "Khan", "O'Brien", "Hughes", "Müller" },
    { "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Rousseau",
      "Mercier", "Núñez", "Fontaine", "Chevalier", "Faure", "Bonnet", "Lambert", "Müller" },
};

/* The three the brief names, pinned to the first employees of their sites. */
static const struct { const char *name; int site; } pinned_names[] = {
    { "Zoë Müller", 1 }, { "José Núñez", 2 }, { "François Lefèvre", 2 },
};

static const struct { const char *name; double share; bool books_time; } departments[] = {
    { "Production", 0.44, false }, { "Logistics", 0.14, false }, { "Quality", 0.06, false },
    { "Maintenance", 0.08, false }, { "Engineering", 0.05, true }, { "Sales", 0.08, false },
    { "Finance", 0.04, false },    { "HR", 0.02, false },         { "IT", 0.04, true },
    { "Procurement", 0.03, false }, { "Management", 0.02, false },
};

/* ---- items -------------------------------------------------------------------- */

static const struct { const char *style; const char *category; double cost_lo, cost_hi; } fg_styles[] = {
    { "Corrugated box %dx%dx%d mm, %d-ply", "Corrugated", 0.35, 2.80 },
    { "Folding carton %dx%dx%d mm, %d-colour", "Folding carton", 0.08, 0.60 },
    { "Shelf-ready tray %dx%dx%d mm, %d-ply", "Corrugated", 0.30, 1.40 },
    { "Flexible pouch %dx%dx%d mm, %d-layer", "Flexible", 0.04, 0.30 },
};

static const struct { const char *desc; const char *category; double cost_lo, cost_hi; int lead_lo, lead_hi; } rm_items[] = {
    { "Kraftliner reel 125 g/m² (t)", "Board", 620, 780, 14, 35 },
    { "Testliner reel 140 g/m² (t)", "Board", 540, 690, 14, 35 },
    { "Fluting medium 112 g/m² (t)", "Board", 500, 640, 14, 35 },
    { "White-top liner 135 g/m² (t)", "Board", 720, 900, 21, 42 },
    { "Folding boxboard GC2 300 g/m² (t)", "Board", 1150, 1400, 21, 49 },
    { "Recycled-fibre board 350 g/m² (t)", "Board", 760, 920, 14, 28 },
    { "Water-based ink, process cyan (kg)", "Ink & adhesive", 6, 11, 7, 21 },
    { "Water-based ink, process black (kg)", "Ink & adhesive", 5, 9, 7, 21 },
    { "Starch adhesive (kg)", "Ink & adhesive", 0.6, 1.1, 5, 14 },
    { "Hot-melt glue, low-temp (kg)", "Ink & adhesive", 3, 5, 7, 21 },
    { "Stretch film 23 µm (roll)", "Consumable", 18, 30, 5, 14 },
    { "Strapping, PP 12 mm (coil)", "Consumable", 25, 40, 5, 14 },
    { "EUR pallet 1200x800 (each)", "Consumable", 9, 15, 3, 10 },
    { "Kraft tape, 48 mm (roll)", "Consumable", 1.5, 3.0, 5, 14 },
    { "Corner board 50x50, 1 m (each)", "Consumable", 0.4, 0.8, 5, 14 },
    { "Die-cutting rule, 23.8 mm (m)", "Spare part", 4, 9, 10, 30 },
    { "Anvil cover, rotary die-cutter", "Spare part", 380, 620, 21, 60 },
    { "Corrugator belt, 2.5 m wide", "Spare part", 1900, 3200, 30, 90 },
    { "Servo motor, feeder unit", "Spare part", 850, 1500, 21, 75 },
    { "Anilox roller, 400 lpi", "Spare part", 2400, 4100, 35, 90 },
};

static const char *const supplier_names[][10] = {
    /* Board */
    { "Baltic Board Sp. z o.o.", "Nordkraft Papier GmbH", "Vistula Containerboard, S.A.",
      "Pennine Paper Mills Ltd", "Papeteries du Rhône SAS", "Scandia Liner AB",
      "Mazovia Fibre Sp. z o.o.", "Iberkraft S.L.", "Alpine Board AG", "Thames Fluting Ltd" },
    /* Ink & adhesive */
    { "Chromaflex Inks Ltd", "Encres Lumière SARL", "Adhesa Polska Sp. z o.o.",
      "StarchTec, Inc.", "Glueworks Europe BV", "Farben Köhler GmbH", "InkLine Supplies Ltd",
      "Colle & Co SAS", NULL, NULL },
    /* Consumable */
    { "Palletways Sourcing Ltd", "Stretchpak Sp. z o.o.", "Emballages Durand SAS",
      "Strapex Nordic AB", "Tape & Seal Ltd", "PackServ, LLC", "Holz-Paletten Weber GmbH",
      "Corners Direct Ltd", "Film Plast S.r.l.", "Carton Accessoires SA" },
    /* Spare part */
    { "Bobst Parts Service (EU)", "DieCut Solutions Ltd", "Rollentechnik Braun GmbH",
      "Servo Drives Polska Sp. z o.o.", "Anilox Experts BV", "Maintenance Plus SAS",
      "BeltCo Industrial Ltd", "Precision Rules Ltd", "Hydraulik Service GmbH",
      "Électro-Méca Lyon SARL" },
};
static const char *const supplier_categories[] = { "Board", "Ink & adhesive", "Consumable",
                                                   "Spare part" };

static const char *const customer_names[] = {
    "Nordic Foods AB", "Brauerei Falkenstein GmbH", "Greenfield Dairies Ltd",
    "Fromagerie des Alpes SA", "Biscuiterie Martin SAS", "Polmleko Sp. z o.o.",
    "Harbour Seafoods Ltd", "Sunvale Juices Ltd", "Maison Lavande SARL", "Vitapet GmbH",
    "Crisp & Co Snacks Ltd", "Zdrowa Żywność S.A.", "Clearwater Cosmetics Ltd",
    "Laboratoires Belair SA", "Hometech Appliances, Inc.", "Ogrody Pomorskie Sp. z o.o.",
    "Rhône Vignobles SCA", "Yorkshire Bakehouse Ltd", "Kraków Confectionery S.A.",
    "Pharma Nova Sp. z o.o.", "EcoClean Household BV", "Atlantic Beverages Ltd",
    "Délices de Provence SAS", "BrightBrew Coffee Ltd", "Mleczarnia Mazury",
    "Pet Planet Europe BV", "Garden Gourmet, S.L.", "Chocolaterie Royale SA",
    "Medisupply UK Ltd", "TechParts Logistics GmbH", "Bäckerei Sonnenschein GmbH",
    "Highland Spring Water Ltd", "Fresh Farm Poland Sp. z o.o.", "Savonnerie du Midi",
    "Northern Toys Ltd", "Electroplus S.A.", "Kawiarnia Roasters", "Olive Grove Foods Ltd",
    "Conserverie Bretonne SA", "Frozen Delights Ltd", "AutoParts Direct Sp. z o.o.",
    "Cidrerie Normande SARL", "Moorland Eggs Ltd", "Baltic Fish S.A.",
    "Parfums d'Azur SAS", "Greenleaf Tea Co.", "Browar Tatry Sp. z o.o.",
    "Pennine Pies Ltd", "Lyon Traiteur SAS", "Hygiene Pro GmbH",
    "Vinařství Morava s.r.o.", "Quick Meals Ltd", "Épicerie Fine Lumière",
    "Dairy Crest Farms Ltd", "Słodka Chwila Sp. z o.o.", "Oak & Barrel Distillers",
    "Pâtisserie Dumont", "Cornish Creamery Ltd", "Gdańsk Marine Foods", "Medica Lyon SA",
};

/* ---- projects ---------------------------------------------------------------- */

static const struct { const char *name; int site; int start, months; bool on_hold; } project_table[] = {
    { "Corrugator 3 upgrade", 0, 2, 14, false },
    { "Warehouse racking, Leeds", 1, 4, 8, false },
    { "Solar roof, Lyon", 2, 6, 10, false },
    { "Flexo press replacement", 0, 12, 16, false },
    { "ISO 22000 certification", 2, 10, 12, false },
    { "MES roll-out, phase 1", -1, 14, 15, false },
    { "ERP migration – Leeds & Lyon", -1, 22, 18, false },
    { "Line 2 automation, Leeds", 1, 26, 12, false },
    { "Energy monitoring", 0, 24, 11, false },
    { "Forklift fleet electrification", 1, 28, 9, false },
    { "Recycled-fibre board trial", 2, 30, 8, false },
    { "Cyber-security hardening", -1, 20, 12, true },
    { "New die-cutting cell, Lyon", 2, 33, 14, false },
    { "Customer portal", -1, 37, 6, false },
    { "Boiler replacement, Łódź", 0, 36, 5, false },
};
enum { OVERRUN_PROJECT = 6 };

static const char *const task_names[] = {
    "Business case and approval", "Requirements", "Design", "Supplier selection",
    "Procurement of equipment", "Installation", "Integration tests",
    "Site acceptance test\nand sign-off", "Training", "Go-live", "Hypercare",
    "Handover, lessons learned",
};
enum { N_TASK_NAMES = sizeof task_names / sizeof task_names[0] };

/* ---- helpers ----------------------------------------------------------------- */

void gen_month_ym(const gen_world_t *w, int index, int *y, int *m)
{
    int k = (w->first_y * 12 + (w->first_m - 1)) + index;
    *y = k / 12;
    *m = k % 12 + 1;
}

bool gen_employee_active(const gen_employee_t *e, gen_day_t day)
{
    return e->hire <= day && (e->leave == 0 || day <= e->leave);
}

double gen_season(int calendar_month)
{
    /* Packaging follows its customers: an August holiday dip, a Q4 peak. */
    static const double season[12] = { 0.95, 0.96, 1.00, 0.99, 1.01, 1.00,
                                       0.97, 0.84, 1.03, 1.09, 1.13, 1.05 };
    return season[calendar_month - 1];
}

double gen_revenue_expected(const gen_world_t *w, int site, int month_index)
{
    int y, m;
    gen_month_ym(w, month_index, &y, &m);
    const double group_base = 4620000.0; /* EUR per month at the start of history */
    return group_base * pow(1.06, month_index / 12.0) * gen_season(m) * w->sites[site].weight;
}

static int64_t cents_from(double eur)
{
    return (int64_t)llround(eur * 100.0);
}

static void build_items(gen_world_t *w, gsl_rng *r)
{
    int n = 0;
    for (int i = 0; i < 100; i++, n++) {
        gen_item_t *it = &w->items[n];
        int s = i % 4;
        int l = (int)gen_uniform_int(r, 15, 60) * 10, wd = (int)gen_uniform_int(r, 10, 40) * 10,
            h = (int)gen_uniform_int(r, 5, 40) * 10, ply = (int)gen_uniform_int(r, 3, 5);
        if (s == 1)
            ply = (int)gen_uniform_int(r, 2, 6);
        snprintf(it->sku, sizeof it->sku, "KP-%05d", 10001 + i);
        snprintf(it->description, sizeof it->description, fg_styles[s].style, l, wd, h, ply);
        it->category = fg_styles[s].category;
        double cost = fg_styles[s].cost_lo +
                      gsl_rng_uniform(r) * (fg_styles[s].cost_hi - fg_styles[s].cost_lo);
        it->unit_cost = cents_from(cost) < 1 ? 1 : cents_from(cost);
        it->price = cents_from(cost * (1.38 + 0.15 * gsl_rng_uniform(r)));
        it->lead_time_days = (int)gen_uniform_int(r, 5, 12);
        it->purchased = false;
    }
    /* 50 purchased items: each raw material in a few grades from different mills. */
    int nrm = (int)(sizeof rm_items / sizeof rm_items[0]);
    for (int i = 0; i < 50; i++, n++) {
        gen_item_t *it = &w->items[n];
        int k = i % nrm;
        int grade = i / nrm;
        snprintf(it->sku, sizeof it->sku, "RM-%05d", 20001 + i);
        if (grade == 0)
            snprintf(it->description, sizeof it->description, "%s", rm_items[k].desc);
        else
            snprintf(it->description, sizeof it->description, "%s, grade %c", rm_items[k].desc,
                     'A' + grade);
        it->category = rm_items[k].category;
        double cost = rm_items[k].cost_lo +
                      gsl_rng_uniform(r) * (rm_items[k].cost_hi - rm_items[k].cost_lo);
        it->unit_cost = cents_from(cost);
        it->price = 0;
        it->lead_time_days = (int)gen_uniform_int(r, rm_items[k].lead_lo, rm_items[k].lead_hi);
        it->purchased = true;
    }
    w->n_items = n;
}

static void build_suppliers(gen_world_t *w, gsl_rng *r)
{
    int n = 0;
    for (int c = 0; c < 4; c++)
        for (int j = 0; j < 10 && supplier_names[c][j]; j++) {
            gen_supplier_t *s = &w->suppliers[n++];
            snprintf(s->name, sizeof s->name, "%s", supplier_names[c][j]);
            s->category = supplier_categories[c];
            s->on_time = 0.86 + 0.12 * gsl_rng_uniform(r);
        }
    w->n_suppliers = n;
    w->late_supplier = 0; /* Baltic Board */
    w->suppliers[0].on_time = 0.95;
}

static const char *pick_department(gsl_rng *r, bool *books_time)
{
    double u = gsl_rng_uniform(r), acc = 0;
    size_t n = sizeof departments / sizeof departments[0];
    for (size_t i = 0; i < n; i++) {
        acc += departments[i].share;
        if (u < acc) {
            *books_time = departments[i].books_time;
            return departments[i].name;
        }
    }
    *books_time = departments[0].books_time;
    return departments[0].name;
}

static void add_employee(gen_world_t *w, gsl_rng *r, int site, gen_day_t hire)
{
    if (w->n_employees >= GEN_MAX_EMPLOYEES)
        return;
    int idx = w->n_employees++;
    gen_employee_t *e = &w->employees[idx];
    memset(e, 0, sizeof *e);
    snprintf(e->id, sizeof e->id, "E%05d", idx + 1);
    e->site = site;
    e->hire = hire;
    e->department = pick_department(r, &e->books_time);
    double u = gsl_rng_uniform(r);
    e->fte = u < 0.85 ? 1.0 : u < 0.93 ? 0.8 : u < 0.98 ? 0.6 : 0.5;
    const char *first = first_names[site][gsl_rng_uniform_int(r, 16)];
    const char *last = last_names[site][gsl_rng_uniform_int(r, 16)];
    snprintf(e->name, sizeof e->name, "%s %s", first, last);
    for (size_t p = 0; p < sizeof pinned_names / sizeof pinned_names[0]; p++) {
        /* The first employees of a site get the pinned names, in order. */
        int seen = 0;
        for (int j = 0; j < idx; j++)
            if (w->employees[j].site == site)
                seen++;
        int rank = 0;
        for (size_t q = 0; q < p; q++)
            if (pinned_names[q].site == site)
                rank++;
        if (pinned_names[p].site == site && seen == rank)
            snprintf(e->name, sizeof e->name, "%s", pinned_names[p].name);
    }
}

static void build_employees(gen_world_t *w, gsl_rng *r)
{
    const int initial = 385;
    gen_day_t floor_day = gen_day_from_ymd(1990, 1, 1);
    for (int s = 0; s < GEN_N_SITES; s++) {
        int n = (int)lround(initial * w->sites[s].weight);
        for (int i = 0; i < n; i++) {
            /* Tenure is roughly exponential with a mean of eight years. */
            gen_day_t hire = w->start - 1 - (gen_day_t)gsl_ran_exponential(r, 8 * 365.25);
            if (hire < floor_day)
                hire = floor_day + (gen_day_t)gen_uniform_int(r, 0, 3650);
            add_employee(w, r, s, hire);
        }
    }
    /* Month by month: leavers (about 12% a year) and hires (about 4.6 a month). */
    for (int mi = 0; mi < w->months; mi++) {
        int y, m;
        gen_month_ym(w, mi, &y, &m);
        gen_day_t first = gen_day_from_ymd(y, m, 1);
        int dim = gen_days_in_month(y, m);
        int existing = w->n_employees;
        for (int i = 0; i < existing; i++) {
            gen_employee_t *e = &w->employees[i];
            if (e->leave || e->hire > first)
                continue;
            if (gsl_rng_uniform(r) < 0.0105) {
                e->leave = first + (gen_day_t)gen_uniform_int(r, 0, dim - 1);
                e->voluntary = gsl_rng_uniform(r) < 0.7;
            }
        }
        unsigned hires = gsl_ran_poisson(r, 4.6);
        for (unsigned h = 0; h < hires; h++) {
            double u = gsl_rng_uniform(r);
            int s = u < w->sites[0].weight ? 0 : u < w->sites[0].weight + w->sites[1].weight ? 1 : 2;
            add_employee(w, r, s, first + (gen_day_t)gen_uniform_int(r, 0, dim - 1));
        }
    }
}

static int pick_manager(const gen_world_t *w, gsl_rng *r, int site, gen_day_t day)
{
    /* An engineer or IT person of the site, employed when the project starts. */
    for (int tries = 0; tries < 2000; tries++) {
        int i = (int)gsl_rng_uniform_int(r, (unsigned long)w->n_employees);
        const gen_employee_t *e = &w->employees[i];
        if ((site < 0 || e->site == site) && e->books_time && gen_employee_active(e, day))
            return i;
    }
    return 0;
}

static void build_projects(gen_world_t *w, gsl_rng *r)
{
    int np = (int)(sizeof project_table / sizeof project_table[0]);
    w->n_projects = 0;
    w->n_tasks = 0;
    w->overrun_project = OVERRUN_PROJECT;
    for (int p = 0; p < np; p++) {
        gen_project_t *pr = &w->projects[w->n_projects++];
        memset(pr, 0, sizeof *pr);
        snprintf(pr->id, sizeof pr->id, "PRJ-%03d", 101 + p);
        snprintf(pr->name, sizeof pr->name, "%s", project_table[p].name);
        pr->site = project_table[p].site;
        /* Offsets are written for 36 months of history; stretch them to --months. */
        int start_mi = (int)lround(project_table[p].start * w->months / 36.0);
        int y, m;
        gen_month_ym(w, start_mi, &y, &m);
        pr->start = gen_day_from_ymd(y, m, (int)gen_uniform_int(r, 1, 20));
        pr->end = pr->start + (gen_day_t)lround(project_table[p].months * 30.44);
        pr->manager = pick_manager(w, r, pr->site, pr->start < w->end ? pr->start : w->end);
        pr->overrun = p == OVERRUN_PROJECT ? 1.32 : 0.93 + 0.12 * gsl_rng_uniform(r);
        /* Tasks split the project span in order; every project ends with the last names. */
        int nt = (int)gen_uniform_int(r, 8, 12);
        pr->first_task = w->n_tasks;
        pr->n_tasks = nt;
        gen_day_t span = pr->end - pr->start;
        pr->budget = 0;
        for (int t = 0; t < nt && w->n_tasks < GEN_MAX_TASKS; t++) {
            gen_task_t *tk = &w->tasks[w->n_tasks++];
            memset(tk, 0, sizeof *tk);
            snprintf(tk->id, sizeof tk->id, "T%03d-%02d", 101 + p, t + 1);
            tk->project = p;
            /* Skip some middle steps on short task lists but always keep the last ones. */
            int name_idx = t < nt - 3 ? t : N_TASK_NAMES - (nt - t);
            snprintf(tk->name, sizeof tk->name, "%s", task_names[name_idx]);
            tk->start = pr->start + (gen_day_t)(span * t / nt);
            tk->finish = pr->start + (gen_day_t)(span * (t + 1) / nt) - 1;
            tk->milestone = !strcmp(tk->name, "Go-live");
            if (tk->milestone)
                tk->finish = tk->start;
            tk->planned_cost = tk->milestone ? 0
                                             : cents_from(gen_uniform_int(r, 4, 30) * 5000.0);
            pr->budget += tk->planned_cost;
        }
    }
}

ops_status_t gen_world_build(gen_world_t *w, unsigned long seed, int period_y, int period_m,
                             int months, double scale, ops_error_t *err)
{
    if (months < 1 || months > 240)
        return ops_error_set(err, OPS_ERR_USAGE, NULL, 0, "--months",
                             "expected 1 to 240 months, found %d", months);
    memset(w, 0, sizeof *w);
    w->seed = seed;
    w->scale = scale;
    w->months = months;
    w->last_y = period_y;
    w->last_m = period_m;
    int k = period_y * 12 + (period_m - 1) - (months - 1);
    w->first_y = k / 12;
    w->first_m = k % 12 + 1;
    w->start = gen_day_from_ymd(w->first_y, w->first_m, 1);
    w->end = gen_day_from_ymd(period_y, period_m, gen_days_in_month(period_y, period_m));
    memcpy(w->sites, site_table, sizeof site_table);
    size_t nc = sizeof customer_names / sizeof customer_names[0];
    for (size_t i = 0; i < nc && i < GEN_MAX_CUSTOMERS; i++)
        snprintf(w->customers[i], sizeof w->customers[i], "%s", customer_names[i]);
    w->n_customers = (int)(nc < GEN_MAX_CUSTOMERS ? nc : GEN_MAX_CUSTOMERS);

    gsl_rng *r = gen_rng_new(seed, 0);
    if (!r)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    build_items(w, r);
    build_suppliers(w, r);
    build_employees(w, r);
    build_projects(w, r);
    gsl_rng_free(r);
    return OPS_OK;
}
