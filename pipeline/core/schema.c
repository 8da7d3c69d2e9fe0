/*
 * schema.c - the tables of logical fields for every input kind.
 *
 * The order of each table matches the index enums in schema.h; the
 * _Static_asserts below check the counts, tests/unit/test_schema.c the names.
 */
#include "opsreport/schema.h"

#include <strings.h>

/* Trailing arguments are designated initializers: .synonyms, .used_by, .vocab */
#define TEXT(n, req, d, ...) { .name = n, .type = FT_TEXT, .required = req, .doc = d, __VA_ARGS__ }
#define INT(n, req, lo, hi, d, ...) \
    { .name = n, .type = FT_INT, .required = req, .has_range = true, .min = lo, .max = hi, .doc = d, __VA_ARGS__ }
#define DEC(n, req, lo, hi, d, ...) \
    { .name = n, .type = FT_DECIMAL, .required = req, .has_range = true, .min = lo, .max = hi, .doc = d, __VA_ARGS__ }
#define MONEY(n, req, d, ...) { .name = n, .type = FT_MONEY, .required = req, .doc = d, __VA_ARGS__ }
#define DATE(n, req, d, ...) { .name = n, .type = FT_DATE, .required = req, .doc = d, __VA_ARGS__ }
#define TS(n, req, d, ...) { .name = n, .type = FT_TIMESTAMP, .required = req, .doc = d, __VA_ARGS__ }
#define ENUM(n, req, vals, voc, d, ...) \
    { .name = n, .type = FT_ENUM, .required = req, .enum_values = vals, .vocab = voc, .doc = d, __VA_ARGS__ }
#define BOOL(n, req, d, ...) { .name = n, .type = FT_BOOL, .required = req, .doc = d, __VA_ARGS__ }
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const account_types[] = { "revenue", "cogs", "opex", NULL };
static const char *const priorities[] = { "P1", "P2", "P3", "P4", NULL };
static const char *const ticket_statuses[] = { "open", "pending", "resolved", "closed", NULL };
static const char *const leave_reasons[] = { "voluntary", "involuntary", NULL };
static const char *const project_statuses[] = { "planned", "active", "on_hold", "closed", NULL };
static const char *const risk_statuses[] = { "open", "mitigating", "closed", NULL };
static const char *const control_statuses[] = { "compliant", "non_compliant", "not_tested", NULL };

/* Built-in vocabularies: how common tools spell each enum value (lower case,
 * '|'-separated; matched case-insensitively with spaces, '-' and '_' alike).
 * Sources: Jira priorities and statuses, ServiceNow incident priorities and
 * states, GitHub issue states, German/French/Spanish budget and ledger labels. */
static const char *const account_type_vocab[] = {
    "income|revenues|sales|turnover|erlöse|erlose|erträge|ertrage|einnahmen|einnahme|einzahlungen|produits|recettes|ingresos|ricavi|entrate",
    "cost of sales|cost of goods sold|cost_of_sales|cost of revenue|materialaufwand|wareneinsatz|herstellungskosten|coût des ventes|costo de ventas",
    "expense|expenses|expenditure|expenditures|cost|costs|operating expense|operating expenses|overhead|aufwand|aufwendungen|ausgaben|ausgabe|auszahlungen|kosten|charges|dépenses|depenses|gastos|spese|uscite",
};
static const char *const priority_vocab[] = {
    "1|p1|critical|blocker|highest|urgent|emergency|1 - critical|1-critical|prio 1|sev1|sev 1|severity 1|very high",
    "2|p2|high|major|2 - high|2-high|prio 2|sev2|sev 2|severity 2",
    "3|p3|medium|moderate|normal|3 - moderate|3 - medium|3-moderate|prio 3|sev3|sev 3|severity 3",
    "4|p4|low|minor|trivial|lowest|planning|4 - low|5 - planning|4-low|prio 4|sev4|sev 4|severity 4|5",
};
static const char *const ticket_status_vocab[] = {
    "new|open|opened|active|assigned|in progress|in_progress|work in progress|to do|todo|backlog|selected for development|reopened|started|in review|triage",
    "pending|on hold|awaiting|awaiting user info|awaiting customer|awaiting info|awaiting vendor|waiting|waiting for customer|waiting for support|blocked|deferred",
    "resolved|done|fixed|completed|complete|solved|won't fix|wont fix|duplicate|cannot reproduce",
    "closed|cancelled|canceled|rejected|archived|closed complete|closed incomplete",
};
static const char *const leave_reason_vocab[] = {
    "resignation|resigned|resignation-other reasons|resignation-other employer|resignation-move overseas/interstate|retirement|age retirement|voluntary early retirement (ver)|quit|left|voluntary resignation|kündigung durch arbeitnehmer|démission",
    "termination|terminated|dismissal|dismissed|redundancy|laid off|layoff|contract expired|contract ended|end of contract|ill health retirement|fired|kündigung durch arbeitgeber|licenciement",
};
static const char *const project_status_vocab[] = {
    "not started|proposed|pipeline|initiation|planning|approved|backlog|new|to do|draft",
    "in progress|in_progress|active|open|ongoing|underway|execution|delivery|started|construction|implementation",
    "paused|suspended|deferred|on hold|hold|blocked",
    "completed|complete|done|finished|cancelled|canceled|closed out|delivered",
};
static const char *const risk_status_vocab[] = {
    "new|identified|raised|active|assessed|open",
    "in progress|treating|mitigation|mitigating|monitoring|under review|in treatment",
    "retired|resolved|accepted|done|mitigated|closed|obsolete",
};
static const char *const control_status_vocab[] = {
    "effective|pass|passed|compliant|ok|green|satisfactory",
    "ineffective|fail|failed|non compliant|noncompliant|deficient|red|exception|unsatisfactory",
    "not tested|untested|pending|not assessed|n/t|planned",
};

