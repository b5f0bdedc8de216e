// The dispatchers' review queue with job drafts, the jobs list and the portal's
// "My service requests".
import { gql } from '@apollo/client/core/index.js';
import { JOB_ROW, PAGE_INFO, SERVICE_REQUEST_ROW, SITE_FIELDS } from './fragments.mjs';

const JOB_DRAFT = gql`
  fragment JobDraftForm on JobDraft {
    serviceType
    description
    bookingDate
    priority
    slaDueAt
    account {
      id
      name
      defaultSlaHours
    }
    site {
      ...SiteFields
    }
  }
  ${SITE_FIELDS}
`;

export const REVIEW_QUEUE = gql`
  query ReviewQueue($filter: ServiceRequestFilter, $orderBy: ServiceRequestOrder, $first: Int) {
    serviceRequestQueue {
      pendingCount
    }
    serviceRequests(filter: $filter, orderBy: $orderBy, first: $first) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      nodes {
        ...ServiceRequestRow
        jobDraft {
          ...JobDraftForm
        }
        job {
          ...JobRow
        }
      }
    }
  }
  ${PAGE_INFO}
  ${SERVICE_REQUEST_ROW}
  ${JOB_DRAFT}
  ${JOB_ROW}
`;

export const JOBS_LIST = gql`
  query JobsList($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String) {
    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after)
      @connection(key: "jobs", filter: ["filter"]) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      edges {
        cursor
        node {
          ...JobRow
          serviceRequest {
            ...ServiceRequestRow
          }
        }
      }
    }
  }
  ${PAGE_INFO}
  ${JOB_ROW}
  ${SERVICE_REQUEST_ROW}
`;

export const SERVICE_REQUEST_PAGE = gql`
  query ServiceRequestPage($id: ID!) {
    serviceRequest: node(id: $id) {
      ... on ServiceRequest {
        ...ServiceRequestRow
        jobDraft {
          ...JobDraftForm
        }
        job {
          id
          status
          assignee {
            id
            name
          }
        }
      }
    }
  }
  ${SERVICE_REQUEST_ROW}
  ${JOB_DRAFT}
`;

export const operations = [
  {
    document: REVIEW_QUEUE,
    variables: {
      ReviewQueue: {
        filter: {
          statuses: ['PENDING', 'APPROVED', 'DECLINED'],
          urgencies: ['NORMAL', 'URGENT'],
          serviceTypes: ['REPAIR', 'MAINTENANCE', 'INSTALLATION', 'INSPECTION', 'EMERGENCY', 'OTHER'],
          accountIds: [{ ref: 'account' }],
          submittedAfter: '2000-01-01T00:00:00+00:00',
        },
        orderBy: { field: 'URGENCY', direction: 'DESC' },
        first: 20,
      },
    },
  },
  {
    name: 'review-queue-pending',
    document: REVIEW_QUEUE,
    variables: { ReviewQueue: { filter: { statuses: ['PENDING'] } } },
  },
  {
    document: JOBS_LIST,
    variables: {
      JobsList: {
        filter: {
          statuses: ['READY_FOR_ASSIGNMENT', 'ASSIGNED', 'CANCELLED'],
          priorities: ['LOW', 'MEDIUM', 'HIGH', 'EMERGENCY'],
          accountIds: [{ ref: 'account' }],
        },
        orderBy: { field: 'CREATED_AT', direction: 'ASC' },
        first: 10,
        after: null,
      },
    },
  },
  {
    document: SERVICE_REQUEST_PAGE,
    variables: { ServiceRequestPage: { id: { ref: 'pendingServiceRequest' } } },
  },
  {
    name: 'service-request-page-approved',
    document: SERVICE_REQUEST_PAGE,
    variables: { ServiceRequestPage: { id: { ref: 'approvedServiceRequest' } } },
  },
];
