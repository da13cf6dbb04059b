import { isMap, isSeq, isScalar, type Node, type LineCounter } from 'yaml';
import { ConfigError } from '../errors.js';
import { parseDuration } from '../util/duration.js';

/**
 * A small declarative checker for the config file: walks the YAML syntax tree (JSON is
 * parsed by the same parser) so every complaint names the key and its line.
 */
export type Shape =
  | { kind: 'string' } | { kind: 'number'; integer?: boolean; min?: number; max?: number } | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'duration' }
  | { kind: 'list'; of: Shape }
  | { kind: 'map'; of: Shape }
  | { kind: 'object'; keys: Record<string, Shape>; required?: string[] }
  | { kind: 'nullable'; of: Shape };

export const S = {
  string: { kind: 'string' } as Shape,
  int: (min?: number, max?: number): Shape => ({ kind: 'number', integer: true, min, max }),
  number: { kind: 'number' } as Shape,
  boolean: { kind: 'boolean' } as Shape,
  /** A duration as written (15m, 1h, 1d, 1h30m), checked here and given as whole seconds. */
  duration: { kind: 'duration' } as Shape,
  enumOf: (values: readonly string[]): Shape => ({ kind: 'enum', values }),
  list: (of: Shape): Shape => ({ kind: 'list', of }),
  map: (of: Shape): Shape => ({ kind: 'map', of }),
  object: (keys: Record<string, Shape>, required?: string[]): Shape => ({ kind: 'object', keys, required }),
  nullable: (of: Shape): Shape => ({ kind: 'nullable', of }),
};

export function checkNode(node: Node | null | undefined, shape: Shape, path: string, file: string, lines: LineCounter): unknown {
  const where = (n: Node | null | undefined) => (n?.range ? lines.linePos(n.range[0]).line : undefined);
  const fail = (msg: string, n: Node | null | undefined = node): never => {
    const line = where(n);
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: ${path}: ${msg}`, { file, line });
  };
  if (shape.kind === 'nullable') {
    if (node == null || (isScalar(node) && node.value === null)) return null;
    return checkNode(node, shape.of, path, file, lines);
  }
  if (node == null || (isScalar(node) && node.value === null)) return fail('has no value');
  switch (shape.kind) {
    case 'string': {
      if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) return fail('must be a string');
      // A number as written: YAML would read an id like 00123 as the number 123.
      return typeof node.value === 'number' ? (node as { source?: string }).source ?? String(node.value) : node.value;
    }
    case 'number': {
      if (!isScalar(node) || typeof node.value !== 'number') return fail('must be a number');
      const v = node.value;
      if (shape.integer && !Number.isInteger(v)) return fail('must be a whole number');
      if (shape.min !== undefined && v < shape.min) return fail(`must be >= ${shape.min}`);
      if (shape.max !== undefined && v > shape.max) return fail(`must be <= ${shape.max}`);
      return v;
    }
    case 'boolean': {
      if (!isScalar(node) || typeof node.value !== 'boolean') return fail('must be true or false');
      return node.value;
    }
    case 'duration': {
      const seconds = isScalar(node) && typeof node.value === 'string' ? parseDuration(node.value) : null;
      if (seconds === null) return fail('must be a duration: a whole number and a unit, s m h d or w (15m, 1h, 1d, 1h30m)');
      return seconds;
    }
    case 'enum': {
      if (!isScalar(node) || !shape.values.includes(String(node.value))) return fail(`must be one of ${shape.values.join(', ')}`);
      return String(node.value);
    }
    case 'list': {
      if (!isSeq(node)) return fail('must be a list');
      return node.items.map((item, i) => checkNode(item as Node, shape.of, `${path}[${i}]`, file, lines));
    }
    case 'map':
    case 'object': {
      if (!isMap(node)) return fail('must be a mapping (key: value)');
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key as Node;
        // The key as written: YAML would read `00123:` (a merchant id) as the number 123.
        const key = isScalar(keyNode)
          ? (typeof keyNode.value === 'string' ? keyNode.value : (keyNode as { source?: string }).source ?? String(keyNode.value))
          : fail('has a key that is not a plain name', keyNode);
        const sub = path ? `${path}.${key}` : key;
        let valueShape: Shape | undefined;
        if (shape.kind === 'map') valueShape = shape.of;
        else {
          valueShape = Object.prototype.hasOwnProperty.call(shape.keys, key) ? shape.keys[key] : undefined;
          if (!valueShape) {
            const known = Object.keys(shape.keys).join(', ');
            const line = where(keyNode);
            throw new ConfigError(`${file}${line ? `:${line}` : ''}: unknown key '${sub}' (known here: ${known})`, { file, line });
          }
        }
        out[key] = checkNode(pair.value as Node, valueShape, sub, file, lines);
      }
      if (shape.kind === 'object') {
        for (const req of shape.required ?? []) if (!(req in out)) fail(`is missing '${req}'`);
      }
      return out;
    }
  }
}
