/**
 * Deprecated fields of the API schema and their recorded use: what a team
 * reads before removing a deprecated field (`npm run schema:usage`).
 */
import type { GraphQLSchema } from 'graphql';
import { schemaFields } from './schemaFields.js';
import type { OperationUsage, UsageStore } from './usageStore.js';

/** A deprecated field and who still uses it. */
export interface DeprecatedFieldUsage {
  /** `Type.field`. */
  readonly coordinate: string;
  /** The `@deprecated(reason:)`. */
  readonly reason: string;
  /** Operations and clients that used it in the period, most used first (empty: safe to remove). */
  readonly usage: readonly OperationUsage[];
}

/** Every deprecated field of `schema`, sorted, with its `Type.field` and reason. */
export function deprecatedFields(
  schema: GraphQLSchema,
): { coordinate: string; reason: string }[] {
  const result: { coordinate: string; reason: string }[] = [];
  for (const { field, coordinate } of schemaFields(schema)) {
    if (field.deprecationReason != null) {
      result.push({ coordinate, reason: field.deprecationReason });
    }
  }
  return result.sort((a, b) => (a.coordinate < b.coordinate ? -1 : 1));
}

/** The deprecated fields of `schema` with their use over the last `sinceDays` days. */
export async function deprecatedFieldsUsage(
  schema: GraphQLSchema,
  store: Pick<UsageStore, 'operationsUsing'>,
  sinceDays: number,
): Promise<DeprecatedFieldUsage[]> {
  const fields = deprecatedFields(schema);
  const usage = await store.operationsUsing(
    fields.map((field) => field.coordinate),
    sinceDays,
  );
  return fields.map((field) => ({
    ...field,
    usage: usage.get(field.coordinate) ?? [],
  }));
}
