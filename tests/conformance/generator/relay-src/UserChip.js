// A person's name chip, spread wherever a User shows.
import { graphql } from 'react-relay';

export const fragment = graphql`
  fragment UserChip_user on User {
    id
    name
    email
  }
`;
