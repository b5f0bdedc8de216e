// The dispatchers' review queue with job drafts, paginated on Query.
import { graphql } from 'react-relay';

export const query = graphql`
  query ReviewQueueScreenQuery($filter: ServiceRequestFilter) {
    serviceRequestQueue {
      pendingCount
    }
    ...ReviewQueueScreen_list @arguments(filter: $filter)
  }
`;

export const list = graphql`
  fragment ReviewQueueScreen_list on Query
  @refetchable(queryName: "ReviewQueueScreenPaginationQuery")
  @argumentDefinitions(
    filter: { type: "ServiceRequestFilter" }
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
  ) {
    serviceRequests(filter: $filter, first: $count, after: $cursor)
      @connection(key: "ReviewQueueScreen_serviceRequests", filters: ["filter"]) {
      totalCount
      edges {
        node {
          number
          serviceType
          description
          urgency
          preferredDate
          status
          declineReason
          account {
            ...AccountChip_account
          }
          jobDraft {
            serviceType
            description
            bookingDate
            priority
            slaDueAt
            site {
              id
              name
            }
          }
          job {
            ...JobsScreen_job
          }
        }
      }
    }
  }
`;