static const field_def_t gl_fields[] = {
    DATE("date", true, "posting date or any day of the period",
         .synonyms = "posting date|post date|date|datum|buchungsdatum|belegdatum|valutadatum|"
                     "paid date|payment date|transaction date|invoice date|period|periode|jahr|"
                     "year|fiscal year|haushaltsjahr|geschäftsjahr|date comptable|date de paiement|"
                     "exercice|fecha|fecha contable|año|ejercicio",
         .used_by = "revenue, opex, gross_margin_pct, revenue_vs_budget_pct, opex_vs_budget_pct "
                    "(the month of the row); forecasts gl_revenue, gl_opex, gl_cogs"),
    TEXT("entity", true, "legal entity or site",
         .synonyms = "entity|legal entity|company|company code|organisation|organization|org|"
                     "gesellschaft|buchungskreis|mandant|firma|société|entité|sociedad|empresa|site",
         .used_by = "recipient scope (a summary per entity)"),
    TEXT("cost_centre", true, "cost centre",
         .synonyms = "cost centre|cost center|costcentre|costcenter|cost centre code|"
                     "cost center code|cc|kostenstelle|kst|centre de coût|centre de coûts|"
                     "centre de coûts|centro de coste|centro de costo|department|dept|service area|"
                     "division|responsibility centre|abschnitt|unterabschnitt|gliederung|titel|"
                     "titelnr",
         .used_by = "Top budget variances table; per-cost-centre opex forecasts (per_group)"),
    TEXT("account", true, "GL account",
         .synonyms = "account|account code|account number|account no|gl account|gl code|nominal|"
                     "nominal code|ledger account|natural account|expenditure code|expense code|"
                     "cost element|konto|kontonummer|sachkonto|gruppe|gruppennr|gruppierung|"
                     "haushaltsstelle|compte|numéro de compte|cuenta|cuenta contable|conto",
         .used_by = "Top budget variances table; account_types rules classify by it"),
    ENUM("account_type", true, account_types, account_type_vocab, "revenue, cogs or opex",
         .synonyms = "account type|type|account class|kontoart|kontotyp|kontenart|richtung|"
                     "einnahmen ausgaben|einnahme ausgabe|ea|income expense|revenue expense|"
                     "expenditure type|type de compte|nature|tipo de cuenta|tipo",
         .used_by = "revenue, opex, gross_margin_pct, revenue_vs_budget_pct, opex_vs_budget_pct"),
    MONEY("amount", true, "amount; revenue positive, costs positive",
          .synonyms = "amount|amt|value|net amount|amount gbp|amount eur|amount usd|total|sum|"
                      "betrag|summe|wert|ansatz|ergebnis|montant|importe|monto|importo",
          .used_by = "revenue, opex, gross_margin_pct, revenue_vs_budget_pct, opex_vs_budget_pct; "
                     "GL forecasts"),
};

static const field_def_t po_fields[] = {
    TEXT("po_line", true, "purchase order line id (unique)",
         .synonyms = "po line|po line id|po number|po no|po|purchase order|purchase order number|"
                     "order number|order no|order id|contract number|contract no|contract id|"
                     "line id|item id|bestellnummer|bestellposition|numéro de commande|"
                     "bon de commande|número de pedido|orden de compra",
         .used_by = "key (a repeated line is rejected); Late deliveries table"),
    TEXT("supplier", true, "supplier name",
         .synonyms = "supplier|supplier name|vendor|vendor name|payee|creditor|merchant|"
                     "beneficiary|contractor|kreditor|lieferant|lieferantenname|fournisseur|"
                     "proveedor|fornitore",
         .used_by = "supplier_otif_pct and lead times per supplier; Supplier scorecard"),
    TEXT("category", true, "spend category",
         .synonyms = "category|spend category|purchase category|commodity|commodity code|"
                     "expenditure category|expense category|contract type|type|warengruppe|"
                     "kategorie|catégorie|famille d'achat|categoría",
         .used_by = "Spend by category table"),
    TEXT("sku", false, "item ordered",
         .synonyms = "sku|item|item code|item number|item no|material|material number|part number|"
                     "part no|product code|artikel|artikelnummer|materialnummer|référence|article|"
                     "código|código de artículo",
         .used_by = "inventory reorder points (lead time per SKU)"),
    TEXT("site", false, "receiving site",
         .synonyms = "site|plant|location|warehouse|receiving site|ship to|department|"
                     "department name|werk|standort|lager|entrepôt|usine|almacén|planta",
         .used_by = "site scope"),
    DATE("order_date", true, "date ordered",
         .synonyms = "order date|po date|ordered|date ordered|order dt|created|created date|"
                     "creation date|start date|start dt|start|issue date|award date|contract start|"
                     "bestelldatum|date de commande|fecha de pedido|fecha pedido",
         .used_by = "spend, price_variance (the month ordered); lead_time_mean_days, "
                    "lead_time_p90_days, lead_time_sd_days"),
    DATE("promised_date", false, "delivery date promised by supplier (lines without one count for spend, not OTIF)",
         .synonyms = "promised date|promise date|due date|delivery date|requested date|"
                     "need by date|need by|expected date|expected delivery|end date|end dt|end|"
                     "contract end|liefertermin|wunschtermin|date de livraison prévue|"
                     "fecha prometida|fecha de entrega",
         .used_by = "supplier_otif_pct, late_deliveries (the month due); Late deliveries table"),
    DATE("delivered_date", false, "actual delivery date, empty if open",
         .synonyms = "delivered date|delivered|received date|receipt date|date received|gr date|"
                     "goods receipt date|actual delivery date|wareneingang|eingangsdatum|"
                     "date de réception|fecha de recepción",
         .used_by = "supplier_otif_pct, late_deliveries, lead_time_mean_days, lead_time_p90_days, "
                    "lead_time_sd_days"),
    DEC("qty_ordered", true, 0, 1e12, "quantity ordered",
        .synonyms = "qty ordered|quantity ordered|order qty|order quantity|quantity|qty|units|"
                    "menge|bestellmenge|quantité|quantité commandée|cantidad",
        .used_by = "supplier_otif_pct (in full), price_variance"),
    DEC("qty_delivered", false, 0, 1e12, "quantity delivered",
        .synonyms = "qty delivered|quantity delivered|delivered qty|qty received|received qty|"
                    "quantity received|gelieferte menge|liefermenge|quantité reçue|"
                    "cantidad recibida",
        .used_by = "supplier_otif_pct (in full)"),
    MONEY("unit_price", true, "price paid per unit",
          .synonyms = "unit price|price|price per unit|net price|unit cost|rate|preis|einzelpreis|"
                      "stückpreis|prix unitaire|precio unitario",
          .used_by = "price_variance"),
    MONEY("standard_cost", false, "standard cost per unit",
          .synonyms = "standard cost|std cost|standard price|budget price|standardpreis|"
                      "standardkosten|coût standard|costo estándar",
          .used_by = "price_variance"),
    MONEY("amount", true, "line amount",
          .synonyms = "amount|amt|line amount|total|total amount|net amount|value|contract amount|"
                      "po amount|order value|betrag|wert|bestellwert|montant|importe|monto",
          .used_by = "spend; Supplier scorecard, Spend by category"),
};

