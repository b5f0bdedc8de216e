// The request detail: header, photos, timeline and linked items in child fragments.
import { graphql } from 'react-relay';

export const query = graphql`
  query RequestDetailScreenQuery($id: ID!, $kinds: [ItemKind!]) {
    node(id: $id) {
      __typename
      ...RequestDetailScreen_request @alias(as: "request")
      ...RequestTimeline_request @alias(as: "timeline")
      ...LinkedItems_request @alias(as: "links") @arguments(kinds: $kinds)
    }
  }
`;

export const request = graphql`
  fragment RequestDetailScreen_request on AccountRequest
  @refetchable(queryName: "RequestDetailScreenRefetchQuery") {
    ...RequestRow_request
    nextStatuses
    createdBy {
      ...UserChip_user
    }
    photos(first: 10) {
      totalCount
      nodes {
        ...PhotoThumb_photo
      }
    }
  }
`;
