/**
 * Every field of a schema's object and interface types with its schema
 * coordinate (`Type.field`), introspection types left out: the walk the
 * schema tools (check, usage) share.
 */
import {
  isInterfaceType,
  isObjectType,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** One field of a schema and where it stands. */
export interface SchemaField {
  type: GraphQLObjectType | GraphQLInterfaceType;
  field: GraphQLField<unknown, unknown>;
  /** `Type.field`. */
  coordinate: string;
}

/** The fields of every object and interface type of `schema`, in type-map order. */
export function* schemaFields(schema: GraphQLSchema): Generator<SchemaField> {
  for (const type of Object.values(schema.getTypeMap())) {
    if (
      type.name.startsWith('__') ||
      !(isObjectType(type) || isInterfaceType(type))
    )
      continue;
    for (const field of Object.values(type.getFields())) {
      yield { type, field, coordinate: `${type.name}.${field.name}` };
    }
  }
}
