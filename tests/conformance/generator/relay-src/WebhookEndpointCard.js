// An endpoint's card, refetched on its own after an edit (a refetchable Node fragment).
import { graphql } from 'react-relay';

export const endpoint = graphql`
  fragment WebhookEndpointCard_endpoint on WebhookEndpoint
  @refetchable(queryName: "WebhookEndpointCardRefetchQuery") {
    url
    description
    eventTypes
    enabled
    disabledAt
    disabledReason
    consecutiveFailures
    secretRotatedAt
    previousSecretExpiresAt
    createdAt
  }
`;
