/** Whether `id` can name a row (a primary key or a `within` attribute's value): a number, string or bigint. */
export function isRowId(id: unknown): id is number | string | bigint {
  return typeof id === 'number' || typeof id === 'string' || typeof id === 'bigint';
}
