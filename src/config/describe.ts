import { z } from 'zod';
import { buildConfigSchema } from './schema.js';

/** One documented key of the configuration, derived from the schema (the schema is the only source). */
export interface KeyDoc {
  path: string;
  type: string;
  required: boolean;
  default: unknown;
  description: string;
  /** For a key of one driver in a union (e.g. `vedirect` for hardware.battery.port), that driver. */
  variant?: string;
}

/** Every key of the schema, depth first, parents before children. */
export function describeConfig(schema: z.ZodType = buildConfigSchema()): KeyDoc[] {
  const out: KeyDoc[] = [];
  walk(schema, '', out);
  return out;
}

function walk(schema: z.ZodType, prefix: string, out: KeyDoc[], variant?: string): void {
  const object = unwrap(schema).inner;
  if (object instanceof z.ZodUnion) {
    walkVariants(object, prefix, out);
    return;
  }
  if (!(object instanceof z.ZodObject)) return;
  for (const [key, child] of Object.entries(object.shape as Record<string, z.ZodType>)) {
    if (variant && key === 'driver') continue; // the union's own entry lists the drivers
    const path = prefix ? `${prefix}.${key}` : key;
    const { inner, optional, defaultValue } = unwrap(child);
    out.push({
      path,
      type: typeName(inner),
      required: !optional,
      default: defaultValue,
      description: child.description ?? inner.description ?? '',
      ...(variant ? { variant } : {}),
    });
    walk(child, path, out, variant);
  }
}

/** A union of driver objects: each driver's own keys, marked with the driver they belong to. */
function walkVariants(union: z.ZodUnion, prefix: string, out: KeyDoc[]): void {
  for (const option of union.options as readonly z.ZodType[]) {
    const name = driverName(option);
    if (name && name !== 'sim') walk(option, prefix, out, name);
  }
}

function driverName(option: z.ZodType): string | undefined {
  const inner = unwrap(option).inner;
  if (!(inner instanceof z.ZodObject)) return undefined;
  const driver = (inner.shape as Record<string, z.ZodType>).driver;
  return driver instanceof z.ZodLiteral ? String([...driver.values][0]) : undefined;
}

function unwrap(schema: z.ZodType): { inner: z.ZodType; optional: boolean; defaultValue: unknown } {
  let inner = schema;
  let optional = false;
  let defaultValue: unknown;
  for (;;) {
    if (inner instanceof z.ZodOptional) {
      optional = true;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault) {
      optional = true;
      const value: unknown = inner.def.defaultValue;
      // an object's defaults are its children's, documented with them
      defaultValue = value && typeof value === 'object' && !Array.isArray(value) ? undefined : value;
      inner = inner.def.innerType as z.ZodType;
    } else {
      return { inner, optional, defaultValue };
    }
  }
}

function typeName(schema: z.ZodType): string {
  if (schema instanceof z.ZodObject) return 'object';
  if (schema instanceof z.ZodArray) return `list of ${typeName(schema.element as z.ZodType)}`;
  if (schema instanceof z.ZodEnum) return schema.options.map((o) => JSON.stringify(o)).join(' | ');
  if (schema instanceof z.ZodLiteral) return [...schema.values].map((v) => JSON.stringify(v)).join(' | ');
  if (schema instanceof z.ZodNumber) return schema.format?.includes('int') ? 'integer' : 'number';
  if (schema instanceof z.ZodUnion) {
    const drivers = (schema.options as readonly z.ZodType[]).map(driverName);
    if (drivers.every((d) => d !== undefined)) return `driver: ${drivers.join(' | ')}`;
    return (schema.options as readonly z.ZodType[]).map(typeName).join(' | ');
  }
  return schema.def.type;
}

/** docs/configuration.md, generated: `npm run docs:config`; a test keeps the checked-in copy current. */
export function configReference(): string {
  const rows = describeConfig().map((k) => {
    const dflt =
      k.default === undefined ? (k.required ? '**required**' : '') : `\`${JSON.stringify(k.default)}\``;
    const who = k.variant ? `(${k.variant}) ` : '';
    return `| \`${k.path}\` | ${k.type.replaceAll('|', '\\|')} | ${dflt} | ${who}${k.description} |`;
  });
  return [
    '# Configuration reference',
    '',
    'Generated from `src/config/schema.ts` by `npm run docs:config`; do not edit by hand.',
    'Every key is validated; an unknown key is an error. A commented example of every key is',
    '`config/raspberry-pi.example.yaml`.',
    '',
    '| key | type | default | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
