// The home screen: a paginated request list (usePaginationFragment on Query).
import { graphql } from 'react-relay';

export const query = graphql`
  query DashboardScreenQuery($filter: AccountRequestFilter, $count: Int!, $cursor: String) {
    ...DashboardScreen_requests @arguments(filter: $filter, count: $count, cursor: $cursor)
    accountRequestCounts(filter: $filter) {
      total
      byStatus {
        status
        count
      }
    }
  }
`;

export const requests = graphql`
  fragment DashboardScreen_requests on Query
  @refetchable(queryName: "DashboardScreenPaginationQuery")
  @argumentDefinitions(
    filter: { type: "AccountRequestFilter" }
    orderBy: { type: "AccountRequestOrder", defaultValue: { field: UPDATED_AT, direction: DESC } }
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
  ) {
    accountRequests(filter: $filter, orderBy: $orderBy, first: $count, after: $cursor)
      @connection(key: "DashboardScreen_accountRequests", filters: ["filter", "orderBy"]) {
      totalCount
      edges {
        node {
          ...RequestRow_request
        }
      }
    }
  }
`;
