/** `Type.field` coordinates expanded over an interface's or union's possible types. */
import { type GraphQLSchema, isAbstractType } from 'graphql';

/**
 * `Type.field` for an object type; for an interface field, the coordinate
 * itself and the field on each implementation (the audit and the response
 * cache both match protected coordinates this way).
 */
export function concreteCoordinates(
  schema: GraphQLSchema,
  coordinate: string,
): string[] {
  const dot = coordinate.indexOf('.');
  const type = schema.getType(coordinate.slice(0, dot));
  if (!type || !isAbstractType(type)) return [coordinate];
  const field = coordinate.slice(dot + 1);
  return [
    coordinate,
    ...schema
      .getPossibleTypes(type)
      .map((possible) => `${possible.name}.${field}`),
  ];
}
