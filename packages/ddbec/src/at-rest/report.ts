import { SEVERITIES, type AuditReport, type AuditRow, type Finding, type Severity } from './audit.js';
import type { TableKeyType } from './describe.js';

/** A JSON-ready copy of a report: dates as ISO 8601 strings, absent members left out. */
export function auditToJson(report: AuditReport): unknown {
  return JSON.parse(JSON.stringify(report)) as unknown;
}

/** The report as pretty JSON (dates as ISO 8601 strings), ending with a newline. */
export function formatAuditJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const KEY_TYPE_LABEL: Readonly<Record<TableKeyType, string>> = {
  owned: 'AWS owned',
  'aws-managed': 'AWS managed',
  'customer-managed': 'customer managed',
};

/** `key/1234…` / `alias/…` from an ARN (the part after the account). */
function shortKey(arn: string | undefined): string {
  if (arn === undefined) return '-';
  const parts = arn.split(':');
  return parts.length >= 6 ? parts.slice(5).join(':') : arn;
}

function rotation(row: AuditRow): string {
  const value = row.key?.rotationEnabled;
  return value === undefined ? '-' : value ? 'on' : 'off';
}

function clientSide(row: AuditRow): string {
  return row.clientSide === undefined ? '-' : row.clientSide ? 'yes' : 'no';
}

