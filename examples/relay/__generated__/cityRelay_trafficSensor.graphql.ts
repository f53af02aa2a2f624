/**
 * @generated SignedSource<<60d4c5f4618357f603fe061a18da1b94>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import type { ReaderFragment } from 'relay-runtime';
import type { FragmentRefs } from "relay-runtime";
export type cityRelay_trafficSensor$data = {
  readonly district: {
    readonly id: string;
    readonly name: string;
  };
  readonly id: string;
  readonly latestReading: {
    readonly id: string;
    readonly observedAt: string;
    readonly occupancy: number | null | undefined;
  } | null | undefined;
  readonly roadName: string;
  readonly " $fragmentType": "cityRelay_trafficSensor";
};
export type cityRelay_trafficSensor$key = {
  readonly " $data"?: cityRelay_trafficSensor$data;
  readonly " $fragmentSpreads": FragmentRefs<"cityRelay_trafficSensor">;
};

import cityRelayTrafficSensorRefetchQuery_graphql from './cityRelayTrafficSensorRefetchQuery.graphql';

const node: ReaderFragment = (function(){
var v0 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "id",
  "storageKey": null
};
return {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": {
    "refetch": {
      "connection": null,
      "fragmentPathInResult": [
        "node"
      ],
      "operation": cityRelayTrafficSensorRefetchQuery_graphql,
      "identifierInfo": {
        "identifierField": "id",
        "identifierQueryVariableName": "id"
      }
    }
  },
  "name": "cityRelay_trafficSensor",
  "selections": [
    (v0/*:: as any*/),
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
        (v0/*:: as any*/),
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
        (v0/*:: as any*/),
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
};
})();

(node as any).hash = "72409e4438f8d4d7e16f760485cbac47";

export default node;
