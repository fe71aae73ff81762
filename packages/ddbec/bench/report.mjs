// The benchmark tables, printed a row at a time as measurements finish: aligned text for people
// (no index column, no quotes), or with BENCH_FORMAT=json one JSON line per table and per row
// (`ddbec bench --json` gathers them into one document).
const JSON_LINES = process.env.BENCH_FORMAT === 'json';
let tables = 0;

/** Every table of this run with its rows, as printed (for `npm run bench -- --json`). */
export const printed = [];

/**
 * Starts a table: prints its title and header now, and returns `row(values)` that prints one row.
 * `columns`: `{ name, width?, decimals? }` — numbers are right-aligned with `decimals` digits
 * (default 0); a column is as wide as its name, or `width`.
 */
export function table(title, columns) {
  const record = { title, columns: columns.map((column) => column.name), rows: [] };
  printed.push(record);
  const rounded = (values) => {
    const row = {};
    for (const { name, decimals = 0 } of columns) {
      const value = values[name];
      if (value !== undefined) row[name] = typeof value === 'number' ? Number(value.toFixed(decimals)) : value;
    }
    record.rows.push(row);
    return row;
  };
  if (JSON_LINES) {
    console.log(JSON.stringify({ table: title, columns: columns.map((column) => column.name) }));
    return {
      row(values) {
        console.log(JSON.stringify({ table: title, row: rounded(values) }));
      },
    };
  }
  const widths = columns.map((column) => Math.max(column.name.length, column.width ?? 0));
  const line = (cells) => cells.join('  ').trimEnd();
  console.log(`${tables++ === 0 ? '' : '\n'}${title}`);
  console.log(line(columns.map((column, index) => column.name.padEnd(widths[index]))));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  return {
    row(values) {
      rounded(values);
      const cells = columns.map(({ name, decimals = 0 }, index) => {
        const value = values[name];
        if (typeof value === 'number') return value.toFixed(decimals).padStart(widths[index]);
        return String(value ?? '').padEnd(widths[index]);
      });
      console.log(line(cells));
    },
  };
}
