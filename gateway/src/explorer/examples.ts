/**
 * The operations the explorer opens as tabs: the README's own examples, so a
 * new user finds them ready to run. A test keeps this list and the README's
 * ```graphql blocks the same.
 */

/** One example tab of the explorer. */
export interface ExplorerExample {
  /** What it shows, for the tab's operation comment. */
  readonly title: string;
  readonly query: string;
}

/** The README's examples, in its order. */
export const EXPLORER_EXAMPLES: readonly ExplorerExample[] = [
  {
    title: 'One district, seen by all four departments in a single request',
    query: /* GraphQL */ `
      query DistrictOverview {
        district(code: "13203") {
          id
          name
          population
          congestion {
            sensorCount
            congestedSensors
            averageSpeed {
              value
              unit
            }
            observedAt
          }
          airQuality {
            no2 {
              value
              unit
            }
            pm25 {
              value
              unit
            }
            index {
              level
              band
            }
          }
          businessCount
          sectorBreakdown {
            sector {
              section
              label
            }
            businessCount
          }
          digitalInclusion {
            latest {
              id
              period
              residentsWithoutInternet {
                value
                unit
              }
            }
          }
          participation {
            workshopsHeld
            enrolmentsPer1000
          }
        }
      }
    `,
  },
  {
    title: 'Air-quality stations and the traffic sensors next to them',
    query: /* GraphQL */ `
      {
        airQualityStations(first: 5) {
          nodes {
            id
            name
            district {
              id
              name
            }
            nearbyTrafficSensors {
              id
              roadName
              latestReading {
                id
                occupancy
                congested
              }
            }
          }
        }
      }
    `,
  },
  {
    title: 'Workshops, their host, and the hub’s nearest metro stop',
    query: /* GraphQL */ `
      {
        workshops(first: 10) {
          nodes {
            id
            title
            hostStartup {
              id
              name
            }
            hostHub {
              id
              name
              nearestTransitStop {
                id
                name
                lines {
                  id
                  shortName
                }
              }
            }
          }
        }
      }
    `,
  },
];