static const field_def_t item_fields[] = {
    TEXT("sku", true, "item code (unique)",
         .synonyms = "sku|item|item code|item number|item no|material|material number|part number|"
                     "product code|artikel|artikelnummer|materialnummer|référence|article|código",
         .used_by = "key; Reorder points and ABC classification"),
    TEXT("description", false, "item description",
         .synonyms = "description|item description|name|item name|product name|bezeichnung|"
                     "beschreibung|artikelbezeichnung|désignation|libellé|descripción",
         .used_by = "Reorder points table"),
    TEXT("category", false, "item category",
         .synonyms = "category|item category|product group|warengruppe|materialgruppe|kategorie|"
                     "catégorie|famille|categoría|familia"),
    MONEY("unit_cost", true, "standard unit cost",
          .synonyms = "unit cost|standard cost|std cost|cost|cost price|einstandspreis|"
                      "standardpreis|coût unitaire|prix de revient|costo unitario|coste unitario"),
    INT("lead_time_days", false, 0, 3650, "replenishment lead time in days",
        .synonyms = "lead time days|lead time|leadtime|replenishment time|wiederbeschaffungszeit|"
                    "lieferzeit|délai|délai de livraison|plazo de entrega|tiempo de entrega",
        .used_by = "skus_below_reorder_point; Reorder points table"),
};

static const field_def_t inventory_fields[] = {
    DATE("snapshot_date", true, "date of the stock snapshot",
         .synonyms = "snapshot date|date|stock date|as of|as of date|inventory date|count date|"
                     "period end|stichtag|datum|bestandsdatum|date d'inventaire|fecha|"
                     "fecha de inventario",
         .used_by = "inventory_value, stock_outs (the month's latest snapshot), "
                    "inventory_turnover, days_of_supply"),
    TEXT("site", true, "warehouse or site",
         .synonyms = "site|plant|warehouse|location|store|werk|lager|lagerort|standort|entrepôt|"
                     "dépôt|almacén|bodega",
         .used_by = "site scope; stock per site at the latest snapshot"),
    TEXT("sku", true, "item code",
         .synonyms = "sku|item|item code|item number|material|material number|part number|"
                     "product code|artikel|artikelnummer|materialnummer|référence|article|código",
         .used_by = "stock_outs, slow_stock_value, dead_stock_value, skus_below_reorder_point, ABC "
                    "classification"),
    DEC("qty_on_hand", true, -1e12, 1e12, "quantity on hand",
        .synonyms = "qty on hand|on hand|quantity on hand|qoh|stock|stock qty|quantity|qty|bestand|"
                    "lagerbestand|menge|quantité en stock|stock disponible|existencias|cantidad",
        .used_by = "stock_outs, slow_stock_value, dead_stock_value, skus_below_reorder_point"),
    MONEY("value", true, "stock value",
          .synonyms = "value|stock value|inventory value|total value|extended value|amount|"
                      "bestandswert|lagerwert|wert|valeur|valeur du stock|valor|valor inventario",
          .used_by = "inventory_value, inventory_turnover, days_of_supply, slow_stock_value, "
                     "dead_stock_value"),
};

static const field_def_t shipment_fields[] = {
    TEXT("shipment_id", true, "shipment line id (unique)",
         .synonyms = "shipment id|shipment|shipment number|delivery number|delivery id|order line|"
                     "line id|id|lieferschein|lieferscheinnummer|bon de livraison|albarán",
         .used_by = "key (a repeated line is rejected)"),
    TEXT("customer", true, "customer",
         .synonyms = "customer|customer name|client|sold to|ship to|kunde|kundenname|client name|"
                     "nom du client|cliente"),
    TEXT("site", true, "shipping site",
         .synonyms = "site|plant|warehouse|ship from|shipping site|werk|versandstelle|lager|"
                     "entrepôt|almacén",
         .used_by = "site scope; customer_otif_pct, inventory consumption"),
    TEXT("sku", true, "item shipped",
         .synonyms = "sku|item|item code|item number|material|part number|product code|artikel|"
                     "artikelnummer|référence|article|código",
         .used_by = "slow_stock_value, dead_stock_value, reorder points, ABC classification"),
    DATE("ship_date", true, "date shipped",
         .synonyms = "ship date|shipped|shipping date|date shipped|dispatch date|goods issue date|"
                     "warenausgang|versanddatum|date d'expédition|fecha de envío",
         .used_by = "customer_otif_pct (when no delivered date), inventory_turnover, "
                    "days_of_supply, slow_stock_value, dead_stock_value"),
    DATE("promised_date", true, "date promised to customer",
         .synonyms = "promised date|due date|requested date|committed date|wunschtermin|"
                     "liefertermin|date promise|date promise client|fecha comprometida",
         .used_by = "customer_otif_pct (the month promised)"),
    DATE("delivered_date", false, "date delivered",
         .synonyms = "delivered date|delivery date|pod date|received date|zustelldatum|"
                     "date de livraison|fecha de entrega",
         .used_by = "customer_otif_pct"),
    DEC("qty_ordered", true, 0, 1e12, "quantity ordered by customer",
        .synonyms = "qty ordered|ordered qty|order quantity|quantity ordered|bestellmenge|"
                    "quantité commandée|cantidad pedida",
        .used_by = "customer_otif_pct (in full)"),
    DEC("qty_shipped", true, 0, 1e12, "quantity shipped",
        .synonyms = "qty shipped|shipped qty|quantity shipped|quantity|qty|liefermenge|"
                    "quantité expédiée|cantidad enviada",
        .used_by = "customer_otif_pct (in full); demand for reorder points"),
    MONEY("value", true, "invoice value",
          .synonyms = "value|invoice value|amount|net value|sales value|revenue|umsatz|"
                      "rechnungsbetrag|valeur|montant facturé|valor|importe"),
    MONEY("cogs", false, "cost of goods shipped",
          .synonyms = "cogs|cost of goods sold|cost of sales|cost|standard cost|wareneinsatz|"
                      "herstellkosten|coût des ventes|costo de ventas",
          .used_by = "inventory_turnover, days_of_supply, ABC classification"),
};

