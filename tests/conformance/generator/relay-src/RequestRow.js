// One row of any request list.
import { graphql } from 'react-relay';

export const fragment = graphql`
  fragment RequestRow_request on AccountRequest {
    number
    status
    note
    source
    createdAt
    updatedAt
    type {
      id
      name
      isActive
    }
    account {
      ...AccountChip_account
    }
    assignee {
      ...UserChip_user
    }
    contact {
      id
      name
      portalAccess
    }
  }
`;
