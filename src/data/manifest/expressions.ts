import fhirpath from 'fhirpath';

/** Words FHIRPath's grammar reserves (operators, literals, calendar units); a column of that name must be written in backticks. */
export const FHIRPATH_KEYWORDS: readonly string[] = [
  'and', 'or', 'xor', 'implies', 'is', 'as', 'in', 'contains', 'div', 'mod', 'true', 'false',
  'year', 'years', 'month', 'months', 'week', 'weeks', 'day', 'days', 'hour', 'hours',
  'minute', 'minutes', 'second', 'seconds', 'millisecond', 'milliseconds', 'sort', 'asc', 'desc',
];

const OPERATORS: ReadonlySet<string> = new Set(['and', 'or', 'xor', 'implies', 'is', 'as', 'in', 'contains', 'div', 'mod', 'true', 'false']);

/**
 * Parses a FHIRPath expression from the manifest; undefined when it parses, else one line saying why,
 * with a hint when a word in it is a FHIRPath keyword used as a column name (e.g. `days`).
 */
export function checkExpression(expression: string): string | undefined {
  try {
    fhirpath.parse(expression);
    return undefined;
  } catch (e) {
    const raw = (e as Error).message.split('\n')[0];
    // The parser lists every token it expected; the position and the offending input are what help.
    const why = raw.replace(/ expecting \{.*$/, '').replace(/^line: \d+; /, '');
    // Words outside quotes and backticks only: `days` and 'days' are already a column and a string.
    const bare = expression.replace(/`[^`]*`|'(?:[^'\\]|\\.)*'/g, ' ');
    // A calendar word anywhere is suspect; an operator word only where the parser stumbled on it.
    const offending = /input '([^']*)'/.exec(raw)?.[1];
    const clash = FHIRPATH_KEYWORDS.filter((k) => (OPERATORS.has(k) ? k === offending : new RegExp(`(^|[^A-Za-z0-9_.$%])${k}(?![A-Za-z0-9_])`).test(bare)));
    const hint = clash.length ? `; ${clash.map((k) => `'${k}'`).join(', ')} ${clash.length > 1 ? 'are FHIRPath keywords' : 'is a FHIRPath keyword'}: write a column of that name in backticks, e.g. \`${clash[0]}\`` : '';
    return `not a valid FHIRPath expression '${expression}' (${why})${hint}`;
  }
}

/**
 * The column names a row expression reads: identifiers (plain or in backticks) that do not follow a
 * `.` (members), are not called (functions), and are not keywords, `%` variables or `$` names.
 */
export function expressionColumns(expression: string): string[] {
  const out = new Set<string>();
  // Strings first, so a word inside quotes is never taken for a column.
  const text = expression.replace(/'(?:[^'\\]|\\.)*'/g, "''");
  const re = /`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const before = text.slice(0, m.index).trimEnd();
    const after = text.slice(m.index + m[0].length).trimStart();
    if (before.endsWith('.') || before.endsWith('%') || before.endsWith('$') || after.startsWith('(')) continue;
    if (m[2] !== undefined && FHIRPATH_KEYWORDS.includes(m[2])) continue;
    out.add(m[1] ?? m[2]);
  }
  return [...out];
}
