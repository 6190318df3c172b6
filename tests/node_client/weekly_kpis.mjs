// Runs weekly_kpis.sql on a published LearnLoop warehouse with the Node.js DuckDB client
// (@duckdb/node-api, its own bundled DuckDB) and prints the rows as one JSON array:
// a second, independent client reads the file that BI tools open.
// Usage: node weekly_kpis.mjs <published.duckdb>
import { readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";

const [path] = process.argv.slice(2);
if (!path) {
  console.error("usage: node weekly_kpis.mjs <published.duckdb>");
  process.exit(2);
}
const query = readFileSync(new URL("./weekly_kpis.sql", import.meta.url), "utf8");
const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
const connection = await instance.connect();
const version = (await connection.runAndReadAll("SELECT version() AS v")).getRowObjectsJson()[0].v;
const rows = (await connection.runAndReadAll(query)).getRowObjectsJson();
console.log(JSON.stringify({ duckdb: version, rows }));
connection.closeSync();
instance.closeSync();
