/**
 * The readable report of a schema check, as `npm run schema:check` prints it.
 */
import type { OperationUsage } from '../../records/usage/usageStore.js';
import type { SchemaCheckReport } from './checkSubgraphSchema.js';
import { formatCompositionProblems } from './composeSupergraph.js';

function usageLine(usage: OperationUsage): string {
  const client = usage.clientName
    ? `${usage.clientName}${usage.clientVersion ? ` ${usage.clientVersion}` : ''}`
    : '(no client name)';
  return `${usage.name ?? '(anonymous operation)'} [${usage.hash.slice(0, 12)}] by ${client}: ${usage.count} time${usage.count === 1 ? '' : 's'}, last ${usage.lastSeen.toISOString()}`;
}

const MARK = { breaking: '✗', dangerous: '!', safe: '✓' } as const;

/** Renders a {@link SchemaCheckReport} for people. */
export function formatSchemaCheckReport(report: SchemaCheckReport): string {
  const lines: string[] = [`Schema check of subgraph "${report.subgraph}"`, ''];
  if (report.compositionErrors.length > 0) {
    lines.push(formatCompositionProblems(report.compositionErrors), '');
  } else {
    lines.push(
      `Composition: ok${report.hints.length > 0 ? ` (${report.hints.length} hint${report.hints.length === 1 ? '' : 's'})` : ''}`,
    );
    for (const hint of report.hints)
      lines.push(`  hint ${hint.split('\n')[0]}`);
    lines.push(
      report.usageKnown
        ? `Usage: operations recorded in the last ${report.days} days`
        : `Usage: UNKNOWN (${report.usageUnknownReason ?? 'no governance database'}); every breaking change counts as failing`,
      '',
    );
    const counts = { breaking: 0, dangerous: 0, safe: 0 };
    for (const change of report.changes) counts[change.criticality] += 1;
    lines.push(
      report.changes.length === 0
        ? 'API schema changes: none'
        : `API schema changes: ${counts.breaking} breaking, ${counts.dangerous} dangerous, ${counts.safe} safe`,
    );
    for (const change of report.changes) {
      const status =
        change.criticality !== 'breaking'
          ? ''
          : change.fails
            ? change.usage === undefined
              ? ' (usage unknown)'
              : ' (IN USE)'
            : change.approval
              ? ` (in use, approved by ${change.approval.approvedBy})`
              : ' (not used)';
      lines.push(
        `  ${change.criticality === 'breaking' && !change.fails ? '~' : MARK[change.criticality]} ${change.criticality.toUpperCase()}${status} ${change.type}: ${change.message}`,
      );
      if (
        change.criticality === 'breaking' &&
        change.usage &&
        change.usage.length > 0
      ) {
        lines.push(`      used by (${change.coordinates.join(', ')}):`);
        for (const usage of change.usage.slice(0, 10))
          lines.push(`        - ${usageLine(usage)}`);
        if (change.usage.length > 10)
          lines.push(`        - … and ${change.usage.length - 10} more`);
      }
    }
    lines.push(
      '',
      report.accessChanges.length === 0
        ? 'Access rules: unchanged'
        : 'Access rules:',
    );
    for (const change of report.accessChanges) {
      const status =
        change.effect === 'tightening'
          ? '✓ TIGHTENED'
          : change.fails
            ? '✗ WEAKENED (not approved)'
            : `✓ WEAKENED (approved by ${change.approval?.approvedBy ?? '?'} on ${change.approval?.approvedAt ?? '?'})`;
      lines.push(`  ${status} ${change.change}: ${change.message}`);
    }
  }
  lines.push('');
  if (report.notes.length > 0) {
    lines.push('Notes:', ...report.notes.map((note) => `  - ${note}`), '');
  }
  if (report.passed) {
    lines.push('PASSED: the change can be published.');
  } else {
    lines.push(
      'FAILED:',
      ...report.failures.map((failure) => `  - ${failure}`),
    );
  }
  return lines.join('\n');
}

/** The report as JSON for CI (dates as ISO strings, without the supergraph text). */
export function schemaCheckReportToJson(report: SchemaCheckReport): string {
  const { supergraphSdl: _omitted, ...rest } = report;
  return JSON.stringify(rest, null, 2);
}
