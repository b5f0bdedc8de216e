// A batch refetch of several objects by global ID. Fields whose types differ
// between members (number, status) are aliased: the spec's merging rule.
import { graphql } from 'react-relay';

export const query = graphql`
  query NodesScreenQuery($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      ... on AccountRequest {
        requestNumber: number
        requestStatus: status
        account {
          ...AccountChip_account
        }
      }
      ...AccountChip_account @alias(as: "accountNode")
      ...UserChip_user @alias(as: "user")
      ...PhotoThumb_photo @alias(as: "photo")
    }
  }
`;
