// The request detail: header, timeline, linked items over the LinkedItem union,
// the picker of linkable items, and photos.
import { gql } from '@apollo/client/core/index.js';
import {
  LINKED_ITEM,
  PAGE_INFO,
  PHOTO_FIELDS,
  REQUEST_ROW,
  TIMELINE_EVENT,
  USER_CHIP,
} from './fragments.mjs';

const REQUEST_HEADER = gql`
  fragment RequestHeader on AccountRequest {
    ...RequestRow
    nextStatuses
    createdBy {
      ...UserChip
    }
  }
  ${REQUEST_ROW}
  ${USER_CHIP}
`;

const REQUEST_TIMELINE = gql`
  fragment RequestTimeline on AccountRequest {
    timeline(first: $timelineFirst) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        cursor
        node {
          ...TimelineEvent
        }
      }
    }
  }
  ${PAGE_INFO}
  ${TIMELINE_EVENT}
`;

const REQUEST_LINKS = gql`
  fragment RequestLinks on AccountRequest {
    linkedItems(first: 50, kinds: $kinds) {
      totalCount
      nodes {
        ...LinkedItemFields
      }
    }
    tasksOnly: linkedItems(kinds: [TASK]) {
      totalCount
      edges {
        cursor
        node {
          ... on Task {
            id
            title
          }
        }
      }
    }
  }
  ${LINKED_ITEM}
`;

export const REQUEST_DETAIL = gql`
  query RequestDetail(
    $id: ID!
    $timelineFirst: Int = 20
    $kinds: [ItemKind!] = [TASK, APPOINTMENT, SERVICE_RECORD, INVOICE, CREDIT_MEMO]
  ) {
    node(id: $id) {
      __typename
      ... on AccountRequest {
        ...RequestHeader
        ...RequestTimeline
        ...RequestLinks
        photos(first: 10) {
          totalCount
          nodes {
            ...PhotoFields
          }
        }
      }
    }
  }
  ${REQUEST_HEADER}
  ${REQUEST_TIMELINE}
  ${REQUEST_LINKS}
  ${PHOTO_FIELDS}
`;

export const LINK_PICKER = gql`
  query LinkPicker($id: ID!, $kind: ItemKind!) {
    node(id: $id) {
      id
      ... on AccountRequest {
        linkableItems(kind: $kind, first: 20) {
          totalCount
          nodes {
            ...LinkedItemFields
          }
        }
        invoices: linkableItems(kind: INVOICE) {
          totalCount
          nodes {
            ... on Invoice {
              id
              number
              amountDue
            }
          }
        }
      }
    }
  }
  ${LINKED_ITEM}
`;

export const PHOTO_VIEWER = gql`
  query PhotoViewer($id: ID!) {
    node(id: $id) {
      ... on Photo {
        ...PhotoFields
        createdAt
        completedAt
        accountRequest {
          id
          number
          photos(first: 5) {
            nodes {
              id
              thumbnailUrl
            }
          }
        }
      }
    }
  }
  ${PHOTO_FIELDS}
`;

export const operations = [
  {
    document: REQUEST_DETAIL,
    variables: { RequestDetail: { id: { ref: 'accountRequest' }, timelineFirst: 10 } },
  },
  {
    name: 'request-detail-defaults',
    document: REQUEST_DETAIL,
    variables: { RequestDetail: { id: { ref: 'otherAccountRequest' } } },
  },
  {
    document: LINK_PICKER,
    variables: { LinkPicker: { id: { ref: 'accountRequest' }, kind: 'TASK' } },
  },
  {
    document: PHOTO_VIEWER,
    variables: { PhotoViewer: { id: { ref: 'photo' } } },
  },
];