static const field_def_t ticket_fields[] = {
    TEXT("ticket_id", true, "ticket id",
         .synonyms = "ticket id|ticket|ticket number|ticket no|id|key|issue key|issue id|"
                     "issue number|incident|incident number|number|case number|case id|request id|"
                     "service request|unique key|sr number|ticketnummer|vorgangsnummer|"
                     "numéro de ticket|número de ticket",
         .used_by = "key (event logs: keep_latest_by); Oldest open tickets table"),
    TS("updated_at", false, "time of this update (event logs: keep_latest_by = updated_at)",
       .synonyms = "updated|updated at|updated date|last updated|modified|last modified|changed|"
                   "aktualisiert|geändert|mis à jour|actualizado",
       .used_by = "keep_latest_by: the latest row of each ticket"),
    TS("created_at", true, "time created",
       .synonyms = "created|created at|created date|creation date|opened|opened at|open date|"
                   "date opened|reported|reported date|submitted|submit date|erstellt|erstellt am|"
                   "angelegt|créé|date de création|creado|fecha de creación",
       .used_by = "tickets_created, ticket_backlog, first_response_median_hours, "
                  "first_response_p90_hours, resolution_median_hours, resolution_p90_hours, "
                  "sla_attainment_pct, first_response_sla_pct"),
    TS("first_response_at", false, "time of first response",
       .synonyms = "first response|first response at|first response time|first reply|responded|"
                   "responded at|acknowledged|acknowledged at|erste antwort|première réponse|"
                   "primera respuesta",
       .used_by = "first_response_median_hours, first_response_p90_hours, first_response_sla_pct"),
    TS("resolved_at", false, "time resolved",
       .synonyms = "resolved|resolved at|resolved date|resolution date|closed|closed at|"
                   "closed date|close date|date closed|completed|done date|gelöst|gelöst am|"
                   "geschlossen|résolu|date de résolution|resuelto|fecha de resolución|"
                   "fecha de cierre",
       .used_by = "tickets_resolved, ticket_backlog, resolution_median_hours, "
                  "resolution_p90_hours, sla_attainment_pct, reopen_rate_pct, csat_mean, "
                  "csat_satisfied_pct"),
    ENUM("priority", true, priorities, priority_vocab, "P1..P4",
         .synonyms = "priority|prio|severity|urgency|priorität|dringlichkeit|priorité|urgence|"
                     "prioridad|urgencia",
         .used_by = "sla_attainment_pct, first_response_sla_pct (SLA hours per priority); SLA "
                    "attainment by priority table"),
    TEXT("channel", true, "email, phone, portal, chat",
         .synonyms = "channel|source|contact type|origin|medium|via|kanal|eingangskanal|canal|origen",
         .used_by = "Tickets by channel table"),
    ENUM("status", true, ticket_statuses, ticket_status_vocab, "open, pending, resolved, closed",
         .synonyms = "status|state|ticket status|incident state|stage|zustand|statut|état|estado"),
    INT("csat", false, 1, 5, "satisfaction score 1-5",
        .synonyms = "csat|satisfaction|customer satisfaction|rating|survey score|zufriedenheit|"
                    "bewertung|satisfaction client|satisfacción",
        .used_by = "csat_mean, csat_satisfied_pct"),
    BOOL("reopened", false, "reopened after resolution",
         .synonyms = "reopened|reopen|re opened|reopen count|wiedereröffnet|réouvert|reabierto",
         .used_by = "reopen_rate_pct"),
    TEXT("site", false, "site the ticket concerns",
         .synonyms = "site|location|office|branch|region|borough|standort|niederlassung|"
                     "emplacement|agence|sede|sucursal",
         .used_by = "site scope"),
};

static const field_def_t employee_fields[] = {
    TEXT("employee_id", true, "employee id (unique)",
         .synonyms = "employee id|employee|employee number|employee no|emp id|emp no|staff id|"
                     "staff number|personnel number|person id|worker id|id|personalnummer|pers nr|"
                     "matricule|numéro d'employé|número de empleado|legajo",
         .used_by = "key: one person per id; headcount"),
    TEXT("name", true, "full name",
         .synonyms = "name|full name|employee name|staff name|vollständiger name|mitarbeiter|nom|"
                     "nom complet|nombre|nombre completo"),
    TEXT("site", true, "site",
         .synonyms = "site|location|work location|office|region|branch|plant|standort|arbeitsort|"
                     "niederlassung|werk|lieu de travail|établissement|sede|ubicación",
         .used_by = "site scope; Headcount by site and department"),
    TEXT("department", true, "department",
         .synonyms = "department|dept|department name|dept name|descr|division|business unit|"
                     "org unit|organisational unit|organizational unit|abteilung|bereich|"
                     "organisationseinheit|service|département|departamento|área",
         .used_by = "Headcount by site and department"),
    DATE("hire_date", false, "first day; empty: on the books from before the report window, never counted as a hire",
         .synonyms = "hire date|hire dt|hired|date hired|date of hire|start date|employment start|"
                     "joining date|date joined|commencement date|service date|eintrittsdatum|"
                     "eintritt|date d'embauche|date d'entrée|fecha de alta|fecha de ingreso|"
                     "fecha de contratación",
         .used_by = "headcount, fte, hires, turnover_pct, voluntary_turnover_pct"),
    DATE("leave_date", false, "last day, empty if still employed",
         .synonyms = "leave date|leaving date|termination date|term date|separation date|exit date|"
                     "cease date|last day|last working day|date left|end date|austrittsdatum|"
                     "austritt|date de sortie|date de départ|fecha de baja|fecha de salida",
         .used_by = "headcount, fte, leavers, turnover_pct, voluntary_turnover_pct"),
    ENUM("leave_reason", false, leave_reasons, leave_reason_vocab, "voluntary or involuntary",
         .synonyms = "leave reason|leaving reason|termination reason|termination type|"
                     "separation type|separation reason|exit reason|reason|austrittsgrund|"
                     "kündigungsgrund|motif de départ|motivo de baja|motivo de salida",
         .used_by = "voluntary_turnover_pct"),
    DEC("fte", true, 0, 1.5, "full-time equivalent",
        .synonyms = "fte|full time equivalent|fte ratio|capacity|employment percentage|"
                    "work percentage|beschäftigungsgrad|stellenanteil|arbeitszeitanteil|etp|"
                    "taux d'activité|jornada",
        .used_by = "fte, training_hours_per_fte, utilisation_pct, over_allocated_people"),
};

