// What a normalized cache sends to refresh objects: node(id:) and nodes(ids:).
import { gql } from '@apollo/client/core/index.js';
import {
  CONTACT_CHIP,
  LINKED_ITEM,
  NODE_SUMMARY,
  REQUEST_TYPE_CHIP,
  USER_CHIP,
} from './fragments.mjs';

export const NODE_REFETCH = gql`
  query NodeRefetch($id: ID!) {
    node(id: $id) {
      __typename
      id
      ...NodeSummary
      ... on AccountRequest {
        note
        source
        type {
          ...RequestTypeChip
        }
        assignee {
          ...UserChip
        }
        contact {
          ...ContactChip
        }
      }
      ...LinkedItemFields
    }
  }
  ${NODE_SUMMARY}
  ${REQUEST_TYPE_CHIP}
  ${USER_CHIP}
  ${CONTACT_CHIP}
  ${LINKED_ITEM}
`;

export const NODES_BATCH = gql`
  query NodesBatch($ids: [ID!]!) {
    nodes(ids: $ids) {
      ...NodeSummary
    }
  }
  ${NODE_SUMMARY}
`;

const EVERY_KIND = [
  'account',
  'subAccount',
  'otherAccount',
  'accountRequest',
  'otherAccountRequest',
  'contact',
  'site',
  'requestType',
  'task',
  'appointment',
  'serviceRecord',
  'invoice',
  'creditMemo',
  'photo',
  'pendingServiceRequest',
  'approvedServiceRequest',
  'declinedServiceRequest',
  'job',
  'creditAccountRequest',
  'staffUser',
  'team',
  'timelineEvent',
  'notification',
  'webhookEndpoint',
  'webhookDelivery',
];

export const operations = [
  ...EVERY_KIND.map((ref) => ({
    name: `node-refetch-${ref}`,
    document: NODE_REFETCH,
    variables: { NodeRefetch: { id: { ref } } },
  })),
  {
    document: NODES_BATCH,
    variables: {
      NodesBatch: { ids: [...EVERY_KIND.map((ref) => ({ ref })), { ref: 'missingAccount' }] },
    },
  },
];
