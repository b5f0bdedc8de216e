// The admins' Webhooks screen: the endpoints, the delivery log filtered by endpoint,
// status and event type and paged with a cursor, and the detail panel a click opens
// (node(id:) on an endpoint or a delivery).
import { gql } from '@apollo/client/core/index.js';
import { NODE_ID, PAGE_INFO } from './fragments.mjs';

// What a delivery row shows of its endpoint; spread again in the endpoint's own card.
const WEBHOOK_ENDPOINT_CHIP = gql`
  fragment WebhookEndpointChip on WebhookEndpoint {
    ...NodeId
    url
    enabled
  }
  ${NODE_ID}
`;

const WEBHOOK_ENDPOINT_FIELDS = gql`
  fragment WebhookEndpointFields on WebhookEndpoint {
    ...WebhookEndpointChip
    description
    eventTypes
    disabledAt
    disabledReason
    consecutiveFailures
    secretRotatedAt
    previousSecretExpiresAt
    createdAt
    updatedAt
  }
  ${WEBHOOK_ENDPOINT_CHIP}
`;

const WEBHOOK_DELIVERY_ROW = gql`
  fragment WebhookDeliveryRow on WebhookDelivery {
    id
    eventId
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
      ...WebhookEndpointChip
    }
  }
  ${WEBHOOK_ENDPOINT_CHIP}
`;

// The detail panel adds the body as sent and the endpoint's health.
const WEBHOOK_DELIVERY_DETAIL = gql`
  fragment WebhookDeliveryDetail on WebhookDelivery {
    ...WebhookDeliveryRow
    payload
    endpoint {
      consecutiveFailures
      disabledReason
    }
  }
  ${WEBHOOK_DELIVERY_ROW}
`;

export const WEBHOOKS_PAGE = gql`
  query WebhooksPage(
    $deliveryFilter: WebhookDeliveryFilter
    $endpointsFirst: Int = 20
    $first: Int = 20
    $after: String
    $last: Int
    $before: String
  ) {
    webhookEndpoints(first: $endpointsFirst) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      nodes {
        ...WebhookEndpointFields
      }
    }
    webhookDeliveries(
      filter: $deliveryFilter
      first: $first
      after: $after
      last: $last
      before: $before
    ) @connection(key: "webhookDeliveries", filter: ["filter"]) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        cursor
        node {
          ...WebhookDeliveryRow
        }
      }
    }
  }
  ${PAGE_INFO}
  ${WEBHOOK_ENDPOINT_FIELDS}
  ${WEBHOOK_DELIVERY_ROW}
`;

// The delivery log of one endpoint, its filter bar written inline around variables
// (as filter bars build it), with a failures count beside it.
export const WEBHOOK_DELIVERY_LOG = gql`
  query WebhookDeliveryLog(
    $endpointId: ID!
    $status: WebhookDeliveryStatus
    $eventType: WebhookEventType
    $first: Int = 10
    $after: String
  ) {
    deliveries: webhookDeliveries(
      filter: { endpointId: $endpointId, status: $status, eventType: $eventType }
      first: $first
      after: $after
    ) @connection(key: "webhookDeliveryLog", filter: ["filter"]) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        cursor
        node {
          ...WebhookDeliveryRow
        }
      }
    }
    failed: webhookDeliveries(filter: { endpointId: $endpointId, status: FAILED }, first: 1) {
      totalCount
    }
  }
  ${PAGE_INFO}
  ${WEBHOOK_DELIVERY_ROW}
`;

export const WEBHOOK_DETAIL = gql`
  query WebhookDetail($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on WebhookEndpoint {
        ...WebhookEndpointFields
      }
      ... on WebhookDelivery {
        ...WebhookDeliveryDetail
      }
    }
  }
  ${WEBHOOK_ENDPOINT_FIELDS}
  ${WEBHOOK_DELIVERY_DETAIL}
`;

export const operations = [
  {
    document: WEBHOOKS_PAGE,
    variables: {
      WebhooksPage: { deliveryFilter: null, endpointsFirst: 10, first: 20, after: null },
    },
  },
  {
    name: 'webhooks-page-endpoint-succeeded',
    document: WEBHOOKS_PAGE,
    variables: {
      WebhooksPage: {
        deliveryFilter: { endpointId: { ref: 'retryingWebhookEndpoint' }, status: 'SUCCEEDED' },
        first: 3,
      },
    },
  },
  {
    name: 'webhooks-page-failed',
    document: WEBHOOKS_PAGE,
    variables: { WebhooksPage: { deliveryFilter: { status: 'FAILED' } } },
  },
  {
    name: 'webhooks-page-2',
    document: WEBHOOKS_PAGE,
    variables: {
      WebhooksPage: {
        deliveryFilter: { endpointId: { ref: 'retryingWebhookEndpoint' }, status: 'SUCCEEDED' },
        first: 3,
        after: { ref: 'webhookDeliveriesCursor' },
      },
    },
  },
  {
    // "Previous page" from the second page: backwards from its cursor.
    name: 'webhooks-page-previous',
    document: WEBHOOKS_PAGE,
    variables: {
      WebhooksPage: {
        deliveryFilter: { endpointId: { ref: 'retryingWebhookEndpoint' }, status: 'SUCCEEDED' },
        first: null,
        last: 2,
        before: { ref: 'webhookDeliveriesCursor' },
      },
    },
  },
  {
    name: 'webhooks-page-event-type',
    document: WEBHOOKS_PAGE,
    variables: { WebhooksPage: { deliveryFilter: { eventType: 'JOB_CREATED' }, first: 5 } },
  },
  {
    document: WEBHOOK_DELIVERY_LOG,
    variables: {
      WebhookDeliveryLog: {
        endpointId: { ref: 'retryingWebhookEndpoint' },
        status: 'PENDING',
        eventType: 'ACCOUNT_REQUEST_UPDATED',
      },
    },
  },
  {
    name: 'webhook-delivery-log-all',
    document: WEBHOOK_DELIVERY_LOG,
    variables: {
      WebhookDeliveryLog: {
        endpointId: { ref: 'webhookEndpoint' },
        status: null,
        eventType: null,
        first: 50,
      },
    },
  },
  {
    name: 'webhook-delivery-log-disabled',
    document: WEBHOOK_DELIVERY_LOG,
    variables: { WebhookDeliveryLog: { endpointId: { ref: 'disabledWebhookEndpoint' } } },
  },
  {
    // Another type's ID where an endpoint's is expected: an empty log, not an error.
    name: 'webhook-delivery-log-not-an-endpoint',
    document: WEBHOOK_DELIVERY_LOG,
    variables: { WebhookDeliveryLog: { endpointId: { ref: 'account' }, status: 'SUCCEEDED' } },
  },
  ...[
    'webhookEndpoint',
    'retryingWebhookEndpoint',
    'disabledWebhookEndpoint',
    'webhookDelivery',
    'retryingWebhookDelivery',
    'failedWebhookDelivery',
    'resentWebhookDelivery',
    'account',
  ].map((ref) => ({
    name: `webhook-detail-${ref}`,
    document: WEBHOOK_DETAIL,
    variables: { WebhookDetail: { id: { ref } } },
  })),
];
