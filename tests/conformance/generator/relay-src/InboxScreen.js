// The notifications inbox: backward pagination (the newest page first).
import { graphql } from 'react-relay';

export const query = graphql`
  query InboxScreenQuery($unreadOnly: Boolean!) {
    unreadNotificationCount
    ...InboxScreen_notifications @arguments(unreadOnly: $unreadOnly)
  }
`;

export const notifications = graphql`
  fragment InboxScreen_notifications on Query
  @refetchable(queryName: "InboxScreenPaginationQuery")
  @argumentDefinitions(
    unreadOnly: { type: "Boolean", defaultValue: false }
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
  ) {
    notifications(last: $count, before: $cursor, unreadOnly: $unreadOnly)
      @connection(key: "InboxScreen_notifications", filters: ["unreadOnly"]) {
      totalCount
      edges {
        node {
          kind
          title
          body
          isRead
          createdAt
          subject {
            __typename
            ... on AccountRequest {
              requestNumber: number
              requestStatus: status
            }
            ... on ServiceRequest {
              serviceRequestNumber: number
            }
            ... on Job {
              jobStatus: status
            }
            ... on Account {
              ...AccountChip_account @alias(as: "account")
            }
          }
        }
      }
    }
  }
`;
