/**
 * Link impairments (netem): what each end of a link sends through, as the words of
 * `tc qdisc replace dev DEV root netem WORDS...`, as a short label for the canvas, and back from
 * those words or from what `tc -j qdisc show` prints (for inspect). Pure and browser-safe.
 */
import type { Netem } from '../model/topology.js';

/** What the netem of a link's ends depends on (a document link, written or with defaults). */
export interface NetemLink {
  netem?: Netem | undefined;
  a: { netem?: Netem | undefined };
  b: { netem?: Netem | undefined };
}

/** The figures of a netem, in the order tc prints them. */
export const NETEM_FIELDS = ['delayMs', 'jitterMs', 'lossPercent', 'duplicatePercent', 'corruptPercent', 'rateMbit'] as const;
export type NetemField = (typeof NETEM_FIELDS)[number];

/** How to get the netem qdisc where a kernel lacks it, for messages (lab.sh expands $(uname -r)). */
export const NETEM_FIX =
  'load it with modprobe sch_netem (on Debian or Ubuntu the module is in the package linux-modules-extra-$(uname -r); elsewhere use a kernel built with CONFIG_NET_SCH_NETEM)';

/** True when the netem changes nothing (no field set above zero): no qdisc is made for it. */
export function netemIsEmpty(n: Netem | undefined): boolean {
  return n === undefined || NETEM_FIELDS.every((f) => !(n[f]! > 0));
}

/** The impairments of what one end of a link sends: its own netem, else the link's; undefined when none. */
export function endNetem(link: NetemLink, side: 'a' | 'b'): Netem | undefined {
  const n = link[side].netem ?? link.netem;
  return netemIsEmpty(n) ? undefined : n;
}

/** A number as tc reads it: plain decimals, never an exponent. */
function num(x: number): string {
  return String(Number(x.toFixed(6)));
}

/** The words after `netem` for tc: only the figures that are set (a zero one is left out). */
export function netemArgs(n: Netem): string[] {
  const words: string[] = [];
  if (n.delayMs! > 0 || n.jitterMs! > 0) words.push('delay', `${num(n.delayMs ?? 0)}ms`, ...(n.jitterMs! > 0 ? [`${num(n.jitterMs!)}ms`] : []));
  if (n.lossPercent! > 0) words.push('loss', `${num(n.lossPercent!)}%`);
  if (n.duplicatePercent! > 0) words.push('duplicate', `${num(n.duplicatePercent!)}%`);
  if (n.corruptPercent! > 0) words.push('corrupt', `${num(n.corruptPercent!)}%`);
  // Whole kbit/s: tc keeps the rate in bytes per second, which a whole kbit/s always is.
  if (n.rateMbit! > 0) words.push('rate', `${Math.round(n.rateMbit! * 1000)}kbit`);
  return words;
}

/** The figures that netemArgs() wrote, read back (from a record line of lab.sh). */
export function parseNetemArgs(words: readonly string[]): Netem {
  const n: Netem = {};
  const value = (w: string | undefined, unit: string): number | undefined => (w !== undefined && w.endsWith(unit) ? Number(w.slice(0, -unit.length)) : undefined);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === 'delay') {
      n.delayMs = value(words[++i], 'ms');
      const jitter = value(words[i + 1], 'ms');
      if (jitter !== undefined) {
        n.jitterMs = jitter;
        i++;
      }
    } else if (w === 'loss') n.lossPercent = value(words[++i], '%');
    else if (w === 'duplicate') n.duplicatePercent = value(words[++i], '%');
    else if (w === 'corrupt') n.corruptPercent = value(words[++i], '%');
    else if (w === 'rate') {
      const kbit = value(words[++i], 'kbit');
      if (kbit !== undefined) n.rateMbit = kbit / 1000;
    }
  }
  for (const f of NETEM_FIELDS) if (n[f] === 0 || n[f] === undefined || Number.isNaN(n[f])) delete n[f];
  return n;
}