static const field_def_t training_fields[] = {
    TEXT("record_id", true, "training record id (unique)",
         .synonyms = "record id|id|training id|enrollment id|enrolment id|completion id|"
                     "assignment id|registration id|schulungs id|id formation|id de registro",
         .used_by = "key (a repeated record is rejected)"),
    TEXT("employee_id", true, "employee id",
         .synonyms = "employee id|employee|employee number|emp id|staff id|personnel number|"
                     "person id|personalnummer|matricule|número de empleado",
         .used_by = "training_completion_pct, overdue_trainings, training_hours_per_fte (per person)"),
    TEXT("course", true, "course name",
         .synonyms = "course|course name|course title|training|training name|module|title|kurs|"
                     "schulung|schulungsname|formation|cours|curso|formación",
         .used_by = "Overdue mandatory trainings table"),
    BOOL("mandatory", true, "mandatory course",
         .synonyms = "mandatory|required|compulsory|is mandatory|pflicht|pflichtschulung|"
                     "obligatoire|obligatorio",
         .used_by = "training_completion_pct, overdue_trainings"),
    DATE("due_date", true, "due date",
         .synonyms = "due date|due|deadline|required by|expiry date|fällig|fälligkeitsdatum|frist|"
                     "date d'échéance|échéance|fecha límite|fecha de vencimiento",
         .used_by = "training_completion_pct, overdue_trainings"),
    DATE("completed_date", false, "completion date",
         .synonyms = "completed date|completion date|completed|completed on|date completed|"
                     "finished|abgeschlossen|abschlussdatum|date de réalisation|"
                     "fecha de finalización",
         .used_by = "training_completion_pct, overdue_trainings, training_hours_per_fte"),
    DEC("hours", false, 0, 1000, "training hours",
        .synonyms = "hours|duration|training hours|credit hours|stunden|dauer|heures|durée|horas|"
                    "duración",
        .used_by = "training_hours_per_fte"),
};

static const field_def_t project_fields[] = {
    TEXT("project_id", true, "project id (unique)",
         .synonyms = "project id|project|project number|project no|project code|id|wbs|wbs element|"
                     "projektnummer|projekt|code projet|numéro de projet|código de proyecto|"
                     "proyecto",
         .used_by = "key; Project earned value table"),
    TEXT("name", true, "project name",
         .synonyms = "name|project name|title|project title|description|projektname|bezeichnung|"
                     "nom du projet|intitulé|nombre del proyecto|nombre",
         .used_by = "Project earned value table"),
    TEXT("manager", false, "project manager",
         .synonyms = "manager|project manager|pm|owner|lead|project lead|responsible|projektleiter|"
                     "verantwortlich|chef de projet|responsable|jefe de proyecto",
         .used_by = "Project earned value table"),
    TEXT("site", false, "site",
         .synonyms = "site|location|region|plant|area|standort|werk|emplacement|sede|ubicación",
         .used_by = "site scope"),
    MONEY("budget", true, "budget at completion",
          .synonyms = "budget|bac|budget at completion|approved budget|total budget|"
                      "forecast final cost|ffc|eac|estimate at completion|project cost|"
                      "estimated cost|cost|projektbudget|budget total|presupuesto|coste total",
          .used_by = "portfolio_cpi, projects_over_budget (EAC against BAC); Project earned value "
                     "table"),
    DATE("start_date", true, "planned start",
         .synonyms = "start date|start|planned start|baseline start|begin|start dt|kick off|"
                     "kickoff|projektstart|beginn|startdatum|date de début|début|fecha de inicio|"
                     "inicio",
         .used_by = "portfolio_spi (planned value); Project earned value table"),
    DATE("end_date", true, "planned end",
         .synonyms = "end date|end|finish|planned finish|planned end|baseline finish|"
                     "completion date|target date|go live|projektende|ende|enddatum|date de fin|"
                     "fin|fecha de fin",
         .used_by = "portfolio_spi (planned value); Project earned value table"),
    ENUM("status", true, project_statuses, project_status_vocab, "planned, active, on_hold, closed",
         .synonyms = "status|state|phase|stage|project status|projektstatus|statut|état|estado|fase",
         .used_by = "portfolio_cpi, portfolio_spi, projects_over_budget, milestones_slipping "
                    "(active and on-hold projects)"),
};

