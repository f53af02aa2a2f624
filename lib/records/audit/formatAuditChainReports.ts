/**
 * The human-readable report of `npm run audit:verify`: one block per chain,
 * intact or broken, with the head to anchor elsewhere.
 */
import type { AuditChainReport } from './verifyAuditChain.js';

/** Renders the reports of `verifyAuditChain` as text for a terminal or a ticket. */
export function formatAuditChainReports(
  reports: readonly AuditChainReport[],
): string {
  if (reports.length === 0)
    return 'No audit events stored yet: nothing to verify.\n';
  const lines: string[] = [];
  for (const report of reports) {
    if (report.ok) {
      lines.push(
        `OK      chain ${report.chainId}: ${report.events} events, seq 1 to ${report.headSeq}, intact.`,
      );
    } else {
      const broken = report.break;
      lines.push(
        `BROKEN  chain ${report.chainId}: breaks at seq ${broken?.seq ?? '?'} (${broken?.reason ?? 'unknown'}): ${broken?.detail ?? ''}.`,
      );
      lines.push(
        `        ${report.events} events stored, last seq ${report.headSeq}.`,
      );
    }
    if (report.checkpoint) {
      lines.push(
        `        checked against the signed checkpoint of seq ${report.checkpoint.seq} (${report.checkpoint.at.toISOString()})`,
      );
    }
    if (report.headSeq > 0) {
      lines.push(
        `        head: seq ${report.headSeq}, hash ${report.headHash}${report.headAt ? `, at ${report.headAt.toISOString()}` : ''}`,
      );
      lines.push(
        `        anchor it elsewhere; check later with --anchor ${report.chainId}:${report.headSeq}:${report.headHash}`,
      );
    }
  }
  const broken = reports.filter((report) => !report.ok);
  lines.push('');
  lines.push(
    broken.length === 0
      ? `All ${reports.length} chain(s) verified.`
      : `${broken.length} of ${reports.length} chain(s) broken: ${broken
          .map(
            (report) => `${report.chainId} at seq ${report.break?.seq ?? '?'}`,
          )
          .join(', ')}.`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Parses `--anchor <chainId>:<seq>:<hash>` values (the chain id may contain colons).
 * @throws Error naming the malformed value.
 */
export function parseAuditAnchors(
  values: readonly string[],
): Record<string, { seq: number; hash: string }> {
  const anchors: Record<string, { seq: number; hash: string }> = {};
  for (const value of values) {
    const match = /^(.+):(\d+):([0-9a-f]{64})$/.exec(value.trim());
    if (!match?.[1] || !match[2] || !match[3]) {
      throw new Error(
        `--anchor must be <chainId>:<seq>:<sha256 hex>, got "${value}"`,
      );
    }
    anchors[match[1]] = { seq: Number(match[2]), hash: match[3] };
  }
  return anchors;
}
