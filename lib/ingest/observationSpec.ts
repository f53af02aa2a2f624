/**
 * What a department declares about each FIWARE observation type it ingests:
 * which attribute names its device, its time and each quantity, in which
 * unit and range. The pipeline (lib/ingest/createIngestPipeline.ts) applies
 * the same checks to every type from this declaration; docs/ingestion.md
 * lists every type's declaration.
 */
import type { QualityFlag } from './quality.js';
import type { Dimension } from './unitCodes.js';

/** One quantity of an observation type, as a graph field. */
export interface QuantitySpec {
  /** The graph (and stored) field, e.g. `averageSpeed`. */
  readonly field: string;
  /** The FIWARE attribute names that carry it (local names, matched case-insensitively). */
  readonly attributes: readonly string[];
  readonly dimension: Dimension;
  /** The UN/CEFACT unit assumed when the payload gives no `unitCode`. */
  readonly defaultUnit: string;
  /** Molar mass (g/mol) of a gas, so ppm/ppb convert to µg/m3. */
  readonly molarMass?: number;
  /** Outside [min, max] (in the stored unit) the record is rejected: physically impossible. */
  readonly possible: readonly [number, number];
  /** Outside [min, max] the record is accepted with IMPLAUSIBLE_VALUE. */
  readonly plausible: readonly [number, number];
  /**
   * The payload counts over its observation interval and the graph stores
   * the count per hour (TrafficFlowObserved `intensity`).
   * @default false
   */
  readonly perHour?: boolean;
  /**
   * Whether the value must be a whole number (counts of bikes, slots).
   * @default false
   */
  readonly integer?: boolean;
}

/** One text property of an observation type (a status, a state). */
export interface TextSpec {
  /** The graph (and stored) field, e.g. `status`. */
  readonly field: string;
  /** The FIWARE attribute names that carry it, first present wins. */
  readonly attributes: readonly string[];
  /**
   * The accepted values (compared in lower case) and what each is stored
   * as; another value is refused. Without it, any text is kept as sent.
   */
  readonly values?: Readonly<Record<string, string>>;
}

/** One FIWARE observation type a department ingests. */
export interface ObservationSpec {
  /** The FIWARE type, e.g. `TrafficFlowObserved`. */
  readonly type: string;
  /** The graph type of the device an observation belongs to, e.g. `TrafficSensor`. */
  readonly deviceType: string;
  /**
   * Attributes naming the device, first present wins (`refDevice`, ...);
   * `@id` means the entity itself is the device (a station reporting its own status).
   */
  readonly deviceAttributes: readonly string[];
  /** Attributes carrying the observation time, first present wins (`dateObserved`, ...). */
  readonly timeAttributes: readonly string[];
  readonly quantities: readonly QuantitySpec[];
  /** Text properties (statuses). @default [] */
  readonly texts?: readonly TextSpec[];
  /** Current state older than this is answered with `stale: true`. */
  readonly staleAfterMs: number;
  /**
   * How often each device of the type is expected to report: the
   * data-quality view's completeness expects one reading per interval
   * (docs/ingestion.md, "Data quality"). Without it completeness is null.
   */
  readonly reportingIntervalMs?: number;
  /**
   * Checks across quantities (PM2.5 cannot exceed PM10), in stored units;
   * the flags they return are added.
   */
  readonly crossCheck?: (
    values: Readonly<Record<string, number | null>>,
  ) => readonly QualityFlag[];
}
