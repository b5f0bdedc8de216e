// Linked items over the LinkedItem union, one fragment per member type.
import { graphql } from 'react-relay';

export const request = graphql`
  fragment LinkedItems_request on AccountRequest
  @argumentDefinitions(kinds: { type: "[ItemKind!]" }) {
    linkedItems(first: 50, kinds: $kinds) {
      totalCount
      nodes {
        __typename
        ... on Task {
          ...LinkedItems_task @alias(as: "task")
        }
        ... on Appointment {
          startsAt
          endsAt
          appointmentStatus: status
          site {
            name
          }
        }
        ... on ServiceRecord {
          serviceDate
          description
          performedBy {
            ...UserChip_user
          }
        }
        ... on Invoice {
          number
          total
          amountDue
          invoiceStatus: status
        }
        ... on CreditMemo {
          number
          amount
          reason
        }
      }
    }
  }
`;

export const task = graphql`
  fragment LinkedItems_task on Task {
    title
    taskStatus: status
    dueAt
    assignee {
      ...UserChip_user
    }
  }
`;