static const field_def_t task_fields[] = {
    TEXT("task_id", true, "task id (unique)",
         .synonyms = "task id|id|key|issue key|issue id|activity id|task number|task key|"
                     "vorgangs id|aufgaben id|id tâche|id de tarea",
         .used_by = "key (a repeated task is rejected)"),
    TEXT("project_id", true, "project id",
         .synonyms = "project id|project|project key|project number|project code|projekt|"
                     "projektnummer|projet|proyecto",
         .used_by = "portfolio_cpi, portfolio_spi, projects_over_budget, milestones_slipping "
                    "(tasks roll up to projects)"),
    TEXT("name", false, "task name",
         .synonyms = "name|task name|task|title|summary|activity|activity name|description|vorgang|"
                     "aufgabe|bezeichnung|nom de la tâche|tâche|nombre de tarea|tarea"),
    DATE("planned_start", true, "baseline start",
         .synonyms = "planned start|baseline start|start|start date|scheduled start|begin|created|"
                     "created date|created at|geplanter beginn|anfang|début prévu|date de début|"
                     "inicio previsto|fecha de inicio",
         .used_by = "portfolio_spi (planned value by date)"),
    DATE("planned_finish", true, "baseline finish",
         .synonyms = "planned finish|baseline finish|planned end|finish|finish date|finished|"
                     "finished date|end|end date|due|due date|scheduled finish|target date|"
                     "geplantes ende|fälligkeit|fin prévue|date de fin|fin prevista|fecha de fin",
         .used_by = "portfolio_spi, milestones_slipping"),
    DATE("actual_finish", false, "actual or forecast finish",
         .synonyms = "actual finish|actual end|actual finish date|completed|completed date|"
                     "completion date|done date|resolved|resolved date|istende|fin réelle|fin real",
         .used_by = "milestones_slipping"),
    MONEY("planned_cost", true, "baseline cost",
          .synonyms = "planned cost|baseline cost|budget|budgeted cost|planned value|bcws|"
                      "estimated cost|cost|plankosten|coût prévu|costo planificado|coste previsto",
          .used_by = "portfolio_cpi, portfolio_spi (earned and planned value), projects_over_budget"),
    MONEY("actual_cost", false, "actual cost to date",
          .synonyms = "actual cost|actual|acwp|cost to date|spent|actual spend|istkosten|coût réel|"
                      "costo real|coste real",
          .used_by = "portfolio_cpi, projects_over_budget"),
    DEC("percent_complete", true, 0, 100, "percent complete",
        .synonyms = "percent complete|% complete|pct complete|progress|complete|completion|"
                    "percent done|% done|fertigstellungsgrad|fortschritt|avancement|"
                    "porcentaje completado|avance",
        .used_by = "portfolio_cpi, portfolio_spi (earned value)"),
    BOOL("milestone", false, "task is a milestone",
         .synonyms = "milestone|is milestone|meilenstein|jalon|hito",
         .used_by = "milestones_slipping"),
};

static const field_def_t timesheet_fields[] = {
    TEXT("employee_id", true, "employee id",
         .synonyms = "employee id|employee|employee number|emp id|staff id|personnel number|"
                     "person id|resource|personalnummer|matricule|número de empleado",
         .used_by = "utilisation_pct, over_allocated_people"),
    TEXT("project_id", false, "project id, empty for internal time",
         .synonyms = "project id|project|project code|project number|job|job number|projekt|projet|"
                     "proyecto"),
    DATE("date", true, "day worked",
         .synonyms = "date|work date|day|entry date|datum|arbeitstag|tag|date de travail|jour|"
                     "fecha|día",
         .used_by = "utilisation_pct, over_allocated_people (the month of the day)"),
    DEC("hours", true, 0, 24, "hours",
        .synonyms = "hours|hours worked|time|duration|quantity|stunden|arbeitszeit|dauer|heures|"
                    "durée|horas",
        .used_by = "utilisation_pct, over_allocated_people"),
    BOOL("billable", true, "billable to a project",
         .synonyms = "billable|is billable|chargeable|billable flag|abrechenbar|verrechenbar|"
                     "facturable",
         .used_by = "utilisation_pct"),
};

static const field_def_t risk_fields[] = {
    TEXT("risk_id", true, "risk id (unique)",
         .synonyms = "risk id|id|risk number|risk no|risk ref|reference|ref|risiko id|risikonummer|"
                     "id risque|id del riesgo",
         .used_by = "key; Top risks table"),
    TEXT("title", true, "risk title",
         .synonyms = "title|risk|risk title|name|risk name|description|risk description|summary|"
                     "risiko|bezeichnung|titre|risque|título|riesgo",
         .used_by = "Top risks table"),
    TEXT("owner", false, "risk owner",
         .synonyms = "owner|risk owner|responsible|assigned to|verantwortlich|risikoeigner|"
                     "propriétaire|responsable",
         .used_by = "Top risks table"),
    TEXT("category", false, "category",
         .synonyms = "category|risk category|type|area|kategorie|risikokategorie|catégorie|categoría"),
    TEXT("site", false, "site",
         .synonyms = "site|location|region|plant|standort|werk|emplacement|sede",
         .used_by = "site scope"),
    DATE("raised_date", true, "date raised",
         .synonyms = "raised date|raised|date raised|identified|identified date|date identified|"
                     "created|created date|logged|erfasst|erfassungsdatum|date d'identification|"
                     "fecha de identificación",
         .used_by = "open_risks, risk_exposure (raised by the month end)"),
    INT("likelihood", true, 1, 5, "likelihood 1-5",
        .synonyms = "likelihood|probability|prob|chance|eintrittswahrscheinlichkeit|"
                    "wahrscheinlichkeit|probabilité|probabilidad",
        .used_by = "high_risks (likelihood x impact); heat map, Top risks"),
    INT("impact", true, 1, 5, "impact 1-5",
        .synonyms = "impact|severity|consequence|auswirkung|schadensausmaß|schwere|gravité|impacto",
        .used_by = "high_risks (likelihood x impact); heat map, Top risks"),
    MONEY("exposure", false, "financial exposure",
          .synonyms = "exposure|financial exposure|risk exposure|expected loss|value at risk|"
                      "amount|risikowert|exposition|exposición",
          .used_by = "risk_exposure; Top risks table"),
    DATE("mitigation_due", false, "mitigation due date",
         .synonyms = "mitigation due|mitigation date|mitigation due date|due date|due|target date|"
                     "action due|review date|fällig|maßnahme fällig|échéance|fecha límite",
         .used_by = "overdue_mitigations"),
    ENUM("status", true, risk_statuses, risk_status_vocab, "open, mitigating, closed",
         .synonyms = "status|state|risk status|zustand|statut|état|estado",
         .used_by = "open_risks, high_risks, overdue_mitigations, risk_exposure"),
};

