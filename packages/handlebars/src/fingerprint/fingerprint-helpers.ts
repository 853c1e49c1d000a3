import type { Registration } from '../types';
import { callHelpers } from './call-helpers';
import { FP } from './fingerprint-names';
import { flowHelpers } from './flow-helpers';
import type { FingerprintHelper } from './helper-options';
import { readHelpers } from './read-helpers';

/** The helpers fingerprint programs call, by name, for registering on the instance. */
export function fingerprintHelpers(registration: Registration): Record<string, FingerprintHelper> {
  const read = readHelpers(registration);
  const flow = flowHelpers(registration);
  const calls = callHelpers(registration);
  const helpers: Record<keyof typeof FP, FingerprintHelper | undefined> = {
    switch: flow.switch,
    template: read.template,
    ref: read.ref,
    value: read.value,
    mustache: read.mustache,
    helper: calls.helper,
    call: calls.call,
    if: flow.if,
    unless: flow.unless,
    each: flow.each,
    with: flow.with,
    section: flow.section,
    block: calls.block,
    partial: read.partial,
    extend: read.extend,
    unknown: read.unknown,
  };
  const byName: Record<string, FingerprintHelper> = {};
  for (const [key, helper] of Object.entries(helpers)) {
    if (helper !== undefined) byName[FP[key as keyof typeof FP]] = helper;
  }
  return byName;
}
