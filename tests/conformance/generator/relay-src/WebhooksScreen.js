// The admins' Webhooks screen: the endpoints, and the delivery log paginated on Query
// with its filter (endpoint, status, event type) as a connection filter.
import { graphql } from 'react-relay';

export const query = graphql`
  query WebhooksScreenQuery($filter: WebhookDeliveryFilter) {
    webhookEndpoints(first: 20) {
      totalCount
      nodes {
        ...WebhookEndpointCard_endpoint
      }
    }
    ...WebhooksScreen_deliveries @arguments(filter: $filter)
  }
`;

export const deliveries = graphql`
  fragment WebhooksScreen_deliveries on Query
  @refetchable(queryName: "WebhooksScreenPaginationQuery")
  @argumentDefinitions(
    filter: { type: "WebhookDeliveryFilter" }
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
  ) {
    webhookDeliveries(filter: $filter, first: $count, after: $cursor)
      @connection(key: "WebhooksScreen_webhookDeliveries", filters: ["filter"]) {
      totalCount
      edges {
        node {
          ...WebhooksScreen_delivery
        }
      }
    }
  }
`;

export const delivery = graphql`
  fragment WebhooksScreen_delivery on WebhookDelivery {
    eventType
    status
    attempts
    responseStatus
    latencyMs
    lastError
    createdAt
    deliveredAt
    nextAttemptAt
    endpoint {
      url
      enabled
    }
  }
`;
