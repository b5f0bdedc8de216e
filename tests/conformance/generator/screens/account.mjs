// The account page: header, sub-accounts, sites, contacts and the request list.
import { gql } from '@apollo/client/core/index.js';
import {
  ACCOUNT_CHIP,
  CONTACT_CHIP,
  PAGE_INFO,
  REQUEST_ROW,
  SITE_FIELDS,
} from './fragments.mjs';

const ACCOUNT_HEADER = gql`
  fragment AccountHeader on Account {
    ...AccountChip
    defaultSlaHours
    creditLimit
    createdAt
    updatedAt
    parent {
      ...AccountChip
    }
  }
  ${ACCOUNT_CHIP}
`;

const ACCOUNT_PAGE_BODY = gql`
  fragment AccountPageBody on Account {
    ...AccountHeader
    subAccounts(first: 10) {
      totalCount
      nodes {
        ...AccountChip
        subAccounts(first: 5) {
          totalCount
          nodes {
            ...AccountChip
          }
        }
      }
    }
    sites(first: 20) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      nodes {
        ...SiteFields
      }
    }
    contacts(first: 20) {
      totalCount
      edges {
        cursor
        node {
          ...ContactChip
          account {
            id
          }
        }
      }
    }
    accountRequests(first: $requestsFirst) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      nodes {
        ...RequestRow
      }
    }
  }
  ${ACCOUNT_HEADER}
  ${ACCOUNT_CHIP}
  ${PAGE_INFO}
  ${SITE_FIELDS}
  ${CONTACT_CHIP}
  ${REQUEST_ROW}
`;

export const ACCOUNT_PAGE = gql`
  query AccountPage($id: ID!, $requestsFirst: Int = 10) {
    account: node(id: $id) {
      __typename
      id
      ...AccountPageBody
    }
  }
  ${ACCOUNT_PAGE_BODY}
`;

export const ACCOUNTS_LIST = gql`
  query AccountsList($filter: AccountFilter, $orderBy: AccountOrder, $first: Int) {
    accounts(filter: $filter, orderBy: $orderBy, first: $first) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      nodes {
        ...AccountHeader
        sites(first: 3) {
          nodes {
            id
            name
            city
          }
        }
      }
    }
  }
  ${PAGE_INFO}
  ${ACCOUNT_HEADER}
`;

export const operations = [
  {
    document: ACCOUNT_PAGE,
    variables: { AccountPage: { id: { ref: 'account' }, requestsFirst: 5 } },
  },
  {
    name: 'account-page-sub-account',
    document: ACCOUNT_PAGE,
    variables: { AccountPage: { id: { ref: 'subAccount' } } },
  },
  {
    document: ACCOUNTS_LIST,
    variables: {
      AccountsList: {
        filter: { isActive: true, topLevelOnly: false, search: null },
        orderBy: { field: 'NAME', direction: 'ASC' },
        first: 10,
      },
    },
  },
];
