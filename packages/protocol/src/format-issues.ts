import type { z } from 'zod';

/** One validation problem, as sent in error details and warnings. */
export interface IssueSummary {
  path: string;
  message: string;
}

/** Flattens zod issues to `path: message` pairs; `prefix` names where the validated value sits. */
export function summarizeIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly string[] = [],
): IssueSummary[] {
  return issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.') || '(root)',
    message: issue.message,
  }));
}

/** "body.model: Too small ...; body.lines: ..." */
export function formatIssues(summaries: readonly IssueSummary[]): string {
  return summaries.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}
