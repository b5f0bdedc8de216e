// Fragments shared by the screens, as an SPA keeps them next to its components.
// Nested on purpose: RequestRow spreads AccountChip, which spreads ManagerChip...
import { gql } from '@apollo/client/core/index.js';

export const PAGE_INFO = gql`
  fragment PageInfoFields on PageInfo {
    hasNextPage
    hasPreviousPage
    startCursor
    endCursor
  }
`;

export const USER_CHIP = gql`
  fragment UserChip on User {
    id
    name
    email
  }
`;

export const NODE_ID = gql`
  fragment NodeId on Node {
    id
  }
`;

export const ACCOUNT_CHIP = gql`
  fragment AccountChip on Account {
    ...NodeId
    name
    number
    isActive
    manager {
      ...UserChip
    }
  }
  ${NODE_ID}
  ${USER_CHIP}
`;

export const CONTACT_CHIP = gql`
  fragment ContactChip on Contact {
    id
    name
    email
    phone
    title
    portalAccess
  }
`;

export const REQUEST_TYPE_CHIP = gql`
  fragment RequestTypeChip on AccountRequestType {
    id
    name
    isActive
    portalAvailable
  }
`;

export const REQUEST_ROW = gql`
  fragment RequestRow on AccountRequest {
    id
    number
    status
    note
    source
    createdAt
    updatedAt
    type {
      ...RequestTypeChip
    }
    account {
      ...AccountChip
    }
    assignee {
      ...UserChip
    }
    contact {
      ...ContactChip
    }
  }
  ${REQUEST_TYPE_CHIP}
  ${ACCOUNT_CHIP}
  ${USER_CHIP}
  ${CONTACT_CHIP}
`;

export const SITE_FIELDS = gql`
  fragment SiteFields on Site {
    id
    name
    street
    city
    region
    postalCode
    country
    isActive
  }
`;

export const TASK_FIELDS = gql`
  fragment TaskFields on Task {
    id
    title
    description
    taskStatus: status
    dueAt
    createdAt
    assignee {
      ...UserChip
    }
  }
  ${USER_CHIP}
`;

export const APPOINTMENT_FIELDS = gql`
  fragment AppointmentFields on Appointment {
    id
    startsAt
    endsAt
    notes
    appointmentStatus: status
    site {
      ...SiteFields
    }
    assignee {
      ...UserChip
    }
  }
  ${SITE_FIELDS}
  ${USER_CHIP}
`;

export const SERVICE_RECORD_FIELDS = gql`
  fragment ServiceRecordFields on ServiceRecord {
    id
    serviceDate
    description
    site {
      id
      name
    }
    performedBy {
      ...UserChip
    }
  }
  ${USER_CHIP}
`;

export const INVOICE_FIELDS = gql`
  fragment InvoiceFields on Invoice {
    id
    number
    issuedOn
    dueOn
    total
    amountPaid
    amountDue
    invoiceStatus: status
  }
`;

export const CREDIT_MEMO_FIELDS = gql`
  fragment CreditMemoFields on CreditMemo {
    id
    number
    issuedOn
    amount
    reason
  }
`;

// The union: one inline fragment per member, each spreading that type's fragment,
// and a field every member has (account) selected in two members with different
// sub-selections, which the executor must merge per member.
export const LINKED_ITEM = gql`
  fragment LinkedItemFields on LinkedItem {
    __typename
    ... on Task {
      ...TaskFields
    }
    ... on Appointment {
      ...AppointmentFields
      account {
        id
      }
    }
    ... on ServiceRecord {
      ...ServiceRecordFields
      account {
        name
      }
    }
    ... on Invoice {
      ...InvoiceFields
    }
    ... on CreditMemo {
      ...CreditMemoFields
    }
    ... on Node {
      id
    }
  }
  ${TASK_FIELDS}
  ${APPOINTMENT_FIELDS}
  ${SERVICE_RECORD_FIELDS}
  ${INVOICE_FIELDS}
  ${CREDIT_MEMO_FIELDS}
`;

export const PHOTO_FIELDS = gql`
  fragment PhotoFields on Photo {
    id
    status
    description
    displayInPortal
    filename
    contentType
    byteSize
    width
    height
    url
    thumbnailUrl
    urlExpiresAt
    uploadedBy {
      ...UserChip
    }
    uploadedByContact {
      id
      name
    }
  }
  ${USER_CHIP}
`;

export const TIMELINE_EVENT = gql`
  fragment TimelineEvent on AccountRequestEvent {
    id
    kind
    before
    after
    createdAt
    actor {
      ...UserChip
    }
    actorContact {
      ...ContactChip
    }
  }
  ${USER_CHIP}
  ${CONTACT_CHIP}
`;

export const JOB_ROW = gql`
  fragment JobRow on Job {
    id
    serviceType
    description
    scheduledStart
    scheduledEnd
    priority
    slaDueAt
    skills
    parts
    assetIds
    status
    cancelReason
    createdAt
    account {
      ...AccountChip
    }
    site {
      ...SiteFields
    }
    assignee {
      ...UserChip
    }
  }
  ${ACCOUNT_CHIP}
  ${SITE_FIELDS}
  ${USER_CHIP}
`;

export const SERVICE_REQUEST_ROW = gql`
  fragment ServiceRequestRow on ServiceRequest {
    id
    number
    serviceType
    description
    urgency
    preferredDate
    submittedAt
    status
    decidedAt
    declineReason
    account {
      ...AccountChip
    }
    site {
      ...SiteFields
    }
    contact {
      ...ContactChip
    }
    decidedBy {
      ...UserChip
    }
  }
  ${ACCOUNT_CHIP}
  ${SITE_FIELDS}
  ${CONTACT_CHIP}
  ${USER_CHIP}
`;

export const CREDIT_REQUEST_ROW = gql`
  fragment CreditRequestRow on CreditAccountRequest {
    id
    requestedLimit
    previousLimit
    note
    status
    decidedAt
    decisionNote
    createdAt
    account {
      ...AccountChip
    }
    requestedBy {
      ...UserChip
    }
    decidedBy {
      ...UserChip
    }
  }
  ${ACCOUNT_CHIP}
  ${USER_CHIP}
`;

export const TEAM_FIELDS = gql`
  fragment TeamFields on Team {
    id
    name
    createdAt
    leader {
      ...UserChip
    }
    members {
      ...UserChip
    }
  }
  ${USER_CHIP}
`;

// What a notification or a refetch shows for any Node: an interface fragment with
// per-type inline fragments and named fragments on concrete types. Fields that
// differ in type between members (number, status) are aliased, as the spec's
// field-merging rule demands of any client.
export const NODE_SUMMARY = gql`
  fragment NodeSummary on Node {
    __typename
    id
    ... on AccountRequest {
      requestNumber: number
      requestStatus: status
      account {
        ...AccountChip
      }
    }
    ... on Account {
      ...AccountChip
    }
    ... on ServiceRequest {
      serviceRequestNumber: number
      serviceRequestStatus: status
    }
    ... on Job {
      jobStatus: status
      priority
    }
    ... on CreditAccountRequest {
      creditStatus: status
      requestedLimit
    }
    ... on User {
      ...UserChip
    }
    ... on Contact {
      name
      portalAccess
    }
    ... on Site {
      ...SiteFields
    }
    ... on Task {
      title
    }
    ... on Invoice {
      ...InvoiceFields
    }
    ... on Photo {
      filename
      photoStatus: status
    }
    ... on Team {
      name
    }
  }
  ${ACCOUNT_CHIP}
  ${USER_CHIP}
  ${SITE_FIELDS}
  ${INVOICE_FIELDS}
`;
