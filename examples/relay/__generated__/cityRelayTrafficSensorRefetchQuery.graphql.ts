/**
 * @generated SignedSource<<f20f158c7f1ff36fc565a2f6f156fafd>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import type { ConcreteRequest } from 'relay-runtime';
import type { FragmentRefs } from "relay-runtime";
export type cityRelayTrafficSensorRefetchQuery$variables = {
  id: string;
};
export type cityRelayTrafficSensorRefetchQuery$data = {
  readonly node: {
    readonly " $fragmentSpreads": FragmentRefs<"cityRelay_trafficSensor">;
  } | null | undefined;
};
export type cityRelayTrafficSensorRefetchQuery = {
  response: cityRelayTrafficSensorRefetchQuery$data;
  variables: cityRelayTrafficSensorRefetchQuery$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "id"
  }
],
v1 = [
  {
    "kind": "Variable",
    "name": "id",
    "variableName": "id"
  }
],
v2 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "id",
  "storageKey": null
};
return {
  "fragment": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Fragment",
    "metadata": null,
    "name": "cityRelayTrafficSensorRefetchQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "node",
        "plural": false,
        "selections": [
          {
            "args": null,
            "kind": "FragmentSpread",
            "name": "cityRelay_trafficSensor"
          }
        ],
        "storageKey": null
      }
    ],
    "type": "Query",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "cityRelayTrafficSensorRefetchQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "node",
        "plural": false,
        "selections": [
          {
            "alias": null,
            "args": null,
            "kind": "ScalarField",
            "name": "__typename",
            "storageKey": null
          },
          (v2/*:: as any*/),
          {
            "kind": "InlineFragment",
            "selections": [
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "roadName",
                "storageKey": null
              },
              {
                "alias": null,
                "args": null,
                "concreteType": "District",
                "kind": "LinkedField",
                "name": "district",
                "plural": false,
                "selections": [
                  (v2/*:: as any*/),
                  {
                    "alias": null,
                    "args": null,
                    "kind": "ScalarField",
                    "name": "name",
                    "storageKey": null
                  }
                ],
                "storageKey": null
              },
              {
                "alias": null,
                "args": null,
                "concreteType": "TrafficFlowReading",
                "kind": "LinkedField",
                "name": "latestReading",
                "plural": false,
                "selections": [
                  (v2/*:: as any*/),
                  {
                    "alias": null,
                    "args": null,
                    "kind": "ScalarField",
                    "name": "observedAt",
                    "storageKey": null
                  },
                  {
                    "alias": null,
                    "args": null,
                    "kind": "ScalarField",
                    "name": "occupancy",
                    "storageKey": null
                  }
                ],
                "storageKey": null
              }
            ],
            "type": "TrafficSensor",
            "abstractKey": null
          }
        ],
        "storageKey": null
      }
    ]
  },
  "params": {
    "cacheID": "4aeee4555edfea47c4c8e4a0dcd5ef6b",
    "id": null,
    "metadata": {},
    "name": "cityRelayTrafficSensorRefetchQuery",
    "operationKind": "query",
    "text": "query cityRelayTrafficSensorRefetchQuery(\n  $id: ID!\n) {\n  node(id: $id) {\n    __typename\n    ...cityRelay_trafficSensor\n    id\n  }\n}\n\nfragment cityRelay_trafficSensor on TrafficSensor {\n  id\n  roadName\n  district {\n    id\n    name\n  }\n  latestReading {\n    id\n    observedAt\n    occupancy\n  }\n}\n"
  }
};
})();

(node as any).hash = "72409e4438f8d4d7e16f760485cbac47";

export default node;
