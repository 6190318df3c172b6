// Runs the weekly KPI query on a published LearnLoop warehouse with the Node.js DuckDB client
// and prints the rows as JSON lines: proof that a second, independent client reads the file.
// Usage: node weekly_kpis.mjs <published.duckdb>
import { DuckDBInstance } from "@duckdb/node-api";

const WEEKLY_KPI_QUERY = `
  SELECT strftime(week_start, '%Y-%m-%d') AS week_start, platform,
         CAST(inbound_messages AS BIGINT) AS inbound_messages,
         CAST(conversations AS BIGINT) AS conversations,
         CAST(answered_conversations AS BIGINT) AS answered_conversations,
         response_rate, median_first_response_minutes, p90_first_response_minutes, two_way_rate
  FROM analytics.kpi_weekly
  ORDER BY week_start, platform`;

const [path] = process.argv.slice(2);
if (!path) {
  console.error("usage: node weekly_kpis.mjs <published.duckdb>");
  process.exit(2);
}
const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
const connection = await instance.connect();
const reader = await connection.runAndReadAll(WEEKLY_KPI_QUERY);
for (const row of reader.getRowObjectsJson()) {
  console.log(JSON.stringify(row));
}
connection.closeSync();
instance.closeSync();
