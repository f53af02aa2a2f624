/**
 * One FIWARE entity, as the pipeline sees it whatever form it came in:
 * NGSI-LD normalized (Property/GeoProperty/Relationship with `unitCode`,
 * `observedAt`), NGSI-LD concise or keyValues, NGSI-v2 normalized (attributes
 * with `type`, `value`, `metadata.unitCode`) or v2 keyValues.
 *
 * JSON-LD contexts are not dereferenced (no outside fetch, and a partner
 * must not be able to make the city's servers fetch a URL): attribute and
 * type names are read by their local name (`https://smartdatamodels.org/
 * dataModel.Transportation/intensity` and `intensity` are the same term), which
 * is what the Smart Data Models contexts map them to (docs/ingestion.md).
 */

/** How an attribute was declared. */
export type NgsiAttributeKind = 'Property' | 'GeoProperty' | 'Relationship';

/** One attribute of an entity, with its NGSI metadata. */
export interface NgsiAttribute {
  readonly kind: NgsiAttributeKind;
  /** The value (the `object` of a Relationship); JSON-LD `@value` wrappers are unwrapped. */
  readonly value: unknown;
  /** UN/CEFACT unit code (`unitCode`, or v2 `metadata.unitCode`), when given. */
  readonly unitCode?: string;
  /** The attribute's own observation time (`observedAt`, or v2 `metadata.TimeInstant`), when given. */
  readonly observedAt?: string;
  /** The v2 attribute type (`Number`, `Text`, `DateTime`, `geo:json`, ...), when given. */
  readonly declaredType?: string;
}

/** The wire format an entity came in. */
export type NgsiFormat = 'ngsi-ld' | 'ngsi-v2';

/** An entity ready for validation. */
export interface NgsiEntity {
  /** The entity id as sent (a URN for NGSI-LD). */
  readonly id: string;
  /** The entity type, by its local name (e.g. `TrafficFlowObserved`). */
  readonly type: string;
  readonly format: NgsiFormat;
  /** Attributes by local name. */
  readonly attributes: ReadonlyMap<string, NgsiAttribute>;
}

/** Why an entity could not even be read (before any department looks at it). */
export class NgsiFormatError extends Error {
  constructor(
    message: string,
    /** The entity id, when it could be read. */
    readonly entityId: string | null = null,
  ) {
    super(message);
    this.name = 'NgsiFormatError';
  }
}

const GEOJSON_TYPES = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
]);

// Members of an NGSI-LD entity that are not attributes.
const LD_RESERVED = new Set([
  'id',
  'type',
  '@id',
  '@type',
  '@context',
  'scope',
]);
const V2_RESERVED = new Set(['id', 'type']);

/** The local name of a term: after the last `/`, `#` or `:` of an expanded or prefixed IRI. */
export function localName(term: string): string {
  const cut = Math.max(
    term.lastIndexOf('/'),
    term.lastIndexOf('#'),
    term.lastIndexOf(':'),
  );
  return cut >= 0 && cut < term.length - 1 ? term.slice(cut + 1) : term;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Unwraps JSON-LD value objects (`{ "@type": "DateTime", "@value": "..." }`). */
function unwrap(value: unknown): unknown {
  if (isObject(value) && '@value' in value) return value['@value'];
  return value;
}

function isGeoJson(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value['type'] === 'string' &&
    GEOJSON_TYPES.has(value['type']) &&
    Array.isArray(value['coordinates'])
  );
}