static const field_def_t control_fields[] = {
    TEXT("control_id", true, "control id (unique)",
         .synonyms = "control id|control|id|control number|control ref|reference|kontroll id|"
                     "kontrollnummer|id contrôle|id del control",
         .used_by = "key; Overdue audits table"),
    TEXT("area", true, "compliance area",
         .synonyms = "area|compliance area|domain|process|category|framework|bereich|prozess|"
                     "domaine|área|dominio",
         .used_by = "Overdue audits and Open findings by age tables"),
    TEXT("owner", false, "control owner",
         .synonyms = "owner|control owner|responsible|verantwortlich|propriétaire|responsable",
         .used_by = "Overdue audits table"),
    ENUM("status", true, control_statuses, control_status_vocab, "compliant, non_compliant, not_tested",
         .synonyms = "status|state|result|test result|effectiveness|rating|zustand|ergebnis|statut|"
                     "résultat|estado|resultado",
         .used_by = "controls_compliant_pct"),
    DATE("last_tested", false, "last test date",
         .synonyms = "last tested|last test|last test date|tested|tested on|test date|"
                     "zuletzt geprüft|prüfdatum|dernier test|último test"),
    DATE("next_audit_due", true, "next audit due",
         .synonyms = "next audit due|next audit|next audit date|next review|next test|due date|due|"
                     "nächste prüfung|prochain audit|próxima auditoría",
         .used_by = "overdue_audits; Overdue audits table"),
    INT("open_findings", false, 0, 100000, "open findings",
        .synonyms = "open findings|findings|open issues|findings open|exceptions|"
                    "offene feststellungen|feststellungen|constats ouverts|hallazgos abiertos",
        .used_by = "open_findings; Open findings by age table"),
    DATE("oldest_finding_date", false, "date of the oldest open finding",
         .synonyms = "oldest finding date|oldest finding|oldest open finding|finding date|"
                     "älteste feststellung|constat le plus ancien|hallazgo más antiguo",
         .used_by = "Open findings by age table"),
};

static const field_def_t production_fields[] = {
    DATE("date", true, "production day",
         .synonyms = "date|production date|day|shift date|datum|produktionsdatum|tag|"
                     "date de production|jour|fecha|fecha de producción",
         .used_by = "units_produced, defect_ppm, first_pass_yield_pct (the month of the day)"),
    TEXT("site", true, "site",
         .synonyms = "site|plant|factory|location|werk|standort|usine|planta|fábrica",
         .used_by = "site scope"),
    TEXT("line", true, "production line",
         .synonyms = "line|production line|line id|team|cell|work center|work centre|workcenter|"
                     "machine|linie|fertigungslinie|anlage|ligne|ligne de production|línea"),
    INT("units_produced", false, 0, 1e9, "units produced",
        .synonyms = "units produced|produced|output|quantity|qty|units|good units|total units|"
                    "actual output|production|menge|produziert|stückzahl|ausbringung|"
                    "quantité produite|cantidad producida|unidades",
        .used_by = "units_produced, defect_ppm, first_pass_yield_pct"),
    INT("units_defective", false, 0, 1e9, "units scrapped or reworked",
        .synonyms = "units defective|defective|defects|scrap|rejects|rework|nok|ausschuss|"
                    "fehlerhaft|nacharbeit|rebuts|défauts|defectuosos|rechazos",
        .used_by = "defect_ppm"),
    INT("units_first_pass", false, 0, 1e9, "units good first time",
        .synonyms = "units first pass|first pass|first pass units|good first time|right first time|"
                    "ok first time|gutteile|bons du premier coup|primera pasada",
        .used_by = "first_pass_yield_pct"),
    DEC("target_efficiency", false, 0, 1e3, "planned productivity or efficiency of the line-day (ratio or %)",
        .synonyms = "target efficiency|targeted productivity|target productivity|planned efficiency|"
                    "planned productivity|efficiency target|target oee|soll leistung|sollleistung|"
                    "rendement cible|eficiencia objetivo",
        .used_by = "efficiency_vs_target_pct, line_days_on_target_pct"),
    DEC("actual_efficiency", false, 0, 1e3, "achieved productivity or efficiency, same scale as the target",
        .synonyms = "actual efficiency|actual productivity|efficiency|productivity|oee|achieved efficiency|"
                    "ist leistung|istleistung|leistungsgrad|rendement|eficiencia",
        .used_by = "efficiency_vs_target_pct, line_days_on_target_pct"),
};

static const field_def_t quality_fields[] = {
    TS("measured_at", true, "time of measurement",
       .synonyms = "measured at|measurement time|timestamp|time|date|datetime|date time|test time|"
                   "sample time|messzeit|zeitpunkt|datum|horodatage|date de mesure|fecha|hora",
       .used_by = "spc_rule_breaks, cpk_min (the month and order of subgroups)"),
    TEXT("site", true, "site",
         .synonyms = "site|plant|factory|location|werk|standort|usine|planta",
         .used_by = "site scope"),
    TEXT("line", true, "production line",
         .synonyms = "line|production line|machine|station|cell|work center|tool|linie|anlage|"
                     "maschine|ligne|línea",
         .used_by = "spc_rule_breaks, cpk_min (per line); SPC charts"),
    INT("subgroup", true, 0, 1e12, "rational subgroup number",
        .synonyms = "subgroup|sub group|sample|sample number|sample no|batch|lot|group|stichprobe|"
                    "los|charge|sous groupe|échantillon|lote|muestra",
        .used_by = "spc_rule_breaks, cpk_min"),
    DEC("weight_g", true, 0, 1e6, "box weight in grams",
        .synonyms = "weight g|weight|weight grams|box weight|net weight|mass|gewicht|nettogewicht|"
                    "poids|peso",
        .used_by = "spc_rule_breaks, cpk_min"),
    DEC("length_mm", false, 0, 1e5, "length in mm",
        .synonyms = "length mm|length|länge|longueur|longitud"),
    DEC("width_mm", false, 0, 1e5, "width in mm",
        .synonyms = "width mm|width|breite|largeur|ancho"),
    DEC("height_mm", false, 0, 1e5, "height in mm",
        .synonyms = "height mm|height|höhe|hauteur|altura"),
};

