// The timeline, paginated on the request (a refetchable Node fragment).
import { graphql } from 'react-relay';

export const request = graphql`
  fragment RequestTimeline_request on AccountRequest
  @refetchable(queryName: "RequestTimelinePaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
  ) {
    timeline(first: $count, after: $cursor) @connection(key: "RequestTimeline_timeline") {
      totalCount
      edges {
        node {
          kind
          before
          after
          createdAt
          actor {
            ...UserChip_user
          }
          actorContact {
            id
            name
          }
        }
      }
    }
  }
`;
