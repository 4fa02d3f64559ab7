/**
 * What an empty field shows: a hint that cannot be mistaken for data. It starts with "none" or
 * says what applies instead ("as the id", "generated"), and an example is marked "e.g.";
 * styles.css draws every placeholder lighter and in italics. Pure, tested under Node.
 */
import type { NodeKind } from '../../shared/model/topology.js';

/** "none; e.g. EXAMPLE": an optional field left empty. */
export function noneHint(example: string): string {
  return `none; e.g. ${example}`;
}

/** A name field left empty: the element's id is used. */
export function asIdHint(id: string): string {
  return `as the id (${id})`;
}

/** The addresses of a link's end on a node of kind `self`, whose other end is a node of kind `other`. */
export function endAddressHint(self: NodeKind | undefined, other: NodeKind | undefined): string {
  if (self === 'bridge') return 'none: a bridge port has no address';
  if (self === 'internet' || other === 'internet') return "none: the uplink keeps the host's own address";
  return noneHint('10.0.0.1/24');
}
