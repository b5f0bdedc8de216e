// The credit queue and an account's balances (refetchable on Account).
import { graphql } from 'react-relay';

export const query = graphql`
  query CreditScreenQuery($accountId: ID!) {
    creditAccountRequests(first: 20) {
      totalCount
      nodes {
        requestedLimit
        previousLimit
        status
        note
        requestedBy {
          ...UserChip_user
        }
        decidedBy {
          ...UserChip_user
        }
        account {
          ...AccountChip_account
        }
      }
    }
    node(id: $accountId) {
      ...CreditScreen_account @alias(as: "account")
    }
  }
`;

export const account = graphql`
  fragment CreditScreen_account on Account
  @refetchable(queryName: "CreditScreenAccountRefetchQuery") {
    creditLimit
    balance
    overdueBalance
    availableCredit
    creditAccountRequests {
      status
      requestedLimit
    }
    invoices(status: OPEN, first: 20) {
      totalCount
      nodes {
        number
        amountDue
      }
    }
    creditMemos(first: 20) {
      totalCount
      nodes {
        number
        amount
      }
    }
  }
`;
