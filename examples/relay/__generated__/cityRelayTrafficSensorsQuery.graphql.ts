/**
 * @generated SignedSource<<c71b24c997b60b3fe4310cd409c6af03>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import type { ConcreteRequest } from 'relay-runtime';
import type { FragmentRefs } from "relay-runtime";
export type cityRelayTrafficSensorsQuery$variables = {
  count?: number | null | undefined;
};
export type cityRelayTrafficSensorsQuery$data = {
  readonly " $fragmentSpreads": FragmentRefs<"cityRelay_trafficSensors">;
};
export type cityRelayTrafficSensorsQuery = {
  response: cityRelayTrafficSensorsQuery$data;
  variables: cityRelayTrafficSensorsQuery$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "count"
  }
],
v1 = [
  {
    "kind": "Variable",
    "name": "first",
    "variableName": "count"
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
    "name": "cityRelayTrafficSensorsQuery",
    "selections": [
      {
        "args": [
          {
            "kind": "Variable",
            "name": "count",
            "variableName": "count"
          }
        ],
        "kind": "FragmentSpread",
        "name": "cityRelay_trafficSensors"
      }
    ],
    "type": "Query",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "cityRelayTrafficSensorsQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": "TrafficSensorConnection",
        "kind": "LinkedField",
        "name": "trafficSensors",
        "plural": false,
        "selections": [
          {
            "alias": null,
            "args": null,
            "concreteType": "TrafficSensorEdge",
            "kind": "LinkedField",
            "name": "edges",
            "plural": true,
            "selections": [
              {
                "alias": null,
                "args": null,
                "concreteType": "TrafficSensor",
                "kind": "LinkedField",
                "name": "node",
                "plural": false,
                "selections": [
                  (v2/*:: as any*/),
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
                  },
                  {
                    "alias": null,
                    "args": null,
                    "kind": "ScalarField",
                    "name": "__typename",
                    "storageKey": null
                  }
                ],
                "storageKey": null
              },
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "cursor",
                "storageKey": null
              }
            ],
            "storageKey": null
          },
          {
            "alias": null,
            "args": null,
            "concreteType": "PageInfo",
            "kind": "LinkedField",
            "name": "pageInfo",
            "plural": false,
            "selections": [
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "endCursor",
                "storageKey": null
              },
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "hasNextPage",
                "storageKey": null
              }
            ],
            "storageKey": null
          }
        ],
        "storageKey": null
      },
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "filters": null,
        "handle": "connection",
        "key": "cityRelay_trafficSensors",
        "kind": "LinkedHandle",
        "name": "trafficSensors"
      }
    ]
  },
  "params": {
    "cacheID": "2ff6ecb12a5ae7a981d4e100eb0f4ae5",
    "id": null,
    "metadata": {},
    "name": "cityRelayTrafficSensorsQuery",
    "operationKind": "query",
    "text": "query cityRelayTrafficSensorsQuery(\n  $count: Int\n) {\n  ...cityRelay_trafficSensors_yu5n1\n}\n\nfragment cityRelay_trafficSensor on TrafficSensor {\n  id\n  roadName\n  district {\n    id\n    name\n  }\n  latestReading {\n    id\n    observedAt\n    occupancy\n  }\n}\n\nfragment cityRelay_trafficSensors_yu5n1 on Query {\n  trafficSensors(first: $count) {\n    edges {\n      node {\n        id\n        ...cityRelay_trafficSensor\n        __typename\n      }\n      cursor\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n"
  }
};
})();

(node as any).hash = "e66da815ab9301fcfb1536a163d03d93";

export default node;
