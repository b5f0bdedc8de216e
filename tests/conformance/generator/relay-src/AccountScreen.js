// The account page: refetchable on Account, its requests paginated.
import { graphql } from 'react-relay';

export const query = graphql`
  query AccountScreenQuery($id: ID!) {
    node(id: $id) {
      ...AccountScreen_account @alias(as: "account")
    }
  }
`;

export const account = graphql`
  fragment AccountScreen_account on Account
  @refetchable(queryName: "AccountScreenRefetchQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 10 }
    cursor: { type: "String" }
  ) {
    ...AccountChip_account
    defaultSlaHours
    creditLimit
    parent {
      ...AccountChip_account
    }
    subAccounts(first: 10) {
      totalCount
      nodes {
        ...AccountChip_account
      }
    }
    sites(first: 20) {
      totalCount
      nodes {
        id
        name
        street
        city
        isActive
      }
    }
    contacts(first: 20) {
      totalCount
      nodes {
        id
        name
        email
        portalAccess
      }
    }
    accountRequests(first: $count, after: $cursor)
      @connection(key: "AccountScreen_accountRequests") {
      totalCount
      edges {
        node {
          ...RequestRow_request
        }
      }
    }
  }
`;
