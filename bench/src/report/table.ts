/** A Markdown table from a header and rows of cells. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const rule = header.map((cell) =>
    /^(N|median|p90|×|req|p50|p99|queries|reads|calls|bytes)/.test(cell) ? '---:' : '---',
  );
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}
