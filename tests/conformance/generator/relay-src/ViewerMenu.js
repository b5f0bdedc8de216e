// The viewer menu: `me` is a union of a staff user and a portal contact.
import { graphql } from 'react-relay';

export const query = graphql`
  query ViewerMenuQuery {
    me {
      __typename
      ... on User {
        ...UserChip_user @alias(as: "user")
        roles
        teams {
          id
          name
        }
      }
      ... on PortalContact {
        id
        name
        email
        account {
          ...AccountChip_account
        }
      }
    }
    companySettings {
      serviceRequestsEnabled
      currency
    }
  }
`;
