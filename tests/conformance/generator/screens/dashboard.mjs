// The home screen: the request list with its filter bar, counts and paging.
import { gql } from '@apollo/client/core/index.js';
import { PAGE_INFO, REQUEST_ROW } from './fragments.mjs';

export const DASHBOARD = gql`
  query Dashboard(
    $filter: AccountRequestFilter
    $orderBy: AccountRequestOrder = { field: UPDATED_AT, direction: DESC }
    $first: Int = 20
    $after: String
  ) {
    accountRequests(filter: $filter, orderBy: $orderBy, first: $first, after: $after)
      @connection(key: "dashboard", filter: ["filter", "orderBy"]) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        cursor
        node {
          ...RequestRow
        }
      }
    }
    accountRequestCounts(filter: $filter) {
      total
      byStatus {
        status
        count
      }
    }
  }
  ${PAGE_INFO}
  ${REQUEST_ROW}
`;

// The "my open work" tab: a filter written inline around variables, lists of
// variables and enum literals, the way filter bars build it.
export const MY_WORK = gql`
  query MyWork($statuses: [RequestStatus!], $accountId: ID!, $search: String, $since: DateTime) {
    mine: accountRequests(
      filter: {
        statuses: $statuses
        accountIds: [$accountId]
        includeSubAccounts: true
        search: $search
        createdAfter: $since
        sources: [STAFF, PORTAL, ACCOUNT_MANAGER]
      }
      orderBy: { field: STATUS, direction: ASC }
      first: 5
    ) {
      totalCount
      nodes {
        ...RequestRow
      }
    }
    unassigned: accountRequests(filter: { unassigned: true }, first: 5) {
      totalCount
      nodes {
        id
        number
        status
      }
    }
  }
  ${REQUEST_ROW}
`;

export const operations = [
  {
    document: DASHBOARD,
    variables: {
      Dashboard: {
        filter: {
          statuses: ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER'],
          accountIds: [{ ref: 'account' }],
          includeSubAccounts: true,
          typeIds: [{ ref: 'requestType' }, { ref: 'otherRequestType' }],
          createdAfter: '2000-01-01T00:00:00+00:00',
        },
        orderBy: { field: 'CREATED_AT', direction: 'DESC' },
        first: 10,
        after: null,
      },
    },
  },
  {
    name: 'dashboard-second-page',
    document: DASHBOARD,
    variables: { Dashboard: { first: 3, after: { ref: 'accountRequestsCursor' } } },
  },
  {
    document: MY_WORK,
    variables: {
      MyWork: {
        statuses: ['OPEN', 'IN_PROGRESS'],
        accountId: { ref: 'account' },
        search: null,
        since: '2000-01-01T00:00:00Z',
      },
    },
  },
];