/** What `tc -j qdisc show` prints in `options` of a netem qdisc (iproute2 6.x; seconds, fractions, bytes per second). */
interface TcNetemOptions {
  delay?: { delay?: number; jitter?: number };
  'loss-random'?: { loss?: number };
  duplicate?: { duplicate?: number };
  corrupt?: { corrupt?: number };
  rate?: { rate?: number };
}

/** The figures of a netem qdisc from its `tc -j` options, in the units of the drawing. */
export function netemFromTc(options: unknown): Netem {
  const o = (options ?? {}) as TcNetemOptions;
  const n: Netem = {};
  const round = (x: number): number => Number(x.toFixed(6));
  if (o.delay?.delay) n.delayMs = round(o.delay.delay * 1000);
  if (o.delay?.jitter) n.jitterMs = round(o.delay.jitter * 1000);
  if (o['loss-random']?.loss) n.lossPercent = round(o['loss-random'].loss * 100);
  if (o.duplicate?.duplicate) n.duplicatePercent = round(o.duplicate.duplicate * 100);
  if (o.corrupt?.corrupt) n.corruptPercent = round(o.corrupt.corrupt * 100);
  if (o.rate?.rate) n.rateMbit = round((o.rate.rate * 8) / 1_000_000);
  return n;
}

/**
 * How two netems differ, as "delay 50 ms instead of 20 ms" phrases (empty when they match). tc
 * keeps percentages in 1/2^32 steps and times in nanoseconds, so figures within 0.1 % match.
 */
export function netemDifferences(want: Netem, have: Netem): string[] {
  const out: string[] = [];
  for (const f of NETEM_FIELDS) {
    const w = want[f] ?? 0;
    const h = have[f] ?? 0;
    if (Math.abs(w - h) <= Math.max(1e-6, Math.abs(w) * 1e-3)) continue;
    out.push(`${FIELD_LABELS[f]} is ${figure(f, h)} instead of ${figure(f, w)}`);
  }
  return out;
}

/** What each field is called in messages and the panel. */
export const FIELD_LABELS: Record<NetemField, string> = {
  delayMs: 'delay',
  jitterMs: 'jitter',
  lossPercent: 'loss',
  duplicatePercent: 'duplication',
  corruptPercent: 'corruption',
  rateMbit: 'rate',
};

function figure(f: NetemField, x: number): string {
  if (f === 'delayMs' || f === 'jitterMs') return `${num(x)} ms`;
  if (f === 'rateMbit') return `${num(x)} Mbit/s`;
  return `${num(x)} %`;
}

/** A short label for the canvas: "50 ms, 1 %" (delay ± jitter, loss, rate, then duplication and corruption). */
export function netemLabel(n: Netem): string {
  const parts: string[] = [];
  if (n.delayMs! > 0 || n.jitterMs! > 0) parts.push(`${num(n.delayMs ?? 0)}${n.jitterMs! > 0 ? `±${num(n.jitterMs!)}` : ''} ms`);
  if (n.lossPercent! > 0) parts.push(`${num(n.lossPercent!)} %`);
  if (n.rateMbit! > 0) parts.push(`${num(n.rateMbit!)} Mbit/s`);
  if (n.duplicatePercent! > 0) parts.push(`dup ${num(n.duplicatePercent!)} %`);
  if (n.corruptPercent! > 0) parts.push(`corrupt ${num(n.corruptPercent!)} %`);
  return parts.join(', ');
}

/** The canvas label of a link: its own figures, or both directions when its ends differ ("a→b 50 ms / b→a 10 ms"). */
export function linkNetemLabel(link: NetemLink): string {
  const a = endNetem(link, 'a');
  const b = endNetem(link, 'b');
  const la = a ? netemLabel(a) : '';
  const lb = b ? netemLabel(b) : '';
  if (la === lb) return la;
  return [la ? `→ ${la}` : '', lb ? `← ${lb}` : ''].filter(Boolean).join(' / ');
}

/** A netem with one field set (a number) or cleared (undefined); undefined when no field is left. For the link's panel. */
export function withNetemField(n: Netem | undefined, field: NetemField, value: number | undefined): Netem | undefined {
  const next: Netem = { ...n };
  if (value === undefined) delete next[field];
  else next[field] = value;
  return Object.keys(next).length > 0 ? next : undefined;
}
