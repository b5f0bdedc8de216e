// An account's name, number and manager.
import { graphql } from 'react-relay';

export const fragment = graphql`
  fragment AccountChip_account on Account {
    id
    name
    number
    isActive
    manager {
      ...UserChip_user
    }
  }
`;
