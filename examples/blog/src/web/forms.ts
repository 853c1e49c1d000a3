/** The fields of a form as sent, and what is wrong with them (empty when valid). */
export interface FormResult<T> {
  /** The trimmed values, to show the form again. */
  readonly values: T;
  /** Field name → message. */
  readonly errors: Readonly<Partial<Record<keyof T, string>>>;
}

function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

function lengthError(label: string, value: string, max: number): string | undefined {
  if (value.length === 0) return `${label} is required.`;
  if (value.length > max) return `${label} is ${value.length} characters; at most ${max}.`;
  return undefined;
}

function collect<T>(values: T, checks: Partial<Record<keyof T, string | undefined>>): FormResult<T> {
  const errors: Partial<Record<keyof T, string>> = {};
  for (const [name, message] of Object.entries(checks) as [keyof T, string | undefined][]) {
    if (message !== undefined) errors[name] = message;
  }
  return { values, errors };
}

/** Checks the add-comment form. */
export function readCommentForm(body: unknown): FormResult<{ author: string; body: string }> {
  const values = { author: field(body, 'author'), body: field(body, 'body') };
  return collect(values, {
    author: lengthError('Name', values.author, 80),
    body: lengthError('Comment', values.body, 2000),
  });
}

/** Checks the edit-article form. */
export function readArticleForm(body: unknown): FormResult<{ title: string; body: string }> {
  const values = { title: field(body, 'title'), body: field(body, 'body') };
  return collect(values, {
    title: lengthError('Title', values.title, 200),
    body: lengthError('Body', values.body, 20_000),
  });
}

/** True when a form result has no errors. */
export function isValid<T>(result: FormResult<T>): boolean {
  return Object.keys(result.errors).length === 0;
}

/** Reads a positive integer id from a route parameter; `undefined` when it is not one. */
export function parseId(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^[1-9]\d{0,15}$/.test(value)) return undefined;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : undefined;
}