function textOrUndefined(value: unknown): string | undefined {
  const v = unwrap(value);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function readIdAndType(
  raw: Record<string, unknown>,
  format: NgsiFormat,
): { id: string; type: string } {
  const id = raw['id'] ?? (format === 'ngsi-ld' ? raw['@id'] : undefined);
  if (typeof id !== 'string' || id.trim() === '')
    throw new NgsiFormatError('The entity has no "id" (a non-empty string).');
  if (id.length > 256)
    throw new NgsiFormatError(
      'The entity id is longer than 256 characters.',
      null,
    );
  if (format === 'ngsi-ld' && !/^[a-z][a-z0-9+.-]*:/i.test(id))
    throw new NgsiFormatError(
      `The entity id "${id}" is not a URI (NGSI-LD ids are URIs, e.g. urn:ngsi-ld:TrafficFlowObserved:...).`,
      id,
    );
  const type = raw['type'] ?? (format === 'ngsi-ld' ? raw['@type'] : undefined);
  if (typeof type !== 'string' || type.trim() === '')
    throw new NgsiFormatError('The entity has no "type" (a string).', id);
  return { id, type: localName(type) };
}

/** Reads one NGSI-LD attribute in any of its forms. */
function readLdAttribute(raw: unknown): NgsiAttribute {
  // A multi-attribute (several instances by datasetId): the default
  // instance, or the first one.
  if (Array.isArray(raw) && raw.length > 0 && raw.every(isObject)) {
    const instances = raw;
    const chosen =
      instances.find((i) => i['datasetId'] === undefined) ?? instances[0];
    if (
      chosen &&
      (chosen['type'] === 'Property' ||
        chosen['type'] === 'GeoProperty' ||
        chosen['type'] === 'Relationship' ||
        'value' in chosen ||
        'object' in chosen)
    )
      return readLdAttribute(chosen);
  }
  if (isObject(raw)) {
    const declared = raw['type'];
    const unitCode = textOrUndefined(raw['unitCode']);
    const observedAt = textOrUndefined(raw['observedAt']);
    const meta = {
      ...(unitCode === undefined ? {} : { unitCode }),
      ...(observedAt === undefined ? {} : { observedAt }),
    };
    if (declared === 'Relationship' || ('object' in raw && !('value' in raw)))
      return { kind: 'Relationship', value: unwrap(raw['object']), ...meta };
    if (declared === 'GeoProperty')
      return { kind: 'GeoProperty', value: raw['value'], ...meta };
    if (
      declared === 'Property' ||
      declared === 'LanguageProperty' ||
      declared === 'VocabProperty' ||
      declared === 'JsonProperty' ||
      (declared === undefined && 'value' in raw)
    ) {
      const value = unwrap(raw['value'] ?? raw['json'] ?? raw['vocab']);
      return {
        kind: isGeoJson(value) ? 'GeoProperty' : 'Property',
        value,
        ...meta,
      };
    }
    // keyValues: a GeoJSON geometry or any structured value.
    if (isGeoJson(raw)) return { kind: 'GeoProperty', value: raw };
    return { kind: 'Property', value: unwrap(raw) };
  }
  return { kind: 'Property', value: raw };
}

/** Reads one NGSI-v2 attribute (normalized unless `keyValues`). */
function readV2Attribute(
  name: string,
  raw: unknown,
  keyValues: boolean,
): NgsiAttribute {
  if (!keyValues && isObject(raw) && 'value' in raw) {
    const declaredType =
      typeof raw['type'] === 'string' ? raw['type'] : undefined;
    const metadata = isObject(raw['metadata']) ? raw['metadata'] : {};
    const metaValue = (key: string) =>
      isObject(metadata[key])
        ? textOrUndefined(metadata[key]['value'])
        : undefined;
    const unitCode = metaValue('unitCode');
    const observedAt = metaValue('TimeInstant') ?? metaValue('dateObserved');
    const kind: NgsiAttributeKind =
      declaredType === 'geo:json' || isGeoJson(raw['value'])
        ? 'GeoProperty'
        : declaredType === 'Relationship'
          ? 'Relationship'
          : 'Property';
    return {
      kind,
      value: raw['value'],
      ...(declaredType === undefined ? {} : { declaredType }),
      ...(unitCode === undefined ? {} : { unitCode }),
      ...(observedAt === undefined ? {} : { observedAt }),
    };
  }
  if (isGeoJson(raw)) return { kind: 'GeoProperty', value: raw };
  // v2 keyValues have no declared relationships; `ref*` attributes are
  // relationships by the Smart Data Models naming rule.
  return {
    kind: /^ref[A-Z]/.test(name) ? 'Relationship' : 'Property',
    value: raw,
  };
}

/**
 * Reads an NGSI-LD entity (normalized, concise or keyValues).
 * @throws NgsiFormatError when it is not an object with a URI `id` and a `type`.
 */
export function parseNgsiLdEntity(raw: unknown): NgsiEntity {
  if (!isObject(raw))
    throw new NgsiFormatError('An entity must be a JSON object.');
  const { id, type } = readIdAndType(raw, 'ngsi-ld');
  const attributes = new Map<string, NgsiAttribute>();
  for (const [name, value] of Object.entries(raw)) {
    if (LD_RESERVED.has(name)) continue;
    attributes.set(localName(name), readLdAttribute(value));
  }
  return { id, type, format: 'ngsi-ld', attributes };
}

/**
 * Reads an NGSI-v2 entity (normalized, or keyValues with `keyValues`).
 * @throws NgsiFormatError when it is not an object with an `id` and a `type`.
 */
export function parseNgsiV2Entity(raw: unknown, keyValues = false): NgsiEntity {
  if (!isObject(raw))
    throw new NgsiFormatError('An entity must be a JSON object.');
  const { id, type } = readIdAndType(raw, 'ngsi-v2');
  const attributes = new Map<string, NgsiAttribute>();
  for (const [name, value] of Object.entries(raw)) {
    if (V2_RESERVED.has(name)) continue;
    attributes.set(name, readV2Attribute(name, value, keyValues));
  }
  return { id, type, format: 'ngsi-v2', attributes };
}

/** The id and type of a raw entity, when it has them (for routing before parsing). */
export function peekIdAndType(
  raw: unknown,
  format: NgsiFormat,
): { id: string | null; type: string | null } {
  if (!isObject(raw)) return { id: null, type: null };
  const id = raw['id'] ?? (format === 'ngsi-ld' ? raw['@id'] : undefined);
  const type = raw['type'] ?? (format === 'ngsi-ld' ? raw['@type'] : undefined);
  return {
    id: typeof id === 'string' && id !== '' ? id : null,
    type: typeof type === 'string' && type !== '' ? localName(type) : null,
  };
}

/**
 * The graph id an NGSI reference points at: the last segment of
 * `urn:ngsi-ld:<Type>:<graph id>`, or the reference itself when it is not a URN.
 */
export function graphIdOf(reference: string): string {
  const match = /^urn:ngsi-ld:[^:]+:(.+)$/i.exec(reference);
  return match?.[1] ?? reference;
}

/** The NGSI id of a graph entity: `urn:ngsi-ld:<FIWARE type>:<graph id>`. */
export function ngsiIdOf(fiwareType: string, graphId: string): string {
  return `urn:ngsi-ld:${fiwareType}:${graphId}`;
}

/**
 * The first of `names` the entity carries as non-blank text (trimmed), or as a
 * number (as text); null when none does. For registry-like attributes (names,
 * codes, identifiers) that partners send either way.
 */
export function textAttribute(
  entity: NgsiEntity,
  ...names: readonly string[]
): string | null {
  for (const name of names) {
    const value = entity.attributes.get(name)?.value;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return null;
}
