import type Handlebars from 'handlebars';
import { blockMode, innermost, withFrame } from '../frames';
import type { CallFrame, Registration } from '../types';
import { watchedHelpers } from './helper-watch';
import { noteExtension } from './partial-extensions';
import { RenderState } from './render-state';
import { tagTemplate } from './template-registration';

type Template = Handlebars.TemplateDelegate;

const MAX_KNOWN_DIGESTS = 100_000;

/**
 * Wraps a template compiled by a registered instance. Every call but Handlebars' own
 * calls of partials runs as a frame of the registration (see `Frame`): a plain call
 * caches its blocks in place through one session, and a template that a helper renders
 * inside a `renderCached` render joins that render — its blocks become placeholders
 * that the block around the helper records as its own — with its digest kept with that
 * block's stored copy. In a render, the call's helpers are watched (see `helper-watch.ts`).
 */
export function wrapTemplate(registration: Registration, template: Template, digest: string): Template {
  // `compile` returns a template that compiles on its first call, through `template(spec)`: that one is not wrapped again.
  const inner = (context: unknown, options: Handlebars.RuntimeOptions | undefined): string => {
    registration.compiling++;
    try {
      return template(context, options);
    } finally {
      registration.compiling--;
    }
  };
  const call = (context: unknown, options?: Handlebars.RuntimeOptions & { partial?: boolean }): string => {
    if (options?.partial === true) {
      noteExtension(registration, context, options);
      return inner(context, options);
    }
    const mode = blockMode(registration);
    if (mode?.kind === 'fingerprint') return inner(context, options);
    innermost(registration, 'rendering')?.templates.add(digest);
    const state = mode instanceof RenderState ? mode : undefined;
    const runtime: Handlebars.RuntimeOptions | undefined =
      state === undefined
        ? options
        : { ...options, helpers: watchedHelpers(registration, options?.helpers) as Record<string, () => unknown> };
    const frame: CallFrame = {
      kind: 'call',
      runtimeHelpers: options?.helpers,
      mode: mode ?? { kind: 'sync', session: undefined },
    };
    const output = withFrame(registration, frame, () => inner(context, runtime));
    if (state?.mayHoldPlaceholders(output)) state.outputs.push({ text: output, log: [] });
    return output;
  };
  // Handlebars reads `_setup` and `_child` of compiled templates.
  Object.assign(call, template);
  tagTemplate(call, registration);
  registration.templateDigests.set(call, digest);
  registration.knownDigests.add(digest);
  if (registration.knownDigests.size > MAX_KNOWN_DIGESTS) {
    const oldest = registration.knownDigests.values().next().value;
    if (oldest !== undefined) registration.knownDigests.delete(oldest);
  }
  return call as Template;
}