_Static_assert(N(gl_fields) == GL_NFIELDS, "gl_fields must match the GL_ enum");
_Static_assert(N(po_fields) == PO_NFIELDS, "po_fields must match the PO_ enum");
_Static_assert(N(item_fields) == ITEM_NFIELDS, "item_fields must match the ITEM_ enum");
_Static_assert(N(inventory_fields) == INV_NFIELDS, "inventory_fields must match the INV_ enum");
_Static_assert(N(shipment_fields) == SHIP_NFIELDS, "shipment_fields must match the SHIP_ enum");
_Static_assert(N(ticket_fields) == TKT_NFIELDS, "ticket_fields must match the TKT_ enum");
_Static_assert(N(employee_fields) == EMP_NFIELDS, "employee_fields must match the EMP_ enum");
_Static_assert(N(training_fields) == TRN_NFIELDS, "training_fields must match the TRN_ enum");
_Static_assert(N(project_fields) == PRJ_NFIELDS, "project_fields must match the PRJ_ enum");
_Static_assert(N(task_fields) == TASK_NFIELDS, "task_fields must match the TASK_ enum");
_Static_assert(N(timesheet_fields) == TS_NFIELDS, "timesheet_fields must match the TS_ enum");
_Static_assert(N(risk_fields) == RISK_NFIELDS, "risk_fields must match the RISK_ enum");
_Static_assert(N(control_fields) == CTL_NFIELDS, "control_fields must match the CTL_ enum");
_Static_assert(N(production_fields) == PROD_NFIELDS, "production_fields must match the PROD_ enum");
_Static_assert(N(quality_fields) == QUAL_NFIELDS, "quality_fields must match the QUAL_ enum");
_Static_assert(N(account_type_vocab) + 1 == N(account_types), "one vocabulary entry per value");
_Static_assert(N(priority_vocab) + 1 == N(priorities), "one vocabulary entry per value");
_Static_assert(N(ticket_status_vocab) + 1 == N(ticket_statuses), "one vocabulary entry per value");
_Static_assert(N(leave_reason_vocab) + 1 == N(leave_reasons), "one vocabulary entry per value");
_Static_assert(N(project_status_vocab) + 1 == N(project_statuses), "one vocabulary entry per value");
_Static_assert(N(risk_status_vocab) + 1 == N(risk_statuses), "one vocabulary entry per value");
_Static_assert(N(control_status_vocab) + 1 == N(control_statuses), "one vocabulary entry per value");

/* kind, name, label, fields, key field, date field, scope field */
static const input_schema_t schemas[KIND_COUNT] = {
    { KIND_GL_ACTUALS, "gl_actuals", "GL actuals", gl_fields, N(gl_fields), -1, GL_DATE, GL_ENTITY },
    { KIND_GL_BUDGET, "gl_budget", "GL budget", gl_fields, N(gl_fields), -1, -1, GL_ENTITY },
    { KIND_PURCHASE_ORDERS, "purchase_orders", "Purchase orders", po_fields, N(po_fields), PO_LINE, PO_ORDER_DATE, PO_SITE },
    { KIND_ITEMS, "items", "Item master", item_fields, N(item_fields), ITEM_SKU, -1, -1 },
    { KIND_INVENTORY, "inventory", "Inventory snapshots", inventory_fields, N(inventory_fields), -1, INV_SNAPSHOT_DATE, INV_SITE },
    { KIND_SHIPMENTS, "shipments", "Shipments", shipment_fields, N(shipment_fields), SHIP_ID, SHIP_DATE, SHIP_SITE },
    { KIND_TICKETS, "tickets", "Service tickets", ticket_fields, N(ticket_fields), TKT_ID, TKT_CREATED_AT, TKT_SITE },
    { KIND_EMPLOYEES, "employees", "Employees", employee_fields, N(employee_fields), EMP_ID, -1, EMP_SITE },
    { KIND_TRAINING, "training", "Training records", training_fields, N(training_fields), TRN_ID, -1, -1 },
    { KIND_PROJECTS, "projects", "Projects", project_fields, N(project_fields), PRJ_ID, -1, PRJ_SITE },
    { KIND_TASKS, "tasks", "Project tasks", task_fields, N(task_fields), TASK_ID, -1, -1 },
    { KIND_TIMESHEETS, "timesheets", "Timesheets", timesheet_fields, N(timesheet_fields), -1, TS_DATE, -1 },
    { KIND_RISKS, "risks", "Risk register", risk_fields, N(risk_fields), RISK_ID, -1, RISK_SITE },
    { KIND_CONTROLS, "controls", "Compliance controls", control_fields, N(control_fields), CTL_ID, -1, -1 },
    { KIND_PRODUCTION, "production", "Production", production_fields, N(production_fields), -1, PROD_DATE, PROD_SITE },
    { KIND_QUALITY, "quality", "Quality measurements", quality_fields, N(quality_fields), -1, QUAL_MEASURED_AT, QUAL_SITE },
};

const input_schema_t *schema_for_kind(input_kind_t kind)
{
    if ((int)kind < 0 || kind >= KIND_COUNT)
        return NULL;
    return &schemas[kind];
}

const input_schema_t *schema_find(const char *name)
{
    for (int k = 0; k < KIND_COUNT; k++)
        if (strcasecmp(schemas[k].name, name) == 0)
            return &schemas[k];
    return NULL;
}

int schema_field_index(const input_schema_t *schema, const char *field_name)
{
    for (size_t i = 0; i < schema->n_fields; i++)
        if (strcasecmp(schema->fields[i].name, field_name) == 0)
            return (int)i;
    return -1;
}
