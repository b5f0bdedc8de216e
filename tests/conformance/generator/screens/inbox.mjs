// The notifications inbox, the viewer menu (`me`) and the company settings page.
import { gql } from '@apollo/client/core/index.js';
import {
  ACCOUNT_CHIP,
  CONTACT_CHIP,
  NODE_SUMMARY,
  PAGE_INFO,
  REQUEST_TYPE_CHIP,
  TEAM_FIELDS,
  USER_CHIP,
} from './fragments.mjs';

const NOTIFICATION_ITEM = gql`
  fragment NotificationItem on Notification {
    id
    kind
    title
    body
    createdAt
    readAt
    isRead
    cursor
    subject {
      ...NodeSummary
    }
  }
  ${NODE_SUMMARY}
`;

export const INBOX = gql`
  query Inbox($last: Int = 20, $unreadOnly: Boolean! = false) {
    unreadNotificationCount
    notifications(last: $last, unreadOnly: $unreadOnly) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        cursor
        node {
          ...NotificationItem
        }
      }
    }
  }
  ${PAGE_INFO}
  ${NOTIFICATION_ITEM}
`;

const USER_PROFILE = gql`
  fragment UserProfile on User {
    ...UserChip
    login
    employeeId
    phone
    mobile
    isActive
    createdAt
    roles
    teams {
      id
      name
    }
    managedAccounts(first: 10) {
      totalCount
      nodes {
        ...AccountChip
      }
    }
  }
  ${USER_CHIP}
  ${ACCOUNT_CHIP}
`;

const PORTAL_VIEWER = gql`
  fragment PortalViewer on PortalContact {
    id
    name
    email
    account {
      ...AccountChip
    }
    contact {
      ...ContactChip
    }
  }
  ${ACCOUNT_CHIP}
  ${CONTACT_CHIP}
`;

export const VIEWER = gql`
  query Viewer {
    me {
      __typename
      ...UserProfile
      ...PortalViewer
    }
    unreadNotificationCount
  }
  ${USER_PROFILE}
  ${PORTAL_VIEWER}
`;

export const COMPANY_SETTINGS = gql`
  query CompanySettingsPage($includeInactive: Boolean! = true) {
    companySettings {
      serviceRequestsEnabled
      managersMayCreateOnBehalf
      defaultSlaHours
      maxPhotoBytes
      allowedPhotoTypes
      maxPhotosPerRequest
      currency
      creditWarningPercent
      creditTeam {
        ...TeamFields
      }
    }
    accountRequestTypes(includeInactive: $includeInactive) {
      ...RequestTypeChip
      description
      defaultAssignee {
        ...UserChip
      }
    }
    teams(first: 20) {
      totalCount
      nodes {
        ...TeamFields
      }
    }
    users(filter: { roles: [ADMIN, DISPATCHER, TECHNICIAN], isActive: true }, first: 50) {
      totalCount
      nodes {
        ...UserChip
        roles
      }
    }
  }
  ${TEAM_FIELDS}
  ${REQUEST_TYPE_CHIP}
  ${USER_CHIP}
`;

export const operations = [
  { document: INBOX, variables: { Inbox: { last: 10, unreadOnly: false } } },
  { name: 'inbox-unread', document: INBOX, variables: { Inbox: { unreadOnly: true } } },
  { document: VIEWER, variables: { Viewer: {} } },
  { document: COMPANY_SETTINGS, variables: { CompanySettingsPage: {} } },
];