function keyState(row: AuditRow): string {
  if (row.key === undefined) return '-';
  return row.key.state === 'PendingDeletion' && row.key.deletionDate !== undefined ? `PendingDeletion (${day(row.key.deletionDate)})` : row.key.state;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function tableStatus(row: AuditRow): string {
  if (row.archived) return row.tableStatus;
  if (row.inaccessible && row.archiveAt !== undefined) return `${row.tableStatus} (archive ${day(row.archiveAt)})`;
  return row.sseStatus === 'UPDATING' ? `${row.tableStatus} (SSE UPDATING)` : row.tableStatus;
}

export interface TextReportOptions {
  /** ANSI colours for severities (e.g. when stdout is a TTY). Default false. */
  readonly color?: boolean;
}

const ANSI: Readonly<Record<Severity, string>> = { critical: '\u001b[1;31m', high: '\u001b[31m', medium: '\u001b[33m', low: '\u001b[36m', info: '\u001b[2m' };

/** The report as a text table for a terminal, then the findings, most severe first. */
export function formatAuditText(report: AuditReport, options: TextReportOptions = {}): string {
  const paint = (severity: Severity, text: string): string => (options.color === true ? `${ANSI[severity]}${text}\u001b[0m` : text);
  const lines: string[] = [];
  const { summary } = report;
  lines.push(
    `Encryption at rest${report.region === undefined ? '' : ` in ${report.region}`}: ${summary.tables} table${summary.tables === 1 ? '' : 's'} ` +
      `(${summary.keyTypes.owned} AWS owned, ${summary.keyTypes['aws-managed']} AWS managed, ${summary.keyTypes['customer-managed']} customer managed` +
      `${summary.inaccessible > 0 ? `, ${summary.inaccessible} inaccessible` : ''}${summary.archived > 0 ? `, ${summary.archived} archived` : ''}) — ${report.generatedAt.toISOString()}`,
  );
  lines.push('');
  if (report.tables.length > 0) {
    const header = ['TABLE', 'STATUS', 'KEY TYPE', 'KEY', 'KEY STATE', 'ROTATION', 'CLIENT-SIDE'];
    const body = report.tables.map((row) => [row.table, tableStatus(row), KEY_TYPE_LABEL[row.keyType], shortKey(row.keyArn), keyState(row), rotation(row), clientSide(row)]);
    const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)));
    const format = (cells: readonly string[]): string =>
      cells
        .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd();
    lines.push(format(header));
    for (const cells of body) lines.push(format(cells));
    lines.push('');
  }
  if (report.findings.length === 0) lines.push('No findings.');
  else {
    const counts = SEVERITIES.filter((severity) => summary.findings[severity] > 0).map((severity) => `${summary.findings[severity]} ${severity}`);
    lines.push(`Findings (${counts.join(', ')}):`);
    const tableWidth = Math.max(...report.findings.map((finding) => finding.table.length));
    for (const finding of report.findings) {
      lines.push(`  ${paint(finding.severity, finding.severity.toUpperCase().padEnd(8))}  ${finding.table.padEnd(tableWidth)}  ${finding.code}: ${finding.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---- HTML ------------------------------------------------------------------------------------

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `
:root { color-scheme: light; --critical: #b00020; --high: #d9480f; --medium: #b7791f; --low: #1c7ed6; --info: #6c757d; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; background: #f5f6f8; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
.meta { color: #5c6370; margin-bottom: 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card .n { font-size: 24px; font-weight: 600; }
.card .l { color: #5c6370; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.critical .n { color: var(--critical); } .card.high .n { color: var(--high); } .card.medium .n { color: var(--medium); }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #dde1e7; border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid #eceff3; vertical-align: top; }
th { background: #eef1f5; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #3d4450; }
tr:last-child td { border-bottom: none; }
td.mono, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
td.name { white-space: nowrap; }
td.arn { word-break: break-all; min-width: 16em; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.critical { background: var(--critical); } .badge.high { background: var(--high); } .badge.medium { background: var(--medium); }
.badge.low { background: var(--low); } .badge.info { background: var(--info); }
.status-bad { color: var(--critical); font-weight: 600; }
.status-ok { color: #2b8a3e; }
.muted { color: #8a919c; }
footer { margin-top: 28px; color: #8a919c; font-size: 12px; }
`;

export interface HtmlReportOptions {
  /** The page title (default "DynamoDB encryption at rest audit"). */
  readonly title?: string;
}

/**
 * The report as one self-contained HTML page: inline CSS, no scripts, no external resources;
 * every table name, key ARN and message is escaped.
 */
export function formatAuditHtml(report: AuditReport, options: HtmlReportOptions = {}): string {
  const e = escapeHtml;
  const title = options.title ?? 'DynamoDB encryption at rest audit';
  const { summary } = report;
  const card = (n: number, label: string, cls = ''): string => `<div class="card ${cls}"><div class="n">${n}</div><div class="l">${e(label)}</div></div>`;
  const cards = [
    card(summary.tables, 'tables'),
    card(summary.keyTypes.owned, 'AWS owned'),
    card(summary.keyTypes['aws-managed'], 'AWS managed'),
    card(summary.keyTypes['customer-managed'], 'customer managed'),
    card(summary.inaccessible, 'inaccessible', summary.inaccessible > 0 ? 'critical' : ''),
    card(summary.archived, 'archived', summary.archived > 0 ? 'critical' : ''),
    ...SEVERITIES.filter((s) => s !== 'info').map((severity) => card(summary.findings[severity], `${severity} findings`, summary.findings[severity] > 0 ? severity : '')),
  ].join('');
  const rows = report.tables
    .map((row) => {
      const bad = row.inaccessible || row.archived;
      const key = row.keyArn === undefined ? '<span class="muted">—</span>' : e(row.keyArn);
      return (
        `<tr><td class="mono name">${e(row.table)}</td>` +
        `<td class="${bad ? 'status-bad' : 'status-ok'}">${e(tableStatus(row))}</td>` +
        `<td>${e(KEY_TYPE_LABEL[row.keyType])}</td><td class="mono arn">${key}</td>` +
        `<td>${e(keyState(row))}</td><td>${e(rotation(row))}</td><td>${e(clientSide(row))}</td></tr>`
      );
    })
    .join('\n');
  const findings = report.findings
    .map(
      (finding: Finding) =>
        `<tr><td><span class="badge ${finding.severity}">${e(finding.severity)}</span></td><td class="mono name">${e(finding.table)}</td>` +
        `<td class="mono">${e(finding.code)}</td><td>${e(finding.message)}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${e(title)}</h1>
<div class="meta">${report.region === undefined ? '' : `Region <b>${e(report.region)}</b> · `}generated ${e(report.generatedAt.toISOString())}${
    report.policy.requireCustomerManagedKey ? ' · policy: customer managed keys required' : ''
  }</div>
<div class="cards">${cards}</div>
<h2>Tables</h2>
${
  report.tables.length === 0
    ? '<p class="muted">No tables.</p>'
    : `<table>
<thead><tr><th>Table</th><th>Status</th><th>Key type</th><th>KMS key</th><th>Key state</th><th>Rotation</th><th>Client-side</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}
<h2>Findings</h2>
${
  report.findings.length === 0
    ? '<p class="status-ok">No findings.</p>'
    : `<table>
<thead><tr><th>Severity</th><th>Table</th><th>Code</th><th>Finding</th></tr></thead>
<tbody>
${findings}
</tbody>
</table>`
}
<footer>ddbec at-rest audit · ${summary.tables} tables · ${report.findings.length} findings</footer>
</body>
</html>
`;
}
