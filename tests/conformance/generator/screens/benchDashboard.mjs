// The benchmark's dashboard (bench/run.py's DASHBOARD: the first open requests, most
// recently updated first, each with its type, account, assignee and contact) as an
// Apollo team writes that screen: one fragment per chip next to its component, the
// row spreading the chips, the list spreading the row, and variables for the page
// size, the filter and the order. bench/corpus_dashboard.py times what Apollo Client
// sends of it (documents/apollo/BenchDashboard.graphql) against the hand-written one.
import { gql } from '@apollo/client/core/index.js';

const TYPE_LABEL = gql`
  fragment BenchTypeLabel on AccountRequestType {
    name
  }
`;

const ACCOUNT_LABEL = gql`
  fragment BenchAccountLabel on Account {
    name
    number
  }
`;

const ASSIGNEE_LABEL = gql`
  fragment BenchAssigneeLabel on User {
    name
  }
`;

const CONTACT_LABEL = gql`
  fragment BenchContactLabel on Contact {
    name
    email
  }
`;

const REQUEST_ROW = gql`
  fragment BenchRequestRow on AccountRequest {
    id
    status
    note
    createdAt
    updatedAt
    type {
      ...BenchTypeLabel
    }
    account {
      ...BenchAccountLabel
    }
    assignee {
      ...BenchAssigneeLabel
    }
    contact {
      ...BenchContactLabel
    }
  }
  ${TYPE_LABEL}
  ${ACCOUNT_LABEL}
  ${ASSIGNEE_LABEL}
  ${CONTACT_LABEL}
`;

const REQUEST_LIST = gql`
  fragment BenchRequestList on AccountRequestConnection {
    nodes {
      ...BenchRequestRow
    }
  }
  ${REQUEST_ROW}
`;

export const BENCH_DASHBOARD = gql`
  query BenchDashboard(
    $first: Int!
    $filter: AccountRequestFilter
    $orderBy: AccountRequestOrder
  ) {
    accountRequests(first: $first, filter: $filter, orderBy: $orderBy) {
      ...BenchRequestList
    }
  }
  ${REQUEST_LIST}
`;

// The benchmark's variables: the seed's open requests (fewer than 50) all fit.
export const operations = [
  {
    document: BENCH_DASHBOARD,
    variables: {
      BenchDashboard: {
        first: 50,
        filter: { statuses: ['OPEN'] },
        orderBy: { field: 'UPDATED_AT', direction: 'DESC' },
      },
    },
  },
];
