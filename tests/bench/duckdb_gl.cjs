// duckdb_gl.cjs NODE_PREFIX CSV THREADS - DuckDB (npm @duckdb/node-api, installed
// under NODE_PREFIX) reads a GL export in the generator's dialect (semicolon,
// decimal comma, dd.mm.yyyy) and groups it by month and cost centre: the
// comparison for `make bench`. Prints the groups and total (checked by eye).
const path = require('path');
const [prefix, csv, threads] = process.argv.slice(2);
const { DuckDBInstance } = require(path.join(path.resolve(prefix), 'node_modules', '@duckdb', 'node-api'));

(async () => {
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads || 1) });
  const conn = await db.connect();
  const file = csv.replace(/'/g, "''");
  // amounts as SAP writes them (1.234,56 and a trailing minus: 1.234,56-);
  // a row whose date or amount does not convert is dropped (opsreport rejects it)
  const sql = `SELECT date_trunc('month', d) AS month, cc, sum(amount) AS amount, count(*) AS lines
               FROM (SELECT try_strptime(d, '%d.%m.%Y') AS d, cc,
                            CASE WHEN ends_with(a, '-') THEN -1 ELSE 1 END *
                            try_cast(replace(replace(rtrim(a, '-'), '.', ''), ',', '.') AS DECIMAL(18,2)) AS amount
                     FROM read_csv('${file}', delim = ';', header = true, quote = '"',
                                   columns = {'d': 'VARCHAR', 'entity': 'VARCHAR', 'cc': 'VARCHAR',
                                              'account': 'VARCHAR', 'type': 'VARCHAR', 'a': 'VARCHAR'}))
               WHERE d IS NOT NULL AND amount IS NOT NULL
               GROUP BY ALL`;
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRows();
  let lines = 0n;
  for (const r of rows) lines += BigInt(r[3]);
  console.log(`${rows.length} groups, ${lines} lines`);
})().catch((e) => { console.error(String(e)); process.exit(1); });
