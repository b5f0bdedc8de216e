// The accounting team's credit queue, an account's credit history and balances.
import { gql } from '@apollo/client/core/index.js';
import {
  ACCOUNT_CHIP,
  CREDIT_MEMO_FIELDS,
  CREDIT_REQUEST_ROW,
  INVOICE_FIELDS,
  PAGE_INFO,
} from './fragments.mjs';

const BALANCES = gql`
  fragment AccountBalances on Account {
    id
    creditLimit
    balance
    overdueBalance
    availableCredit
  }
`;

export const CREDIT_QUEUE = gql`
  query CreditQueue($filter: CreditAccountRequestFilter, $first: Int = 20) {
    creditAccountRequests(filter: $filter, first: $first) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      nodes {
        ...CreditRequestRow
        account {
          ...AccountBalances
        }
      }
    }
    companySettings {
      currency
      creditWarningPercent
      creditTeam {
        id
        name
        leader {
          id
          name
        }
      }
    }
  }
  ${PAGE_INFO}
  ${CREDIT_REQUEST_ROW}
  ${BALANCES}
`;

export const CREDIT_HISTORY = gql`
  query CreditHistory($accountId: ID!, $invoiceStatus: InvoiceStatus) {
    account: node(id: $accountId) {
      ... on Account {
        ...AccountChip
        ...AccountBalances
        creditAccountRequests {
          ...CreditRequestRow
        }
        openInvoices: invoices(status: $invoiceStatus, first: 50) {
          totalCount
          nodes {
            ...InvoiceFields
          }
        }
        allInvoices: invoices {
          totalCount
          nodes {
            id
            status
            total
          }
        }
        creditMemos(first: 50) {
          totalCount
          nodes {
            ...CreditMemoFields
          }
        }
        serviceRecords(first: 10) {
          totalCount
          nodes {
            id
            serviceDate
            description
          }
        }
        tasks(status: OPEN) {
          totalCount
          nodes {
            id
            title
            status
          }
        }
        appointments(status: PENDING) {
          totalCount
          nodes {
            id
            startsAt
            status
          }
        }
      }
    }
  }
  ${ACCOUNT_CHIP}
  ${BALANCES}
  ${CREDIT_REQUEST_ROW}
  ${INVOICE_FIELDS}
  ${CREDIT_MEMO_FIELDS}
`;

export const operations = [
  {
    document: CREDIT_QUEUE,
    variables: {
      CreditQueue: {
        filter: { statuses: ['PENDING', 'ACCEPTED', 'REJECTED'], accountIds: null },
      },
    },
  },
  {
    document: CREDIT_HISTORY,
    variables: { CreditHistory: { accountId: { ref: 'account' }, invoiceStatus: 'OPEN' } },
  },
];
