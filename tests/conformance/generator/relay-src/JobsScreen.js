// The jobs list, paginated on Query.
import { graphql } from 'react-relay';

export const query = graphql`
  query JobsScreenQuery($filter: JobFilter) {
    ...JobsScreen_jobs @arguments(filter: $filter)
  }
`;

export const jobs = graphql`
  fragment JobsScreen_jobs on Query
  @refetchable(queryName: "JobsScreenPaginationQuery")
  @argumentDefinitions(
    filter: { type: "JobFilter" }
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
  ) {
    jobs(filter: $filter, first: $count, after: $cursor)
      @connection(key: "JobsScreen_jobs", filters: ["filter"]) {
      totalCount
      edges {
        node {
          ...JobsScreen_job
        }
      }
    }
  }
`;

export const job = graphql`
  fragment JobsScreen_job on Job {
    serviceType
    priority
    status
    slaDueAt
    skills
    account {
      ...AccountChip_account
    }
    assignee {
      ...UserChip_user
    }
    serviceRequest {
      number
      status
    }
  }
`;
